// Cross-entropy with label smoothing (Szegedy et al. 2016): targets (1 - e) one-hot + e / classes, as torch's.
import * as tf from '@tensorflow/tfjs';

/** Smoothed one-hot targets built in JS: [labels.length, classes]. */
export function smoothedTargets(labels: ArrayLike<number>, classes: number, smoothing: number): tf.Tensor2D {
  const t = new Float32Array(labels.length * classes).fill(smoothing / classes);
  for (let i = 0; i < labels.length; i++) t[i * classes + labels[i]] += 1 - smoothing;
  return tf.tensor2d(t, [labels.length, classes]);
}

/** Mean cross-entropy of logits [B, C] against target distributions [B, C]. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
}
