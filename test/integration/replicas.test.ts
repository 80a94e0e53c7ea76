// Data-parallel training over threads on real MNIST: the split step agrees with the whole-batch step,
// runs are deterministic and resumable, nothing leaks, and a diverging run ends its threads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { configProblems, runPreset } from '../../src-main/engine/config';
import { loadMnist } from '../../src-main/data/mnist';
import { readSafetensorsFile } from '../../src-main/engine/train/safetensors';
import { partSizes, replicaCount } from '../../src-main/engine/train/replicas';
import { train, type StepMetrics } from '../../src-main/engine/train/trainer';
import { smallConfig } from '../helpers/configs';
import { tempDir } from '../helpers/tmp';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

// Pinned: replica threads split a CPU's cores; on a GPU backend a run uses one (webgpu-train.test.ts).
before(async () => {
  assert.equal((await initBackend('wasm')).name, 'wasm');
});

test('a batch splits into near-equal contiguous parts; batch-mixing training noise needs one replica', () => {
  assert.deepEqual(partSizes(32, 2), [16, 16]);
  assert.deepEqual(partSizes(33, 2), [17, 16]);
  assert.deepEqual(partSizes(10, 3), [4, 3, 3]);
  const c = smallConfig('mnist-vit', { replicas: 2 });
  assert.equal(replicaCount(c), 2);
  const mixing = { ...c, noise: { type: 'linear-optimal', level: 'embedding', at: 'train', site: { block: 3 } } } as const;
  assert.throws(() => replicaCount(mixing), /replicas must be 1 when linear-optimal noise is active during training/);
  assert.match(configProblems(mixing).join('\n'), /replicas must be 1 when linear-optimal/);
  assert.equal(replicaCount({ ...mixing, replicas: 1 }), 1);
  assert.equal(replicaCount({ ...c, noise: { type: 'linear-optimal', level: 'embedding', at: 'eval', site: { block: 3 } } }), 2);
  assert.equal(replicaCount({ ...c, noise: { type: 'gaussian', strength: 0.5, level: 'embedding', at: 'both', site: { block: 3 } } }), 2);
  assert.equal(runPreset('mnist-vit').replicas, 2, 'the MNIST presets use both cores');
  assert.match(configProblems({ ...c, replicas: 0 }).join('\n'), /replicas must be an integer/);
  assert.match(configProblems({ ...c, replicas: 64 }).join('\n'), /replicas must be an integer/);
  assert.deepEqual(configProblems({ ...c, replicas: 2 }), []);
});

async function firstStep(preset: 'mnist-vit' | 'mnist-cnn', replicas: number) {
  const config = smallConfig(preset, { replicas, limitTrain: 64, limitTest: 10, batchSize: 64 });
  const steps: StepMetrics[] = [];
  const dir = tempDir();
  const r = await train(config, loadMnist(), dir, { onStep: (s) => steps.push(s) });
  assert.equal(r.status, 'completed');
  return { loss: steps[0].loss, acc: steps[0].acc, ckpt: readSafetensorsFile(join(dir, 'epoch-0001.safetensors')).tensors };
}

test('two replicas report the whole batch: first-step loss and accuracy match one replica (no BatchNorm)', async () => {
  const one = await firstStep('mnist-vit', 1);
  const two = await firstStep('mnist-vit', 2);
  assert.ok(Math.abs(one.loss - two.loss) < 1e-5, `loss ${one.loss} vs ${two.loss}`);
  assert.equal(one.acc, two.acc);
});

test('BatchNorm running statistics are those of the whole batch, not of one part', async () => {
  // The stem's BatchNorm sees the same inputs either way, so its running statistics must agree; deeper
  // ones legitimately differ (each replica normalised its own part, as DDP without SyncBatchNorm).
  const one = await firstStep('mnist-cnn', 1);
  const two = await firstStep('mnist-cnn', 2);
  const names = ['model.stem.bn.running_mean', 'model.stem.bn.running_var'];
  for (const k of names) {
    const a = one.ckpt[k].data as Float32Array;
    const b = two.ckpt[k].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-5 + 1e-4 * Math.abs(a[i])));
    assert.ok(worst <= 1, `${k}: differs beyond float32 summation error (${worst} x tolerance)`);
  }
});

test('two-replica training learns, is deterministic, resumes bit-for-bit and leaks no tensors', async () => {
  const data = loadMnist();
  const config = smallConfig('mnist-cnn', {
    replicas: 2,
    epochs: 2,
    limitTrain: 512,
    noise: { type: 'gaussian', strength: 0.1, level: 'embedding', at: 'both', site: { stage: 2, block: 1 } },
  });
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const dirA = tempDir();
  const stepsA: StepMetrics[] = [];
  const a = await train(config, data, dirA, { onStep: (s) => stepsA.push(s), onEpoch: () => counts.push(tf.memory().numTensors) });
  assert.equal(a.status, 'completed');
  assert.equal(counts[1], counts[0], `tensors after epochs: ${counts}`);
  assert.equal(tf.memory().numTensors, before);
  // 16 steps on 512 images: one replica reaches 0.42 here, chance is 0.1.
  assert.ok(a.evaluations[0].top1 > 0.3, `top-1 after 2 small epochs: ${a.evaluations[0].top1}`);

  const dirB = tempDir();
  let epochs = 0;
  const first = await train(config, data, dirB, { onEpoch: () => (epochs += 1), shouldStop: () => epochs >= 1 });
  assert.equal(first.status, 'cancelled');
  assert.equal(sha(join(dirB, 'epoch-0001.safetensors')), sha(join(dirA, 'epoch-0001.safetensors')), 'same run, same weights');
  const stepsB: StepMetrics[] = [];
  const resumed = await train(config, data, dirB, { onStep: (s) => stepsB.push(s) }, join(dirB, 'epoch-0001.safetensors'));
  assert.equal(resumed.status, 'completed');
  assert.deepEqual(
    stepsB.map((s) => [s.step, s.loss]),
    stepsA.slice(stepsA.length - stepsB.length).map((s) => [s.step, s.loss]),
  );
  assert.equal(
    sha(join(dirB, 'epoch-0002.safetensors')),
    sha(join(dirA, 'epoch-0002.safetensors')),
    'resumed weights and optimizer state are identical',
  );
});

test('a diverging two-replica run stops as diverged and releases its threads', async () => {
  const config = smallConfig('mnist-vit', {
    replicas: 2,
    epochs: 1,
    optimizer: { kind: 'adamw', lr: 1e30, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
  });
  const r = await train(config, loadMnist(), tempDir());
  assert.equal(r.status, 'diverged');
  assert.match(r.error ?? '', /loss became/);
  // Were a replica thread still running, node's test runner would never see this file end.
});
