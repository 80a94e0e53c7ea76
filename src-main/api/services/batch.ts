// A batch of dataset images given by (split, index) references, as the engine's normalised tensor.
import { invalid } from '../../errors';
import * as tf from '@tensorflow/tfjs';
import { makeBatch, range } from '../../engine/batches';
import type { Dataset, Split } from '../../data/types';
import { MAX_LAB_BATCH, type SplitName } from '../contract';

export function gatherSplit(data: Dataset, refs: { split: SplitName; index: number }[]): Split {
  if (refs.length < 1 || refs.length > MAX_LAB_BATCH)
    throw invalid(`a batch holds 1 to ${MAX_LAB_BATCH} images (got ${refs.length})`, 'refs');
  const [h, w, c] = data.info.shape;
  const size = h * w * c;
  const images = new Uint8Array(refs.length * size);
  const labels = new Uint16Array(refs.length);
  refs.forEach((r, i) => {
    const s = data.splits[r.split];
    if (!s) throw invalid(`unknown split '${r.split}'`, 'split');
    if (!Number.isInteger(r.index) || r.index < 0 || r.index >= s.count)
      throw invalid(`image ${r.index} is out of range: ${data.info.name} ${r.split} has ${s.count} images`, 'index');
    images.set(s.images.subarray(r.index * size, (r.index + 1) * size), i * size);
    labels[i] = s.labels[r.index];
  });
  return { images, labels, count: refs.length };
}

/** [k, H, W, C] normalised exactly as training normalises. */
export function batchTensor(data: Dataset, refs: { split: SplitName; index: number }[]): { x: tf.Tensor4D; labels: Int32Array } {
  const split = gatherSplit(data, refs);
  return makeBatch(split, range(split.count), data.info.shape, data);
}
