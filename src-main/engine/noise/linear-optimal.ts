import * as tf from '@tensorflow/tfjs';

/**
 * P' = (P + sum_batch(P)) / (k + 1), i.e. (I + Q) P with I + Q = (I + 11^T) / (k + 1), computed by
 * broadcasting the batch sum instead of building the k x k matrix. Dividing (rather than
 * multiplying by 1/(k+1)) keeps k = 1 an exact identity: (x + x) / 2 = x.
 */
export function linearOptimal(p: tf.Tensor): tf.Tensor {
  const k = p.shape[0];
  return tf.div(tf.add(p, tf.sum(p, 0, true)), k + 1);
}
