// Checks a request against its method's shape in the contract (REQUEST_SHAPES) before any service
// runs: unknown fields, missing ones and wrong kinds are refused with the field named, so a service
// never sees `name: {a: 1}` or `id: "1"`. Deeper rules (config values, ranges) stay with the services.
import { REQUEST_SHAPES, type ApiMethod, type FieldKind, type FieldSpec, type Handlers } from './contract';
import { invalid } from '../errors';

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

const CHECKS: Record<FieldKind, [(v: unknown) => boolean, string]> = {
  id: [(v) => Number.isSafeInteger(v) && (v as number) >= 1, 'a positive integer'],
  int: [(v) => Number.isSafeInteger(v), 'an integer'],
  number: [(v) => typeof v === 'number' && Number.isFinite(v), 'a finite number'],
  string: [(v) => typeof v === 'string', 'a string'],
  boolean: [(v) => typeof v === 'boolean', 'true or false'],
  object: [isObject, 'an object'],
  'object|null': [(v) => v === null || isObject(v), 'an object or null'],
  array: [Array.isArray, 'an array'],
  any: [() => true, 'anything'],
};

const shown = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)).slice(0, 80));

/** Throws an 'invalid' error naming the first field that does not fit `method`'s shape. */
export function checkRequest(method: ApiMethod, req: unknown): void {
  const shape = REQUEST_SHAPES[method] as Record<string, FieldSpec>;
  if (!isObject(req)) throw invalid(`${method}: the request must be an object (got ${shown(req)})`);
  const r = req as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!Object.hasOwn(shape, key)) {
      const known = Object.keys(shape);
      throw invalid(`${method}: unknown field '${key}'${known.length ? ` (fields: ${known.join(', ')})` : ' (it takes none)'}`, key);
    }
  }
  for (const [key, spec] of Object.entries(shape)) {
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    const v = r[key];
    if (v === undefined) {
      if (!optional) throw invalid(`${method}: field '${key}' is required (${CHECKS[kind][1]})`, key);
      continue;
    }
    const [ok, what] = CHECKS[kind];
    if (!ok(v)) throw invalid(`${method}: field '${key}' must be ${what} (got ${shown(v)})`, key);
  }
}

/** The same handlers, each refusing a request that does not fit its shape. */
export function withRequestChecks(handlers: Handlers): Handlers {
  const out = {} as Record<ApiMethod, (r: unknown) => Promise<unknown>>;
  for (const [method, h] of Object.entries(handlers) as [ApiMethod, (r: unknown) => Promise<unknown>][]) {
    out[method] = async (r: unknown) => {
      checkRequest(method, r);
      return h(r);
    };
  }
  return out as Handlers;
}
