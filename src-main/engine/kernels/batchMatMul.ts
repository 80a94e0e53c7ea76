// wasm BatchMatMul, rerouted where tfjs-backend-wasm 4.22 is slow (bench/ops.ts, bench/profile-step.ts):
// - one matrix with transposeA/transposeB: that path runs ~9x slower than transpose + plain matmul, and
//   every matMul gradient hits it, so the operands are transposed explicitly;
// - a batch of matrices (attention: [batch*heads, tokens, dh]): the stock kernel loops in scalar code
//   (~1.7 GFLOP/s here). The product is a depthwise convolution instead, which XNNPACK vectorises:
//   C[g] = A[g] B[g] is x [1, M, K, G] (*) filter [1, K, G, N] with channel multiplier N, 'valid',
//   giving [1, M, 1, G*N] = [M, G, N]; measured 2.2x faster with the transposes, identical results.
// - one matrix (batch 1) with N a multiple of 8: the workbench's own GEMM (./gemm.ts), 1.3-1.9x faster.
// Broadcast batches (one side batch 1) keep the stock kernel.
import * as tf from '@tensorflow/tfjs';
import { gemm, gemmFits } from './gemm';
import type { WasmBackend } from './heap';

interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

let original: tf.KernelConfig | undefined;

function batchOf(shape: number[]): number {
  return shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** The same data seen with another shape of equal size (no copy, no kernel). */
function view(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/** Replaces the wasm BatchMatMul kernel once; returns false if wasm kernels are not registered. */
export function registerWasmBatchMatMul(): boolean {
  if (original) return true;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transposeCfg = tf.getKernel('Transpose', 'wasm');
  const depthwiseCfg = tf.getKernel('DepthwiseConv2dNative', 'wasm');
  if (!stock || !transposeCfg || !depthwiseCfg) return false;
  const stockFn = stock.kernelFunc;
  const transposeFn = transposeCfg.kernelFunc;
  const depthwiseFn = depthwiseCfg.kernelFunc;

  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const ta = Boolean(attrs?.transposeA);
    const tb = Boolean(attrs?.transposeB);
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const be = backend as DisposingBackend;
    const transpose = (x: tf.TensorInfo, perm: number[]) => transposeFn({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    const ga = batchOf(a.shape);
    const gb = batchOf(b.shape);
    if (ga > 1 && ga === gb && a.dtype === 'float32' && b.dtype === 'float32') {
      const ra = a.shape.length,
        rb = b.shape.length;
      const [m, k] = ta ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
      const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
      const x = transpose(view(a, [ga, a.shape[ra - 2], a.shape[ra - 1]]), ta ? [2, 1, 0] : [1, 2, 0]); // [M, K, G]
      const f = transpose(view(b, [gb, b.shape[rb - 2], b.shape[rb - 1]]), tb ? [2, 0, 1] : [1, 0, 2]); // [K, G, N]
      const o = depthwiseFn({
        inputs: { x: view(x, [1, m, k, ga]), filter: view(f, [1, k, ga, n]) },
        backend,
        attrs: { strides: [1, 1], pad: 'valid', dilations: [1, 1] },
      }) as tf.TensorInfo; // [1, M, 1, G*N]
      const c = transpose(view(o, [m, ga, n]), [1, 0, 2]); // [G, M, N]
      for (const t of [x, f, o]) be.disposeData(t.dataId);
      const batchShape = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
      return view(c, [...batchShape, m, n]);
    }
    const ra = a.shape.length,
      rb = b.shape.length;
    const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
    const own = ga === 1 && gb === 1 && gemmFits(n) && a.dtype === 'float32' && b.dtype === 'float32';
    if (!own && ((!ta && !tb) || ga !== 1 || gb !== 1)) return stockFn({ inputs, backend, attrs });
    const flip = (x: tf.TensorInfo) => transpose(x, [...Array(x.shape.length - 2).keys(), x.shape.length - 1, x.shape.length - 2]);
    const a2 = ta ? flip(a) : a;
    const b2 = tb ? flip(b) : b;
    try {
      if (own) {
        const [m, k] = [a2.shape[ra - 2], a2.shape[ra - 1]];
        return gemm(backend as WasmBackend, a2, b2, m, k, n, [...(ra >= rb ? a.shape : b.shape).slice(0, -2), m, n]);
      }
      return stockFn({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (a2 !== a) be.disposeData(a2.dataId);
      if (b2 !== b) be.disposeData(b2.dataId);
    }
  };
  original = stock;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  return true;
}

/** Puts the stock kernel back (used by tests and benchmarks to compare). */
export function unregisterWasmBatchMatMul(): void {
  if (!original) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(original);
  original = undefined;
}
