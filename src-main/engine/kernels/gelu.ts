// Fused GELU for the wasm backend: one SIMD pass each way (./wasm/gelu-fns.ts) instead of 5 kernels
// forward and 7 backward, whose scalar Exp and Erf alone took ~1.7 ms per mnist-vit step at batch 16.
import * as tf from '@tensorflow/tfjs';
import { elementwise, kernelGroup, type KernelArgs, registerKernel } from './heap';

export const GELU_KERNEL = 'NoisyNNGelu';
const GELU_GRAD_KERNEL = 'NoisyNNGeluGrad';

const forward = ({ inputs: { x }, backend }: KernelArgs) =>
  elementwise(backend, [x], (k, [px], bytes, py) => k.gelu_forward(px, bytes, py));
const backward = ({ inputs: { x, dy }, backend }: KernelArgs) =>
  elementwise(backend, [x, dy], (k, [px, pdy], bytes, pdx) => k.gelu_backward(pdy, px, bytes, pdx));

const group = kernelGroup(() => {
  registerKernel(GELU_KERNEL, forward);
  registerKernel(GELU_GRAD_KERNEL, backward);
  tf.registerGradient({
    kernelName: GELU_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }) as tf.Tensor }),
  });
});

export const registerWasmGelu = group.register;

/** True when the fused kernel can take x on the active backend (whole SIMD vectors of 4 floats). */
export function fusedGeluAvailable(x: tf.Tensor): boolean {
  return group.active() && x.size % 4 === 0;
}
