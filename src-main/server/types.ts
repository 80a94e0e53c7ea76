// The shapes the HTTP transport routes to, from the contract alone: the server (and its tests) never
// load the services, the engine or the store.
export type { Emit, Handlers } from '../api/contract';
