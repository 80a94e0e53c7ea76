import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';

/** ViT default (the CNN script uses 1.0). */
export const DEFAULT_STRENGTH = 0.1;
export const DEFAULT_MEAN = 0;
/** Used as a standard deviation (the official code calls it gau_var but uses it as a std). */
export const DEFAULT_STD = 1;

/**
 * P' = P + s * N(mean, std). The noise is drawn in JS from the seed, not by the backend, so the
 * same seed gives the same noise on every backend. Adding a constant keeps the gradient identity.
 */
export function gaussianNoise(p: tf.Tensor, seed: number, strength: number, mean: number, std: number): tf.Tensor {
  const noise = new Rng(seed).fillNormal(new Float32Array(p.size), mean, std);
  for (let i = 0; i < noise.length; i++) noise[i] *= strength;
  return tf.add(p, tf.tensor(noise, p.shape, 'float32'));
}
