// One-pass strided copies on the wasm heap (./wasm/layout-fns.ts): a transpose, a pad and a slice
// composed into a single rank-4 copy. Used by ops/conv2d.ts's filter gradient.
import * as tf from '@tensorflow/tfjs';
import { bindWasmKernels, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';

const COPY_KERNEL = 'NoisyNNStridedCopy';
let registered = false;

/** out (shape `shape`, zero elsewhere) at element offset `at` + sum i_k outStrides[k] = x[sum i_k strides[k]], i < dims. */
interface CopyAttrs { dims: number[]; strides: number[]; shape: number[]; outStrides: number[]; at: number }

function copy({ inputs: { x }, backend, attrs }: KernelArgs<CopyAttrs>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const { dims, strides, shape, outStrides, at } = attrs;
  const px = ptr(be, x);
  return withBuffers(be, [shape], 0, 0, ([po]) => {
    const k = wasmKernels();
    const size = shape.reduce((a, b) => a * b, 1);
    if (dims.reduce((a, b) => a * b, 1) < size) k.zero(po, size * 4);
    const rows = strides[3] === 1 && outStrides[3] === 1 && dims[3] % 4 === 0;
    const b = (s: number[]) => s.map((v) => v * 4) as [number, number, number, number];
    (rows ? k.copy4_rows : k.copy4)(px, po + at * 4, dims[0], dims[1], dims[2], dims[3], ...b(strides), ...b(outStrides));
  })[0];
}

export function registerWasmLayout(): boolean {
  if (registered) return true;
  if (!bindWasmKernels()) return false;
  registerKernel(COPY_KERNEL, copy);
  registered = true;
  return true;
}

export const layoutKernelsAvailable = (): boolean => registered && tf.getBackend() === 'wasm';

const contiguous = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/**
 * y = pad(x) transposed by `perm` (y axis k is x axis perm[k]), then cut to `keep` (sizes from the
 * start of each y axis) in one copy. `pad` is [before, after] per x axis.
 */
export function permutePadCut(x: tf.Tensor4D, perm: number[], pad: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]], keep?: number[]): tf.Tensor4D {
  const xStrides = contiguous(x.shape);
  const padded = x.shape.map((n, i) => n + pad[i][0] + pad[i][1]);
  const shape = keep ?? perm.map((a) => padded[a]);
  const outStrides = contiguous(shape);
  // Copy the x values that land inside the kept region: y index = x index + before, along perm.
  const dims = perm.map((a, k) => Math.max(0, Math.min(x.shape[a], shape[k] - pad[a][0])));
  const at = perm.reduce((acc, a, k) => acc + pad[a][0] * outStrides[k], 0);
  return tf.engine().runKernel(COPY_KERNEL, { x }, { dims, strides: perm.map((a) => xStrides[a]), shape, outStrides, at } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
