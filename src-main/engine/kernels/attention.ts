// Fused multi-head self-attention for the wasm backend (./wasm/attention-fns.ts): from the qkv
// projection to the merged heads in one kernel, and back in one. The tfjs composition is ~25 kernels
// each way per block (split, scale, 4 transposes, 2 batched matmuls, softmax) and their gradients.
import * as tf from '@tensorflow/tfjs';
import { firstGradient, kernelGroup, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';

export const ATTENTION_KERNEL = 'NoisyNNAttention';
const ATTENTION_GRAD_KERNEL = 'NoisyNNAttentionGrad';
type Attrs = { batch: number; heads: number };

/** Shape arguments shared by both directions: qkv is [B*T, 3D]. */
function shape(qkv: tf.TensorInfo, { batch: B, heads: H }: Attrs) {
  const T = qkv.shape[0] / B;
  const D = qkv.shape[1] / 3;
  return { B, T, H, D, args: [B, T, H, (D / H) * 4, 3 * D * 4, D * 4, 1 / Math.sqrt(D / H)] as const };
}

function forward({ inputs: { qkv }, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const { B, T, H, D, args } = shape(qkv, attrs);
  const pq = ptr(be, qkv);
  return withBuffers(be, [[B * T, D], [B * H * T * T]], 0, 0, ([pout, pprobs]) =>
    wasmKernels().attention_forward(pq, pprobs, pout, ...args),
  );
}

function backward({ inputs: { dy, qkv, probs }, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const { T, args } = shape(qkv, attrs);
  const [pdy, pq, pp] = [dy, qkv, probs].map((t) => ptr(be, t));
  return withBuffers(be, [qkv.shape], 1, T, ([pdq, ptmp]) => wasmKernels().attention_backward(pdy, pq, pp, pdq, ptmp, ...args))[0];
}

const group = kernelGroup(() => {
  registerKernel(ATTENTION_KERNEL, forward);
  registerKernel(ATTENTION_GRAD_KERNEL, backward);
  // Saved: qkv, then the probabilities (output 1), which carry no gradient of their own.
  tf.registerGradient({
    kernelName: ATTENTION_KERNEL,
    inputsToSave: ['qkv'],
    outputsToSave: [false, true],
    gradFunc: (dy, [qkv, probs], attrs) => {
      return { qkv: () => tf.engine().runKernel(ATTENTION_GRAD_KERNEL, { dy: firstGradient(dy), qkv, probs }, attrs) as tf.Tensor };
    },
  });
});

export const registerWasmAttention = group.register;

/** Merged heads [B*T, D] of qkv [B*T, 3D] when the fused kernel can run it (wasm, head size a multiple of 4), else null. */
export function fusedAttention(qkv: tf.Tensor2D, batch: number, heads: number): tf.Tensor2D | null {
  const dh = qkv.shape[1] / 3 / heads;
  if (!group.active() || dh % 4 !== 0) return null;
  return (tf.engine().runKernel(ATTENTION_KERNEL, { qkv }, { batch, heads }) as tf.Tensor[])[0] as tf.Tensor2D;
}
