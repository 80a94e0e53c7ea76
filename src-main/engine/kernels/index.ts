// Kernel replacements for the wasm backend; registered by initBackend after tf.setBackend('wasm').
import { registerWasmBatchMatMul } from './batchMatMul';
import { registerWasmAttention } from './attention';
import { registerWasmGelu } from './gelu';
import { registerWasmIdentity } from './identity';
import { registerWasmLayout } from './layout';
import { registerWasmNorm } from './norm';

export { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from './batchMatMul';

export function registerWasmKernels(): void {
  registerWasmBatchMatMul();
  registerWasmNorm();
  registerWasmGelu();
  registerWasmAttention();
  registerWasmLayout();
  registerWasmIdentity();
}
