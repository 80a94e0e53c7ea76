import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10_CLASSES, loadCifar10, loadCifar100 } from '../../src-main/data/cifar';
import { DataError } from '../../src-main/data/types';

const root = mkdtempSync(join(tmpdir(), 'noisynn-cifar-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** One record: label byte(s), then R, G, B planes where plane c at pixel p holds (p + 7c + seed) mod 256. */
function record(labels: number[], seed: number): Buffer {
  const b = Buffer.alloc(labels.length + 3072);
  labels.forEach((l, i) => (b[i] = l));
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) b[labels.length + c * 1024 + p] = (p + 7 * c + seed) % 256;
  return b;
}

function expectedPixel(seed: number, p: number, c: number): number {
  return (p + 7 * c + seed) % 256;
}

function cifar10Dir(name: string, meta?: string): string {
  const d = join(root, name);
  mkdirSync(d);
  for (let i = 1; i <= 5; i++) writeFileSync(join(d, `data_batch_${i}.bin`), Buffer.concat([record([i], i), record([9 - i], 10 + i)]));
  writeFileSync(join(d, 'test_batch.bin'), record([3], 99));
  if (meta !== undefined) writeFileSync(join(d, 'batches.meta.txt'), meta);
  return d;
}

function errorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a DataError');
}

test('CIFAR-10 records become HWC images with their labels', () => {
  const ds = loadCifar10(cifar10Dir('c10'));
  assert.equal(ds.info.kind, 'cifar10');
  assert.equal(ds.info.name, 'c10');
  assert.deepEqual(ds.info.shape, [32, 32, 3]);
  assert.deepEqual(ds.info.counts, { train: 10, test: 1 });
  assert.deepEqual(ds.info.classNames, CIFAR10_CLASSES);
  assert.deepEqual([...ds.splits.train.labels], [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
  assert.deepEqual([...ds.splits.test.labels], [3]);
  assert.deepEqual(ds.info.classCounts.train, [0, 1, 1, 1, 2, 2, 1, 1, 1, 0]);
  const img = ds.splits.train.images;
  // Record 3 (second of data_batch_2, seed 12): check a few pixels in HWC order.
  const base = 3 * 3072;
  for (const p of [0, 1, 33, 1023]) {
    for (let c = 0; c < 3; c++) assert.equal(img[base + 3 * p + c], expectedPixel(12, p, c), `p=${p} c=${c}`);
  }
  assert.equal(ds.splits.test.images[3 * 5 + 2], expectedPixel(99, 5, 2));
  assert.equal(ds.mean.length, 3);
  assert.match(ds.info.contentHash, /^[0-9a-f]{64}$/);
});

test('CIFAR-10 class names come from batches.meta.txt when present', () => {
  const names = Array.from({ length: 10 }, (_, i) => `class${i}`);
  const ds = loadCifar10(cifar10Dir('c10meta', names.join('\n') + '\n\n'));
  assert.deepEqual(ds.info.classNames, names);
  const bad = cifar10Dir('c10badmeta', 'a\nb\n');
  const e = errorOf(() => loadCifar10(bad));
  assert.equal(e.file, join(bad, 'batches.meta.txt'));
  assert.match(e.message, /expected 10 class names, found 2/);
});

test('CIFAR-10 errors name the bad file', () => {
  const d = cifar10Dir('c10short');
  const f = join(d, 'data_batch_3.bin');
  writeFileSync(f, Buffer.concat([record([1], 0), Buffer.alloc(100)]));
  const e = errorOf(() => loadCifar10(d));
  assert.equal(e.file, f);
  assert.ok(e.message.includes(f));
  assert.match(e.message, /size 3173 bytes is not a multiple of the record size 3073/);

  const d2 = cifar10Dir('c10label');
  writeFileSync(join(d2, 'test_batch.bin'), Buffer.concat([record([0], 0), record([10], 0)]));
  assert.match(errorOf(() => loadCifar10(d2)).message, /test_batch\.bin: label 10 in record 1 is out of range 0\.\.9/);

  const d3 = cifar10Dir('c10missing');
  rmSync(join(d3, 'data_batch_5.bin'));
  rmSync(join(d3, 'test_batch.bin'));
  const m = errorOf(() => loadCifar10(d3));
  assert.equal(m.file, d3);
  assert.match(m.message, /missing file\(s\): data_batch_5\.bin/);
});

test('CIFAR-100 uses the fine label and optional fine_label_names.txt', () => {
  const d = join(root, 'c100');
  mkdirSync(d);
  writeFileSync(join(d, 'train.bin'), Buffer.concat([record([3, 42], 1), record([19, 99], 2), record([0, 0], 3)]));
  writeFileSync(join(d, 'test.bin'), record([7, 55], 4));
  let ds = loadCifar100(d);
  assert.equal(ds.info.kind, 'cifar100');
  assert.equal(ds.info.classNames.length, 100);
  assert.equal(ds.info.classNames[42], '42');
  assert.deepEqual([...ds.splits.train.labels], [42, 99, 0]);
  assert.deepEqual([...ds.splits.test.labels], [55]);
  assert.equal(ds.splits.train.images[3072 + 3 * 500 + 1], expectedPixel(2, 500, 1));

  const names = Array.from({ length: 100 }, (_, i) => `fine_${i}`);
  writeFileSync(join(d, 'fine_label_names.txt'), names.join('\n'));
  ds = loadCifar100(d, 'named');
  assert.equal(ds.info.name, 'named');
  assert.equal(ds.info.classNames[99], 'fine_99');

  writeFileSync(join(d, 'test.bin'), record([1], 0)); // a CIFAR-10 sized record
  const e = errorOf(() => loadCifar100(d));
  assert.equal(e.file, join(d, 'test.bin'));
  assert.match(e.message, /size 3073 bytes is not a multiple of the record size 3074/);
});
