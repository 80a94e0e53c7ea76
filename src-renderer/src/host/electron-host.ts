// The desktop host: the same HTTP client as browser mode (the window loads the backend host's page), plus
// what the preload's DesktopBridge adds: the native folder picker and "show in folder".
import type { DesktopBridge } from '@api/contract';
import { BrowserHost } from './browser-host';

export class ElectronHost extends BrowserHost {
  override readonly kind = 'electron' as const;
  readonly #bridge: DesktopBridge;

  constructor(bridge: DesktopBridge) {
    super();
    this.#bridge = bridge;
  }

  override openFolder(): Promise<string | null> {
    return this.#bridge.openFolder();
  }

  override showInFolder(path: string): Promise<boolean> {
    return this.#bridge.showInFolder(path);
  }
}
