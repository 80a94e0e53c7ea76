// The one interface every view talks to (netron-style "host"): the contract's client plus the few
// things that differ between the desktop app and a browser tab.
import type { ApiClient, Reply } from '@api/contract';

/** Whether this window can reach its server, in words the status bar shows. */
export interface Connection {
  state: 'connecting' | 'connected' | 'disconnected' | 'signed-out';
  message: string;
}

export interface Host extends ApiClient {
  readonly kind: 'electron' | 'browser';
  /** A native folder picker; null in the browser (the view offers a text field instead) or on cancel. */
  openFolder(): Promise<string | null>;
  /** Shows a path in the OS file manager (desktop only); false where it cannot. */
  showInFolder(path: string): Promise<boolean>;
  /** Follows the connection to the server; the listener gets the current state at once. */
  watchConnection(listener: (c: Connection) => void): () => void;
}

/** An API error carrying the server's readable message (and code when it gave one). */
export class ApiError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

/** Unwraps a transport reply: the value, or an ApiError with the handler's message. */
export function unwrap<T>(reply: Reply<T> | null | undefined, method: string): T {
  if (reply && typeof reply === 'object') {
    if ('value' in reply) return reply.value;
    if ('error' in reply && reply.error) throw new ApiError(reply.error.message || `${method} failed`, reply.error.code);
  }
  throw new ApiError(`${method}: malformed reply`);
}

/** Turns anything thrown into one line a researcher can read. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : 'Unknown error';
}
