// NHWC convolutions on the workbench's implicit-GEMM kernels (./wasm/conv-fns.ts): the forward pass
// (also used for input gradients, which are correlations too) and the filter gradient. Explicit pads
// are applied by one strided copy (./layout.ts); the kernels then run 'valid'. Used by ops/conv2d.ts
// when `gemmConvFits`, in place of tfjs-wasm's XNNPACK convolutions, which re-pack every new filter.
import * as tf from '@tensorflow/tfjs';
import { gemmFits } from './gemm';
import { kernelGroup, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';
import { permutePadCut } from './layout';

const CONV_KERNEL = 'NoisyNNConv';
const FILTER_GRAD_KERNEL = 'NoisyNNConvFilterGrad';
export type Pads = [[number, number], [number, number], [number, number], [number, number]];

function geometry(x: tf.TensorInfo, kh: number, kw: number, cout: number, s: number, ho: number, wo: number) {
  const [n, hp, wp, cin] = x.shape;
  return [n, hp, wp, cin, ho, wo, cout, kh, kw, s] as const;
}

function forward({ inputs: { x, w }, backend, attrs: { s } }: KernelArgs<{ s: number }>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [kh, kw, , cout] = w.shape;
  const [n, hp, wp] = x.shape;
  const ho = Math.floor((hp - kh) / s) + 1,
    wo = Math.floor((wp - kw) / s) + 1;
  const [px, pw] = [x, w].map((t) => ptr(be, t));
  // Scratch for the kernel's table of window offsets, one int (in a float-sized slot) per output position.
  return withBuffers(be, [[n, ho, wo, cout]], 1, n * ho * wo, ([po, ptable]) =>
    wasmKernels().conv_forward(px, pw, po, ptable, ...geometry(x, kh, kw, cout, s, ho, wo)),
  )[0];
}

function filterGrad({
  inputs: { x, dy },
  backend,
  attrs: { s, kh, kw },
}: KernelArgs<{ s: number; kh: number; kw: number }>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const [, ho, wo, cout] = dy.shape;
  const [px, pdy] = [x, dy].map((t) => ptr(be, t));
  // Scratch for the kernel's table of offsets within a window, one int per row of dw.
  return withBuffers(be, [[kh, kw, x.shape[3], cout]], 1, kh * kw * x.shape[3], ([pdw, poffs]) =>
    wasmKernels().conv_filter_grad(px, pdy, pdw, poffs, ...geometry(x, kh, kw, cout, s, ho, wo)),
  )[0];
}

const group = kernelGroup(() => {
  registerKernel(CONV_KERNEL, forward);
  registerKernel(FILTER_GRAD_KERNEL, filterGrad);
});

export const registerWasmConv = group.register;

/** True on wasm when the output channels suit the kernels' 8-wide tiles. */
export const gemmConvFits = (cout: number): boolean => group.active() && gemmFits(cout);

/** x with `pads` applied by one strided copy (x itself when there are none). */
export const padInput = (x: tf.Tensor4D, pads: Pads): tf.Tensor4D =>
  pads.some(([a, b]) => a || b) ? permutePadCut(x, [0, 1, 2, 3], pads) : x;

export const NO_PADS: Pads = [
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
];

/** Correlation of x with w [kh, kw, cin, cout] at stride s over x padded by `pads` (no gradient). */
export function gemmConv(x: tf.Tensor4D, w: tf.Tensor4D, s: number, pads: Pads): tf.Tensor4D {
  return tf.engine().runKernel(CONV_KERNEL, { x: padInput(x, pads), w }, { s }) as tf.Tensor4D;
}

/** dw [kh, kw, cin, cout] of that correlation for the upstream gradient dy [n, ho, wo, cout]. */
export function gemmConvFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, s: number, pads: Pads): tf.Tensor4D {
  return tf.engine().runKernel(FILTER_GRAD_KERNEL, { x: padInput(x, pads), dy }, { s, kh, kw }) as tf.Tensor4D;
}
