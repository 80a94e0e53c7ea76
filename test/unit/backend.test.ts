// The backend chain on this machine: which packages and adapters are really here decides the choice,
// so the expectations are computed from the probe, not assumed.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, probeBackends, type BackendCandidate } from '../../src-main/engine/backend';
import { isSoftwareAdapter } from '../../src-main/engine/webgpu';
import { webgpuSkip } from '../helpers/webgpu';

const ORDER = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];
const savedEnv = process.env.NOISYNN_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.NOISYNN_BACKEND;
  else process.env.NOISYNN_BACKEND = savedEnv;
});

/** The chain's rule restated: the first available candidate that auto may pick. */
const expectedAuto = (c: BackendCandidate[]) => c.find((x) => x.available && x.auto !== false)!.name;

test('auto picks the first available backend in chain order and explains why the faster ones are out', async () => {
  delete process.env.NOISYNN_BACKEND;
  const r = await initBackend('auto');
  assert.deepEqual(
    r.candidates.map((c) => c.name),
    ORDER,
  );
  assert.equal(r.name, expectedAuto(r.candidates));
  assert.match(r.reason, new RegExp(`^${r.name} is the fastest working backend`));
  for (const c of r.candidates.slice(0, ORDER.indexOf(r.name))) {
    assert.ok(r.reason.includes(`${c.name}: ${c.why}`), `reason names ${c.name}`);
    if (!c.available) assert.match(c.why, /not installed|failed to load|no CUDA|no WebGPU adapter/);
  }
  assert.equal(r.versions['tfjs-core'], '4.22.0');
  assert.equal(currentBackend(), r);
  assert.equal(await initBackend(), r, 'repeated init returns the same report');
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])));
  assert.equal((await y.data())[0], 11);
  y.dispose();
});

test('a software WebGPU adapter is found but never chosen automatically', async () => {
  const r = await initBackend('auto');
  const gpu = r.candidates.find((c) => c.name === 'webgpu')!;
  if (gpu.adapter?.software) {
    assert.equal(gpu.available, true);
    assert.equal(gpu.auto, false);
    assert.notEqual(r.name, 'webgpu');
    assert.match(gpu.why, /^software adapter .*never chosen automatically \(force it with --backend webgpu\)/);
  } else if (gpu.adapter) {
    assert.equal(gpu.auto, true, 'a hardware adapter is eligible');
  }
  // Under CI the SwiftShader device is installed: the rule above must have been exercised.
  if (process.env.CI === 'true') assert.equal(gpu.adapter?.software, true, `CI has SwiftShader: ${gpu.why}`);
});

test('software adapters are recognised by the fallback flag or the driver name', () => {
  assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'mesa', device: 'lavapipe' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', isFallbackAdapter: true }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA RTX 4090' }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon PRO W7900 (RADV NAVI31)' }), false);
  assert.equal(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M3 Max' }), false);
});

test('webgpu can be forced (--backend / NOISYNN_BACKEND) and reports its adapter', { skip: webgpuSkip }, async () => {
  const r = await initBackend('webgpu');
  assert.equal(r.name, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assert.match(r.reason, /webgpu was requested explicitly/);
  assert.ok(r.adapter && r.adapter.vendor, 'adapter vendor reported');
  assert.equal(r.versions['tfjs-backend-webgpu'], '4.22.0');
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])));
  assert.equal((await y.data())[0], 11);
  y.dispose();
  await initBackend('cpu');
  process.env.NOISYNN_BACKEND = 'webgpu';
  assert.equal((await initBackend()).name, 'webgpu');
  delete process.env.NOISYNN_BACKEND;
  await initBackend('cpu');
});

test('wasm, when pinned, reports SIMD, threads and FMA', async () => {
  const r = await initBackend('wasm');
  assert.equal(r.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(r.simd, true);
  assert.equal(typeof r.threads, 'boolean');
  assert.equal(typeof r.fma, 'boolean');
  assert.equal(r.versions['tfjs-backend-wasm'], '4.22.0');
});

test('probeBackends does not switch the active backend', async () => {
  await initBackend('wasm');
  const c = await probeBackends();
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(c.find((x) => x.name === 'cpu')?.available, true);
  assert.equal(c.find((x) => x.name === 'wasm')?.available, true);
});

test("prefer 'cpu' switches to cpu and back to the chain's choice on auto", async () => {
  const r = await initBackend('cpu');
  assert.equal(r.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(r.reason, /requested explicitly/);
  assert.equal(r.simd, undefined);
  const back = await initBackend('auto');
  assert.equal(back.name, expectedAuto(back.candidates));
});

test('NOISYNN_BACKEND is honoured when no explicit preference is given', async () => {
  process.env.NOISYNN_BACKEND = 'cpu';
  assert.equal((await initBackend()).name, 'cpu');
  assert.equal((await initBackend('wasm')).name, 'wasm', 'an explicit argument wins over the env');
  process.env.NOISYNN_BACKEND = 'gpu-please';
  await assert.rejects(
    initBackend(),
    /NOISYNN_BACKEND='gpu-please' is not a backend; expected auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/,
  );
  delete process.env.NOISYNN_BACKEND;
  const r = await initBackend();
  assert.equal(r.name, expectedAuto(r.candidates));
});

test('an unavailable explicit backend throws a clear error and leaves the current one alone', async () => {
  await initBackend('wasm');
  const missing = (await probeBackends()).filter((c) => !c.available);
  for (const c of missing) {
    await assert.rejects(
      initBackend(c.name),
      new RegExp(`backend '${c.name}' \\(${c.package.replace(/[()+/.]/g, '\\$&')}\\) is not available: `),
    );
  }
  await assert.rejects(initBackend('metal' as never), /unknown backend 'metal'/);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(currentBackend()?.name, 'wasm');
});
