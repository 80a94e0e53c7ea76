// `noisynn doctor` as a user runs it: the chain with the WebGPU adapter it found (SwiftShader here and
// on CI: software, so not chosen), the CUDA libraries tfjs-node-gpu would need, and the native addons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendCandidate, BackendReport } from '../../src-main/engine/backend';
import type { AddonReport } from '../../src-main/runner/native-addons';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

test('doctor --json: chain order, the adapter and why it was or was not chosen, native addons with their ABI', () => {
  const r = cli(tempDir(), 'doctor', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = r.json as {
    backend: BackendReport;
    candidates: BackendCandidate[];
    gpuAdapter: BackendCandidate['adapter'] | null;
    nativeAddons: AddonReport[];
    runtime: { modules: string };
  };
  assert.deepEqual(
    out.candidates.map((c) => c.name),
    ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'],
  );
  assert.equal(out.backend.name, out.candidates.find((c) => c.available && c.auto !== false)!.name);
  const gpu = out.candidates[1];
  if (process.env.CI === 'true') assert.equal(out.gpuAdapter?.software, true, `CI installs SwiftShader: ${gpu.why}`);
  if (out.gpuAdapter?.software) {
    assert.notEqual(out.backend.name, 'webgpu');
    assert.match(out.backend.reason, /webgpu: software adapter .* never chosen automatically/);
  }
  const cuda = out.candidates[0];
  if (!cuda.available && cuda.why !== 'package not installed') assert.match(cuda.why, /CUDA 11\.2 and cuDNN 8\.1.*webgpu/);
  assert.equal(out.runtime.modules, process.versions.modules);
  const sqlite = out.nativeAddons.find((a) => a.name === 'better-sqlite3')!;
  assert.equal(sqlite.loads, true);
  assert.deepEqual(sqlite.abi, { kind: 'v8', moduleVersion: Number(process.versions.modules) });
});

test('doctor prints the adapter, the CUDA requirement and the addon table', () => {
  const r = cli(tempDir(), 'doctor');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GPU adapter \(WebGPU\):\n {2}(none: |\S)/);
  assert.match(r.stdout, /tfjs-node-gpu: .*CUDA 11\.2 and cuDNN 8\.1/);
  assert.match(r.stdout, new RegExp(`native addons \\(Node [\\d.]+: NODE_MODULE_VERSION ${process.versions.modules}`));
  assert.match(r.stdout, new RegExp(`better-sqlite3 +\\S+ +NODE_MODULE_VERSION ${process.versions.modules} +yes`));
  assert.match(r.stdout, /sharp +\S+ +N-API +yes/);
  if (process.env.CI === 'true') assert.match(r.stdout, /software \(a CPU rasteriser\)\n {2}not chosen automatically/);
});

test('doctor --backend webgpu forces the adapter where there is one, else says why not', () => {
  const r = cli(tempDir(), 'doctor', '--backend', 'webgpu', '--json');
  if (r.code === 0) {
    const b = (r.json as { backend: BackendReport }).backend;
    assert.equal(b.name, 'webgpu');
    assert.ok(b.adapter?.vendor);
  } else {
    assert.match(r.stderr, /backend 'webgpu' .* is not available: /);
    assert.notEqual(process.env.CI, 'true', 'CI has a WebGPU adapter');
  }
});
