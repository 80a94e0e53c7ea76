// Turns uint8 HWC images into normalised float batches; the only place pixels become tensors.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, Split } from '../data/types';
import type { InputSpec } from './config/types';
import { resampleBicubic } from './pretrained/resample';

export interface Normalisation {
  mean: number[];
  std: number[];
  /** Resize each image to `size / cropPct` (bicubic) and centre-crop `size`, as timm's eval transform. */
  resize?: { size: number; cropPct: number };
}

/**
 * The dataset as a run with imported weights sees it: the weights' mean, std and input size instead of the
 * dataset's own. Every consumer (training, evaluation, noise lab, embeddings) goes through this.
 */
export function withInput<D extends Dataset>(data: D, input: InputSpec | undefined): D & { resize?: Normalisation['resize'] } {
  if (!input) return data;
  return { ...data, mean: input.mean, std: input.std, resize: { size: input.size, cropPct: input.cropPct } };
}

/** Python's round(): halves to even (torchvision's CenterCrop offsets use it). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** One uint8 HWC image resized and centre-cropped as timm evaluates: Resize(floor(size / crop_pct)), CenterCrop(size). */
export function resizeImage(src: Uint8Array, h: number, w: number, c: number, r: { size: number; cropPct: number }): Uint8Array {
  const scaled = Math.floor(r.size / r.cropPct + 1e-9);
  // torchvision's Resize(int) scales the shorter side to `scaled`.
  const [sh, sw] = h <= w ? [scaled, Math.floor((scaled * w) / h)] : [Math.floor((scaled * h) / w), scaled];
  const full = sh === h && sw === w ? src : resampleBicubic(src, h, w, c, sh, sw, true);
  const top = pyRound((sh - r.size) / 2);
  const left = pyRound((sw - r.size) / 2);
  const out = new Uint8Array(r.size * r.size * c);
  for (let y = 0; y < r.size; y++) {
    for (let x = 0; x < r.size * c; x++) {
      const v = full[((y + top) * sw + left) * c + x];
      out[y * r.size * c + x] = v;
    }
  }
  return out;
}

/** [indices.length, h, w, c] images normalised per channel, and their labels. */
export function makeBatch(
  split: Split,
  indices: ArrayLike<number>,
  shape: [number, number, number],
  norm: Normalisation,
): { x: tf.Tensor4D; labels: Int32Array } {
  const [h, w, c] = shape;
  const r = norm.resize;
  const resizing = r !== undefined && (r.size !== h || r.size !== w || r.cropPct !== 1);
  const [oh, ow] = resizing ? [r.size, r.size] : [h, w];
  const inSize = h * w * c;
  const size = oh * ow * c;
  const n = indices.length;
  const out = new Float32Array(n * size);
  const labels = new Int32Array(n);
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, ch) => m / norm.std[ch]);
  for (let b = 0; b < n; b++) {
    const at = indices[b] * inSize;
    const img = resizing ? resizeImage(split.images.subarray(at, at + inSize), h, w, c, r) : split.images.subarray(at, at + inSize);
    const dst = b * size;
    for (let i = 0; i < size; i++) {
      const ch = i % c;
      out[dst + i] = img[i] * scale[ch] - shift[ch];
    }
    labels[b] = split.labels[indices[b]];
  }
  return { x: tf.tensor4d(out, [n, oh, ow, c]), labels };
}

/** Indices 0..n-1 as an Int32Array. */
export function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
