import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mnistDir } from '../../src-main/data/mnist';
import { detectKind, loadDataset } from '../../src-main/data/registry';
import { DataError, type Dataset } from '../../src-main/data/types';

const root = mkdtempSync(join(tmpdir(), 'noisynn-registry-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

function checkInfo(ds: Dataset): void {
  const { info } = ds;
  assert.match(info.contentHash, /^[0-9a-f]{64}$/);
  assert.equal(ds.mean.length, info.shape[2]);
  assert.equal(ds.std.length, info.shape[2]);
  for (const s of ['train', 'test'] as const) {
    assert.equal(info.counts[s], ds.splits[s].count);
    assert.equal(info.classCounts[s].length, info.classNames.length);
    assert.equal(
      info.classCounts[s].reduce((a, b) => a + b, 0),
      info.counts[s],
    );
  }
}

const cifar10 = dir('c10');
for (const f of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin')) {
  writeFileSync(join(cifar10, f), Buffer.concat([Buffer.from([4]), Buffer.alloc(3072, 128)]));
}
const cifar100 = dir('c100');
writeFileSync(join(cifar100, 'train.bin'), Buffer.concat([Buffer.from([1, 2]), Buffer.alloc(3072, 0)]));
writeFileSync(join(cifar100, 'test.bin'), Buffer.concat([Buffer.from([1, 3]), Buffer.alloc(3072, 255)]));

const folder = join(root, 'folder');
before(async () => {
  await sharp(Buffer.alloc(12, 60), { raw: { width: 2, height: 2, channels: 3 } })
    .png()
    .toFile(join(dir('folder/a'), '1.png'));
  await sharp(Buffer.alloc(12, 90), { raw: { width: 2, height: 2, channels: 3 } })
    .png()
    .toFile(join(dir('folder/b'), '1.png'));
});

test('detectKind recognises each layout and explains failures', () => {
  assert.equal(detectKind(cifar10), 'cifar10');
  assert.equal(detectKind(cifar100), 'cifar100');
  assert.equal(detectKind(mnistDir()), 'idx');
  assert.equal(detectKind(folder), 'image-folder');

  const plain = dir('plain');
  writeFileSync(join(plain, 'notes.txt'), 'x');
  assert.throws(
    () => detectKind(plain),
    (e: unknown) => e instanceof DataError && e.message.startsWith(plain) && /unrecognised dataset/.test(e.message),
  );
  const missing = join(root, 'nope');
  assert.throws(
    () => detectKind(missing),
    (e: unknown) => e instanceof DataError && e.file === missing && /does not exist/.test(e.message),
  );
  const file = join(plain, 'notes.txt');
  assert.throws(
    () => detectKind(file),
    (e: unknown) => e instanceof DataError && /not a directory/.test(e.message),
  );
});

test('loadDataset dispatches to every loader and fills info', async () => {
  const c10 = await loadDataset({ kind: 'cifar10', path: cifar10 });
  assert.equal(c10.info.name, 'c10');
  assert.deepEqual(c10.info.classCounts.train, [0, 0, 0, 0, 5, 0, 0, 0, 0, 0]);
  checkInfo(c10);
  assert.ok(Math.abs(c10.mean[1] - 128 / 255) < 1e-12);
  assert.equal(c10.std[2], 0);

  const c100 = await loadDataset({ kind: 'cifar100', path: cifar100, name: 'hundred' });
  assert.equal(c100.info.name, 'hundred');
  assert.equal(c100.splits.test.labels[0], 3);
  checkInfo(c100);

  const fromFolder = await loadDataset({ kind: 'image-folder', path: folder, channels: 1, imageSize: [3, 3] });
  assert.deepEqual(fromFolder.info.shape, [3, 3, 1]);
  assert.deepEqual(fromFolder.info.counts, { train: 2, test: 0 }); // one image per class: nothing to hold out
  checkInfo(fromFolder);

  const idxDir = dir('idxcopy');
  for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(mnistDir(), f), join(idxDir, f));
  copyFileSync(join(mnistDir(), 't10k-images-idx3-ubyte'), join(idxDir, 'train-images-idx3-ubyte'));
  copyFileSync(join(mnistDir(), 't10k-labels-idx1-ubyte'), join(idxDir, 'train-labels-idx1-ubyte'));
  const idx = await loadDataset({ kind: 'idx', path: idxDir });
  assert.deepEqual(idx.info.counts, { train: 10000, test: 10000 });
  assert.deepEqual(idx.info.classCounts.train, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  checkInfo(idx);
  const asMnist = await loadDataset({ kind: 'mnist', path: idxDir, name: 'mnist-copy' });
  assert.equal(asMnist.info.kind, 'mnist');
  assert.equal(asMnist.info.contentHash, idx.info.contentHash);

  const renamed = await loadDataset({ kind: 'mnist', path: mnistDir(), name: 'digits' });
  assert.equal(renamed.info.name, 'digits');
  checkInfo(renamed);
});

test('loadDataset refuses resizing fixed-format datasets and reports missing IDX files', async () => {
  await assert.rejects(
    loadDataset({ kind: 'cifar10', path: cifar10, channels: 1 }),
    (e: unknown) => e instanceof DataError && e.file === cifar10 && /32x32x3/.test(e.message),
  );
  const partial = dir('partial');
  copyFileSync(join(mnistDir(), 't10k-labels-idx1-ubyte'), join(partial, 't10k-labels-idx1-ubyte'));
  await assert.rejects(
    loadDataset({ kind: 'idx', path: partial }),
    (e: unknown) => e instanceof DataError && e.file === partial && /no train images IDX file/.test(e.message),
  );
});
