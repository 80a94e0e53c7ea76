import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';

/**
 * P' = P + s * N(mean, std). The noise is drawn in JS from the seed, not by the backend, so the
 * same seed gives the same noise on every backend. Adding a constant keeps the gradient identity.
 */
export function gaussianNoise(p: tf.Tensor, seed: number, strength: number, mean: number, std: number): tf.Tensor {
  const noise = new Rng(seed).fillNormal(new Float32Array(p.size), mean, std);
  for (let i = 0; i < noise.length; i++) noise[i] *= strength;
  return tf.add(p, tf.tensor(noise, p.shape, 'float32'));
}
