// The IPC transport of the contract: one invoke channel routed by method name, one event channel.
// Handler errors become `{ error }` replies here, because Electron rewrites the message of an error
// thrown across ipcMain.handle ("Error invoking remote method ...") and drops its fields.
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { API_METHODS, type ApiEvent, type ApiEvents, type ApiMethod, type Handlers, type Reply } from '../api/contract';
import { CHANNEL } from './bridge';


const known = new Set<string>(API_METHODS);

function isApiMethod(m: unknown): m is ApiMethod {
  return typeof m === 'string' && known.has(m);
}

/** Only our own windows may call: a frame from elsewhere (an iframe, a navigated page) is refused. */
function trusted(e: IpcMainInvokeEvent, isAppUrl: (url: string) => boolean): boolean {
  const url = e.senderFrame?.url ?? '';
  return BrowserWindow.fromWebContents(e.sender) !== null && isAppUrl(url);
}

export async function route(handlers: Handlers, method: unknown, req: unknown): Promise<Reply<unknown>> {
  if (!isApiMethod(method)) return { error: { message: `unknown API method: ${String(method)}`, code: 'unknown-method' } };
  try {
    const handler = handlers[method] as (r: unknown) => Promise<unknown>;
    return { value: await handler(req ?? {}) };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { error: { message: err?.message || String(e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) } };
  }
}

/** Registers the API and folder-dialog channels; returns a function that removes them. */
export function registerIpc(handlers: Handlers, isAppUrl: (url: string) => boolean): () => void {
  ipcMain.handle(CHANNEL.invoke, (e, method: unknown, req: unknown) => {
    if (!trusted(e, isAppUrl)) return { error: { message: 'refused: request from an untrusted frame', code: 'forbidden' } } satisfies Reply<never>;
    return route(handlers, method, req);
  });
  ipcMain.handle(CHANNEL.openFolder, async (e) => {
    if (!trusted(e, isAppUrl)) return null;
    const win = BrowserWindow.fromWebContents(e.sender);
    const options = { title: 'Choose a dataset folder', properties: ['openDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  });
  return () => {
    ipcMain.removeHandler(CHANNEL.invoke);
    ipcMain.removeHandler(CHANNEL.openFolder);
  };
}

/** Sends a contract event to every open window (the services call this through `emit`). */
export function broadcast<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(CHANNEL.event, event, payload);
  }
}
