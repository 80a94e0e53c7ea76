// Fused residual join for the wasm backend, relu(a + b) (./wasm/relu-fns.ts), with its gradient.
import * as tf from '@tensorflow/tfjs';
import { elementwise, kernelGroup, type KernelArgs, registerKernel } from './heap';

export const ADD_RELU_KERNEL = 'NoisyNNAddRelu';
const RELU_GRAD_KERNEL = 'NoisyNNReluGrad';

const forward = ({ inputs: { a, b }, backend }: KernelArgs) =>
  elementwise(backend, [a, b], (k, [pa, pb], bytes, py) => k.add_relu(pa, pb, bytes, py));
const backward = ({ inputs: { y, dy }, backend }: KernelArgs) =>
  elementwise(backend, [y, dy], (k, [py, pdy], bytes, pdx) => k.relu_grad(pdy, py, bytes, pdx));

const group = kernelGroup(() => {
  registerKernel(ADD_RELU_KERNEL, forward);
  registerKernel(RELU_GRAD_KERNEL, backward);
  tf.registerGradient({
    kernelName: ADD_RELU_KERNEL,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => {
      const dx = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, y }) as tf.Tensor;
      return { a: () => dx, b: () => tf.clone(dx) }; // one tensor per input: the tape disposes each
    },
  });
});

export const registerWasmResidual = group.register;

/** True when relu(a + b) can run as the fused kernel (wasm, same-shape float32, whole SIMD vectors). */
export function fusedAddReluFits(a: tf.Tensor, b: tf.Tensor): boolean {
  return group.active() && a.size % 4 === 0 && a.dtype === 'float32' && b.dtype === 'float32' && a.shape.join() === b.shape.join();
}
