// Exact (erf) GELU with an analytic derivative, so the backward is a handful of elementwise kernels;
// on wasm, one fused kernel each way (kernels/gelu.ts).
import * as tf from '@tensorflow/tfjs';
import { fusedGeluAvailable, GELU_KERNEL } from '../kernels/gelu';
import { checkFloat } from './check';

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function gelu(x: tf.Tensor): tf.Tensor {
  checkFloat('gelu', 'x', x);
  if (fusedGeluAvailable(x)) return tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor;
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
