import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { stopGradient } from './linear-shift';

export const DEFAULT_PROB = 0.05;

/**
 * Each element independently becomes max(P) with probability p/2 and min(P) with probability p/2
 * (max/min over the whole noised tensor, as in the official code). The masks come from JS uniforms
 * so they are backend independent. The replacement values are detached, so the gradient reaches
 * only the untouched elements.
 */
export function saltPepper(p: tf.Tensor, seed: number, prob: number): tf.Tensor {
  const u = new Rng(seed).fillUniform(new Float32Array(p.size));
  const half = prob / 2;
  const salt = new Uint8Array(u.length);
  const pepper = new Uint8Array(u.length);
  for (let i = 0; i < u.length; i++) {
    if (u[i] < half) salt[i] = 1;
    else if (u[i] < prob) pepper[i] = 1;
  }
  const fixed = stopGradient(p);
  const hi = tf.broadcastTo(tf.max(fixed), p.shape);
  const lo = tf.broadcastTo(tf.min(fixed), p.shape);
  const withPepper = tf.where(tf.tensor(pepper, p.shape, 'bool'), lo, p);
  return tf.where(tf.tensor(salt, p.shape, 'bool'), hi, withPepper);
}
