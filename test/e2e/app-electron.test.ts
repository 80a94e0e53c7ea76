// The desktop app end to end with Playwright's Electron driver, wherever an Electron binary exists
// (on a workstation: `npx install-electron` once, or `npm start` online). Without a display it runs under
// its own Xvfb when one is installed. The window must show the app served by the backend host.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { tempDir } from '../helpers/tmp';

const root = join(import.meta.dirname, '..', '..');

function electronBinary(): string | undefined {
  // Reading path.txt (not require('electron'), which starts a download in electron 45 when the binary is missing).
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

const binary = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const hasXvfb = spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' }).status === 0;
const skip = !binary
  ? 'Electron binary missing (node_modules/electron/dist): run `npx install-electron` where it can be downloaded'
  : !hasDisplay && !hasXvfb
    ? 'no display, and no Xvfb to make one (apt-get install xvfb)'
    : false;

/** A private X server for the test when the machine has no display. */
async function startXvfb(): Promise<{ display: string; proc: ChildProcess | null }> {
  if (hasDisplay) return { display: process.env.DISPLAY ?? '', proc: null };
  const display = `:${90 + (process.pid % 9)}`;
  const proc = spawn('Xvfb', [display, '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  return { display, proc };
}

test('the desktop window shows the app from its backend host, with the native folder picker', { skip, timeout: 180_000 }, async () => {
  const x = await startXvfb();
  const app = await electron.launch({
    executablePath: binary!,
    args: [join(root, 'out', 'main', 'index.js'), '--data-dir', tempDir()],
    env: { ...process.env, DISPLAY: x.display, NOISYNN_NODE: process.execPath },
  });
  try {
    const win = await app.firstWindow();
    await win.locator('[data-testid="datasets-ready"]').waitFor({ timeout: 90_000 });
    assert.equal(await win.getByTestId('dataset-total').textContent(), '70,000');
    assert.match((await win.getByTestId('status-transport').textContent()) ?? '', /Desktop/);
    assert.ok(await win.getByTestId('dataset-browse').isVisible(), 'the native folder picker is offered');
    assert.equal(new URL(win.url()).hostname, '127.0.0.1');
    await win.screenshot({ path: join(root, 'test-results', 'screenshots', 'electron-datasets.png') });
  } finally {
    await app.close();
    x.proc?.kill();
  }
});
