// IDX files (the MNIST container): big-endian header and payload.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assembleDataset, labelArray } from './stats';
import { DataError, type Dataset, type DatasetKind, type Split } from './types';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
export interface IdxFile {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'u8', size: 1 },
  0x09: { type: 'i8', size: 1 },
  0x0b: { type: 'i16', size: 2 },
  0x0c: { type: 'i32', size: 4 },
  0x0d: { type: 'f32', size: 4 },
  0x0e: { type: 'f64', size: 8 },
};

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DataError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export function readIdx(file: string): IdxFile {
  const buf = readFile(file);
  if (buf.length < 4) throw new DataError(file, `truncated IDX header: expected at least 4 bytes, got ${buf.length}`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataError(
      file,
      `not an IDX file: magic must start with two zero bytes, got 0x${buf.readUInt16BE(0).toString(16).padStart(4, '0')}`,
    );
  }
  const t = TYPES[buf[2]];
  if (!t) throw new DataError(file, `not an IDX file: unknown type code 0x${buf[2].toString(16).padStart(2, '0')}`);
  const rank = buf[3];
  const headerBytes = 4 + 4 * rank;
  if (buf.length < headerBytes) {
    throw new DataError(file, `truncated IDX header: expected ${headerBytes} bytes for rank ${rank}, got ${buf.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + n * t.size;
  if (buf.length < expected) {
    throw new DataError(file, `truncated IDX file: dims [${dims.join(', ')}] of ${t.type} need ${expected} bytes, got ${buf.length}`);
  }
  if (buf.length > expected) {
    throw new DataError(
      file,
      `trailing garbage: dims [${dims.join(', ')}] of ${t.type} need ${expected} bytes, got ${buf.length} (${buf.length - expected} extra)`,
    );
  }
  const off = buf.byteOffset + headerBytes;
  let data: IdxData;
  switch (t.type) {
    case 'u8':
      data = new Uint8Array(buf.buffer, off, n);
      break;
    case 'i8':
      data = new Int8Array(buf.buffer, off, n);
      break;
    default: {
      // Multi-byte payloads are big-endian; DataView converts to the host order.
      const view = new DataView(buf.buffer, off, n * t.size);
      if (t.type === 'i16') {
        const a = new Int16Array(n);
        for (let i = 0; i < n; i++) a[i] = view.getInt16(2 * i);
        data = a;
      } else if (t.type === 'i32') {
        const a = new Int32Array(n);
        for (let i = 0; i < n; i++) a[i] = view.getInt32(4 * i);
        data = a;
      } else if (t.type === 'f32') {
        const a = new Float32Array(n);
        for (let i = 0; i < n; i++) a[i] = view.getFloat32(4 * i);
        data = a;
      } else {
        const a = new Float64Array(n);
        for (let i = 0; i < n; i++) a[i] = view.getFloat64(8 * i);
        data = a;
      }
    }
  }
  return { dims, type: t.type, data };
}

export interface IdxPair {
  split: Split;
  shape: [number, number, number];
  /** Largest label present (-1 when empty). */
  maxLabel: number;
}

const MAX_CLASSES = 65536;

/**
 * Reads an images/labels pair. Labels must be integers in [0, numClasses) (numClasses defaults to
 * the largest supported count, so the caller can derive the class count from maxLabel).
 */
export function loadIdxPair(imagesFile: string, labelsFile: string, numClasses = MAX_CLASSES): IdxPair {
  const img = readIdx(imagesFile);
  if (img.type !== 'u8') throw new DataError(imagesFile, `images must be u8, got ${img.type}`);
  if (img.dims.length !== 3 && img.dims.length !== 4) {
    throw new DataError(imagesFile, `images must have rank 3 (n,h,w) or 4 (n,h,w,c), got rank ${img.dims.length}`);
  }
  const [count, h, w] = img.dims;
  const c = img.dims.length === 4 ? img.dims[3] : 1;
  if (h === 0 || w === 0 || c === 0) throw new DataError(imagesFile, `image dims [${img.dims.join(', ')}] contain a zero`);
  const lab = readIdx(labelsFile);
  if (lab.dims.length !== 1) throw new DataError(labelsFile, `labels must have rank 1, got rank ${lab.dims.length}`);
  if (lab.type === 'f32' || lab.type === 'f64') throw new DataError(labelsFile, `labels must be integers, got ${lab.type}`);
  if (lab.dims[0] !== count) {
    throw new DataError(labelsFile, `label count ${lab.dims[0]} does not match image count ${count} in ${imagesFile}`);
  }
  let maxLabel = -1;
  for (let i = 0; i < count; i++) {
    const v = lab.data[i];
    if (v < 0 || v >= numClasses) {
      throw new DataError(labelsFile, `label ${v} at index ${i} is out of range 0..${numClasses - 1}`);
    }
    if (v > maxLabel) maxLabel = v;
  }
  let labels: Uint8Array | Uint16Array;
  if (lab.data instanceof Uint8Array) labels = lab.data;
  else {
    labels = labelArray(count, maxLabel + 1);
    labels.set(lab.data);
  }
  return { split: { images: img.data as Uint8Array, labels, count }, shape: [h, w, c], maxLabel };
}

export interface IdxDatasetSpec {
  name: string;
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
  classNames?: string[];
  kind?: DatasetKind;
  /** Recorded in info.path; defaults to the directory of trainImages. */
  path?: string;
}

export function loadIdxDataset(spec: IdxDatasetSpec): Dataset {
  const limit = spec.classNames?.length ?? MAX_CLASSES;
  const train = loadIdxPair(spec.trainImages, spec.trainLabels, limit);
  const test = loadIdxPair(spec.testImages, spec.testLabels, limit);
  if (train.shape.join() !== test.shape.join()) {
    throw new DataError(
      spec.testImages,
      `test image shape [${test.shape.join(', ')}] differs from train shape [${train.shape.join(', ')}] in ${spec.trainImages}`,
    );
  }
  const k = Math.max(train.maxLabel, test.maxLabel) + 1;
  const classNames = spec.classNames ?? Array.from({ length: k }, (_, i) => String(i));
  // Derived class counts above 256 need wide labels in both splits.
  const widen = (s: Split): Split => {
    if (classNames.length <= 256 || s.labels instanceof Uint16Array) return s;
    return { ...s, labels: Uint16Array.from(s.labels) };
  };
  return assembleDataset({
    name: spec.name,
    kind: spec.kind ?? 'idx',
    path: spec.path ?? dirname(spec.trainImages),
    classNames,
    shape: train.shape,
    train: widen(train.split),
    test: widen(test.split),
  });
}

/** Finds the four `*-idx<rank>-ubyte` files of a directory: train/t10k|test x images/labels. */
export function findIdxFiles(dir: string): Omit<IdxDatasetSpec, 'name'> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /-idx\d-ubyte$/.test(n));
  } catch (e) {
    throw new DataError(dir, `cannot list directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const pick = (split: RegExp, what: string, label: string): string => {
    const hits = names.filter((n) => split.test(n) && n.includes(what));
    if (hits.length !== 1) {
      throw new DataError(
        dir,
        hits.length === 0 ? `no ${label} IDX file (*-idx*-ubyte)` : `several ${label} IDX files: ${hits.join(', ')}`,
      );
    }
    return join(dir, hits[0]);
  };
  const train = /^train/;
  const test = /^(t10k|test)/;
  return {
    trainImages: pick(train, 'images', 'train images'),
    trainLabels: pick(train, 'labels', 'train labels'),
    testImages: pick(test, 'images', 'test images'),
    testLabels: pick(test, 'labels', 'test labels'),
    path: dir,
  };
}
