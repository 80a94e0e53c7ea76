// The Electron build's own trainer (out/main/worker.js, built by `npm test` before the tests run) trains
// a run with two data-parallel replicas, so the bundled entry points (worker.js, replica.js) work.
// Pinned to wasm: replica threads are a CPU backend's tool (a GPU run uses one).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/tmp';

const root = join(import.meta.dirname, '..', '..');
const worker = join(root, 'out', 'main', 'worker.js');

test('the bundled trainer process and replica thread train a run', { skip: !existsSync(worker) && 'out/main/worker.js is not built (npm run build)' }, () => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'noisynn.mjs'), 'train', '--preset', 'mnist-vit', '--replicas', '2', '--limit-train', '128', '--limit-test', '50', '--data-dir', tempDir(), '--json'], {
    encoding: 'utf8',
    env: { ...process.env, NOISYNN_HOME: '', NOISYNN_WORKER_ENTRY: worker, NOISYNN_BACKEND: 'wasm' },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; backend: string };
  assert.equal(out.status, 'completed', r.stderr);
  assert.match(out.backend, /^wasm(\+fma)?$/);
});
