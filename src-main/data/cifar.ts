// CIFAR-10 / CIFAR-100 "binary version": fixed-size records of label byte(s) + planar RGB 32x32.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { assembleDataset } from './stats';
import { DataError, type Dataset, type Split } from './types';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

function requireFiles(dir: string, names: string[]): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(dir, 'not a directory');
  const missing = names.filter((n) => !existsSync(join(dir, n)));
  if (missing.length > 0) throw new DataError(dir, `missing file(s): ${missing.join(', ')}`);
  return names.map((n) => join(dir, n));
}

/** Reads record files into one HWC split; the label is the byte at labelOffset of each record. */
function readRecords(files: string[], labelBytes: number, labelOffset: number, numClasses: number): Split {
  const recordSize = labelBytes + PIXELS;
  const bufs = files.map((f) => {
    const b = readFileSync(f);
    if (b.length % recordSize !== 0) {
      throw new DataError(f, `size ${b.length} bytes is not a multiple of the record size ${recordSize}`);
    }
    return b;
  });
  const count = bufs.reduce((a, b) => a + b.length / recordSize, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let r = 0;
  bufs.forEach((b, fi) => {
    for (let off = 0; off < b.length; off += recordSize, r++) {
      const label = b[off + labelOffset];
      if (label >= numClasses) {
        throw new DataError(files[fi], `label ${label} in record ${off / recordSize} is out of range 0..${numClasses - 1}`);
      }
      labels[r] = label;
      const src = off + labelBytes;
      const dst = r * PIXELS;
      // Planar CHW (all R, all G, all B) to interleaved HWC.
      for (let p = 0; p < PLANE; p++) {
        images[dst + 3 * p] = b[src + p];
        images[dst + 3 * p + 1] = b[src + PLANE + p];
        images[dst + 3 * p + 2] = b[src + 2 * PLANE + p];
      }
    }
  });
  return { images, labels, count };
}

/** Non-empty lines of an optional label-name file, or undefined when absent. */
function readNames(file: string, expected: number): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const names = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== expected) {
    throw new DataError(file, `expected ${expected} class names, found ${names.length}`);
  }
  return names;
}

export function loadCifar10(dir: string, name = basename(dir)): Dataset {
  const trainFiles = requireFiles(dir, CIFAR10_TRAIN_FILES);
  const [testFile] = requireFiles(dir, [CIFAR10_TEST_FILE]);
  const classNames = readNames(join(dir, 'batches.meta.txt'), 10) ?? CIFAR10_CLASSES;
  return assembleDataset({
    name,
    kind: 'cifar10',
    path: dir,
    classNames,
    shape: [SIDE, SIDE, 3],
    train: readRecords(trainFiles, 1, 0, 10),
    test: readRecords([testFile], 1, 0, 10),
  });
}

export function loadCifar100(dir: string, name = basename(dir)): Dataset {
  const [trainFile, testFile] = requireFiles(dir, ['train.bin', 'test.bin']);
  const classNames = readNames(join(dir, 'fine_label_names.txt'), 100) ?? Array.from({ length: 100 }, (_, i) => String(i));
  return assembleDataset({
    name,
    kind: 'cifar100',
    path: dir,
    classNames,
    shape: [SIDE, SIDE, 3],
    // Byte 0 is the coarse (superclass) label; the fine label at byte 1 is the 100-way target.
    train: readRecords([trainFile], 2, 1, 100),
    test: readRecords([testFile], 2, 1, 100),
  });
}
