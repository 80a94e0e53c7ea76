// Per-channel batch norm (NHWC, channels last) with a closed-form backward; the autodiff of the
// moments-based composition is dominated by broadcast (Tile) gradients on wasm. On wasm, training
// runs one fused kernel each way (kernels/norm.ts), with the following ReLU folded in.
import * as tf from '@tensorflow/tfjs';
import { BN_KERNEL, fusedNormAvailable } from '../kernels/norm';
import { checkFloat, checkRank, checkVector } from './check';

export interface BatchNormResult {
  y: tf.Tensor4D;
  batchMean?: tf.Tensor1D;
  batchVar?: tf.Tensor1D;
}

export function batchNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  training: boolean,
  running: { mean: tf.Tensor1D; variance: tf.Tensor1D },
  eps = 1e-5,
  relu = false,
): BatchNormResult {
  checkRank('batchNorm', 'x', x, 4);
  checkFloat('batchNorm', 'x', x);
  const c = x.shape[3];
  checkVector('batchNorm', 'gamma', gamma, c);
  checkVector('batchNorm', 'beta', beta, c);
  const shape = x.shape;
  if (!training) {
    checkVector('batchNorm', 'running.mean', running.mean, c);
    checkVector('batchNorm', 'running.variance', running.variance, c);
    const y = normalize(x, gamma, beta, running.mean, running.variance, eps, false);
    return { y: relu ? tf.relu(y) : y };
  }
  if (shape[0] * shape[1] * shape[2] < 2) throw new Error(`batchNorm: training needs more than one value per channel, got x [${shape}]`);
  if (fusedNormAvailable(x)) {
    const [y, batchMean, batchVar] = tf.engine().runKernel(BN_KERNEL, { x, gamma, beta }, { eps, relu }) as [
      tf.Tensor4D,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
    return { y, batchMean, batchVar };
  }
  // Batch statistics live outside the custom op so the caller can use them for running-stat updates;
  // they carry no gradient into the op (the closed-form backward already accounts for them).
  const x2 = tf.reshape(x, [-1, c]);
  const batchMean = tf.mean(x2, 0) as tf.Tensor1D;
  const batchVar = tf.mean(tf.square(tf.sub(x2, batchMean)), 0) as tf.Tensor1D;
  const y = normalize(x, gamma, beta, batchMean, batchVar, eps, true);
  return { y: relu ? tf.relu(y) : y, batchMean, batchVar };
}

function normalize(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
  statsFromBatch: boolean,
): tf.Tensor4D {
  const shape = x.shape;
  const c = shape[3];
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(tf.reshape(xi, [-1, c]), mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, g), b), shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sg] = saved;
        const dy2 = tf.reshape(dy, [-1, c]);
        const dgamma = tf.sum(tf.mul(dy2, sxhat), 0);
        const dbeta = tf.sum(dy2, 0);
        const scale = tf.mul(sg, srstd);
        let dx: tf.Tensor;
        if (statsFromBatch) {
          const m = dy2.shape[0];
          // dx = gamma*rstd * (dy - mean(dy) - xhat * mean(dy*xhat)), with the means already in dbeta/dgamma.
          dx = tf.mul(tf.sub(tf.sub(dy2, tf.div(dbeta, m)), tf.mul(sxhat, tf.div(dgamma, m))), scale);
        } else {
          dx = tf.mul(dy2, scale);
        }
        return [tf.reshape(dx, shape), dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
