// Training on webgpu (SwiftShader on CI: exact but slow, so a few batches of 4 images): the per-step
// losses equal a cpu run of the same seed, noise included (drawn in JS, so the same on every backend);
// the tensor count stays flat across epochs; and `noisynn train --backend webgpu` stores its backend
// and the one replica a GPU run uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../src-main/data/mnist';
import { initBackend } from '../../src-main/engine/backend';
import type { RunConfig } from '../../src-main/engine/config';
import { train } from '../../src-main/engine/train/trainer';
import { openStore } from '../../src-main/store';
import { cli } from '../helpers/cli';
import { smallConfig } from '../helpers/configs';
import { tempDir } from '../helpers/tmp';
import { webgpuSkip as skip } from '../helpers/webgpu';

const NOISE: Record<'mnist-vit' | 'mnist-cnn', RunConfig['noise']> = {
  'mnist-vit': { type: 'gaussian', strength: 0.3, level: 'embedding', at: 'both', site: { block: 2 }, skipFirstToken: true },
  'mnist-cnn': { type: 'linear-shift', alpha: 0.3, level: 'embedding', at: 'both', site: { stage: 2, block: 1 } },
};

async function losses(backend: 'webgpu' | 'cpu', config: RunConfig): Promise<{ losses: number[]; tensors: number[] }> {
  await initBackend(backend);
  const out = { losses: [] as number[], tensors: [] as number[] };
  const r = await train(config, loadMnist(), tempDir(), {
    onStep: (s) => out.losses.push(s.loss),
    onEpoch: () => out.tensors.push(tf.memory().numTensors),
  });
  assert.equal(r.status, 'completed', `${backend}: ${r.error ?? ''}`);
  assert.equal(r.replicas, 1);
  return out;
}

for (const preset of ['mnist-cnn', 'mnist-vit'] as const) {
  test(`${preset} on webgpu: first 10 step losses equal cpu to 1e-3 (noise on), tensor count flat across epochs`, { skip }, async () => {
    // 2 epochs of 5 steps of 4 images; the test split cut to 8 images (one evaluation batch per epoch).
    const config = smallConfig(preset, { epochs: 2, limitTrain: 20, batchSize: 4, limitTest: 8, testBatchSize: 8, noise: NOISE[preset] });
    const gpu = await losses('webgpu', config);
    const cpu = await losses('cpu', config);
    assert.equal(gpu.losses.length, 10);
    let worst = 0;
    gpu.losses.forEach((l, i) => {
      const rel = Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]);
      worst = Math.max(worst, rel);
      assert.ok(rel <= 1e-3, `step ${i + 1}: webgpu loss ${l} vs cpu ${cpu.losses[i]} (relative ${rel.toExponential(2)})`);
    });
    console.log(`${preset}: worst relative loss difference webgpu vs cpu over 10 steps ${worst.toExponential(2)}`);
    assert.notEqual(gpu.losses[0], gpu.losses[9], 'the weights moved');
    assert.equal(gpu.tensors.length, 2);
    assert.equal(gpu.tensors[1], gpu.tensors[0], `tensors after epochs on webgpu: ${gpu.tensors}`);
  });
}

test('noisynn train --backend webgpu completes both presets and stores backend webgpu and the one replica it used', { skip }, () => {
  for (const preset of ['mnist-cnn', 'mnist-vit']) {
    const dir = tempDir();
    const r = cli(
      dir,
      'train',
      '--preset',
      preset,
      '--epochs',
      '1',
      '--limit-train',
      '8',
      '--batch-size',
      '4',
      '--limit-test',
      '8',
      '--test-batch-size',
      '8',
      '--backend',
      'webgpu',
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json!.status, 'completed');
    assert.equal(r.json!.backend, 'webgpu');
    const store = openStore(dir);
    try {
      const run = store.getRun(r.json!.runId as number)!;
      assert.equal(run.backend, 'webgpu');
      assert.equal((run.config as RunConfig).replicas, 2, 'the preset asks for 2');
      assert.equal(run.summary?.replicas, 1);
      assert.match(String(run.summary?.replicasNote), /replicas 2 in the config, 1 used: on a GPU backend \(webgpu\)/);
      assert.equal(store.metrics(run.id, 'train/loss').length, 2);
    } finally {
      store.close();
    }
  }
});
