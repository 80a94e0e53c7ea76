// One-pass strided copies on the wasm heap (./wasm/layout-fns.ts): a transpose, a pad and a slice
// composed into a single rank-4 copy. Used by ops/conv2d.ts's filter gradient.
import * as tf from '@tensorflow/tfjs';
import { kernelGroup, type KernelArgs, ptr, registerKernel, type WasmBackend, wasmKernels, withBuffers } from './heap';

const COPY_KERNEL = 'NoisyNNStridedCopy';
const INTERLEAVE_KERNEL = 'NoisyNNInterleave';

/** out (shape `shape`, zero elsewhere) at element offset `at` + sum i_k outStrides[k] = x[sum i_k strides[k]], i < dims. */
// Types, not interfaces: a type literal is a tf.NamedAttrMap as it stands, so runKernel takes it without a cast.
type CopyAttrs = { dims: number[]; strides: number[]; shape: number[]; outStrides: number[]; at: number };

function copy({ inputs: { x }, backend, attrs }: KernelArgs<CopyAttrs>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const { dims, strides, shape, outStrides, at } = attrs;
  const px = ptr(be, x);
  return withBuffers(be, [shape], 0, 0, ([po]) => {
    const k = wasmKernels();
    const size = tf.util.sizeFromShape(shape);
    if (tf.util.sizeFromShape(dims) < size) k.zero(po, size * 4);
    const rows = strides[3] === 1 && outStrides[3] === 1 && dims[3] % 4 === 0;
    const b = (s: number[]) => s.map((v) => v * 4) as [number, number, number, number];
    (rows ? k.copy4_rows : k.copy4)(px, po + at * 4, dims[0], dims[1], dims[2], dims[3], ...b(strides), ...b(outStrides));
  })[0];
}

type InterleaveAttrs = { s: number; shape: number[]; top: number; left: number; phases: number[] };

/** See `interleavePhases`; inputs p0, p1, ... are the phases listed (by index fy * s + fx) in attrs.phases. */
function interleave({ inputs, backend, attrs }: KernelArgs<InterleaveAttrs>): tf.TensorInfo {
  const be = backend as WasmBackend;
  const {
    s,
    shape: [n, h, wd, cin],
    top,
    left,
    phases,
  } = attrs;
  const srcs = phases.map((_, i) => inputs[`p${i}`]);
  const pin = srcs.map((t) => ptr(be, t));
  return withBuffers(be, [[n, h, wd, cin]], 0, 0, ([po]) => {
    const k = wasmKernels();
    if (phases.length < s * s) k.zero(po, n * h * wd * cin * 4);
    const copy = cin % 4 === 0 ? k.copy4_rows : k.copy4;
    phases.forEach((phase, i) => {
      const [, my, mx] = srcs[i].shape;
      const fy = Math.floor(phase / s),
        fx = phase % s;
      // Phase row i lands on dx row s i + fy - top; keep the rows inside [0, h), and the same for columns.
      const i0 = Math.max(0, Math.ceil((top - fy) / s)),
        i1 = Math.min(my - 1, Math.floor((h - 1 + top - fy) / s));
      const j0 = Math.max(0, Math.ceil((left - fx) / s)),
        j1 = Math.min(mx - 1, Math.floor((wd - 1 + left - fx) / s));
      if (i1 < i0 || j1 < j0) return;
      const from = pin[i] + (i0 * mx + j0) * cin * 4;
      const to = po + ((s * i0 + fy - top) * wd + (s * j0 + fx - left)) * cin * 4;
      copy(
        from,
        to,
        n,
        i1 - i0 + 1,
        j1 - j0 + 1,
        cin,
        my * mx * cin * 4,
        mx * cin * 4,
        cin * 4,
        4,
        h * wd * cin * 4,
        s * wd * cin * 4,
        s * cin * 4,
        4,
      );
    });
  })[0];
}

const group = kernelGroup(() => {
  registerKernel(COPY_KERNEL, copy);
  registerKernel(INTERLEAVE_KERNEL, interleave);
});

export const registerWasmLayout = group.register;

export const layoutKernelsAvailable = (): boolean => group.active();

const contiguous = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/**
 * y = pad(x) transposed by `perm` (y axis k is x axis perm[k]), then cut to `keep` (sizes from the
 * start of each y axis) in one copy. `pad` is [before, after] per x axis.
 */
export function permutePadCut(
  x: tf.Tensor4D,
  perm: number[],
  pad: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ],
  keep?: number[],
): tf.Tensor4D {
  const xStrides = contiguous(x.shape);
  const padded = x.shape.map((n, i) => n + pad[i][0] + pad[i][1]);
  const shape = keep ?? perm.map((a) => padded[a]);
  const outStrides = contiguous(shape);
  // Copy the x values that land inside the kept region: y index = x index + before, along perm.
  const dims = perm.map((a, k) => Math.max(0, Math.min(x.shape[a], shape[k] - pad[a][0])));
  const at = perm.reduce((acc, a, k) => acc + pad[a][0] * outStrides[k], 0);
  const attrs: CopyAttrs = { dims, strides: perm.map((a) => xStrides[a]), shape, outStrides, at };
  return tf.engine().runKernel(COPY_KERNEL, { x }, attrs) as tf.Tensor4D;
}

/**
 * dx [n, h, wd, cin] from the s*s phase outputs of a strided input gradient (ops/conv2d.ts):
 * dx[b, p, q] = phase[(p + top) % s][(q + left) % s][b, (p + top) / s, (q + left) / s], zero for a
 * missing (null) phase.
 */
export function interleavePhases(phases: (tf.Tensor4D | null)[], s: number, shape: number[], top: number, left: number): tf.Tensor4D {
  const present = phases.flatMap((p, i) => (p ? [i] : []));
  const inputs = Object.fromEntries(present.map((phase, i) => [`p${i}`, phases[phase] as tf.Tensor4D]));
  const attrs: InterleaveAttrs = { s, shape, top, left, phases: present };
  return tf.engine().runKernel(INTERLEAVE_KERNEL, inputs, attrs) as tf.Tensor4D;
}
