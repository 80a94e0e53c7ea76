// wasm BatchMatMul with explicit transposes: in tfjs-backend-wasm 4.22 the transposeA/transposeB path
// for a single (unbatched) matrix runs ~9x slower than transpose + plain matmul (bench/ops.ts), and
// every matMul gradient hits that path. Batched products (attention) measured equal, so they pass through.
import * as tf from '@tensorflow/tfjs';

type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];
interface DisposingBackend { disposeData(dataId: object, force?: boolean): boolean }

let original: tf.KernelConfig | undefined;

function flipLastTwo(x: tf.TensorInfo, backend: unknown, transposeKernel: KernelFn): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return transposeKernel({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

function batchOf(shape: number[]): number {
  return shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** Replaces the wasm BatchMatMul kernel once; returns false if wasm kernels are not registered. */
export function registerWasmBatchMatMul(): boolean {
  if (original) return true;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transposeCfg = tf.getKernel('Transpose', 'wasm');
  if (!stock || !transposeCfg) return false;
  const stockFn = stock.kernelFunc as unknown as KernelFn;
  const transposeFn = transposeCfg.kernelFunc as unknown as KernelFn;
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const ta = Boolean(attrs?.transposeA);
    const tb = Boolean(attrs?.transposeB);
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if ((!ta && !tb) || batchOf(a.shape) !== 1 || batchOf(b.shape) !== 1) return stockFn({ inputs, backend, attrs });
    const a2 = ta ? flipLastTwo(a, backend, transposeFn) : a;
    const b2 = tb ? flipLastTwo(b, backend, transposeFn) : b;
    try {
      return stockFn({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      const be = backend as DisposingBackend;
      if (a2 !== a) be.disposeData(a2.dataId);
      if (b2 !== b) be.disposeData(b2.dataId);
    }
  };
  original = stock;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  return true;
}

/** Puts the stock kernel back (used by tests and benchmarks to compare). */
export function unregisterWasmBatchMatMul(): void {
  if (!original) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(original);
  original = undefined;
}
