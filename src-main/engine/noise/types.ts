// The noise specification shared by the engine, the CLI, the store and (later) the renderer.
// Semantics: docs/method.md#operators, #sites and #train-eval-or-both.

export const NOISE_TYPES = ['none', 'linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper'] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

export interface NoiseSpec {
  type: NoiseType;
  /** linear-shift mixing weight a: P' = (1 - a) P + a roll(P, -1, batch). */
  alpha?: number;
  /** linear-shift: official CNN form P + a * detach(roll(P) - P), gradient the identity (default true);
   *  false differentiates (1 - a) P + a roll(P) whole. The forward value is the same. */
  detach?: boolean;
  /** gaussian: scale s of the added s * N(mean, std). */
  strength?: number;
  mean?: number;
  std?: number;
  /** salt-pepper: fraction of elements replaced (half by max, half by min). */
  prob?: number;
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
  return spec.type === 'linear-shift' || spec.type === 'linear-optimal';
}

/**
 * Operators whose output for one sample depends on the rest of the batch: the mixing ones, and
 * salt-and-pepper (its salt and pepper values are the max and min over the whole batch tensor, as in
 * the official code). Training with them needs the whole batch in one replica.
 */
export function dependsOnBatch(spec: Pick<NoiseSpec, 'type'>): boolean {
  return isBatchMixing(spec) || spec.type === 'salt-pepper';
}

export function isActive(spec: NoiseSpec, training: boolean): boolean {
  if (spec.type === 'none') return false;
  return spec.at === 'both' || (spec.at === 'train') === training;
}
