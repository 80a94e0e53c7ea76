// The desktop app's backend host, started by the very function the Electron shell calls
// (src-main/desktop/backend-host.ts), from plain Node: it hands over its URL and token, serves the app,
// stops its trainers on request, dies with its shell, and a backend that dies is reported with its last words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BackendStartError, findNode, startBackendHost, type BackendHost } from '../../src-main/desktop/backend-host';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';

const root = join(import.meta.dirname, '..', '..');

async function call(
  host: BackendHost,
  method: string,
  body: unknown,
): Promise<{ status: number; json: { value?: unknown; error?: { message: string } } }> {
  const res = await fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-NoisyNN-Token': host.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  'starts, hands over URL and token, serves the app behind the token, and stops its trainer on request (run requeued)',
  { timeout: 180_000 },
  async () => {
    const dataDir = tempDir();
    const host = await startBackendHost({ node: process.execPath, root, dataDir });
    // A failed assertion must not leave the backend (and this test process) running.
    after(() => host.stop(5000));
    assert.equal(host.url, `${host.origin}/?token=${host.token}`);
    assert.equal(host.dataDir, dataDir);
    const page = await fetch(host.url, { redirect: 'manual' });
    assert.equal(page.status, 303, 'the token URL sets the session cookie');
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    const html = await fetch(`${host.origin}/`, { headers: { Cookie: cookie } });
    assert.equal(html.status, 200);
    assert.match(await html.text(), /<div id="app">/);
    assert.equal((await fetch(`${host.origin}/`)).status, 401, 'no cookie, no token: no page');

    const info = await call(host, 'app.info', {});
    assert.equal((info.json.value as { dataDir: string }).dataDir, dataDir);
    // A run long enough to be mid-epoch when the shell quits.
    const started = await call(host, 'runs.start', {
      config: { preset: 'mnist-cnn', replicas: 1, limitTrain: 20_000, limitTest: 100, name: 'host-stop' },
    });
    assert.equal(started.status, 200, JSON.stringify(started.json));
    const runId = (started.json.value as { runId: number }).runId;
    const store = openStore(dataDir);
    try {
      // Wait for the trainer to have written a step (a store row), not for a time window.
      const pid = await until(
        'the trainer to write its first step',
        () => {
          const r = store.getRun(runId);
          return r?.status === 'running' && r.pid && store.metricSeries(runId, 'train/loss', 10).step.length > 0 ? r.pid : undefined;
        },
        120_000,
      );
      assert.ok(alive(pid));
      const exit = await host.stop();
      assert.equal(exit.requested, true);
      assert.equal(exit.code, 0, exit.stderrTail.join('\n'));
      assert.equal(alive(pid), false, 'the trainer process is gone with its backend');
      const run = store.getRun(runId)!;
      assert.equal(run.status, 'queued', `an interrupted run goes back to the queue (got ${run.status}: ${run.error})`);
    } finally {
      store.close();
    }
  },
);

test('a backend that cannot start is reported with its last stderr lines, not a hang', { timeout: 60_000 }, async () => {
  const notADir = join(tempDir(), 'file');
  writeFileSync(notADir, 'x');
  await assert.rejects(startBackendHost({ node: process.execPath, root, dataDir: notADir }), (e: unknown) => {
    assert.ok(e instanceof BackendStartError);
    assert.match(e.message, /exited before it was ready/);
    assert.ok(
      e.stderrTail.some((l) => l.includes('noisynn serve')),
      e.stderrTail.join('\n'),
    );
    return true;
  });
});

test('a backend that dies after its start is reported (signal and last lines), and not as requested', { timeout: 60_000 }, async () => {
  const host = await startBackendHost({ node: process.execPath, root, dataDir: tempDir() });
  after(() => host.stop(5000));
  process.kill(host.pid, 'SIGKILL');
  const exit = await host.exited;
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.requested, false);
});

test('when its shell dies without a word (SIGKILL), the backend shuts itself down', { timeout: 60_000 }, async () => {
  const hostModule = new URL('../../src-main/desktop/backend-host.ts', import.meta.url).href;
  const code = `const { startBackendHost } = await import(${JSON.stringify(hostModule)});
const h = await startBackendHost({ node: process.execPath, root: ${JSON.stringify(root)}, dataDir: ${JSON.stringify(tempDir())} });
console.log('PID ' + h.pid);`;
  const shell = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  after(() => {
    if (shell.exitCode === null) shell.kill('SIGKILL');
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    shell.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /PID (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    shell.on('exit', (c) => reject(new Error(`the shell exited first (${c})`)));
  });
  assert.ok(alive(pid));
  shell.kill('SIGKILL');
  await until('the orphaned backend to exit', () => (alive(pid) ? undefined : true), 30_000);
});

test('findNode: NOISYNN_NODE first, then node on PATH, else a clear error', () => {
  assert.deepEqual(findNode({ NOISYNN_NODE: process.execPath }), { node: process.execPath });
  assert.match(
    (findNode({ NOISYNN_NODE: '/nonexistent/node' }) as { error: string }).error,
    /NOISYNN_NODE=\/nonexistent\/node is not an executable/,
  );
  const onPath = findNode({ PATH: join(process.execPath, '..') });
  assert.ok('node' in onPath && onPath.node.endsWith('node'));
  assert.match((findNode({ PATH: tempDir() }) as { error: string }).error, /no Node\.js found.*NOISYNN_NODE/);
});
