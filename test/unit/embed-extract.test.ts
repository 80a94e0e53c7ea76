import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/engine/backend';
import { MODEL_PRESETS } from '../../src-main/engine/config/presets';
import type { RunNoise } from '../../src-main/engine/config/types';
import { extractEmbeddings, type ExtractOptions } from '../../src-main/engine/embed/extract';
import { protocolOrder } from '../../src-main/engine/eval/protocols';
import { createModel } from '../../src-main/engine/models';
import { loadMnist } from '../../src-main/data/mnist';

await initBackend();
const data = loadMnist();
const vit = createModel(MODEL_PRESETS['mnist-vit'], 1);
const N = 200;
const gaussian: RunNoise = { type: 'gaussian', level: 'embedding', at: 'eval', strength: 0.5 };
const base: ExtractOptions = {
  split: 'test',
  site: { kind: 'vit', block: 3, pool: 'cls' },
  noise: gaussian,
  protocol: 'sorted',
  batchSize: 10,
  seed: 5,
  limit: N,
};

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('ViT block-3 output, 200 MNIST test images: shapes, protocol order, labels; noisy differs for gaussian; no tensor leaks', async () => {
  const before = tf.memory().numTensors;
  let progress = 0;
  const e = await extractEmbeddings(vit, data, {
    ...base,
    onProgress: (done, total) => {
      assert.equal(total, N);
      progress = done;
    },
  });
  assert.equal(tf.memory().numTensors, before, 'tensor count unchanged');
  assert.equal(progress, N);
  assert.equal(e.n, N);
  assert.equal(e.dim, 64);
  assert.equal(e.clean.length, N * 64);
  assert.equal(e.noisy?.length, N * 64);
  assert.deepEqual(Array.from(e.order), Array.from(protocolOrder('sorted', data.splits.test.labels, N, 5)));
  for (let i = 0; i < N; i++) assert.equal(e.labels[i], data.splits.test.labels[e.order[i]]);
  for (let i = 1; i < N; i++) assert.ok(e.labels[i] >= e.labels[i - 1], 'sorted protocol: class-sorted rows');
  assert.equal(e.protocol, 'sorted');
  assert.deepEqual(e.noiseSite, { block: 3 });
  assert.equal(e.noise?.at, 'both', 'noise forced on at evaluation');
  assert.ok(maxAbsDiff(e.clean, e.noisy!) > 1e-3, 'gaussian noise at block 3 changes the block output (attention reads the noisy patches)');
  assert.ok(e.clean.every(Number.isFinite));
});

test('noise type none: noisy equals clean exactly', async () => {
  const e = await extractEmbeddings(vit, data, { ...base, noise: { type: 'none', level: 'embedding', at: 'both' } });
  assert.equal(maxAbsDiff(e.clean, e.noisy!), 0);
  assert.deepEqual(Array.from(e.predClean), Array.from(e.predNoisy!));
});

test('at the noise site the class token is untouched (skipFirstToken), the patch mean is not; at the block output both change', async () => {
  const site = (pool: 'cls' | 'mean-patch', at: 'noise-site' | 'output') =>
    extractEmbeddings(vit, data, { ...base, limit: 40, site: { kind: 'vit', block: 2, pool, at } });
  const clsSite = await site('cls', 'noise-site');
  assert.equal(maxAbsDiff(clsSite.clean, clsSite.noisy!), 0, 'cls at the noise site');
  const patchSite = await site('mean-patch', 'noise-site');
  assert.ok(maxAbsDiff(patchSite.clean, patchSite.noisy!) > 1e-3, 'mean patch at the noise site');
  const clsOut = await site('cls', 'output');
  assert.ok(maxAbsDiff(clsOut.clean, clsOut.noisy!) > 1e-4, 'cls at the block output');
  // The clean representation at the noise site is LN1 output: each token row has mean ~0 (LayerNorm, gain 1, bias 0 at init).
  const rowMean = clsSite.clean.slice(0, 64).reduce((a, b) => a + b, 0) / 64;
  assert.ok(Math.abs(rowMean) < 1e-4, `LN1 output row mean ${rowMean}`);
});

test('batch composition: linear-optimal mixes within the batch (sorted batches of 10), and is the identity with batch size 1', async () => {
  const mix: RunNoise = { type: 'linear-optimal', level: 'embedding', at: 'eval' };
  const site = { kind: 'vit' as const, block: 3, pool: 'mean-patch' as const, at: 'noise-site' as const };
  const batched = await extractEmbeddings(vit, data, { ...base, limit: 40, noise: mix, site });
  // P' = (P + sum_batch P) / (k + 1): row i of batch b from the clean rows of the same batch.
  const d = 64;
  for (let b = 0; b < 4; b++) {
    const sum = new Float64Array(d);
    for (let i = b * 10; i < b * 10 + 10; i++) for (let a = 0; a < d; a++) sum[a] += batched.clean[i * d + a];
    for (let i = b * 10; i < b * 10 + 10; i++)
      for (let a = 0; a < d; a++) {
        const expected = (batched.clean[i * d + a] + sum[a]) / 11;
        assert.ok(Math.abs(batched.noisy![i * d + a] - expected) < 1e-4, `batch ${b} row ${i}`);
      }
  }
  const single = await extractEmbeddings(vit, data, { ...base, limit: 20, noise: mix, site, batchSize: 1, protocol: 'standard' });
  assert.ok(maxAbsDiff(single.clean, single.noisy!) < 1e-6, 'k = 1: identity');
});

test('clean rows do not depend on the protocol or batch size', async () => {
  const a = await extractEmbeddings(vit, data, { ...base, limit: 60, noise: null, protocol: 'shuffled', batchSize: 7 });
  const b = await extractEmbeddings(vit, data, { ...base, limit: 60, noise: null, protocol: 'standard', batchSize: 60 });
  assert.equal(a.noisy, undefined);
  const byIndex = new Map<number, number>();
  b.order.forEach((idx, row) => byIndex.set(idx, row));
  let worst = 0;
  a.order.forEach((idx, row) => {
    const r = byIndex.get(idx)!;
    for (let k = 0; k < 64; k++) worst = Math.max(worst, Math.abs(a.clean[row * 64 + k] - b.clean[r * 64 + k]));
  });
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  assert.notDeepEqual(Array.from(a.order), Array.from(b.order));
});

test('ResNet stage output, globally average-pooled; site validation', async () => {
  const cnn = createModel(MODEL_PRESETS['mnist-cnn'], 2);
  try {
    const e = await extractEmbeddings(cnn, data, { ...base, limit: 20, site: { kind: 'resnet', stage: 3 } });
    assert.equal(e.dim, 64);
    assert.deepEqual(e.noiseSite, { stage: 3, block: 1 });
    assert.ok(maxAbsDiff(e.clean, e.noisy!) > 1e-3);
    assert.ok(
      e.clean.every((v) => v >= 0),
      'stage output follows a ReLU',
    );
    await assert.rejects(
      extractEmbeddings(cnn, data, { ...base, site: { kind: 'resnet', stage: 3, block: 3 } }),
      /stage 3 has blocks 1..1/,
    );
    await assert.rejects(extractEmbeddings(cnn, data, base), /site is for a vit but the model is a resnet/);
  } finally {
    cnn.dispose();
  }
  await assert.rejects(
    extractEmbeddings(vit, data, { ...base, site: { kind: 'vit', block: 4, pool: 'cls' } }),
    /block must be an integer in \[-1, 3\]/,
  );
  await assert.rejects(extractEmbeddings(vit, data, { ...base, site: { kind: 'vit', block: -1, pool: 'cls' } }), /no class token/);
});
