// Picks the host once: the preload bridge when running in Electron, the loopback server otherwise.
import type { NoisynnBridge } from '../../../src-main/electron/bridge';
import { BrowserHost, takeToken } from './browser-host';
import { ElectronHost } from './electron-host';
import type { Host } from './host';

declare global {
  interface Window {
    noisynn?: NoisynnBridge;
  }
}

function pickHost(): Host {
  return window.noisynn ? new ElectronHost(window.noisynn) : new BrowserHost(takeToken());
}

export const host: Host = pickHost();
export { ApiError, errorMessage } from './host';
export type { Host } from './host';
