// Kernel replacements for the wasm backend; registered by initBackend after tf.setBackend('wasm').
import { registerWasmBatchMatMul } from './batchMatMul';
import { registerWasmAttention } from './attention';
import { registerWasmConv } from './conv';
import { registerWasmGelu } from './gelu';
import { wasmKernelsUseFma } from './heap';
import { registerWasmIdentity } from './identity';
import { registerWasmLayout } from './layout';
import { registerWasmNorm } from './norm';
import { registerWasmResidual } from './residual';

export { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from './batchMatMul';

/** Every group of wasm kernels, in registration order; a new group is added here and nowhere else. */
const WASM_KERNEL_GROUPS: readonly (() => boolean)[] = [
  registerWasmBatchMatMul,
  registerWasmNorm,
  registerWasmGelu,
  registerWasmAttention,
  registerWasmLayout,
  registerWasmConv,
  registerWasmResidual,
  registerWasmIdentity,
];

/** Registers them all; returns whether the GEMMs use FMA (reported with the backend). */
export function registerWasmKernels(): { fma: boolean } {
  for (const register of WASM_KERNEL_GROUPS) register();
  return { fma: wasmKernelsUseFma() };
}
