// The input a freshly initialised preset sees in the noise lab. A preset fitted to the dataset keeps the
// dataset's images; a ViT whose patch does not divide the dataset's image size (vit-base's 16 on 28x28
// MNIST) gets the images resized to the preset's own input instead of a model that cannot be built.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../engine/config';

export interface LabInput {
  size: number;
  channels: number;
  /** Says what happened, for the model label. */
  note: string;
}

/** null: the dataset's images fit the model as they are. */
export function labInput(preset: ModelConfig, shape: readonly [number, number, number]): LabInput | null {
  const [h, w, c] = shape;
  if (preset.kind !== 'vit' || (h % preset.patchSize === 0 && w % preset.patchSize === 0)) return null;
  const size = preset.imageSize;
  const channels = preset.channels;
  return {
    size,
    channels,
    note: `images resized ${h}x${w}x${c} -> ${size}x${size}x${channels} (the preset's input; patch ${preset.patchSize} does not divide ${h})`,
  };
}

/** Bilinear resize of a normalised [k, H, W, C] batch; grey is repeated to RGB, RGB averaged to grey. */
export function resizeBatch(x: tf.Tensor4D, to: LabInput): tf.Tensor4D {
  return tf.tidy(() => {
    let y: tf.Tensor4D = tf.image.resizeBilinear(x, [to.size, to.size], false, true);
    const c = y.shape[3];
    if (c === to.channels) return y;
    if (c === 1) y = tf.tile(y, [1, 1, 1, to.channels]);
    else if (to.channels === 1) y = tf.mean(y, 3, true);
    else throw new Error(`cannot map ${c} image channels to the preset's ${to.channels}`);
    return y;
  });
}
