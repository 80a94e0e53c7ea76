// Test-set evaluation: top-1, top-5 and cross-entropy under one protocol.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import type { EvalProtocol, RunNoise } from '../config/types';
import { makeBatch } from '../batches';
import type { Model } from '../models';
import { isActive, isBatchMixing } from '../noise/types';
import { values } from '../readback';
import { deriveSeed } from '../rng';
import { protocolBatchSize, protocolOrder } from './protocols';

export interface EvalResult {
  protocol: EvalProtocol;
  batchSize: number;
  noiseActive: boolean;
  top1: number;
  /**
   * Top-1 as the official scripts report it (Main.py: accs.update(correct / total) after every batch, then
   * accs.avg): the mean over batches of the cumulative accuracy so far. It weights early batches more, so
   * under class-sorted batches it depends on which classes come first.
   */
  top1RunningAvg: number;
  top5: number;
  loss: number;
  n: number;
}

export interface EvalOptions {
  protocol: EvalProtocol;
  noise: RunNoise;
  testBatchSize: number;
  seed: number;
  /** Evaluate only the first `limit` test images (0 = all). */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
}

/**
 * Batch size that does not change the result when no noise is active at evaluation (eval-mode BN:
 * batches are independent). Active noise runs at the configured test batch size: the mixing
 * operators and salt-and-pepper's extremes depend on the batch, and the seeded draws of every
 * operator are made per batch.
 */
const FAST_BATCH = 250;

export async function evaluate(model: Model, data: Dataset, o: EvalOptions): Promise<EvalResult> {
  const split = data.splits.test;
  const n = o.limit && o.limit > 0 ? Math.min(o.limit, split.count) : split.count;
  const noiseActive = isActive(o.noise, false);
  const order = protocolOrder(o.protocol, split.labels, n, o.seed);
  const batchSize =
    noiseActive || o.protocol === 'single' ? protocolBatchSize(o.protocol, o.testBatchSize) : Math.max(o.testBatchSize, FAST_BATCH);
  const classes = data.info.classNames.length;
  const k = Math.min(5, classes);
  let top1 = 0;
  let top5 = 0;
  let lossSum = 0;
  const hit = new Uint8Array(n); // per position in the protocol order
  for (let start = 0, b = 0; start < n; start += batchSize, b++) {
    if (o.shouldStop?.()) throw new Error('evaluation cancelled');
    const idx = order.subarray(start, Math.min(n, start + batchSize));
    const { out, labels } = tf.tidy(() => {
      const batch = makeBatch(split, idx, data.info.shape, data);
      return {
        out: model.forward(batch.x, { training: false, noise: o.noise, noiseSeed: deriveSeed(o.seed, 0xe7a1, b) }),
        labels: batch.labels,
      };
    });
    const logits = await values(out);
    out.dispose();
    for (let i = 0; i < labels.length; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      const y = labels[i];
      let above = 0;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        if (row[c] > row[y] || (row[c] === row[y] && c < y)) above++;
        if (row[c] > max) max = row[c];
      }
      if (above === 0) {
        top1++;
        hit[start + i] = 1;
      }
      if (above < k) top5++;
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(row[c] - max);
      lossSum += Math.log(z) + max - row[y];
    }
    o.onProgress?.(Math.min(n, start + batchSize), n);
  }
  return {
    protocol: o.protocol,
    batchSize,
    noiseActive,
    top1: top1 / n,
    top1RunningAvg: runningAverage(hit, protocolBatchSize(o.protocol, o.testBatchSize)),
    top5: top5 / n,
    loss: lossSum / n,
    n,
  };
}

/**
 * The official accs.avg over batches of the configured size, from per-image hits in protocol order
 * (exact also when a noise-free evaluation ran in larger batches: its hits do not depend on the batch).
 */
export function runningAverage(hit: Uint8Array, batch: number): number {
  let correct = 0;
  let sum = 0;
  let batches = 0;
  for (let start = 0; start < hit.length; start += batch) {
    const end = Math.min(hit.length, start + batch);
    for (let i = start; i < end; i++) correct += hit[i];
    sum += correct / end;
    batches++;
  }
  return batches ? sum / batches : 0;
}

/** The protocols a run is evaluated under at the end: all three when mixing noise is on at evaluation. */
export function finalProtocols(noise: RunNoise): EvalProtocol[] {
  return isActive(noise, false) && isBatchMixing(noise) ? ['sorted', 'shuffled', 'single'] : ['standard'];
}
