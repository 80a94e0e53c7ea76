// The residual join of a ResNet basic block, relu(a + b): one fused kernel each way on wasm
// (kernels/residual.ts), tfjs ops elsewhere.
import * as tf from '@tensorflow/tfjs';
import { ADD_RELU_KERNEL, fusedAddReluFits } from '../kernels/residual';
import { checkFloat } from './check';

export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  checkFloat('addRelu', 'a', a);
  return (fusedAddReluFits(a, b) ? tf.engine().runKernel(ADD_RELU_KERNEL, { a, b }) : tf.relu(tf.add(a, b))) as T;
}
