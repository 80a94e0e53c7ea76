// `npm start` where Electron cannot be downloaded (ELECTRON_MIRROR points at a closed local port, with a
// display so the download is really tried): one line names the reason, browser mode is served within 60 s,
// and the page survives what users do to it: a reload, a second tab on the bare origin, a server restart.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/tmp';
import { launchBrowser, missingPrerequisite } from './harness';

const root = join(import.meta.dirname, '..', '..');

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Resolves with the first match of `re` in the child's stdout. */
function waitFor(child: ChildProcess, out: { text: string }, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs / 1000} s; stdout:\n${out.text}`)), timeoutMs);
    const check = () => {
      const m = re.exec(out.text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (c) => reject(new Error(`exited (${c}) before ${re}; stdout:\n${out.text}`)));
    check();
  });
}

function spawnLogged(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; out: { text: string }; exited: Promise<number | null> } {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = { text: '' };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out.text += c));
  return { child, out, exited: new Promise((r) => child.on('exit', (c) => r(c))) };
}

test(
  'npm start without an Electron download: one line why, browser mode in 60 s; reload, new tab and restart keep the app',
  { timeout: 240_000 },
  async () => {
    const missing = missingPrerequisite();
    assert.equal(missing, undefined, missing);
    const dataDir = tempDir();
    const env = {
      ...process.env,
      DISPLAY: ':99', // a display is claimed, so start.mjs really tries the download
      ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/`,
      electron_config_cache: tempDir(), // no cached zip to fall back on
      ELECTRON_OVERRIDE_DIST_PATH: tempDir(), // no binary, even where a developer has one installed
      NOISYNN_HOME: dataDir,
      NOISYNN_ELECTRON_INSTALL_TIMEOUT_S: '50',
    };
    const t0 = Date.now();
    const start = spawnLogged(process.execPath, [join(root, 'scripts', 'start.mjs')], env);
    let server2: ReturnType<typeof spawnLogged> | null = null;
    const browser = await launchBrowser();
    try {
      const why = await waitFor(start.child, start.out, /^(.*): starting browser mode$/m, 60_000);
      assert.match(why[1], /^Electron could not be installed: .+ \(offline: set ELECTRON_MIRROR or put the zip in electron_config_cache/);
      const url = (await waitFor(start.child, start.out, /NoisyNN Workbench: open (http:\S+)/, 60_000))[1];
      assert.ok(Date.now() - t0 < 60_000, `browser mode took ${Date.now() - t0} ms`);
      const origin = new URL(url).origin;

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(url);
      await page.getByTestId('app-shell').waitFor();
      assert.equal(new URL(page.url()).searchParams.has('token'), false, 'the token leaves the address bar');
      await page.locator('[data-testid="status-connection"][data-state="connected"]').waitFor();

      // The Train form survives a reload.
      await page.goto(`${origin}/#/train`);
      const epochs = page.getByTestId('epochs');
      await epochs.waitFor();
      await page.getByTestId('preset-select').locator('option').nth(1).waitFor({ state: 'attached' });
      await epochs.fill('7');
      await page.reload();
      await page.getByTestId('app-shell').waitFor();
      assert.equal(await page.getByTestId('epochs').inputValue(), '7');

      // A second tab (or a bookmark) on the bare origin: the app, not a 401.
      const tab = await context.newPage();
      await tab.goto(`${origin}/`);
      await tab.getByTestId('app-shell').waitFor();
      await tab.locator('[data-testid="status-connection"][data-state="connected"]').waitFor();

      // Requests from another origin are still refused, cookie or not; no cookie and no token: 401.
      const cookie = (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
      assert.match(cookie, /noisynn-session-\d+=/);
      const api = (headers: Record<string, string>) =>
        fetch(`${origin}/api/runs.list`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
      assert.equal((await api({ Cookie: cookie })).status, 200);
      assert.equal((await api({ Cookie: cookie, Origin: 'http://evil.example' })).status, 403);
      assert.equal((await api({})).status, 401);

      // The server goes away: the tab says so. A new server on the same data dir takes the same port back and the
      // open tab reconnects by itself (the session secret is kept in the data dir).
      start.child.kill('SIGTERM');
      assert.equal(await start.exited, 0);
      await page.getByTestId('connection-lost').waitFor({ timeout: 30_000 });
      assert.match(
        (await page.getByTestId('connection-lost').textContent()) ?? '',
        /disconnected: the server at 127\.0\.0\.1:\d+ has stopped/,
      );
      server2 = spawnLogged(process.execPath, [join(root, 'bin', 'noisynn.mjs'), 'serve', '--data-dir', dataDir], env);
      const url2 = (await waitFor(server2.child, server2.out, /NoisyNN Workbench: open (http:\S+)/, 60_000))[1];
      assert.equal(new URL(url2).origin, origin, 'the restarted server takes the same port again');
      await page.locator('[data-testid="status-connection"][data-state="connected"]').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('connection-lost').count(), 0);
      await page.reload();
      await page.getByTestId('app-shell').waitFor();
    } finally {
      await browser.close();
      for (const c of [start.child, server2?.child]) if (c && c.exitCode === null) c.kill('SIGTERM');
      await start.exited;
      if (server2) await server2.exited;
    }
  },
);
