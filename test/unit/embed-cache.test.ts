import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  embedCacheKey,
  embedCachePath,
  embeddingsCsv,
  loadEmbeddings,
  saveEmbeddings,
  type EmbedCacheKey,
} from '../../src-main/engine/embed/cache';
import type { Embeddings } from '../../src-main/engine/embed/extract';

const emb: Embeddings = {
  clean: Float32Array.from([1, 2, 3, 4, 5, 6]),
  noisy: Float32Array.from([1.5, 2, 3, 4.5, 5, 6]),
  dim: 3,
  labels: Int32Array.from([7, 1]),
  order: Int32Array.from([42, 3]),
  predClean: Int32Array.from([7, 2]),
  predNoisy: Int32Array.from([7, 1]),
  n: 2,
  split: 'test',
  site: { kind: 'vit', block: 3, pool: 'cls' },
  noiseSite: { block: 3 },
  protocol: 'sorted',
  batchSize: 10,
  noise: { type: 'gaussian', level: 'embedding', at: 'both', strength: 0.1, site: { block: 3 } },
};
const key: EmbedCacheKey = {
  model: { preset: 'mnist-vit', seed: 0 },
  datasetHash: 'abc',
  split: 'test',
  site: emb.site,
  noise: emb.noise,
  protocol: 'sorted',
  batchSize: 10,
  seed: 42,
  n: 2,
};

test('cache: round trip through safetensors, keyed by everything that determines the embeddings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'embed-cache-'));
  try {
    assert.equal(loadEmbeddings(dir, key), null);
    const path = saveEmbeddings(dir, key, emb);
    assert.equal(path, embedCachePath(dir, key));
    assert.match(path, /embeddings\/[0-9a-f]{64}\.safetensors$/);
    assert.deepEqual(loadEmbeddings(dir, key), emb);
    // Property order does not matter; any field does.
    const reordered = {
      n: 2,
      seed: 42,
      batchSize: 10,
      protocol: 'sorted',
      noise: emb.noise,
      site: { pool: 'cls', block: 3, kind: 'vit' },
      split: 'test',
      datasetHash: 'abc',
      model: { seed: 0, preset: 'mnist-vit' },
    } as EmbedCacheKey;
    assert.equal(embedCacheKey(reordered), embedCacheKey(key));
    for (const changed of [
      { ...key, seed: 43 },
      { ...key, datasetHash: 'abd' },
      { ...key, protocol: 'shuffled' as const },
      { ...key, noise: null },
      { ...key, model: { runId: 1, epoch: 1, checkpointSha256: 'f'.repeat(64) } },
      { ...key, site: { ...emb.site, pool: 'mean-patch' as const } },
    ]) {
      assert.notEqual(embedCacheKey(changed), embedCacheKey(key));
      assert.equal(loadEmbeddings(dir, changed), null);
    }
    assert.throws(() => saveEmbeddings(dir, { ...key, n: 3 }, emb), /key says 3 images/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV: one row per image with index, label, predictions and both projections', () => {
  const csv = embeddingsCsv(emb, Float32Array.from([0.5, -1, 2, 3]), Float32Array.from([0.25, -1, 2, 3.5]), 2, [
    'zero',
    'one',
    'two',
    '3',
    '4',
    '5',
    '6',
    'se,ven',
  ]);
  assert.equal(
    csv,
    'index,label,pred_clean,pred_noisy,clean_1,clean_2,noisy_1,noisy_2\n42,"se,ven","se,ven","se,ven",0.5,-1,0.25,-1\n3,one,two,one,2,3,2,3.5\n',
  );
  assert.throws(() => embeddingsCsv(emb, new Float32Array(3), undefined, 2), /expected 2 x 2/);
});
