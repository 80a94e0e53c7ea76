// The WebGPU backend in Node: Dawn's binding (npm `webgpu`) gives this process a GPU adapter (Vulkan,
// Metal or D3D12; no CUDA toolkit) and `@tensorflow/tfjs-backend-webgpu` runs tfjs on it. Both are
// optional dependencies. The adapter is requested once per process and is the one the backend uses,
// so what `doctor` reports is what trains.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

export interface GpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser posing as a GPU (SwiftShader, lavapipe, llvmpipe, WARP): exact but slower than wasm. */
  software: boolean;
}

export interface WebgpuProbe {
  available: boolean;
  why: string;
  adapter?: GpuAdapter;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface AdapterLike {
  info: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(d: unknown): Promise<{ lost: Promise<unknown>; destroy(): void }>;
}
interface GpuLike {
  requestAdapter(o?: unknown): Promise<AdapterLike | null>;
}

let gpu: GpuLike | undefined;

const PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const;
const SOFTWARE = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|\bwarp\b/i;

// Not named `require`: the Electron build's bundler declares its own in shared chunks.
const nodeRequire = createRequire(import.meta.url);
let probed: Promise<{ probe: WebgpuProbe; adapter?: AdapterLike }> | undefined;
let registered = false;

function errText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}

export function isSoftwareAdapter(info: {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}): boolean {
  if (info.isFallbackAdapter) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

async function requestAdapter(): Promise<{ probe: WebgpuProbe; adapter?: AdapterLike }> {
  for (const pkg of PACKAGES) {
    try {
      nodeRequire.resolve(`${pkg}/package.json`);
    } catch {
      return { probe: { available: false, why: `package ${pkg} not installed` } };
    }
  }
  let dawn: DawnModule;
  try {
    // A variable specifier keeps TypeScript from requiring types for an optional package.
    const name: string = PACKAGES[0];
    dawn = (await import(name)) as DawnModule;
  } catch (e) {
    return { probe: { available: false, why: `Dawn (npm webgpu) failed to load: ${errText(e)}` } };
  }
  // tfjs-backend-webgpu reads the WebGPU constants (GPUBufferUsage, GPUMapMode, ...) as globals, as in a browser.
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
  let adapter: AdapterLike | null;
  try {
    gpu = dawn.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { probe: { available: false, why: `requesting a WebGPU adapter failed: ${errText(e)}` } };
  }
  if (!adapter) {
    const hint = process.platform === 'linux' ? " (Linux: install libvulkan1 and the GPU vendor's Vulkan driver)" : '';
    return { probe: { available: false, why: `no WebGPU adapter: Dawn found no usable Vulkan, Metal or D3D12 device${hint}` } };
  }
  const i = adapter.info;
  const info = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
  const software = isSoftwareAdapter({ ...info, isFallbackAdapter: i.isFallbackAdapter ?? adapter.isFallbackAdapter });
  const name = describeAdapter({ ...info, software });
  const why = software
    ? `software adapter ${name}: exact but slower than wasm, so never chosen automatically (force it with --backend webgpu)`
    : `hardware adapter ${name}`;
  return { probe: { available: true, why, adapter: { ...info, software } }, adapter };
}

export function describeAdapter(a: GpuAdapter): string {
  const id = [a.vendor, a.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
  const detail = [a.device, a.description].filter(Boolean).join(', ');
  return detail ? `${id} (${detail})` : id;
}

/** The adapter this process would use, requested once. Never throws; never switches the tfjs backend. */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  probed ??= requestAdapter();
  return (await probed).probe;
}

/**
 * Registers tfjs's 'webgpu' backend on the probed adapter (the device limits raised to the adapter's, as
 * tfjs does in a browser). The caller then sets the backend.
 */
export async function registerWebgpu(): Promise<void> {
  if (registered) return;
  const { probe, adapter } = await (probed ??= requestAdapter());
  if (!adapter) throw new Error(probe.why);
  // The backend checks for navigator.gpu, as in a browser: Node 20 has no navigator, Node 21+ one without gpu.
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  const name: string = PACKAGES[1];
  const mod = (await import(name)) as { WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend };
  const wanted = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  const requiredLimits = Object.fromEntries(wanted.map((k) => [k, adapter.limits[k]]));
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  // In a browser (navigator.gpu) the package registers 'webgpu' itself on import, on an adapter of its own choosing.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () =>
      withClearSyncReadError(new mod.WebGPUBackend(await adapter.requestDevice({ requiredLimits, requiredFeatures }), adapter.info)),
    0,
  );
  registered = true;
}

type TensorMap = { get(id: object): { values?: unknown; dtype?: string } | undefined };

/**
 * dataSync on a tensor whose values are only on the GPU draws through an OffscreenCanvas in tfjs, which
 * Node lacks ("OffscreenCanvas is not defined"). Values already downloaded (engine/readback.ts) are
 * returned as before; otherwise the error names the cause.
 */
function withClearSyncReadError(be: tf.KernelBackend): tf.KernelBackend {
  const map = (be as unknown as { tensorMap: TensorMap }).tensorMap;
  const readSync = be.readSync.bind(be);
  be.readSync = (dataId: object) => {
    const d = map.get(dataId);
    if (d && (d.values != null || d.dtype === 'string')) return readSync(dataId);
    throw new Error(
      'webgpu: a tensor was read synchronously (dataSync/arraySync), which webgpu cannot do in Node; that code path must read with await tensor.data() (engine/readback.ts)',
    );
  };
  return be;
}

/** Versions of the two packages, for the backend report. */
export function webgpuVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pkg of PACKAGES) {
    try {
      out[pkg.replace('@tensorflow/', '')] = (nodeRequire(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // not installed: nothing to report
    }
  }
  return out;
}
