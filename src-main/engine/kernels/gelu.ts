// Fused GELU for the wasm backend: one SIMD pass each way (./wasm/gelu-fns.ts) instead of 5 kernels
// forward and 7 backward, whose scalar Exp and Erf alone took ~1.7 ms per mnist-vit step at batch 16.
import * as tf from '@tensorflow/tfjs';
import { kernelGroup, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';

export const GELU_KERNEL = 'NoisyNNGelu';
const GELU_GRAD_KERNEL = 'NoisyNNGeluGrad';

const bytesOf = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1) * 4;

function forward({ inputs: { x }, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const px = ptr(be, x);
  return withBuffers(be, [x.shape], 0, 0, ([py]) => wasmKernels().gelu_forward(px, bytesOf(x), py))[0];
}

function backward({ inputs: { dy, x }, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [pdy, px] = [dy, x].map((t) => ptr(be, t));
  return withBuffers(be, [x.shape], 0, 0, ([pdx]) => wasmKernels().gelu_backward(pdy, px, bytesOf(x), pdx))[0];
}

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
