// The public API of the noise module: the registry (operators.ts, pure data) plus each operator's kernel.
// Semantics: docs/method.md#operators, #sites and #train-eval-or-both.
import * as tf from '@tensorflow/tfjs';
import { noiseDefaults, type NoiseParams, type NoiseType } from './operators';
import { isActive, type NoiseContext, type NoiseSpec } from './types';
import { validateNoiseSpec } from './validate';
import { linearShift } from './linear-shift';
import { linearOptimal } from './linear-optimal';
import { gaussianNoise } from './gaussian';
import { saltPepper } from './salt-pepper';

export { NOISE_TYPES, isBatchMixing, dependsOnBatch, isActive } from './types';
export type { NoiseType, NoiseSpec, NoiseContext } from './types';
export { validateNoiseSpec } from './validate';
export { linearNoiseLogDet, mixingRow } from './logdet';
export {
  NOISE_OPERATORS,
  noiseOperator,
  noiseConfigFields,
  noiseTypesHelp,
  type NoiseOperatorInfo,
  type NoiseParamInfo,
} from './operators';

/** Values used when a spec leaves a parameter out (the ViT class token: engine/config/class-token.ts). */
export const NOISE_DEFAULTS = Object.freeze(noiseDefaults() as Required<NoiseParams>);

function checkSeed(ctx: NoiseContext): number {
  if (!Number.isInteger(ctx.seed)) throw new Error(`applyNoise: ctx.seed must be an integer, got ${String(ctx.seed)}`);
  return ctx.seed;
}

/** Each operator on a rank-2 [k, M] tensor (every operator is elementwise or mixes rows); a new type fails to compile until it has one. */
const KERNELS: { [T in NoiseType]: (p: tf.Tensor, spec: NoiseSpec, ctx: NoiseContext) => tf.Tensor } = {
  none: (p) => p,
  'linear-shift': (p, s) => linearShift(p, s.alpha ?? NOISE_DEFAULTS.alpha, s.detach ?? NOISE_DEFAULTS.detach),
  'linear-optimal': (p) => linearOptimal(p),
  gaussian: (p, s, ctx) =>
    gaussianNoise(p, checkSeed(ctx), s.strength ?? NOISE_DEFAULTS.strength, s.mean ?? NOISE_DEFAULTS.mean, s.std ?? NOISE_DEFAULTS.std),
  'salt-pepper': (p, s, ctx) => saltPepper(p, checkSeed(ctx), s.prob ?? NOISE_DEFAULTS.prob),
};

function applyFlat(p: tf.Tensor, spec: NoiseSpec, ctx: NoiseContext): tf.Tensor {
  return KERNELS[spec.type](p, spec, ctx);
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
