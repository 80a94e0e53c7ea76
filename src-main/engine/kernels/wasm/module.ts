// The one module of hand-written SIMD kernels, instantiated over tfjs-wasm's memory so the kernels read
// and write its tensors in place.
import { attentionKernels, type AttentionExports } from './attention-fns';
import { buildModule } from './emit';
import { geluKernels, type GeluExports } from './gelu-fns';
import { layoutKernels, type LayoutExports } from './layout-fns';
import { normKernels, type NormExports } from './norm-fns';

export type KernelExports = NormExports & GeluExports & AttentionExports & LayoutExports;

export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return buildModule([...normKernels(), ...geluKernels(), ...attentionKernels(), ...layoutKernels()]);
}

export function instantiateKernels(memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelModuleBytes()), { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
