// The one place models call the noise registry, so image and embedding noise share one code path.
import type * as tf from '@tensorflow/tfjs';
import { applyNoise } from '../noise';
import { deriveSeed } from '../rng';
import type { ForwardOptions } from './types';

// Distinct seed streams for the two levels, so image and embedding noise never share draws.
const IMAGE = 1;
const EMBEDDING = 2;

export function imageNoise<T extends tf.Tensor>(x: T, o: ForwardOptions): T {
  if (o.noise.level !== 'image') return x;
  return applyNoise(x, { ...o.noise, skipFirstToken: false }, { seed: deriveSeed(o.noiseSeed, IMAGE), training: o.training }) as T;
}

export function embeddingNoise<T extends tf.Tensor>(x: T, o: ForwardOptions, skipFirstToken: boolean): T {
  if (o.noise.level !== 'embedding') return x;
  const spec = { ...o.noise, skipFirstToken };
  const y = applyNoise(x, spec, { seed: deriveSeed(o.noiseSeed, EMBEDDING), training: o.training }) as T;
  o.onNoiseSite?.(x, y);
  return y;
}
