// Which native addons load in this runtime, and the ABI each was built for. A V8-API addon
// (better-sqlite3) loads only under the NODE_MODULE_VERSION it was compiled for, so one built by
// `npm ci` for Node fails under Electron's; an N-API addon (sharp, tfjs-node, Dawn) loads under any
// runtime with its N-API version. The ABI is read from the binary's exported register symbol
// (node_register_module_v<N> or napi_register_module_v1) without loading it; loading is tried
// separately and its error caught, so a broken addon is reported, never fatal.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type AddonAbi = { kind: 'napi' } | { kind: 'v8'; moduleVersion: number } | { kind: 'unknown' };

export interface AddonReport {
  name: string;
  package: string;
  installed: boolean;
  version?: string;
  binary?: string;
  abi?: AddonAbi;
  /** Whether the binary's ABI can load under this runtime (process.versions.modules). */
  abiMatches?: boolean;
  loads?: boolean;
  error?: string;
}

// Not named `require`: the Electron build's bundler declares its own in shared chunks.
const nodeRequire = createRequire(import.meta.url);
const platformArch = `${process.platform}-${process.arch}`;

/** tfjs-node's install script puts its binding in lib/napi-v<N> for the highest N-API version it built. */
function tfjsBinding(dir: string): string {
  const lib = join(dir, 'lib');
  const builds = readdirSync(lib)
    .filter((n) => /^napi-v\d+$/.test(n))
    .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  const found = builds.map((n) => join(lib, n, 'tfjs_binding.node')).find((p) => existsSync(p));
  if (!found) throw new Error(`no lib/napi-v*/tfjs_binding.node in ${dir} (its install script did not run or failed)`);
  return found;
}

/** Each addon's package and where its binary lies inside the package that holds it. */
const ADDONS: { name: string; package: string; binary: (dir: string) => string }[] = [
  { name: 'better-sqlite3', package: 'better-sqlite3', binary: (d) => join(d, 'build', 'Release', 'better_sqlite3.node') },
  {
    name: 'sharp',
    package: 'sharp',
    // sharp's binary ships in a per-platform package resolved from sharp itself.
    binary: (d) => createRequire(join(d, 'package.json')).resolve(`@img/sharp-${platformArch}/sharp.node`),
  },
  { name: 'tfjs-node', package: '@tensorflow/tfjs-node', binary: tfjsBinding },
  { name: 'tfjs-node-gpu', package: '@tensorflow/tfjs-node-gpu', binary: tfjsBinding },
  {
    name: 'webgpu (Dawn)',
    package: 'webgpu',
    binary: (d) => join(d, 'dist', process.platform === 'darwin' ? 'darwin-universal' : platformArch, 'dawn.node'),
  },
];

function errText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
}

/** The ABI a binary was built for, from the register symbol it exports. */
export function binaryAbi(bytes: Buffer): AddonAbi {
  if (bytes.includes('napi_register_module_v1')) return { kind: 'napi' };
  const at = bytes.indexOf('node_register_module_v');
  if (at < 0) return { kind: 'unknown' };
  const m = /^node_register_module_v(\d+)/.exec(bytes.subarray(at, at + 40).toString('latin1'));
  return m ? { kind: 'v8', moduleVersion: Number(m[1]) } : { kind: 'unknown' };
}

export function describeAbi(abi: AddonAbi | undefined): string {
  if (!abi) return '';
  if (abi.kind === 'napi') return 'N-API';
  if (abi.kind === 'v8') return `NODE_MODULE_VERSION ${abi.moduleVersion}`;
  return 'unknown';
}

/** Loads a binary as Node loads an addon (require keeps one instance per path), catching failure. */
export function tryLoad(binary: string): { loads: boolean; error?: string } {
  try {
    nodeRequire(binary);
    return { loads: true };
  } catch (e) {
    return { loads: false, error: errText(e) };
  }
}

export function probeAddon(name: string, pkg: string, binaryIn: (dir: string) => string): AddonReport {
  let dir: string;
  try {
    dir = dirname(nodeRequire.resolve(`${pkg}/package.json`));
  } catch {
    return { name, package: pkg, installed: false };
  }
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  let binary: string;
  let bytes: Buffer;
  try {
    binary = binaryIn(dir);
    bytes = readFileSync(binary);
  } catch (e) {
    return { name, package: pkg, installed: true, version, loads: false, error: `binary not found: ${errText(e)}` };
  }
  const abi = binaryAbi(bytes);
  const abiMatches = abi.kind === 'napi' || (abi.kind === 'v8' && String(abi.moduleVersion) === process.versions.modules);
  return { name, package: pkg, installed: true, version, binary, abi, abiMatches, ...tryLoad(binary) };
}

/** Every native addon the workbench can use, in a fixed order. */
export function probeNativeAddons(): AddonReport[] {
  return ADDONS.map((a) => probeAddon(a.name, a.package, a.binary));
}

/** This runtime's addon ABI: what a V8-API addon must have been built for. */
export function runtimeAbi(): { modules: string; napi: string | undefined; runtime: string } {
  const electron = (process.versions as Record<string, string | undefined>).electron;
  return {
    modules: process.versions.modules,
    napi: process.versions.napi,
    runtime: electron ? `Electron ${electron}` : `Node ${process.versions.node}`,
  };
}
