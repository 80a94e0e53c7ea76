// Electron main process: a thin shell. It starts the backend host (`noisynn serve` under a real Node:
// store, engine, trainers; see src-main/desktop/backend-host.ts), opens one window on the backend's
// loopback page, and adds the native bits over IPC. No native addon is ever loaded here (better-sqlite3 is
// built for Node's ABI, not Electron's); test/integration/electron-bundle.test.ts checks the built bundle.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, session } from 'electron';
import { findNode, startBackendHost, type BackendExit, type BackendHost } from '../desktop/backend-host';
import { registerIpc } from './ipc';
import { installMenu } from './menu';
import { loadWindowState, saveWindowState } from './window-state';

const here = dirname(fileURLToPath(import.meta.url)); // out/main once built
const root = join(here, '..', '..');
const icon = join(root, 'resources', 'icon.png');

/** `--data-dir DIR` or `--data-dir=DIR`, as in the CLI; otherwise the backend's default. */
function dataDirFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir') return argv[i + 1];
    if (argv[i].startsWith('--data-dir=')) return argv[i].slice('--data-dir='.length);
  }
  return undefined;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page that says what went wrong instead of a blank window. */
function errorPage(title: string, detail: string, lines: string[]): string {
  const body = `<!doctype html><meta charset="utf-8"><title>NoisyNN Workbench</title>
<body style="font:14px system-ui,sans-serif;margin:32px;color:#222">
<h2>${escapeHtml(title)}</h2><p>${escapeHtml(detail)}</p>
${lines.length ? `<p>Its last messages:</p><pre style="background:#f3f3f5;padding:12px;white-space:pre-wrap">${escapeHtml(lines.join('\n'))}</pre>` : ''}
<p>Browser mode runs the same app: <code>npx noisynn serve</code>.</p></body>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(body)}`;
}

/** Everything the app does not use is refused: camera, microphone, notifications, geolocation, ... */
function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(isAppUrl: (url: string) => boolean): BrowserWindow {
  const state = loadWindowState();
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'NoisyNN Workbench',
    icon,
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
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(win));
  // The renderer is a local app: no pop-ups, no navigation away from the backend's origin, no webviews.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  return win;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  denyPermissions();
  let backend: BackendHost | null = null;
  installMenu({ dataDir: () => backend?.dataDir ?? null, appUrl: () => backend?.url ?? null });
  const isAppUrl = (url: string): boolean => backend !== null && url.startsWith(`${backend.origin}/`);
  const unregister = registerIpc(isAppUrl);
  let win = createWindow(isAppUrl);

  const node = findNode();
  if ('error' in node) {
    console.error(`noisynn: ${node.error}`);
    await win.loadURL(errorPage('The workbench cannot start', node.error, []));
    return;
  }
  try {
    backend = await startBackendHost({ node: node.node, root, dataDir: dataDirFlag(process.argv) });
  } catch (e) {
    const err = e as Error & { stderrTail?: string[] };
    console.error(`noisynn: ${err.message}`);
    await win.loadURL(errorPage('The workbench backend did not start', err.message.split('\n')[0], err.stderrTail ?? []));
    return;
  }
  const started = backend;
  void started.exited.then((exit: BackendExit) => {
    if (exit.requested || win.isDestroyed()) return;
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    void win.loadURL(
      errorPage(
        'The workbench backend stopped',
        `The backend process ${how}. Restart the app to continue; runs in progress go back to the queue.`,
        exit.stderrTail,
      ),
    );
  });
  await win.loadURL(started.url);

  app.on('second-instance', () => {
    if (win.isDestroyed()) {
      win = createWindow(isAppUrl);
      void win.loadURL(started.url);
    }
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      win = createWindow(isAppUrl);
      void win.loadURL(started.url);
    }
  });

  // The backend stops its trainers (their runs go back to the queue) and closes the store before we exit.
  let stopping = false;
  app.on('before-quit', (e) => {
    if (stopping) return;
    e.preventDefault();
    stopping = true;
    unregister();
    void started.stop().finally(() => app.quit());
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

start().catch((e: unknown) => {
  console.error('noisynn: failed to start:', e);
  dialog.showErrorBox('NoisyNN Workbench', `Failed to start: ${(e as Error).message}`);
  app.exit(1);
});
