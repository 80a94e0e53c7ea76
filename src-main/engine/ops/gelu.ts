// Exact (erf) GELU with an analytic derivative, so the backward is a handful of elementwise kernels.
import * as tf from '@tensorflow/tfjs';
import { checkFloat } from './check';

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function gelu(x: tf.Tensor): tf.Tensor {
  checkFloat('gelu', 'x', x);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(xi, INV_SQRT2)), 1), 0.5);
    save([xi, cdf]);
    return {
      value: tf.mul(xi, cdf),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, scdf] = saved;
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
        return tf.mul(dy, tf.add(scdf, tf.mul(sx, pdf)));
      },
    };
  });
  return op(x);
}
