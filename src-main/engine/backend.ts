// Chooses the fastest tfjs backend that actually works on this machine and explains the choice.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmKernels } from './kernels/index';
import { probeWebgpu, registerWebgpu, webgpuVersions, type GpuAdapter } from './webgpu';

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export interface BackendCandidate {
  name: BackendName;
  package: string;
  available: boolean;
  why: string;
  /** false: works when forced, but auto never picks it (a software GPU adapter is slower than wasm). */
  auto?: boolean;
  /** webgpu: the adapter found, chosen or not. */
  adapter?: GpuAdapter;
}
export interface BackendReport {
  name: BackendName;
  reason: string;
  candidates: BackendCandidate[];
  versions: Record<string, string>;
  simd?: boolean;
  threads?: boolean;
  /** wasm: the workbench's own GEMM kernels use fused multiply-add (relaxed SIMD). */
  fma?: boolean;
  /** webgpu: the adapter it runs on. */
  adapter?: GpuAdapter;
}

const ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu + webgpu (Dawn)',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};
// tfjs backend registry names differ from ours: both node packages register as 'tensorflow'.
const TF_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** libtensorflow 2.9, which tfjs-node-gpu 4.22 links, loads only against these exact CUDA libraries. */
export const TFJS_NODE_GPU_NEEDS = 'CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0, libcudnn.so.8) for libtensorflow 2.9';

/** Backends that are a GPU: the trainer's replica threads split a CPU's cores and are not used there. */
export function isGpuBackend(name: string): boolean {
  return name === 'webgpu' || name === 'tensorflow-gpu';
}

// Not named `require`: the Electron build's bundler declares its own in shared chunks.
const nodeRequire = createRequire(import.meta.url);
let current: BackendReport | undefined;
let pending: { want: BackendName | 'auto'; report: Promise<BackendReport> } | undefined;
const versions: Record<string, string> = {};

function errText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0].slice(0, 300);
}

function isBackendName(s: string): s is BackendName {
  return (ORDER as readonly string[]).includes(s);
}

interface NodeBackendLike {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

async function probeNode(name: 'tensorflow-gpu' | 'tensorflow'): Promise<BackendCandidate> {
  const pkg = PACKAGES[name];
  const cand = (available: boolean, why: string): BackendCandidate => ({ name, package: pkg, available, why });
  try {
    nodeRequire.resolve(`${pkg}/package.json`);
  } catch {
    return cand(false, 'package not installed');
  }
  try {
    // A variable specifier keeps TypeScript from requiring types for an optional package.
    const mod = (await import(pkg)) as { version?: Record<string, string> };
    if (mod.version) Object.assign(versions, mod.version);
  } catch (e) {
    const needs = name === 'tensorflow-gpu' ? `; it needs ${TFJS_NODE_GPU_NEEDS}; webgpu runs on the GPU without them` : '';
    return cand(false, `libtensorflow failed to load: ${errText(e)}${needs}`);
  }
  const be = tf.findBackend('tensorflow') as (tf.KernelBackend & NodeBackendLike) | null;
  if (!be) return cand(false, "package loaded but the 'tensorflow' backend did not register");
  if (name === 'tensorflow-gpu') {
    if (!be.isGPUPackage) return cand(false, 'the loaded tensorflow backend is the CPU build');
    if (!be.isUsingGpuDevice) return cand(false, `no CUDA device (needs ${TFJS_NODE_GPU_NEEDS}); webgpu runs on the GPU without them`);
    return cand(true, 'libtensorflow with CUDA loaded');
  }
  return cand(true, 'libtensorflow loaded');
}

function wasmDistDir(): string {
  return join(dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

function probeWasm(): BackendCandidate {
  const cand = (available: boolean, why: string): BackendCandidate => ({ name: 'wasm', package: PACKAGES.wasm, available, why });
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
    return cand(false, 'WebAssembly is not available in this runtime');
  let dir: string;
  try {
    dir = wasmDistDir();
  } catch {
    return cand(false, 'package not installed');
  }
  const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length) return cand(false, `missing ${missing.join(', ')} in ${dir}`);
  return cand(true, 'WebAssembly binaries present');
}

/** Reports which backends could run here without switching the active one. */
export async function probeBackends(): Promise<BackendCandidate[]> {
  const gpu = await probeWebgpu();
  return [
    await probeNode('tensorflow-gpu'),
    {
      name: 'webgpu',
      package: PACKAGES.webgpu,
      available: gpu.available,
      why: gpu.why,
      ...(gpu.adapter ? { adapter: gpu.adapter, auto: !gpu.adapter.software } : {}),
    },
    await probeNode('tensorflow'),
    probeWasm(),
    { name: 'cpu', package: PACKAGES.cpu, available: true, why: 'pure JavaScript, always available' },
  ];
}

let wasmModule: typeof import('@tensorflow/tfjs-backend-wasm') | undefined;

async function activateWasm(): Promise<{ simd: boolean; threads: boolean; fma: boolean }> {
  if (!wasmModule) {
    wasmModule = await import('@tensorflow/tfjs-backend-wasm');
    // Must happen before the backend first initialises, otherwise it fetches from a URL.
    wasmModule.setWasmPaths(`${wasmDistDir()}/`);
    versions['tfjs-backend-wasm'] = wasmModule.version_wasm;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed to initialise');
  const { fma } = registerWasmKernels();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { simd, threads, fma };
}

function resolvePreference(prefer: BackendName | 'auto' | undefined): BackendName | 'auto' {
  if (prefer !== undefined && prefer !== 'auto') {
    if (!isBackendName(prefer)) throw new Error(`unknown backend '${String(prefer)}'; expected auto, ${ORDER.join(', ')}`);
    return prefer;
  }
  const env = process.env.NOISYNN_BACKEND?.trim();
  if (!env || env === 'auto') return 'auto';
  if (!isBackendName(env)) throw new Error(`NOISYNN_BACKEND='${env}' is not a backend; expected auto, ${ORDER.join(', ')}`);
  return env;
}

async function init(want: BackendName | 'auto'): Promise<BackendReport> {
  const candidates = await probeBackends();
  Object.assign(versions, tf.version);
  const byName = (n: BackendName) => candidates.find((c) => c.name === n)!;
  let picked: BackendName;
  if (want !== 'auto') {
    const c = byName(want);
    if (!c.available) throw new Error(`backend '${want}' (${c.package}) is not available: ${c.why}`);
    picked = want;
  } else {
    picked = ORDER.find((n) => byName(n).available && byName(n).auto !== false)!;
  }
  const report: BackendReport = { name: picked, reason: '', candidates, versions: { ...versions } };
  if (picked === 'webgpu') {
    try {
      await registerWebgpu();
      report.adapter = byName('webgpu').adapter;
      Object.assign(versions, webgpuVersions());
    } catch (e) {
      throw new Error(`backend 'webgpu' failed to initialise: ${errText(e)}`);
    }
  }
  if (picked === 'wasm') {
    try {
      Object.assign(report, await activateWasm());
    } catch (e) {
      const w = byName('wasm');
      w.available = false;
      w.why = `initialisation failed: ${errText(e)}`;
      if (want === 'wasm') throw new Error(`backend 'wasm' failed to initialise: ${w.why}`);
      picked = 'cpu';
      report.name = 'cpu';
    }
  }
  if (picked !== 'wasm') {
    if (!(await tf.setBackend(TF_NAME[picked]))) throw new Error(`tf.setBackend('${TF_NAME[picked]}') failed`);
  }
  report.versions = { ...versions };
  const faster = ORDER.slice(0, ORDER.indexOf(report.name)).map(byName);
  const whyNot = faster.map((c) => `${c.name}: ${c.why}`).join('; ');
  report.reason =
    (want === 'auto' ? `${report.name} is the fastest working backend` : `${report.name} was requested explicitly`) +
    (whyNot ? ` (faster ones unavailable or skipped: ${whyNot}).` : '.');
  return report;
}

/** Selects and activates a backend; repeated calls with the same preference return the same report. */
export async function initBackend(prefer?: BackendName | 'auto'): Promise<BackendReport> {
  const want = resolvePreference(prefer);
  if (pending) {
    const prevWant = pending.want;
    const prev = await pending.report.catch(() => undefined);
    if (prev && (want === prevWant || want === prev.name) && tf.getBackend() === TF_NAME[prev.name]) return prev;
  }
  pending = { want, report: init(want) };
  try {
    current = await pending.report;
  } catch (e) {
    pending = undefined;
    throw e;
  }
  return current;
}

export function currentBackend(): BackendReport | undefined {
  return current;
}
