// Fused BatchNorm (+ReLU) and LayerNorm kernels for the wasm backend, with their gradients. They run
// the SIMD loops of ./wasm/norm-fns.ts directly on the tensors in tfjs-wasm's heap; the per-channel
// arithmetic (C numbers) is done here in JavaScript. ops/batchNorm.ts and ops/layerNorm.ts use them
// when `fusedNormAvailable()`, and keep their tfjs compositions for every other backend.
import * as tf from '@tensorflow/tfjs';
import {
  firstGradient,
  kernelGroup,
  type KernelArgs,
  ptr,
  registerKernel,
  sizeOf,
  type WasmBackend,
  wasmKernels,
  withBuffers,
} from './heap';

export const BN_KERNEL = 'NoisyNNBatchNorm';
const BN_GRAD_KERNEL = 'NoisyNNBatchNormGrad';
export const LN_KERNEL = 'NoisyNNLayerNorm';
const LN_GRAD_KERNEL = 'NoisyNNLayerNormGrad';

type Attrs = { eps: number; relu?: boolean };

/** Kernel-local geometry: rows of `width` floats; width must be a multiple of 4 (checked by callers). */
function geometry(x: tf.TensorInfo): { width: number; rows: number; rb: number } {
  const width = x.shape[x.shape.length - 1];
  const rows = sizeOf(x) / width;
  return { width, rows, rb: width * 4 };
}

function bnForward({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const k = wasmKernels();
  const { x, gamma, beta } = inputs;
  const { width: c, rows, rb } = geometry(x);
  const [px, pg, pb] = [x, gamma, beta].map((t) => ptr(be, t));
  return withBuffers(be, [x.shape, [c], [c]], 1, c, ([py, pmean, pvar, pscale]) => {
    k.col_sum(px, rows, rb, pmean);
    const h = be.wasm.HEAPF32;
    for (let i = 0; i < c; i++) h[pmean / 4 + i] /= rows;
    k.col_sq_dev(px, rows, rb, pmean, pvar);
    for (let i = 0; i < c; i++) {
      h[pvar / 4 + i] /= rows;
      h[pscale / 4 + i] = h[pg / 4 + i] * Math.fround(1 / Math.sqrt(h[pvar / 4 + i] + attrs.eps));
    }
    (attrs.relu ? k.bn_apply_relu : k.bn_apply)(px, rows, rb, pmean, pscale, pb, py);
  });
}

/** dx, dgamma, dbeta of y = [relu]((x - mean) * rstd * gamma + beta) with the batch's own statistics. */
function bnBackward({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const k = wasmKernels();
  const { dy, x, y, gamma, mean, variance } = inputs;
  const { width: c, rows, rb } = geometry(x);
  const [pdy, px, py, pg, pm, pv] = [dy, x, y, gamma, mean, variance].map((t) => ptr(be, t));
  return withBuffers(be, [x.shape, [c], [c]], 4, c, ([pdx, pdg, pdb, psgx, pa, pb, pk]) => {
    (attrs.relu ? k.bn_grad_sums_relu : k.bn_grad_sums)(pdy, px, py, rows, rb, pm, pdb, psgx);
    const h = be.wasm.HEAPF32;
    for (let i = 0; i < c; i++) {
      const rstd = Math.fround(1 / Math.sqrt(h[pv / 4 + i] + attrs.eps));
      const dgamma = (h[pdg / 4 + i] = h[psgx / 4 + i] * rstd);
      const a = (h[pa / 4 + i] = h[pg / 4 + i] * rstd);
      h[pb / 4 + i] = (a * h[pdb / 4 + i]) / rows;
      h[pk / 4 + i] = (a * rstd * dgamma) / rows;
    }
    (attrs.relu ? k.bn_grad_dx_relu : k.bn_grad_dx)(pdy, px, py, rows, rb, pm, pa, pb, pk, pdx);
  });
}

function lnForward({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const { x, gamma, beta } = inputs;
  const { width: d, rows, rb } = geometry(x);
  const [px, pg, pb] = [x, gamma, beta].map((t) => ptr(be, t));
  return withBuffers(be, [x.shape, [rows], [rows]], 0, d, ([py, pmean, prstd]) => {
    wasmKernels().ln_forward(px, rows, rb, d, pg, pb, attrs.eps, py, pmean, prstd);
  });
}

function lnBackward({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const { dy, x, gamma, mean, rstd } = inputs;
  const { width: d, rows, rb } = geometry(x);
  const [pdy, px, pg, pm, pr] = [dy, x, gamma, mean, rstd].map((t) => ptr(be, t));
  return withBuffers(be, [x.shape, [d], [d]], 0, d, ([pdx, pdg, pdb]) => {
    wasmKernels().ln_backward(pdy, px, rows, rb, d, pg, pm, pr, pdx, pdg, pdb);
  });
}

/** Registers the kernels and gradients once per tfjs instance (each replica thread has its own). */
const group = kernelGroup(() => {
  registerKernel(BN_KERNEL, bnForward);
  registerKernel(BN_GRAD_KERNEL, bnBackward);
  registerKernel(LN_KERNEL, lnForward);
  registerKernel(LN_GRAD_KERNEL, lnBackward);
  // Saved: the inputs listed, then the outputs flagged (BatchNorm: y, mean, variance; LayerNorm: mean,
  // rstd). The statistics carry no gradient of their own: callers use them only for running statistics.
  tf.registerGradient({
    kernelName: BN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, y, mean, variance] = saved;
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(BN_GRAD_KERNEL, { dy: firstGradient(dy), x, y, gamma, mean, variance }, attrs) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
  tf.registerGradient({
    kernelName: LN_KERNEL,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const [x, gamma, mean, rstd] = saved;
      const [dx, dgamma, dbeta] = tf.engine().runKernel(LN_GRAD_KERNEL, { dy: firstGradient(dy), x, gamma, mean, rstd }) as tf.Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  });
});

export const registerWasmNorm = group.register;

/** True when x's last axis suits the fused kernels on the active backend (SIMD rows of 4 floats). */
export function fusedNormAvailable(x: tf.Tensor): boolean {
  return group.active() && x.shape[x.rank - 1] % 4 === 0;
}
