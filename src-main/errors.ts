// The workbench's one error vocabulary: services, the store and the runner throw these; each transport
// maps the code (HTTP status, IPC reply) and shows the message. It imports nothing, so every layer may use it.

/** not-found: no such run/dataset/job; invalid: the request is wrong (field named); conflict: not now (state); internal: our fault. */
export type ErrorCode = 'not-found' | 'invalid' | 'conflict' | 'internal';

export class WorkbenchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WorkbenchError';
  }
}

export const notFound = (message: string): WorkbenchError => new WorkbenchError('not-found', message);
export const invalid = (message: string, field?: string): WorkbenchError => new WorkbenchError('invalid', message, field);
export const conflict = (message: string): WorkbenchError => new WorkbenchError('conflict', message);

const HTTP_STATUS: Record<ErrorCode, number> = { 'not-found': 404, invalid: 422, conflict: 409, internal: 500 };

/** The code of any thrown value: ours as thrown, anything else is a server fault. */
export function errorCode(e: unknown): ErrorCode {
  return e instanceof WorkbenchError ? e.code : 'internal';
}

export function httpStatus(e: unknown): number {
  return HTTP_STATUS[errorCode(e)];
}
