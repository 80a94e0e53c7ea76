import { allNoiseParams, NOISE_OPERATORS, rangeText, type NoiseOperatorInfo } from './operators';
import type { NoiseSpec } from './types';

const LEVELS = ['image', 'embedding'] as const;
const ATS = ['train', 'eval', 'both'] as const;

function fail(field: string, problem: string): never {
  throw new Error(`noise spec: field "${field}" ${problem}`);
}

/**
 * Throws an Error naming the offending field. Also checks parameters that the type does not use.
 * `ops` is the registry (a test passes an extended one).
 */
export function validateNoiseSpec(spec: NoiseSpec, ops: readonly NoiseOperatorInfo[] = NOISE_OPERATORS): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`noise spec: expected an object, got ${JSON.stringify(spec)}`);
  }
  const s = spec as unknown as Record<string, unknown>;
  if (!ops.some((o) => o.type === s.type)) {
    fail('type', `must be one of ${ops.map((o) => o.type).join(', ')}; got ${JSON.stringify(s.type)}`);
  }
  if (!(LEVELS as readonly unknown[]).includes(s.level)) {
    fail('level', `must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(s.level)}`);
  }
  if (!(ATS as readonly unknown[]).includes(s.at)) {
    fail('at', `must be one of ${ATS.join(', ')}; got ${JSON.stringify(s.at)}`);
  }
  for (const p of allNoiseParams(ops)) {
    const v = s[p.name];
    if (v === undefined) continue;
    if (p.kind === 'boolean') {
      if (typeof v !== 'boolean') fail(p.name, `must be true or false, got ${JSON.stringify(v)}`);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(p.name, `must be a finite number, got ${String(v)}`);
    if (v < (p.min ?? -Infinity) || v > (p.max ?? Infinity)) fail(p.name, `must be ${rangeText(p)}, got ${v}`);
  }
  if (s.skipFirstToken !== undefined && typeof s.skipFirstToken !== 'boolean') {
    fail('skipFirstToken', `must be true or false, got ${JSON.stringify(s.skipFirstToken)}`);
  }
  if (s.skipFirstToken === true && s.level === 'image') {
    fail('skipFirstToken', 'applies to the embedding level only (an image batch has no class token)');
  }
}
