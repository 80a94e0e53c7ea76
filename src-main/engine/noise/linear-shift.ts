import * as tf from '@tensorflow/tfjs';

/**
 * Identity in the forward pass, zero gradient in the backward pass. tfjs has no stopGradient op,
 * so a custom gradient stands in for PyTorch's .detach().
 */
const stopGradientOp = tf.customGrad((...inputs) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function stopGradient(x: tf.Tensor): tf.Tensor {
  return stopGradientOp(x);
}

/** roll(x, -1, axis 0): row i takes row (i + 1) mod k. */
function rollBatchUp(x: tf.Tensor): tf.Tensor {
  const k = x.shape[0];
  if (k <= 1) return x;
  return tf.concat([tf.slice(x, 1, k - 1), tf.slice(x, 0, 1)], 0);
}

/**
 * P' = (1 - a) P + a roll(P, -1, batch). Expects a rank-2 [k, M] tensor.
 * detach (official CNN code): P + a * detach(roll(P) - P), so dP'/dP = I.
 * Without detach the whole expression is differentiated: dP'/dP = (1 - a) I + a S^T.
 */
export function linearShift(p: tf.Tensor, alpha: number, detach: boolean): tf.Tensor {
  if (detach) return tf.add(p, tf.mul(stopGradient(tf.sub(rollBatchUp(p), p)), alpha));
  return tf.add(tf.mul(p, 1 - alpha), tf.mul(rollBatchUp(p), alpha));
}
