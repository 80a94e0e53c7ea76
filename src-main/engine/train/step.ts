// One replica's share of a training step: forward and backward on a batch, nothing applied. The
// trainer and the data-parallel replica threads run exactly this, so a replica cannot drift from it.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { makeBatch } from '../batches';
import type { RunConfig } from '../config/types';
import type { BnStat, Model } from '../models';
import { values } from '../readback';
import { crossEntropy, smoothedTargets } from './loss';

export interface Gradients {
  /** Mean loss over this batch. */
  loss: number;
  /** Correct top-1 predictions in this batch. */
  hits: number;
  /** Kept gradients in the order of `trainable`; the caller disposes them. */
  grads: tf.Tensor[];
  /** Batch statistics of every BatchNorm (kept tensors), in forward order. */
  bnStats: BnStat[];
}

export async function gradients(
  model: Model,
  data: Dataset,
  idx: ArrayLike<number>,
  config: RunConfig,
  noiseSeed: number,
  trainable: tf.Variable[],
): Promise<Gradients> {
  const classes = data.info.classNames.length;
  const bnStats: BnStat[] = [];
  let labels: Int32Array | undefined;
  const out = tf.tidy(() => {
    const batch = makeBatch(data.splits.train, idx, data.info.shape, data);
    labels = batch.labels;
    const { x } = batch;
    const targets = smoothedTargets(labels, classes, config.labelSmoothing);
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      logits = tf.keep(model.forward(x, { training: true, noise: config.noise, noiseSeed, bnStats, inputGrad: false }));
      return crossEntropy(logits, targets);
    }, trainable);
    return { value: tf.keep(value), logits: logits!, grads: trainable.map((v) => tf.keep(grads[v.name])) };
  });
  try {
    const loss = (await values(out.value))[0];
    const hits = countHits(await values(out.logits), labels!, classes);
    return { loss, hits, grads: out.grads, bnStats };
  } finally {
    tf.dispose([out.value, out.logits]);
  }
}

function countHits(logits: Float32Array, labels: Int32Array, classes: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits;
}
