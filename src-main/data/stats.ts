import { contentHash } from './hash';
import { DataError, type Dataset, type DatasetKind, type Split } from './types';

/** Per-channel mean and (population) std of uint8 HWC pixels scaled to [0, 1]. */
export function channelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  // A 256-bin histogram per channel keeps the hot loop to one increment per byte.
  const hist = new Float64Array(256 * channels);
  if (channels === 1) {
    for (let i = 0; i < images.length; i++) hist[images[i]]++;
  } else {
    for (let c = 0; c < channels; c++) {
      const base = c * 256;
      for (let i = c; i < images.length; i += channels) hist[base + images[i]]++;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let v = 0; v < 256; v++) {
      const k = hist[c * 256 + v];
      const x = v / 255;
      n += k;
      s += k * x;
      s2 += k * x * x;
    }
    const m = n > 0 ? s / n : 0;
    mean.push(m);
    std.push(n > 0 ? Math.sqrt(Math.max(0, s2 / n - m * m)) : 0);
  }
  return { mean, std };
}

export function classCounts(labels: Uint8Array | Uint16Array, numClasses: number): number[] {
  const out = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]]++;
  return out;
}

/** Smallest label array type that holds numClasses classes. */
export function labelArray(count: number, numClasses: number): Uint8Array | Uint16Array {
  return numClasses <= 256 ? new Uint8Array(count) : new Uint16Array(count);
}

export interface DatasetParts {
  name: string;
  kind: DatasetKind;
  path: string;
  classNames: string[];
  shape: [number, number, number];
  train: Split;
  test: Split;
  note?: string;
}

/** Validates the splits and fills in the derived info (counts, hash, statistics). */
export function assembleDataset(p: DatasetParts): Dataset {
  const [h, w, c] = p.shape;
  const k = p.classNames.length;
  if (k === 0) throw new DataError(p.path, 'dataset has no classes');
  for (const [splitName, s] of [
    ['train', p.train],
    ['test', p.test],
  ] as const) {
    if (s.labels.length !== s.count) {
      throw new DataError(p.path, `${splitName} split has ${s.labels.length} labels for ${s.count} images`);
    }
    if (s.images.length !== s.count * h * w * c) {
      throw new DataError(p.path, `${splitName} split has ${s.images.length} pixel bytes, expected ${s.count}x${h}x${w}x${c}`);
    }
    for (let i = 0; i < s.labels.length; i++) {
      if (s.labels[i] >= k) {
        throw new DataError(p.path, `${splitName} label ${s.labels[i]} at index ${i} is out of range 0..${k - 1}`);
      }
    }
  }
  const { mean, std } = channelStats(p.train.images, c);
  return {
    info: {
      name: p.name,
      kind: p.kind,
      path: p.path,
      classNames: p.classNames,
      shape: p.shape,
      counts: { train: p.train.count, test: p.test.count },
      classCounts: { train: classCounts(p.train.labels, k), test: classCounts(p.test.labels, k) },
      contentHash: contentHash(p.shape, p.train, p.test),
      ...(p.note !== undefined ? { note: p.note } : {}),
    },
    splits: { train: p.train, test: p.test },
    mean,
    std,
  };
}
