import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';

/**
 * Each element independently becomes max(P) with probability p/2 and min(P) with probability p/2
 * (max/min over the whole noised tensor, as in the official code). The masks come from JS uniforms
 * so they are backend independent. The replacement values are detached, so the gradient reaches
 * only the untouched elements.
 */
/** The value of x with a zero gradient (the replacement values take no part in the backward pass). */
const detach = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: (args[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function saltPepper(p: tf.Tensor, seed: number, prob: number): tf.Tensor {
  const u = new Rng(seed).fillUniform(new Float32Array(p.size));
  const half = prob / 2;
  const salt = new Uint8Array(u.length);
  const pepper = new Uint8Array(u.length);
  for (let i = 0; i < u.length; i++) {
    if (u[i] < half) salt[i] = 1;
    else if (u[i] < prob) pepper[i] = 1;
  }
  // On the CPU backends the extremes are read as numbers and filled in as constants: broadcasting the
  // (detached) max/min tensor kept a Tile on the tape, whose gradient made salt-and-pepper training runs
  // ~30x slower than other noise on wasm (study: 60-110 s per quick run against 3-5 s). webgpu has no
  // synchronous read in Node, so there they stay on the device, detached and broadcast.
  const onDevice = tf.getBackend() === 'webgpu';
  const [hi, lo] = [tf.max(p), tf.min(p)].map((t) => {
    if (onDevice) return tf.broadcastTo(detach(t), p.shape);
    const v = t.dataSync()[0];
    t.dispose();
    return tf.fill(p.shape, v);
  });
  const withPepper = tf.where(tf.tensor(pepper, p.shape, 'bool'), lo, p);
  return tf.where(tf.tensor(salt, p.shape, 'bool'), hi, withPepper);
}
