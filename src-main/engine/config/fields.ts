// The config's own fields by dotted path: every field a preset sets (for both model kinds), plus the
// optional ones no preset needs. Paths from outside (`--set`, sweep axes) are checked against these
// before anything is written, so a path can never reach an object's prototype (`__proto__.x`).
import { invalid } from '../../errors';
import { MODEL_PRESETS, RUN_PRESETS } from './presets';

const OPTIONAL = [
  'name', 'preset', 'replicas', 'noise.alpha', 'noise.detach', 'noise.strength', 'noise.mean', 'noise.std', 'noise.prob',
  'noise.skipFirstToken', 'noise.site.block', 'noise.site.stage', 'model.globalPool',
  // Starting from imported weights (InitSpec, InputSpec): `train --init NAME --freeze N --new-head`.
  'init.weights', 'init.sha256', 'init.freeze', 'init.newHead', 'init.adapted', 'input.size', 'input.mean', 'input.std', 'input.cropPct',
];

function leaves(v: unknown, prefix: string, out: Set<string>): Set<string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.add(prefix);
  return out;
}

let known: { leaves: Set<string>; prefixes: Set<string> } | undefined;
function fields() {
  if (known) return known;
  const l = new Set<string>(OPTIONAL);
  for (const p of Object.values(RUN_PRESETS)) leaves(p, '', l);
  for (const m of Object.values(MODEL_PRESETS)) leaves(m, 'model', l);
  const prefixes = new Set<string>();
  for (const f of l) {
    const parts = f.split('.');
    for (let i = 1; i < parts.length; i++) prefixes.add(parts.slice(0, i).join('.'));
  }
  known = { leaves: l, prefixes };
  return known;
}

/** The known leaf paths, sorted (for messages and help). */
export function configFields(): string[] {
  return [...fields().leaves].sort();
}

/** Throws (naming the path) unless `path` is a config field, an object of fields, or an element of a list field. */
export function checkConfigPath(path: string): void {
  const { leaves: l, prefixes } = fields();
  if (typeof path === 'string' && (l.has(path) || prefixes.has(path))) return;
  const cut = typeof path === 'string' ? path.lastIndexOf('.') : -1;
  if (cut > 0 && /^\d{1,3}$/.test(path.slice(cut + 1)) && l.has(path.slice(0, cut))) return; // model.layers.0
  throw invalid(`unknown config field '${String(path)}' (config fields: ${configFields().join(', ')})`, String(path));
}

/** Keys a JSON object may carry but a config never has: merging them would reach the prototype. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
