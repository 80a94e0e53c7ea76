// A request that follows a form as the user edits it: sent after a pause in the edits, and only the
// reply to the latest request is kept (an older one still in flight is dropped). Requests are keyed
// on their JSON, so a form that re-derives an identical request sends nothing.
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
}

export class LatestRequest<Req, Res> {
  result = $state.raw<Res | null>(null);
  /** The request `result` answers. */
  answered = $state.raw<Req | null>(null);
  pending = $state(false);
  error = $state('');

  readonly #request: () => Req | null;
  #answeredKey = $state('');
  #seq = 0;
  readonly #key = $derived.by(() => {
    const req = this.#request();
    return req ? JSON.stringify(req) : '';
  });
  /** The result does not (yet) answer the current request. */
  readonly stale = $derived(this.pending || this.#answeredKey !== this.#key);

  /** Construct during a component's initialisation: the request is sent from an effect of that component. */
  constructor({ request, send, debounceMs, onreply }: LatestRequestOptions<Req, Res>) {
    this.#request = request;
    $effect(() => {
      const key = this.#key;
      const req = untrack(request);
      const id = ++this.#seq; // also invalidates any reply still in flight
      if (!req || key === untrack(() => this.#answeredKey)) {
        this.pending = false;
        if (!req) this.error = '';
        return;
      }
      this.pending = true;
      const timer = setTimeout(() => {
        send(req).then(
          (res) => {
            if (id !== this.#seq) return;
            this.result = res;
            this.answered = req;
            this.#answeredKey = key;
            this.error = '';
            this.pending = false;
            onreply?.(res, req);
          },
          (e: unknown) => {
            if (id !== this.#seq) return;
            this.error = errorMessage(e);
            this.pending = false;
          },
        );
      }, debounceMs);
      return () => clearTimeout(timer);
    });
  }
}
