// The noise specification shared by the engine, the CLI, the store and (through the contract) the renderer.
// Pure: it imports only the registry, so the contract may re-export it. Semantics: docs/method.md#operators, #sites and #train-eval-or-both.
import { NOISE_OPERATORS, type NoiseParams, type NoiseType } from './operators';

export { NOISE_TYPES } from './operators';
export type { NoiseType } from './operators';

/** The operator's parameters (alpha, detach, strength, mean, std, prob: see operators.ts) plus where and when it acts. */
export interface NoiseSpec extends NoiseParams {
  type: NoiseType;
  level: 'image' | 'embedding';
  /** When the noise is active: during training, during evaluation, or both. */
  at: 'train' | 'eval' | 'both';
  /** Leave token 0 (the ViT class token) untouched; axis 1 is the token axis. */
  skipFirstToken?: boolean;
}

export interface NoiseContext {
  /** Seed of this call; the same seed gives the same noise on every backend. */
  seed: number;
  training: boolean;
}

/** Operators that mix samples across the batch axis: evaluation depends on batch composition. */
export function isBatchMixing(spec: Pick<NoiseSpec, 'type'>): boolean {
  return NOISE_OPERATORS.find((o) => o.type === spec.type)?.batchMixing === true;
}

/**
 * Operators whose output for one sample depends on the rest of the batch: the mixing ones, and
 * salt-and-pepper (its salt and pepper values are the max and min over the whole batch tensor, as in
 * the official code). Training with them needs the whole batch in one replica.
 */
export function dependsOnBatch(spec: Pick<NoiseSpec, 'type'>): boolean {
  return NOISE_OPERATORS.find((o) => o.type === spec.type)?.dependsOnBatch === true;
}

export function isActive(spec: NoiseSpec, training: boolean): boolean {
  if (spec.type === 'none') return false;
  return spec.at === 'both' || (spec.at === 'train') === training;
}
