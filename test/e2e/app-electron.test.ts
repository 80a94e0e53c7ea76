// The desktop app end to end with Playwright's Electron driver, where an Electron binary exists.
import assert from 'node:assert/strict';
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
const skip = !binary
  ? 'Electron binary not installed (it is downloaded on first run and this machine is offline)'
  : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
    ? 'no display to open a window on'
    : false;

test('the desktop window shows the Datasets view over IPC', { skip }, async () => {
  const app = await electron.launch({ executablePath: binary!, args: [join(root, 'out', 'main', 'index.js'), '--data-dir', tempDir()] });
  try {
    const win = await app.firstWindow();
    await win.locator('[data-testid="datasets-ready"]').waitFor({ timeout: 60_000 });
    assert.equal(await win.getByTestId('dataset-total').textContent(), '70,000');
    assert.equal(await win.getByTestId('status-transport').textContent().then((t) => /electron/i.test(t ?? '')), true);
    await win.screenshot({ path: join(root, 'test-results', 'screenshots', 'electron-datasets.png') });
  } finally {
    await app.close();
  }
});
