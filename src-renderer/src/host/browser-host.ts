// The browser host: the contract over the loopback server (POST /api/<method>, events over SSE).
// The server's URL carries a one-time `?token=`; it moves to sessionStorage and out of the address
// bar so it does not linger in history, bookmarks or screenshots.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, ApiResponse, Reply } from '@api/contract';
import { ApiError, unwrap, type Host } from './host';

const TOKEN_KEY = 'noisynn.token';
const TOKEN_HEADER = 'X-NoisyNN-Token';

export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

type Listener = (payload: unknown) => void;

export class BrowserHost implements Host {
  readonly kind = 'browser' as const;
  readonly #token: string;
  readonly #base: string;
  readonly #listeners = new Map<string, Set<Listener>>();
  #source: EventSource | null = null;

  constructor(token: string, base = '/api') {
    this.#token = token;
    this.#base = base;
  }

  async invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: this.#token },
        body: JSON.stringify(req ?? {}),
      });
    } catch {
      throw new ApiError('The workbench server is not reachable. Is `noisynn serve` still running?', 'unreachable');
    }
    let body: Reply<ApiResponse<M>> | null = null;
    try {
      body = (await res.json()) as Reply<ApiResponse<M>>;
    } catch {
      throw new ApiError(`${method}: HTTP ${res.status} ${res.statusText}`.trim(), `http-${res.status}`);
    }
    if (res.status === 401 || res.status === 403) {
      const msg = body && 'error' in body ? body.error.message : 'not authorised';
      throw new ApiError(`${msg}. Open the address printed by \`noisynn serve\` (it includes the access token).`, 'forbidden');
    }
    return unwrap(body, method);
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    this.#connect();
    return () => {
      set.delete(listener as Listener);
      if ([...this.#listeners.values()].every((s) => s.size === 0)) {
        this.#source?.close();
        this.#source = null;
      }
    };
  }

  /** One EventSource for all events, opened on first subscription (EventSource reconnects by itself). */
  #connect(): void {
    if (this.#source) return;
    const source = new EventSource(`${this.#base}/events?token=${encodeURIComponent(this.#token)}`);
    source.onmessage = (m: MessageEvent<string>) => {
      let msg: { event?: string; payload?: unknown };
      try {
        msg = JSON.parse(m.data) as typeof msg;
      } catch {
        return;
      }
      if (typeof msg.event !== 'string') return;
      for (const l of this.#listeners.get(msg.event) ?? []) l(msg.payload);
    };
    this.#source = source;
  }

  openFolder(): Promise<string | null> {
    return Promise.resolve(null);
  }
}
