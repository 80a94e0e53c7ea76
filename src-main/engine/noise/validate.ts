import { NOISE_TYPES, type NoiseSpec } from './types';

const LEVELS = ['image', 'embedding'] as const;
const ATS = ['train', 'eval', 'both'] as const;

function fail(field: string, problem: string): never {
  throw new Error(`noise spec: field "${field}" ${problem}`);
}

function checkNumber(spec: Record<string, unknown>, field: string, min: number, max: number): void {
  const v = spec[field];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `must be a finite number, got ${String(v)}`);
  if (v < min || v > max) {
    const range = max === Infinity ? (min === -Infinity ? 'finite' : `>= ${min}`) : `in [${min}, ${max}]`;
    fail(field, `must be ${range}, got ${v}`);
  }
}

function checkBoolean(spec: Record<string, unknown>, field: string): void {
  const v = spec[field];
  if (v !== undefined && typeof v !== 'boolean') fail(field, `must be true or false, got ${JSON.stringify(v)}`);
}

/** Throws an Error naming the offending field. Also checks fields that the type does not use. */
export function validateNoiseSpec(spec: NoiseSpec): void {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new Error(`noise spec: expected an object, got ${JSON.stringify(spec)}`);
  }
  const s = spec as unknown as Record<string, unknown>;
  if (!(NOISE_TYPES as readonly unknown[]).includes(s.type)) {
    fail('type', `must be one of ${NOISE_TYPES.join(', ')}; got ${JSON.stringify(s.type)}`);
  }
  if (!(LEVELS as readonly unknown[]).includes(s.level)) {
    fail('level', `must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(s.level)}`);
  }
  if (!(ATS as readonly unknown[]).includes(s.at)) {
    fail('at', `must be one of ${ATS.join(', ')}; got ${JSON.stringify(s.at)}`);
  }
  checkNumber(s, 'alpha', 0, 1);
  checkNumber(s, 'prob', 0, 1);
  checkNumber(s, 'strength', 0, Infinity);
  checkNumber(s, 'std', 0, Infinity);
  checkNumber(s, 'mean', -Infinity, Infinity);
  checkBoolean(s, 'detach');
  checkBoolean(s, 'skipFirstToken');
  if (s.skipFirstToken === true && s.level === 'image') {
    fail('skipFirstToken', 'applies to the embedding level only (an image batch has no class token)');
  }
}
