// The training loop on real MNIST (small seeded subsets): memory, resume, divergence, cancel.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { loadMnist } from '../../src-main/data/mnist';
import { train, type StepMetrics } from '../../src-main/engine/train/trainer';
import { smallConfig } from '../helpers/configs';
import { tempDir } from '../helpers/tmp';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

// The backend users get here, whichever the chain chooses (webgpu-train.test.ts pins webgpu).
before(async () => {
  await initBackend();
});

for (const preset of ['mnist-vit', 'mnist-cnn'] as const) {
  test(`${preset}: tensor count stays flat across epochs`, async () => {
    const config = smallConfig(preset, {
      epochs: 3,
      limitTrain: preset === 'mnist-cnn' ? 128 : 256,
      noise: {
        type: 'linear-shift',
        alpha: 0.3,
        level: 'embedding',
        at: 'both',
        site: preset === 'mnist-vit' ? { block: 1 } : { stage: 2, block: 1 },
      },
    });
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const r = await train(config, loadMnist(), tempDir(), { onEpoch: () => counts.push(tf.memory().numTensors) });
    assert.equal(r.status, 'completed');
    assert.equal(counts.length, 3);
    assert.equal(counts[1], counts[0], `tensors after epochs: ${counts}`);
    assert.equal(counts[2], counts[0], `tensors after epochs: ${counts}`);
    assert.equal(tf.memory().numTensors, before, 'the model and optimizer are disposed at the end');
  });
}

test('resume from a checkpoint continues bit-for-bit', async () => {
  const data = loadMnist();
  const config = smallConfig('mnist-vit', {
    epochs: 2,
    noise: { type: 'gaussian', strength: 0.1, level: 'embedding', at: 'both', site: { block: 2 }, skipFirstToken: true },
  });
  const straightDir = tempDir();
  const straightSteps: StepMetrics[] = [];
  const straight = await train(config, data, straightDir, { onStep: (s) => straightSteps.push(s) });
  assert.equal(straight.status, 'completed');

  const splitDir = tempDir();
  let epochs = 0;
  const first = await train(config, data, splitDir, { onEpoch: () => (epochs += 1), shouldStop: () => epochs >= 1 });
  assert.equal(first.status, 'cancelled');
  assert.equal(first.epochsDone, 1);
  const resumedSteps: StepMetrics[] = [];
  const resumed = await train(config, data, splitDir, { onStep: (s) => resumedSteps.push(s) }, join(splitDir, 'epoch-0001.safetensors'));
  assert.equal(resumed.status, 'completed');
  assert.equal(resumed.steps, straight.steps);

  const second = straightSteps.slice(straightSteps.length - resumedSteps.length);
  assert.deepEqual(
    resumedSteps.map((s) => [s.step, s.loss, s.lr]),
    second.map((s) => [s.step, s.loss, s.lr]),
  );
  assert.equal(
    sha(join(splitDir, 'epoch-0002.safetensors')),
    sha(join(straightDir, 'epoch-0002.safetensors')),
    'identical weights and optimizer state',
  );
  assert.deepEqual(resumed.evaluations, straight.evaluations);
});

test('a NaN/Inf loss stops the run as diverged', async () => {
  const config = smallConfig('mnist-vit', {
    epochs: 1,
    optimizer: { kind: 'adamw', lr: 1e30, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 0 },
  });
  const r = await train(config, loadMnist(), tempDir());
  assert.equal(r.status, 'diverged');
  assert.match(r.error ?? '', /loss became (NaN|Infinity|-Infinity) at step \d+/);
  assert.ok(r.steps < 8, `stopped at step ${r.steps}`);
});

test('cancel stops at a step boundary', async () => {
  let steps = 0;
  const r = await train(smallConfig('mnist-vit'), loadMnist(), tempDir(), { onStep: () => (steps += 1), shouldStop: () => steps >= 3 });
  assert.equal(r.status, 'cancelled');
  assert.equal(r.steps, 3);
});
