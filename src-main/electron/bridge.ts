// The exact shape the preload exposes as `window.noisynn`. It lives beside the preload but imports
// only contract types, so the renderer can import it as a type without pulling in Electron.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, Reply } from '../api/contract';

export interface NoisynnBridge {
  /** Resolves to a Reply, never rejects with the handler's error: Electron would rewrite its message. */
  invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<Reply<unknown>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** The native folder picker; null when the user cancels. */
  openFolder(): Promise<string | null>;
}

/** Channel names shared by ipc.ts and preload.ts. */
export const CHANNEL = { invoke: 'api', event: 'api-event', openFolder: 'dialog.openFolder' } as const;
