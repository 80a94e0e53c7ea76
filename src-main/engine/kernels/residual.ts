// Fused residual join for the wasm backend, relu(a + b) (./wasm/relu-fns.ts), with its gradient.
import * as tf from '@tensorflow/tfjs';
import { kernelGroup, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';

const ADD_RELU_KERNEL = 'NoisyNNAddRelu';
const RELU_GRAD_KERNEL = 'NoisyNNReluGrad';

const bytesOf = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1) * 4;

function forward({ inputs: { a, b }, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [pa, pb] = [a, b].map((t) => ptr(be, t));
  return withBuffers(be, [a.shape], 0, 0, ([py]) => wasmKernels().add_relu(pa, pb, bytesOf(a), py))[0];
}

function backward({ inputs: { dy, y }, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [pdy, py] = [dy, y].map((t) => ptr(be, t));
  return withBuffers(be, [y.shape], 0, 0, ([pdx]) => wasmKernels().relu_grad(pdy, py, bytesOf(y), pdx))[0];
}

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

export const ADD_RELU = ADD_RELU_KERNEL;
