// The one module of hand-written SIMD kernels, instantiated over tfjs-wasm's memory so the kernels read
// and write its tensors in place. `fma`: multiply-adds of the GEMMs as relaxed-SIMD FMA.
import { attentionKernels } from './attention-fns';
import { convKernels } from './conv-fns';
import { buildModule, type ExportsOf } from './emit';
import { gemmKernels } from './gemm-fns';
import { geluKernels } from './gelu-fns';
import { layoutKernels } from './layout-fns';
import { normKernels } from './norm-fns';
import { reluKernels } from './relu-fns';

/** Every kernel of the module, in export order: the module bytes and the export check both come from here. */
const kernelList = (fma: boolean) => [
  ...normKernels(),
  ...geluKernels(),
  ...attentionKernels(),
  ...layoutKernels(),
  ...gemmKernels(fma),
  ...convKernels(fma),
  ...reluKernels(),
];

/** The instance's exports, derived from the kernels' names and parameter lists. */
export type KernelExports = ExportsOf<ReturnType<typeof kernelList>>;

export function kernelModuleBytes(fma: boolean): Uint8Array<ArrayBuffer> {
  return buildModule(kernelList(fma));
}

/** Instantiates module bytes from `kernelModuleBytes` over `memory`; every listed kernel must be exported as a function. */
export function instantiateKernels(memory: WebAssembly.Memory, bytes: Uint8Array<ArrayBuffer>): KernelExports {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const missing = kernelList(false)
    .map(({ fn }) => fn.name)
    .filter((name) => typeof exports[name] !== 'function');
  if (missing.length) throw new Error(`wasm kernel module does not export ${missing.join(', ')}`);
  return exports as WebAssembly.Exports & KernelExports;
}
