// Turns uint8 HWC images into normalised float batches; the only place pixels become tensors.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/types';

export interface Normalisation {
  mean: number[];
  std: number[];
}

/** [indices.length, h, w, c] images normalised per channel, and their labels. */
export function makeBatch(split: Split, indices: ArrayLike<number>, shape: [number, number, number], norm: Normalisation): { x: tf.Tensor4D; labels: Int32Array } {
  const [h, w, c] = shape;
  const size = h * w * c;
  const n = indices.length;
  const out = new Float32Array(n * size);
  const labels = new Int32Array(n);
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, ch) => m / norm.std[ch]);
  for (let b = 0; b < n; b++) {
    const src = indices[b] * size;
    const dst = b * size;
    for (let i = 0; i < size; i++) {
      const ch = i % c;
      out[dst + i] = split.images[src + i] * scale[ch] - shift[ch];
    }
    labels[b] = split.labels[indices[b]];
  }
  return { x: tf.tensor4d(out, [n, h, w, c]), labels };
}

/** Indices 0..n-1 as an Int32Array. */
export function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
