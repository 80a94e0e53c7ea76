// In-memory datasets: images as uint8 HWC rows, labels as class indices.
import { WorkbenchError } from '../errors';

export type DatasetKind = 'mnist' | 'fashion-mnist' | 'idx' | 'cifar10' | 'cifar100' | 'image-folder';
export type SplitName = 'train' | 'test';

export interface Split {
  /** count * height * width * channels bytes, row-major [n, h, w, c]. */
  images: Uint8Array;
  /** count class indices in [0, classNames.length). */
  labels: Uint8Array | Uint16Array;
  count: number;
}

export interface DatasetInfo {
  name: string;
  kind: DatasetKind;
  /** Directory or file the dataset was read from. */
  path: string;
  classNames: string[];
  /** [height, width, channels] of every image. */
  shape: [number, number, number];
  counts: Record<SplitName, number>;
  /** Per-class image counts per split. */
  classCounts: Record<SplitName, number[]>;
  /** sha256 (hex) over the decoded images and labels of both splits. */
  contentHash: string;
  /** How the dataset was derived when that is not obvious (e.g. a seeded train/test split). */
  note?: string;
}

export interface Dataset {
  info: DatasetInfo;
  splits: Record<SplitName, Split>;
  /** Per-channel mean and std of the training images in [0, 1], for normalisation. */
  mean: number[];
  std: number[];
}

/** The largest image side a dataset or a model may have (a 4096x4096 RGB image is 48 MiB). */
export const MAX_IMAGE_SIDE = 4096;
/** The largest split held in memory, in bytes (images are uint8 HWC rows). */
export const MAX_SPLIT_BYTES = 2 * 1024 ** 3;

/** A clear, file-naming error for bad input. The store is never touched when one is thrown. */
export class DataError extends WorkbenchError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super('invalid', `${file}: ${problem}`, 'path');
    this.name = 'DataError';
  }
}
