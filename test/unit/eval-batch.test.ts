// Evaluation with noise whose output depends on the batch runs at the configured test batch size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { MODEL_PRESETS, RUN_PRESETS } from '../../src-main/engine/config/presets';
import { configProblems } from '../../src-main/engine/config/validate';
import type { RunNoise } from '../../src-main/engine/config/types';
import { evaluate } from '../../src-main/engine/eval/evaluate';
import { protocolOrder } from '../../src-main/engine/eval/protocols';
import { createModel, type Model } from '../../src-main/engine/models';
import { loadMnist } from '../../src-main/data/mnist';

await initBackend();
const data = loadMnist();

/** The real model, recording per forward the batch size and the noise site's tensors. */
function recording(model: Model) {
  const calls: { k: number; max: number; min: number; replaced: number; salt: number; pepper: number }[] = [];
  const wrapped: Model = {
    config: model.config,
    params: model.params,
    dispose: () => model.dispose(),
    forward: (x, o) =>
      model.forward(x, {
        ...o,
        onNoiseSite: (before, after) => {
          const b = before.dataSync();
          const a = after.dataSync();
          let max = -Infinity,
            min = Infinity,
            replaced = 0,
            salt = 0,
            pepper = 0;
          for (const v of b) {
            max = Math.max(max, v);
            min = Math.min(min, v);
          }
          for (let i = 0; i < a.length; i++) {
            if (a[i] === b[i]) continue;
            replaced++;
            if (a[i] === max) salt++;
            else if (a[i] === min) pepper++;
          }
          calls.push({ k: x.shape[0], max, min, replaced, salt, pepper });
        },
      }),
  };
  return { wrapped, calls };
}

test('salt-and-pepper at evaluation: batches of exactly the test batch size, extremes over each batch', async () => {
  const model = createModel(MODEL_PRESETS['mnist-cnn'], 3);
  const noise: RunNoise = { type: 'salt-pepper', prob: 0.2, level: 'embedding', at: 'eval', site: { stage: 2, block: 1 } };
  const { wrapped, calls } = recording(model);
  const before = tf.memory().numTensors;
  const r = await evaluate(wrapped, data, { protocol: 'standard', noise, testBatchSize: 7, seed: 1, limit: 50 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.batchSize, 7);
  assert.equal(r.n, 50);
  assert.deepEqual(
    calls.map((c) => c.k),
    [7, 7, 7, 7, 7, 7, 7, 1],
  );
  for (const c of calls) {
    assert.ok(c.replaced > 0, 'noise applied');
    // Every replaced element took this batch's own max or min: the extremes are over exactly this batch.
    assert.equal(c.salt + c.pepper, c.replaced, `batch of ${c.k}: replaced values are this batch's max / min`);
  }
  // A different test batch size gives different extremes, hence a different result: the number matters.
  const maxes = new Set(calls.map((c) => c.max));
  assert.ok(maxes.size > 1, 'per-batch maxima differ');
  model.dispose();
});

test('without noise at evaluation the batch size is free (batches are independent); with any active noise it is not', async () => {
  const model = createModel(MODEL_PRESETS['mnist-cnn'], 3);
  const clean: RunNoise = { type: 'salt-pepper', prob: 0.2, level: 'embedding', at: 'train', site: { stage: 2, block: 1 } };
  assert.ok((await evaluate(model, data, { protocol: 'standard', noise: clean, testBatchSize: 7, seed: 1, limit: 50 })).batchSize > 7);
  const gaussian: RunNoise = { type: 'gaussian', strength: 0.5, level: 'embedding', at: 'eval', site: { stage: 2, block: 1 } };
  assert.equal((await evaluate(model, data, { protocol: 'standard', noise: gaussian, testBatchSize: 7, seed: 1, limit: 50 })).batchSize, 7);
  model.dispose();
});

test('replicas are refused for salt-and-pepper in training (its extremes are over the whole batch), allowed at eval only', () => {
  const c = RUN_PRESETS['mnist-cnn'];
  assert.equal(c.replicas, 2);
  const train: RunNoise = { type: 'salt-pepper', prob: 0.1, level: 'embedding', at: 'both', site: { stage: 2, block: 1 } };
  assert.match(
    configProblems({ ...c, noise: train }).join('\n'),
    /replicas must be 1 when salt-pepper noise is active during training: its salt and pepper values are the max and min over the whole batch/,
  );
  assert.deepEqual(configProblems({ ...c, noise: { ...train, at: 'eval' } }), []);
  assert.deepEqual(configProblems({ ...c, noise: train, replicas: 1 }), []);
});

test('top1RunningAvg is the official accs.avg: the mean over batches of cumulative correct / total', async () => {
  // A model that always answers class 0: which images are right is known from the labels alone.
  const model = createModel(MODEL_PRESETS['mnist-cnn'], 3);
  const always0: Model = {
    config: model.config,
    params: model.params,
    dispose: () => model.dispose(),
    forward: (x) => tf.oneHot(tf.zeros([x.shape[0]], 'int32'), 10).toFloat() as tf.Tensor2D,
  };
  const noise: RunNoise = { type: 'none', level: 'embedding', at: 'both' };
  for (const protocol of ['sorted', 'standard'] as const) {
    const r = await evaluate(always0, data, { protocol, noise, testBatchSize: 10, seed: 1, limit: 95 });
    const order = protocolOrder(protocol, data.splits.test.labels, 95, 1);
    let correct = 0,
      sum = 0,
      batches = 0;
    // Reported over batches of the configured 10, although a noise-free evaluation runs in larger ones.
    for (let start = 0; start < 95; start += 10) {
      for (let i = start; i < Math.min(95, start + 10); i++) if (data.splits.test.labels[order[i]] === 0) correct++;
      sum += correct / Math.min(95, start + 10);
      batches++;
    }
    assert.ok(Math.abs(r.top1 - correct / 95) < 1e-12, protocol);
    assert.ok(Math.abs(r.top1RunningAvg - sum / batches) < 1e-12, `${protocol}: ${r.top1RunningAvg} vs ${sum / batches}`);
    // Class-sorted: the zeros come first, so the running average far exceeds correct / total.
    if (protocol === 'sorted') assert.ok(r.top1RunningAvg > 2 * r.top1, `${r.top1RunningAvg} vs ${r.top1}`);
  }
  model.dispose();
});
