// The shapes the HTTP transport routes to. They mirror `Handlers` / `Emit` in src-main/api/services.ts
// but are derived from the contract alone, so the server (and its tests) never load the services,
// the engine or the store; structural typing makes the services' own types assignable to these.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, ApiResponse } from '../api/contract';

export type Handlers = { [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>> };
export type Emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;
