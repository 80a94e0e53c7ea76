// The desktop host: the preload's `window.noisynn` bridge, with replies unwrapped into values or errors.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, ApiResponse } from '@api/contract';
import type { NoisynnBridge } from '../../../src-main/electron/bridge';
import { unwrap, type Host } from './host';

export class ElectronHost implements Host {
  readonly kind = 'electron' as const;
  readonly #bridge: NoisynnBridge;

  constructor(bridge: NoisynnBridge) {
    this.#bridge = bridge;
  }

  async invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> {
    return unwrap(await this.#bridge.invoke(method, req), method) as ApiResponse<M>;
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    return this.#bridge.on(event, listener);
  }

  openFolder(): Promise<string | null> {
    return this.#bridge.openFolder();
  }
}
