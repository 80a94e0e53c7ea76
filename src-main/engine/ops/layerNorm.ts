// LayerNorm with a closed-form backward: tfjs's autodiff of the broadcasting composition goes
// through Tile gradients that are ~30x slower on wasm. On wasm it is one fused kernel each way (kernels/norm.ts).
import * as tf from '@tensorflow/tfjs';
import { fusedNormAvailable, LN_KERNEL } from '../kernels/norm';
import { checkFloat, checkVector } from './check';

export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  if (x.rank < 1) throw new Error('layerNorm: x must have at least one axis');
  checkFloat('layerNorm', 'x', x);
  const d = x.shape[x.rank - 1];
  checkVector('layerNorm', 'gamma', gamma, d);
  checkVector('layerNorm', 'beta', beta, d);
  if (fusedNormAvailable(x)) return (tf.engine().runKernel(LN_KERNEL, { x, gamma, beta }, { eps }) as tf.Tensor[])[0];
  const shape = x.shape;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const x2 = tf.reshape(xi, [-1, d]);
    const xc = tf.sub(x2, tf.mean(x2, 1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, g), b), shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sg] = saved;
        const dy2 = tf.reshape(dy, [-1, d]);
        const gy = tf.mul(dy2, sg);
        const inner = tf.sub(tf.sub(gy, tf.mean(gy, 1, true)), tf.mul(sxhat, tf.mean(tf.mul(gy, sxhat), 1, true)));
        return [tf.reshape(tf.mul(inner, srstd), shape), tf.sum(tf.mul(dy2, sxhat), 0), tf.sum(dy2, 0)];
      },
    };
  });
  return op(x, gamma, beta);
}
