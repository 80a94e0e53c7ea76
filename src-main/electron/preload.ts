// Sandboxed preload: exposes three functions over contextBridge and never ipcRenderer itself, so a
// compromised page can reach only the typed contract, not arbitrary IPC channels.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiEvents } from '../api/contract';
import { CHANNEL, type NoisynnBridge } from './bridge';

const bridge: NoisynnBridge = {
  invoke: (method, req) => ipcRenderer.invoke(CHANNEL.invoke, method, req),
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) listener(payload as ApiEvents[E]);
    };
    ipcRenderer.on(CHANNEL.event, handler);
    return () => {
      ipcRenderer.removeListener(CHANNEL.event, handler);
    };
  },
  openFolder: () => ipcRenderer.invoke(CHANNEL.openFolder) as Promise<string | null>,
};

contextBridge.exposeInMainWorld('noisynn', bridge);
