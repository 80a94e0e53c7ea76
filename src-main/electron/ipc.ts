// The two things the window asks of the shell over IPC: a native folder picker and "show in folder".
// The API itself never passes through here (the page talks to the backend host over HTTP), so a frame
// that is not the app's own gets nothing.
import { isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import { BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL } from './bridge';

/** Only our own windows may call: a frame from elsewhere (an iframe, a navigated page) is refused. */
function trusted(e: IpcMainInvokeEvent, isAppUrl: (url: string) => boolean): boolean {
  const url = e.senderFrame?.url ?? '';
  return BrowserWindow.fromWebContents(e.sender) !== null && isAppUrl(url);
}

/** Registers the channels; returns a function that removes them. */
export function registerIpc(isAppUrl: (url: string) => boolean): () => void {
  ipcMain.handle(CHANNEL.openFolder, async (e) => {
    if (!trusted(e, isAppUrl)) return null;
    const win = BrowserWindow.fromWebContents(e.sender);
    const options = { title: 'Choose a dataset folder', properties: ['openDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  });
  ipcMain.handle(CHANNEL.showInFolder, (e, path: unknown) => {
    if (!trusted(e, isAppUrl) || typeof path !== 'string' || !isAbsolute(path) || !existsSync(path)) return false;
    shell.showItemInFolder(path);
    return true;
  });
  return () => {
    ipcMain.removeHandler(CHANNEL.openFolder);
    ipcMain.removeHandler(CHANNEL.showInFolder);
  };
}
