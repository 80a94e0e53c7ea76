// A request that follows a form as the user edits it: sent after a pause in the edits, and only the
// reply to the latest request is kept (an older one still in flight is dropped). Requests are keyed
// on their JSON, so a form that re-derives an identical request sends nothing. Every "latest request
// wins" in the renderer goes through this class (noise previews, run-config and sweep validation, the
// study table, the chosen run's detail).
import { untrack } from 'svelte';
import { errorMessage } from '../host';

export interface LatestRequestOptions<Req, Res> {
  /** The request the form describes now, or null while it is incomplete or invalid. */
  request: () => Req | null;
  send: (req: Req) => Promise<Res>;
  /** Pause after the last edit before the request goes out. */
  debounceMs: number;
  /** Called with each reply that is kept, after `result` is set. */
  onreply?: (res: Res, req: Req) => void;
  /**
   * true (the default): construct during a component's initialisation, and the request follows the form
   * while that component lives. false: the owner (a state module that outlives components) calls
   * `follow()` from an effect of the component that shows the form.
   */
  effect?: boolean;
  /**
   * Send a request again when the form comes back to the one already answered (a run picked again after
   * another choice): for replies with side effects (`onreply` fills in the form). Default false.
   */
  repeat?: boolean;
}

export class LatestRequest<Req, Res> {
  result = $state.raw<Res | null>(null);
  /** The request `result` answers. */
  answered = $state.raw<Req | null>(null);
  pending = $state(false);
  error = $state('');
  /** The key (JSON) of the request that `result` or `error` answers: the latest reply or failure. */
  settledKey = $state('');

  readonly #request: () => Req | null;
  readonly #send: (req: Req) => Promise<Res>;
  readonly #debounceMs: number;
  readonly #onreply: ((res: Res, req: Req) => void) | undefined;
  readonly #repeat: boolean;
  #answeredKey = $state('');
  #seq = 0;
  /** The current request's key ('' while there is none). */
  readonly key = $derived.by(() => {
    const req = this.#request();
    return req ? JSON.stringify(req) : '';
  });
  /** The result does not (yet) answer the current request. */
  readonly stale = $derived(this.pending || this.#answeredKey !== this.key);

  constructor({ request, send, debounceMs, onreply, effect = true, repeat = false }: LatestRequestOptions<Req, Res>) {
    this.#request = request;
    this.#send = send;
    this.#debounceMs = debounceMs;
    this.#onreply = onreply;
    this.#repeat = repeat;
    if (effect) $effect(() => this.follow());
  }

  /** The effect body: schedules the current request; returns the cleanup that drops it. */
  follow(): () => void {
    const key = this.key;
    const req = untrack(this.#request);
    const id = ++this.#seq; // also invalidates any reply still in flight
    if (!req || (!this.#repeat && key === untrack(() => this.#answeredKey))) {
      this.pending = false;
      this.error = '';
      if (req) this.settledKey = key;
      return () => {};
    }
    this.pending = true;
    const timer = setTimeout(() => {
      this.#send(req).then(
        (res) => {
          if (id !== this.#seq) return;
          this.result = res;
          this.answered = req;
          this.#answeredKey = key;
          this.error = '';
          this.pending = false;
          this.settledKey = key;
          this.#onreply?.(res, req);
        },
        (e: unknown) => {
          if (id !== this.#seq) return;
          this.error = errorMessage(e);
          this.pending = false;
          this.settledKey = key;
        },
      );
    }, this.#debounceMs);
    return () => clearTimeout(timer);
  }
}
