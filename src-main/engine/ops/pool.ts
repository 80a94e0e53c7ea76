import * as tf from '@tensorflow/tfjs';
import { checkFloat, checkRank } from './check';

/**
 * Mean over H and W of an NHWC tensor. The stock Mean gradient is already fast on wasm
 * (0.4 ms fwd+bwd at [64,4,4,64], vs 4 ms for a Tile-based custom backward), so no customGrad.
 */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  checkRank('globalAvgPool', 'x', x, 4);
  checkFloat('globalAvgPool', 'x', x);
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
