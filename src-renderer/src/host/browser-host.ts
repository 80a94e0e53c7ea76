// The browser host: the contract over the loopback server (POST /api/<method>, events over SSE). The
// server traded the URL's one-time token for an HttpOnly session cookie before this page loaded, so
// requests carry no token: the browser sends the cookie to this origin only (SameSite=Strict).
// The desktop window loads the same page from its backend host; electron-host.ts adds the native bits.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, ApiResponse, Reply } from '@api/contract';
import { ApiError, unwrap, type Connection, type Host } from './host';

type Listener = (payload: unknown) => void;

/** While the server is gone, how often to look for it again. */
const PROBE_MS = 3000;

export class BrowserHost implements Host {
  readonly kind: 'electron' | 'browser' = 'browser';
  readonly #base: string;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #watchers = new Set<(c: Connection) => void>();
  #source: EventSource | null = null;
  #connection: Connection = { state: 'connecting', message: 'connecting…' };
  #probe: ReturnType<typeof setTimeout> | null = null;

  constructor(base = '/api') {
    this.#base = base;
  }

  async invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(req ?? {}),
      });
    } catch {
      this.#lost();
      throw new ApiError('The workbench server is not reachable. Is `noisynn serve` still running?', 'unreachable');
    }
    let body: Reply<ApiResponse<M>> | null = null;
    try {
      body = (await res.json()) as Reply<ApiResponse<M>>;
    } catch {
      throw new ApiError(`${method}: HTTP ${res.status} ${res.statusText}`.trim(), `http-${res.status}`);
    }
    if (res.status === 401 || res.status === 403) {
      if (res.status === 401) this.#signedOut();
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
      if ([...this.#listeners.values()].every((s) => s.size === 0) && this.#watchers.size === 0) this.#disconnect();
    };
  }

  watchConnection(listener: (c: Connection) => void): () => void {
    this.#watchers.add(listener);
    listener(this.#connection);
    this.#connect();
    return () => {
      this.#watchers.delete(listener);
    };
  }

  #set(c: Connection): void {
    if (c.state === this.#connection.state && c.message === this.#connection.message) return;
    this.#connection = c;
    for (const w of this.#watchers) w(c);
  }

  /** One EventSource for all events, opened on first subscription; its open/error events are the connection's state. */
  #connect(): void {
    if (this.#source) return;
    const source = new EventSource(`${this.#base}/events`);
    source.onopen = () => {
      this.#stopProbe();
      this.#set({ state: 'connected', message: 'connected' });
    };
    // EventSource retries by itself while the server is down; a refused reconnect (401) closes it for good.
    source.onerror = () => this.#lost();
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

  #disconnect(): void {
    this.#source?.close();
    this.#source = null;
  }

  #lost(): void {
    if (this.#connection.state === 'signed-out') return;
    this.#set({
      state: 'disconnected',
      message: `disconnected: the server at ${location.host} has stopped. Start it again (npm start or npx noisynn serve, same data folder): it takes this port again when it is free and this tab reconnects; if it prints another address, open that one.`,
    });
    this.#startProbe();
  }

  #signedOut(): void {
    this.#set({
      state: 'signed-out',
      message: `a different workbench server now answers at ${location.host} and this tab is not signed in to it: open the address it printed (with ?token=...).`,
    });
    this.#stopProbe();
  }

  /** Asks the server for app.info until it answers: 200 = back, 401 = another server (new secret). */
  #startProbe(): void {
    if (this.#probe) return;
    const tick = async (): Promise<void> => {
      this.#probe = null;
      try {
        const res = await fetch(`${this.#base}/app.info`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        if (res.status === 401) return this.#signedOut();
        if (res.ok) {
          // The stream may have given up (its reconnect hit a restarting server): open a fresh one.
          if (this.#source?.readyState === EventSource.CLOSED) {
            this.#disconnect();
            this.#connect();
          }
          this.#set({ state: 'connected', message: 'connected' });
          return;
        }
      } catch {
        /* still down */
      }
      this.#probe = setTimeout(() => void tick(), PROBE_MS);
    };
    this.#probe = setTimeout(() => void tick(), PROBE_MS);
  }

  #stopProbe(): void {
    if (this.#probe) clearTimeout(this.#probe);
    this.#probe = null;
  }

  openFolder(): Promise<string | null> {
    return Promise.resolve(null);
  }

  showInFolder(_path: string): Promise<boolean> {
    return Promise.resolve(false);
  }
}
