// Electron main process: one window, the contract over IPC, nothing else. The services (engine, data,
// store, trainer processes) are the same ones the loopback server and the CLI use.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';
import type { ApiEvent, ApiEvents } from '../api/contract';
import { createServices } from '../api/services';
import { resolveDataDir } from '../store';
import { broadcast, registerIpc } from './ipc';

const here = dirname(fileURLToPath(import.meta.url)); // out/main once built
// The services fork the trainer; inside the bundle that is the sibling worker.js, not worker.ts via tsx.
process.env.NOISYNN_WORKER_ENTRY ??= join(here, 'worker.js');

const devUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const indexHtml = join(here, '..', 'renderer', 'index.html');
const indexUrl = pathToFileURL(indexHtml).href;

function isAppUrl(url: string): boolean {
  if (devUrl) return url.startsWith(new URL(devUrl).origin + '/');
  return url.split(/[?#]/)[0] === indexUrl;
}

/** `--data-dir DIR` or `--data-dir=DIR`, as in the CLI; otherwise NOISYNN_HOME or the OS app-data folder. */
function dataDirFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir') return argv[i + 1];
    if (argv[i].startsWith('--data-dir=')) return argv[i].slice('--data-dir='.length);
  }
  return undefined;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'NoisyNN Workbench',
    backgroundColor: '#f7f7f8',
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The renderer is a local app: no pop-ups, no navigation away from it.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(indexHtml);
  return win;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const dataDir = resolveDataDir(dataDirFlag(process.argv));
  const emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]): void => broadcast(event, payload);
  const services = await createServices({ dataDir, transport: 'electron', emit });
  const unregister = registerIpc(services.handlers, isAppUrl);

  let win = createWindow();
  app.on('second-instance', () => {
    if (win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the services stop trainer processes and close the store before the process goes away.
  let disposed = false;
  app.on('before-quit', (e) => {
    if (disposed) return;
    e.preventDefault();
    disposed = true;
    unregister();
    services.dispose().then(
      () => app.quit(),
      (err: unknown) => {
        console.error('noisynn: shutdown failed:', err);
        app.exit(1);
      },
    );
  });
}

start().catch((e: unknown) => {
  console.error('noisynn: failed to start:', e);
  app.exit(1);
});
