// The one module of hand-written SIMD kernels, instantiated over tfjs-wasm's memory so the kernels read
// and write its tensors in place. `fma`: multiply-adds of the GEMMs as relaxed-SIMD FMA.
import { attentionKernels, type AttentionExports } from './attention-fns';
import { convKernels, type ConvExports } from './conv-fns';
import { buildModule } from './emit';
import { gemmKernels, type GemmExports } from './gemm-fns';
import { geluKernels, type GeluExports } from './gelu-fns';
import { layoutKernels, type LayoutExports } from './layout-fns';
import { normKernels, type NormExports } from './norm-fns';
import { reluKernels, type ReluExports } from './relu-fns';

export type KernelExports = NormExports & GeluExports & AttentionExports & LayoutExports & GemmExports & ConvExports & ReluExports;

export function kernelModuleBytes(fma: boolean): Uint8Array<ArrayBuffer> {
  return buildModule([...normKernels(), ...geluKernels(), ...attentionKernels(), ...layoutKernels(), ...gemmKernels(fma), ...convKernels(fma), ...reluKernels()]);
}

/** Instantiates module bytes from `kernelModuleBytes` over `memory`. */
export function instantiateKernels(memory: WebAssembly.Memory, bytes: Uint8Array<ArrayBuffer>): KernelExports {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
