// The wasm GEMM (./wasm/gemm-fns.ts) on tfjs tensors: C [M, N] = A [M, K] B [K, N], row-major, for
// N a multiple of 8. 33 GFLOP/s here with multiply + add and 42-46 with FMA, against 23-28 for
// tfjs-wasm's XNNPACK matMul on the mnist-vit shapes (bench/gemm.ts), which also re-packs the weights
// of every new tensor (each optimizer step makes new ones).
import type * as tf from '@tensorflow/tfjs';
import { ptr, type WasmBackend, wasmKernels, withBuffers } from './heap';

export const gemmFits = (n: number): boolean => n % 8 === 0;

/** a [.., M, K] and b [.., K, N] seen as matrices (batch 1); the output has shape `shape`. */
export function gemm(be: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number, shape: number[]): tf.TensorInfo {
  const [pa, pb] = [a, b].map((t) => ptr(be, t));
  return withBuffers(be, [shape], 0, 0, ([pc]) => wasmKernels().gemm(pa, pb, pc, m, k, n, k * 4, n * 4, n * 4))[0];
}
