// The config's own fields by dotted path, from the field table. Paths from outside (`--set`, sweep axes) are
// checked against these before anything is written, so a path can never reach an object's prototype (`__proto__.x`).
import { invalid } from '../../errors';
import { CONFIG_FIELDS } from './field-table';

const LEAVES = new Set<string>(CONFIG_FIELDS.map((f) => f.path));
const PREFIXES = new Set<string>(
  [...LEAVES].flatMap((f) => {
    const parts = f.split('.');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);

/** The known leaf paths, sorted (for messages and help). */
export function configFields(): string[] {
  return [...LEAVES].sort();
}

/** Throws (naming the path) unless `path` is a config field, an object of fields, or an element of a list field. */
export function checkConfigPath(path: string): void {
  if (typeof path === 'string' && (LEAVES.has(path) || PREFIXES.has(path))) return;
  const cut = typeof path === 'string' ? path.lastIndexOf('.') : -1;
  if (cut > 0 && /^\d{1,3}$/.test(path.slice(cut + 1)) && LEAVES.has(path.slice(0, cut))) return; // model.layers.0
  throw invalid(`unknown config field '${String(path)}' (config fields: ${configFields().join(', ')})`, String(path));
}

/** Keys a JSON object may carry but a config never has: merging them would reach the prototype. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
