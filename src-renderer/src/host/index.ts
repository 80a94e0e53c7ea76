// Picks the host once: the desktop bridge when the preload exposed one, the plain browser client otherwise.
import type { DesktopBridge } from '@api/contract';
import { BrowserHost } from './browser-host';
import { ElectronHost } from './electron-host';
import type { Host } from './host';

declare global {
  interface Window {
    noisynn?: DesktopBridge;
  }
}

export const host: Host = window.noisynn ? new ElectronHost(window.noisynn) : new BrowserHost();
export { ApiError, errorMessage } from './host';
export type { Connection, Host } from './host';
