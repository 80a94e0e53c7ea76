// Sandboxed preload: exposes the contract's DesktopBridge over contextBridge and never ipcRenderer itself,
// so a compromised page can reach two fixed channels and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopBridge } from '../api/contract';
import { CHANNEL } from './bridge';

const bridge: DesktopBridge = {
  openFolder: () => ipcRenderer.invoke(CHANNEL.openFolder) as Promise<string | null>,
  showInFolder: (path) => ipcRenderer.invoke(CHANNEL.showInFolder, path) as Promise<boolean>,
};

contextBridge.exposeInMainWorld('noisynn', bridge);
