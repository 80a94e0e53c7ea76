// The single registry of noise operators and the public API of the noise module.
// Semantics: docs/method.md#operators, #sites and #train-eval-or-both.
import * as tf from '@tensorflow/tfjs';
import { isActive, type NoiseContext, type NoiseSpec } from './types';
import { validateNoiseSpec } from './validate';
import { DEFAULT_ALPHA, DEFAULT_DETACH, linearShift } from './linear-shift';
import { linearOptimal } from './linear-optimal';
import { DEFAULT_MEAN, DEFAULT_STD, DEFAULT_STRENGTH, gaussianNoise } from './gaussian';
import { DEFAULT_PROB, saltPepper } from './salt-pepper';

export { NOISE_TYPES, isBatchMixing, dependsOnBatch, isActive } from './types';
export type { NoiseType, NoiseSpec, NoiseContext } from './types';
export { validateNoiseSpec } from './validate';
export { linearNoiseLogDet } from './logdet';

/** Values used when a spec leaves a parameter out (the ViT class token: engine/config/class-token.ts). */
export const NOISE_DEFAULTS = Object.freeze({
  alpha: DEFAULT_ALPHA,
  detach: DEFAULT_DETACH,
  strength: DEFAULT_STRENGTH,
  mean: DEFAULT_MEAN,
  std: DEFAULT_STD,
  prob: DEFAULT_PROB,
});

function checkSeed(ctx: NoiseContext): number {
  if (!Number.isInteger(ctx.seed)) throw new Error(`applyNoise: ctx.seed must be an integer, got ${String(ctx.seed)}`);
  return ctx.seed;
}

/** Applies the operator to a rank-2 [k, M] tensor: every operator is elementwise or mixes rows. */
function applyFlat(p: tf.Tensor, spec: NoiseSpec, ctx: NoiseContext): tf.Tensor {
  switch (spec.type) {
    case 'linear-shift':
      return linearShift(p, spec.alpha ?? DEFAULT_ALPHA, spec.detach ?? DEFAULT_DETACH);
    case 'linear-optimal':
      return linearOptimal(p);
    case 'gaussian':
      return gaussianNoise(p, checkSeed(ctx), spec.strength ?? DEFAULT_STRENGTH, spec.mean ?? DEFAULT_MEAN, spec.std ?? DEFAULT_STD);
    case 'salt-pepper':
      return saltPepper(p, checkSeed(ctx), spec.prob ?? DEFAULT_PROB);
    case 'none':
      return p;
  }
}

/**
 * Applies the noise to x (batch on axis 0). Returns x itself when the spec is inactive for
 * ctx.training. The tensor is flattened to [k, M] (or [k, N, R] for skipFirstToken) so that only
 * low-rank reshape/slice/concat/elementwise ops run, on any input rank.
 */
export function applyNoise(x: tf.Tensor, spec: NoiseSpec, ctx: NoiseContext): tf.Tensor {
  validateNoiseSpec(spec);
  if (!isActive(spec, ctx.training)) return x;
  if (x.dtype !== 'float32') throw new Error(`applyNoise: expected a float32 tensor, got ${x.dtype}`);
  if (x.rank < 1 || x.shape[0] < 1) throw new Error(`applyNoise: expected a non-empty batch on axis 0, got shape [${x.shape.join(', ')}]`);
  const k = (x.shape as number[])[0];
  if (!spec.skipFirstToken) {
    return tf.tidy(() => tf.reshape(applyFlat(tf.reshape(x, [k, -1]), spec, ctx), x.shape));
  }
  if (x.rank < 3) {
    throw new Error(`applyNoise: skipFirstToken needs a [batch, tokens, ...] tensor of rank >= 3, got shape [${x.shape.join(', ')}]`);
  }
  const n = (x.shape as number[])[1];
  if (n <= 1) return x; // only the class token: nothing to noise
  return tf.tidy(() => {
    const r = x.size / (k * n);
    const t = tf.reshape(x, [k, n, r]);
    const cls = tf.slice(t, [0, 0, 0], [k, 1, r]);
    const rest = tf.slice(t, [0, 1, 0], [k, n - 1, r]);
    const noisy = tf.reshape(applyFlat(tf.reshape(rest, [k, -1]), spec, ctx), [k, n - 1, r]);
    return tf.reshape(tf.concat([cls, noisy], 1), x.shape);
  });
}
