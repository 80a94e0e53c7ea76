// Access to tfjs-backend-wasm's heap for the hand-written kernels of ./wasm: tensor addresses, output
// allocation, and the one instance of the kernel module bound to the backend's memory.
import * as tf from '@tensorflow/tfjs';
import v8 from 'node:v8';
import { instantiateKernels, kernelModuleBytes, type KernelExports } from './wasm/module';

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array };
}

export type KernelArgs<A = Record<string, never>> = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: A };

let kernels: KernelExports | undefined;
let fused = false;

/**
 * Binds the kernel module to the wasm backend's memory; false without one or without wasm SIMD.
 * Relaxed SIMD (FMA in the GEMMs, ~1.35x) ships in V8 12+ (Electron); Node 20's V8 has it behind a
 * flag, which must be set before the module is compiled. Without it the GEMMs use multiply + add.
 */
export function bindWasmKernels(): boolean {
  if (kernels) return true;
  const be = tf.findBackend('wasm') as unknown as WasmBackend | null;
  if (!be?.wasm?.asm?.memory) return false;
  const fma = process.env.NOISYNN_WASM_FMA !== '0' && relaxedSimd();
  if (!fma && !WebAssembly.validate(kernelModuleBytes(false))) return false;
  kernels = instantiateKernels(be.wasm.asm.memory, fma);
  fused = fma;
  return true;
}

/** Whether this engine validates relaxed SIMD, turning on Node 20's flag for it if needed. */
function relaxedSimd(): boolean {
  if (WebAssembly.validate(kernelModuleBytes(true))) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(kernelModuleBytes(true));
}

/** Whether the GEMMs multiply-add with FMA (rounding differs from multiply + add in the last bits). */
export const wasmKernelsUseFma = (): boolean => fused;

export function wasmKernels(): KernelExports {
  if (!kernels) throw new Error('wasm kernels used before bindWasmKernels()');
  return kernels;
}

export function ptr(be: WasmBackend, t: tf.TensorInfo): number {
  const d = be.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm kernel: tensor data is not on the wasm backend');
  return d.memoryOffset;
}

/**
 * Allocates outputs of the given shapes plus `temps` scratch vectors of `width` floats, runs `body`
 * with all their addresses (outputs first), frees the scratch and returns the outputs. Addresses are
 * read after every allocation: makeOutput may grow the heap, which replaces HEAPF32.
 */
export function withBuffers(be: WasmBackend, shapes: number[][], temps: number, width: number, body: (p: number[]) => void): tf.TensorInfo[] {
  const outs = shapes.map((s) => be.makeOutput(s, 'float32'));
  const scratch = Array.from({ length: temps }, () => be.makeOutput([width], 'float32'));
  try {
    body([...outs, ...scratch].map((t) => ptr(be, t)));
  } finally {
    for (const t of scratch) be.disposeData(t.dataId);
  }
  return outs;
}

/** Registers a wasm kernel implemented by `fn`. */
export function registerKernel<A>(kernelName: string, fn: (a: KernelArgs<A>) => tf.TensorInfo | tf.TensorInfo[]): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
}

/**
 * A group of wasm kernels registered together, once per tfjs instance (each replica thread has its
 * own): `register()` binds the module and runs `setup` (false without wasm SIMD); `active()` tells an
 * op whether the group can run now, i.e. it is registered and wasm is the backend in use.
 */
export function kernelGroup(setup: () => void): { register(): boolean; active(): boolean } {
  let done = false;
  return {
    register: () => {
      if (!done && bindWasmKernels()) {
        setup();
        done = true;
      }
      return done;
    },
    active: () => done && tf.getBackend() === 'wasm',
  };
}
