// One replica's share of a training step: forward and backward on a batch, nothing applied. The
// trainer and the data-parallel replica threads run exactly this, so a replica cannot drift from it.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { makeBatch } from '../batches';
import type { RunConfig } from '../config/types';
import type { BnStat, Model } from '../models';
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

export function gradients(model: Model, data: Dataset, idx: ArrayLike<number>, config: RunConfig, noiseSeed: number, trainable: tf.Variable[]): Gradients {
  const classes = data.info.classNames.length;
  const bnStats: BnStat[] = [];
  const out = tf.tidy(() => {
    const { x, labels } = makeBatch(data.splits.train, idx, data.info.shape, data);
    const targets = smoothedTargets(labels, classes, config.labelSmoothing);
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      logits = tf.keep(model.forward(x, { training: true, noise: config.noise, noiseSeed, bnStats, inputGrad: false }));
      return crossEntropy(logits, targets);
    }, trainable);
    const loss = value.dataSync()[0];
    const hits = countHits(logits!.dataSync() as Float32Array, labels, classes);
    logits!.dispose();
    return { loss, hits, grads: trainable.map((v) => tf.keep(grads[v.name])) };
  });
  return { ...out, bnStats };
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
