import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, probeBackends } from '../../src-main/engine/backend';

const savedEnv = process.env.NOISYNN_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.NOISYNN_BACKEND;
  else process.env.NOISYNN_BACKEND = savedEnv;
});

test('auto picks wasm here, reports simd and explains why the native backends are out', async () => {
  delete process.env.NOISYNN_BACKEND;
  const r = await initBackend('auto');
  assert.equal(r.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(r.simd, true);
  assert.equal(typeof r.threads, 'boolean');
  assert.deepEqual(r.candidates.map((c) => c.name), ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  for (const c of r.candidates.slice(0, 2)) {
    assert.equal(c.available, false, c.name);
    assert.match(c.why, /not installed|failed to load|no CUDA/);
  }
  assert.match(r.reason, /wasm/);
  assert.match(r.reason, /tensorflow-gpu: /);
  assert.equal(r.versions['tfjs-core'], '4.22.0');
  assert.equal(r.versions['tfjs-backend-wasm'], '4.22.0');
  assert.equal(currentBackend(), r);
  assert.equal(await initBackend(), r, 'repeated init returns the same report');
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
  assert.equal(y, 11);
});

test('probeBackends does not switch the active backend', async () => {
  await initBackend('wasm');
  const c = await probeBackends();
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(c.find((x) => x.name === 'cpu')?.available, true);
  assert.equal(c.find((x) => x.name === 'wasm')?.available, true);
});

test("prefer 'cpu' switches to cpu and back to wasm on auto", async () => {
  const r = await initBackend('cpu');
  assert.equal(r.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(r.reason, /requested explicitly/);
  assert.equal(r.simd, undefined);
  const back = await initBackend('auto');
  assert.equal(back.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test('NOISYNN_BACKEND is honoured when no explicit preference is given', async () => {
  process.env.NOISYNN_BACKEND = 'cpu';
  assert.equal((await initBackend()).name, 'cpu');
  assert.equal((await initBackend('wasm')).name, 'wasm', 'an explicit argument wins over the env');
  process.env.NOISYNN_BACKEND = 'gpu-please';
  await assert.rejects(initBackend(), /NOISYNN_BACKEND='gpu-please' is not a backend/);
  delete process.env.NOISYNN_BACKEND;
  assert.equal((await initBackend()).name, 'wasm');
});

test('an unavailable explicit backend throws a clear error and leaves the current one alone', async () => {
  await initBackend('wasm');
  await assert.rejects(initBackend('tensorflow'), /backend 'tensorflow' \(@tensorflow\/tfjs-node\) is not available: package not installed/);
  await assert.rejects(initBackend('tensorflow-gpu'), /tensorflow-gpu.*not available/);
  await assert.rejects(initBackend('metal' as never), /unknown backend 'metal'/);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(currentBackend()?.name, 'wasm');
});
