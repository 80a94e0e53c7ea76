import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIdxDataset, loadIdxPair, readIdx } from '../../src-main/data/idx';
import { mnistDir } from '../../src-main/data/mnist';
import { DataError } from '../../src-main/data/types';

const dir = mkdtempSync(join(tmpdir(), 'noisynn-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function idx(typeCode: number, dims: number[], payload: Buffer): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = typeCode;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, payload]);
}

function write(name: string, data: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function assertDataError(fn: () => unknown, file: string, problem: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(file), e.message);
    assert.match(e.message, problem);
    return true;
  });
}

test('u8 and big-endian multi-byte IDX files round trip', () => {
  const u8 = readIdx(write('u8', idx(0x08, [2, 3], Buffer.from([1, 2, 3, 250, 251, 252]))));
  assert.equal(u8.type, 'u8');
  assert.deepEqual(u8.dims, [2, 3]);
  assert.deepEqual([...u8.data], [1, 2, 3, 250, 251, 252]);

  const i16 = Buffer.alloc(6);
  [-2, 300, 32767].forEach((v, i) => i16.writeInt16BE(v, 2 * i));
  assert.deepEqual([...readIdx(write('i16', idx(0x0b, [3], i16))).data], [-2, 300, 32767]);

  const i32 = Buffer.alloc(8);
  [-70000, 123456789].forEach((v, i) => i32.writeInt32BE(v, 4 * i));
  assert.deepEqual([...readIdx(write('i32', idx(0x0c, [2], i32))).data], [-70000, 123456789]);

  const f32 = Buffer.alloc(8);
  [1.5, -0.25].forEach((v, i) => f32.writeFloatBE(v, 4 * i));
  const rf32 = readIdx(write('f32', idx(0x0d, [1, 2], f32)));
  assert.equal(rf32.type, 'f32');
  assert.deepEqual([...rf32.data], [1.5, -0.25]);

  const f64 = Buffer.alloc(8);
  f64.writeDoubleBE(Math.PI, 0);
  assert.deepEqual([...readIdx(write('f64', idx(0x0e, [1], f64))).data], [Math.PI]);

  assert.deepEqual([...readIdx(write('i8', idx(0x09, [2], Buffer.from([0xff, 0x7f])))).data], [-1, 127]);
});

test('truncated MNIST labels file names the file and expected vs actual bytes', () => {
  const real = readFileSync(join(mnistDir(), 't10k-labels-idx1-ubyte'));
  const cut = write('t10k-labels-cut', real.subarray(0, real.length - 7));
  assertDataError(() => readIdx(cut), cut, /truncated.*10008.*10001/);
  const headerOnly = write('t10k-labels-head', real.subarray(0, 6));
  assertDataError(() => readIdx(headerOnly), headerOnly, /truncated IDX header.*8.*6/);
});

test('trailing garbage is rejected', () => {
  const f = write('trailing', idx(0x08, [2], Buffer.from([1, 2, 3])));
  assertDataError(() => readIdx(f), f, /trailing garbage.*1 extra/);
});

test('wrong magic and unknown type code are rejected', () => {
  const magic = write('magic', Buffer.from([0x1f, 0x8b, 0x08, 0x01, 0, 0, 0, 0]));
  assertDataError(() => readIdx(magic), magic, /two zero bytes.*0x1f8b/);
  const code = write('code', idx(0x07, [1], Buffer.from([0])));
  assertDataError(() => readIdx(code), code, /unknown type code 0x07/);
});

test('pairs check label count, label range, rank and pixel type', () => {
  const imgs = write('imgs', idx(0x08, [3, 2, 2], Buffer.alloc(12, 9)));
  const twoLabels = write('labels2', idx(0x08, [2], Buffer.from([0, 1])));
  assertDataError(() => loadIdxPair(imgs, twoLabels), twoLabels, /label count 2 does not match image count 3/);

  const badLabel = write('labels-bad', idx(0x08, [3], Buffer.from([0, 1, 5])));
  assertDataError(() => loadIdxPair(imgs, badLabel, 3), badLabel, /label 5 at index 2 is out of range 0\.\.2/);

  const flat = write('flat', idx(0x08, [3, 4], Buffer.alloc(12)));
  const labels = write('labels3', idx(0x08, [3], Buffer.from([0, 1, 2])));
  assertDataError(() => loadIdxPair(flat, labels), flat, /rank 3 .* or 4 .*got rank 2/);

  const floats = write('floats', idx(0x0d, [3, 1, 1], Buffer.alloc(12)));
  assertDataError(() => loadIdxPair(floats, labels), floats, /images must be u8, got f32/);

  const ok = loadIdxPair(imgs, labels);
  assert.deepEqual(ok.shape, [2, 2, 1]);
  assert.equal(ok.maxLabel, 2);
  assert.deepEqual([...ok.split.labels], [0, 1, 2]);
});

test('loadIdxDataset builds a rank-4 RGB dataset with derived class names', () => {
  // 2 train + 1 test images of 1x2x3; pixel bytes are their own index so layout is checkable.
  const trImgs = write('tr-imgs', idx(0x08, [2, 1, 2, 3], Buffer.from(Array.from({ length: 12 }, (_, i) => i * 20))));
  const trLab = write('tr-lab', idx(0x08, [2], Buffer.from([1, 0])));
  const teImgs = write('te-imgs', idx(0x08, [1, 1, 2, 3], Buffer.from([255, 255, 255, 0, 0, 0])));
  const teLab = write('te-lab', idx(0x08, [1], Buffer.from([2])));
  const ds = loadIdxDataset({ name: 'tiny', trainImages: trImgs, trainLabels: trLab, testImages: teImgs, testLabels: teLab });
  assert.equal(ds.info.kind, 'idx');
  assert.equal(ds.info.path, dir);
  assert.deepEqual(ds.info.shape, [1, 2, 3]);
  assert.deepEqual(ds.info.classNames, ['0', '1', '2']);
  assert.deepEqual(ds.info.classCounts, { train: [1, 1, 0], test: [0, 0, 1] });
  // Channel 0 of the train images holds bytes 0, 60, 120, 180 -> mean 90/255.
  assert.ok(Math.abs(ds.mean[0] - 90 / 255) < 1e-12);
  assert.ok(Math.abs(ds.mean[2] - 130 / 255) < 1e-12);
  const sd = Math.sqrt((90 ** 2 + 30 ** 2 + 30 ** 2 + 90 ** 2) / 4) / 255;
  assert.ok(Math.abs(ds.std[1] - sd) < 1e-12);

  const names = ['a', 'b'];
  assertDataError(
    () => loadIdxDataset({ name: 't', trainImages: trImgs, trainLabels: trLab, testImages: teImgs, testLabels: teLab, classNames: names }),
    teLab,
    /label 2 at index 0 is out of range 0\.\.1/,
  );
  const otherShape = write('te-imgs-gray', idx(0x08, [1, 1, 2], Buffer.from([1, 2])));
  assertDataError(
    () => loadIdxDataset({ name: 't', trainImages: trImgs, trainLabels: trLab, testImages: otherShape, testLabels: teLab }),
    otherShape,
    /differs from train shape/,
  );
});
