import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { loadImageFolder, splitClassFiles } from '../../src-main/data/image-folder';
import { DataError } from '../../src-main/data/types';

const root = mkdtempSync(join(tmpdir(), 'noisynn-imgfolder-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function solid(file: string, h: number, w: number, rgb: [number, number, number] | number): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const grey = typeof rgb === 'number';
  const channels = grey ? 1 : 3;
  const px = Buffer.alloc(h * w * channels);
  for (let i = 0; i < h * w; i++) {
    if (grey) px[i] = rgb;
    else px.set(rgb, 3 * i);
  }
  let img = sharp(px, { raw: { width: w, height: h, channels } });
  if (grey) img = img.toColourspace('b-w');
  if (file.endsWith('.jpg')) await img.jpeg({ quality: 100 }).toFile(file);
  else await img.png().toFile(file);
}

async function rejects(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.includes(file));
    assert.match(e.message, problem);
    return true;
  });
}

function pixel(images: Uint8Array, shape: number[], n: number, y: number, x: number): number[] {
  const [h, w, c] = shape;
  const o = ((n * h + y) * w + x) * c;
  return [...images.subarray(o, o + c)];
}

const split = join(root, 'split');
before(async () => {
  // First training image (cat/a.png) is 4x6, so that becomes the default size.
  await solid(join(split, 'train/cat/a.png'), 4, 6, [200, 100, 50]);
  await solid(join(split, 'train/cat/b.png'), 8, 8, 77);
  await solid(join(split, 'train/dog/c.png'), 3, 3, [90, 90, 90]);
  await solid(join(split, 'train/dog/d.jpg'), 5, 7, [10, 220, 130]);
  writeFileSync(join(split, 'train/dog/readme.txt'), 'not an image');
  await solid(join(split, 'test/dog/e.png'), 4, 6, 200);
});

test('train/test tree loads as RGB at the first image size', async () => {
  const ds = await loadImageFolder(split);
  const { images, labels } = ds.splits.train;
  assert.equal(ds.info.kind, 'image-folder');
  assert.equal(ds.info.name, 'split');
  // No 80/20 note (the tree has its own split), but what was done to it is said.
  assert.equal(
    ds.info.note,
    "no test image for 'cat': the test folder has no images of that class\n3 of 5 images are not 4x6 (e.g. train/cat/b.png is 8x8): stretched to 4x6 (H x W), aspect ratio not kept",
  );
  assert.deepEqual(ds.info.classNames, ['cat', 'dog']);
  assert.deepEqual(ds.info.shape, [4, 6, 3]);
  assert.deepEqual(ds.info.counts, { train: 4, test: 1 });
  assert.deepEqual(ds.info.classCounts, { train: [2, 2], test: [0, 1] });
  assert.deepEqual([...labels], [0, 0, 1, 1]);
  assert.equal(images.length, 4 * 4 * 6 * 3);
  assert.deepEqual(pixel(images, ds.info.shape, 0, 3, 5), [200, 100, 50]);
  assert.deepEqual(pixel(images, ds.info.shape, 1, 0, 0), [77, 77, 77]); // greyscale expanded and resized
  assert.deepEqual(pixel(images, ds.info.shape, 2, 2, 3), [90, 90, 90]);
  const jpg = pixel(images, ds.info.shape, 3, 1, 1);
  [10, 220, 130].forEach((v, c) => assert.ok(Math.abs(jpg[c] - v) <= 3, `jpeg channel ${c}: ${jpg[c]}`));
  assert.deepEqual(pixel(ds.splits.test.images, ds.info.shape, 0, 0, 0), [200, 200, 200]);
  assert.ok(Math.abs(ds.mean[0] - (200 + 77 + 90 + 10) / 4 / 255) < 2 / 255);
});

test('channels 1 and an explicit size give single-channel resized images', async () => {
  const ds = await loadImageFolder(split, { channels: 1, imageSize: [5, 2], name: 'g' });
  assert.equal(ds.info.name, 'g');
  assert.deepEqual(ds.info.shape, [5, 2, 1]);
  assert.equal(ds.splits.train.images.length, 4 * 10);
  assert.deepEqual(pixel(ds.splits.train.images, ds.info.shape, 1, 4, 1), [77]);
  assert.deepEqual(pixel(ds.splits.train.images, ds.info.shape, 2, 0, 0), [90]);
  assert.deepEqual([...ds.splits.test.images], new Array(10).fill(200));
  assert.equal(ds.mean.length, 1);
  const rgb = await loadImageFolder(split);
  assert.notEqual(ds.info.contentHash, rgb.info.contentHash);
  assert.equal((await loadImageFolder(split)).info.contentHash, rgb.info.contentHash);
});

test('flat class tree gets a seeded, deterministic 80/20 split', async () => {
  const flat = join(root, 'flat');
  for (let i = 0; i < 5; i++) await solid(join(flat, `a/${i}.png`), 2, 2, i * 10);
  for (let i = 0; i < 10; i++) await solid(join(flat, `b/${i}.png`), 2, 2, 100 + i);
  const ds = await loadImageFolder(flat, { channels: 1 });
  assert.match(ds.info.note ?? '', /80\/20 split.*seed 0/);
  assert.deepEqual(ds.info.classCounts, { train: [4, 8], test: [1, 2] });
  const again = await loadImageFolder(flat, { channels: 1 });
  assert.equal(again.info.contentHash, ds.info.contentHash);
  // Every image appears exactly once across the two splits.
  const seen = [...ds.splits.train.images.filter((_, i) => i % 4 === 0), ...ds.splits.test.images.filter((_, i) => i % 4 === 0)];
  assert.deepEqual(
    seen.sort((x, y) => x - y),
    [0, 10, 20, 30, 40, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
  );

  const files = Array.from({ length: 10 }, (_, i) => `f${i}`);
  const s0 = splitClassFiles(files, 'b', 0);
  assert.deepEqual(splitClassFiles(files, 'b', 0), s0);
  const differs = [1, 2, 3, 4, 5].some((seed) => splitClassFiles(files, 'b', seed).test.join() !== s0.test.join());
  assert.ok(differs, 'other seeds should pick other test files');
});

test('a corrupt image is a DataError naming the file', async () => {
  const bad = join(root, 'corrupt');
  await solid(join(bad, 'train/x/ok.png'), 2, 2, 5);
  await solid(join(bad, 'test/x/ok.png'), 2, 2, 5);
  const broken = join(bad, 'train/x/zz-broken.png');
  writeFileSync(broken, randomBytes(256));
  await rejects(loadImageFolder(bad), broken, /cannot decode image/);
  // As the first image it is also reported when probing the default size.
  const first = join(bad, 'train/x/aa-broken.png');
  writeFileSync(first, randomBytes(64));
  await rejects(loadImageFolder(bad), first, /cannot decode image/);
});

test('layout errors name the folder', async () => {
  const empty = join(root, 'empty');
  await solid(join(empty, 'train/full/a.png'), 2, 2, 1);
  mkdirSync(join(empty, 'train/hollow'), { recursive: true });
  writeFileSync(join(empty, 'train/hollow/notes.txt'), 'x');
  await solid(join(empty, 'test/full/a.png'), 2, 2, 1);
  await rejects(loadImageFolder(empty), join(empty, 'train/hollow'), /empty class folder/);

  const stray = join(root, 'stray');
  await solid(join(stray, 'train/a/1.png'), 2, 2, 1);
  await solid(join(stray, 'test/a/1.png'), 2, 2, 1);
  await solid(join(stray, 'test/zebra/1.png'), 2, 2, 1);
  await rejects(loadImageFolder(stray), join(stray, 'test/zebra'), /test class "zebra" has no folder/);

  const none = join(root, 'none');
  mkdirSync(none);
  writeFileSync(join(none, 'x.png'), 'x');
  await rejects(loadImageFolder(none), none, /no class folders/);

  const half = join(root, 'half');
  await solid(join(half, 'train/a/1.png'), 2, 2, 1);
  await rejects(loadImageFolder(half), half, /train folder but no test folder/);
});
