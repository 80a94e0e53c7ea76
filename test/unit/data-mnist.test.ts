import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist, mnistDir } from '../../src-main/data/mnist';
import { loadDataset, builtinDatasets } from '../../src-main/data/registry';

test('mnistDir holds the four IDX files', () => {
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    assert.ok(existsSync(join(mnistDir(), f)), f);
  }
});

test('MNIST loads with the published counts, shape and class balance', () => {
  const ds = loadMnist();
  assert.equal(ds.info.kind, 'mnist');
  assert.deepEqual(ds.info.counts, { train: 60000, test: 10000 });
  assert.deepEqual(ds.info.shape, [28, 28, 1]);
  assert.deepEqual(ds.info.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(ds.splits.train.images.length, 60000 * 784);
  assert.equal(ds.splits.test.images.length, 10000 * 784);
  assert.deepEqual(ds.info.classCounts.test, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(
    ds.info.classCounts.train.reduce((a, b) => a + b, 0),
    60000,
  );
  assert.equal(ds.splits.train.labels[0], 5);
  assert.equal(ds.splits.test.labels[0], 7);
  assert.ok(ds.splits.train.labels.every((l) => l <= 9));
  assert.ok(ds.splits.test.labels.every((l) => l <= 9));
  // The first training digit (a 5) has ink in its middle rows and blank corners.
  const first = ds.splits.train.images.subarray(0, 784);
  assert.equal(first[0], 0);
  assert.ok(first.reduce((a, b) => a + (b > 128 ? 1 : 0), 0) > 50);
});

test('MNIST mean/std match the standard normalisation constants', () => {
  const ds = loadMnist();
  assert.equal(ds.mean.length, 1);
  assert.ok(Math.abs(ds.mean[0] - 0.1307) < 5e-4, `mean ${ds.mean[0]}`);
  assert.ok(Math.abs(ds.std[0] - 0.3081) < 5e-4, `std ${ds.std[0]}`);
});

test('MNIST content hash is a stable sha256 across loaders', async () => {
  const a = loadMnist();
  assert.match(a.info.contentHash, /^[0-9a-f]{64}$/);
  const ref = builtinDatasets()[0];
  assert.deepEqual(ref, { kind: 'mnist', path: mnistDir(), name: 'mnist' });
  const b = await loadDataset(ref);
  assert.equal(b.info.contentHash, a.info.contentHash);
  // A fresh read through the generic IDX path hashes the same bytes.
  const c = await loadDataset({ kind: 'idx', path: mnistDir() });
  assert.equal(c.info.kind, 'idx');
  assert.equal(c.info.contentHash, a.info.contentHash);
  assert.deepEqual(c.info.classCounts, a.info.classCounts);
});
