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

/** tfjs-backend-wasm's backend once its module is up (the heap the kernels work in is there). */
function isWasmBackend(be: object | null): be is WasmBackend {
  return Boolean(be && 'wasm' in be && (be as Partial<WasmBackend>).wasm?.asm?.memory);
}

let kernels: KernelExports | undefined;
let fused = false;

/**
 * Binds the kernel module to the wasm backend's memory; false without one or without wasm SIMD.
 * Relaxed SIMD (FMA in the GEMMs, ~1.35x) ships in V8 12+ (Electron); Node 20's V8 has it behind a
 * flag, which must be set before the module is compiled. Without it the GEMMs use multiply + add.
 */
export function bindWasmKernels(): boolean {
  if (kernels) return true;
  const be = tf.findBackend('wasm');
  if (!isWasmBackend(be)) return false;
  const withFma = kernelModuleBytes(true);
  const fma = process.env.NOISYNN_WASM_FMA !== '0' && relaxedSimd(withFma);
  const bytes = fma ? withFma : kernelModuleBytes(false);
  if (!fma && !WebAssembly.validate(bytes)) return false;
  kernels = instantiateKernels(be.wasm.asm.memory, bytes);
  fused = fma;
  return true;
}

/** Whether this engine validates relaxed SIMD (`bytes` uses it), turning on Node 20's flag if needed. */
function relaxedSimd(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
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
export function withBuffers(
  be: WasmBackend,
  shapes: number[][],
  temps: number,
  width: number,
  body: (p: number[]) => void,
): tf.TensorInfo[] {
  const outs = shapes.map((s) => be.makeOutput(s, 'float32'));
  const scratch = Array.from({ length: temps }, () => be.makeOutput([width], 'float32'));
  try {
    body([...outs, ...scratch].map((t) => ptr(be, t)));
  } finally {
    for (const t of scratch) be.disposeData(t.dataId);
  }
  return outs;
}

/** Elements of a tensor. */
export const sizeOf = (t: tf.TensorInfo): number => tf.util.sizeFromShape(t.shape);

/**
 * An elementwise kernel body: allocates the output (shape of `inputs[0]`) and calls `run` with the
 * inputs' addresses, their size in bytes and the output's address.
 */
export function elementwise(
  backend: unknown,
  inputs: tf.TensorInfo[],
  run: (k: KernelExports, p: number[], bytes: number, out: number) => void,
): tf.TensorInfo {
  const be = backend as WasmBackend;
  const p = inputs.map((t) => ptr(be, t));
  return withBuffers(be, [inputs[0].shape], 0, 0, ([out]) => run(wasmKernels(), p, sizeOf(inputs[0]) * 4, out))[0];
}

/** The upstream gradient of a kernel's first output (tfjs passes an array for multi-output kernels). */
export const firstGradient = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? dy[0] : dy);

/**
 * Registers a wasm kernel implemented by `fn`. The op that runs it (this folder's callers of
 * runKernel) passes every input `fn` reads and attrs of type A, so the maps are narrowed here once.
 */
export function registerKernel<A>(kernelName: string, fn: (a: KernelArgs<A>) => tf.TensorInfo | tf.TensorInfo[]): void {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) =>
    fn({ inputs: inputs as Record<string, tf.TensorInfo>, backend, attrs: attrs as A });
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
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
