// Data-parallel training over threads (wasm runs one thread per isolate in Node, so this is how a step
// uses more than one core). Rank 0 is the trainer's own thread; ranks 1..R-1 are worker threads with
// their own tfjs backend and model copy. Each step the batch is split into R contiguous parts; every
// replica computes the gradients of its part with the same `gradients` function; rank 0 combines them
// (weighted by part size, in rank order, so the result is deterministic) and applies the optimizer.
// Parameters go back to the replicas through shared memory before the next step.
// As PyTorch DDP without SyncBatchNorm: a replica normalises with its own part's batch statistics, and
// the running statistics are updated with the statistics of the whole batch (combined exactly).
import * as tf from '@tensorflow/tfjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Dataset } from '../../data/types';
import type { RunConfig } from '../config/types';
import { dependsOnBatch, isActive } from '../noise/types';
import type { BnStat } from '../models';
import { currentBackend } from '../backend';
import { tsWorker } from '../ts-thread';
import { SharedBlock, CMD_STEP, CMD_STOP } from './replica-shared';

export interface ReplicaResult {
  loss: number;
  hits: number;
  count: number;
  grads: Float32Array[];
  bn: { mean: Float32Array; variance: Float32Array; count: number }[];
}

/**
 * Replicas of a run: `config.replicas`, default 1. Noise whose output depends on the whole batch
 * during training (mixing, salt-and-pepper's extremes) needs the whole batch in one replica; validation says so, and so does this, for callers
 * that skip validation.
 */
export function replicaCount(config: RunConfig): number {
  const r = config.replicas ?? 1;
  if (r > 1 && isActive(config.noise, true) && dependsOnBatch(config.noise)) {
    throw new Error(`replicas must be 1 when ${config.noise.type} noise is active during training (its output depends on the whole batch)`);
  }
  return Math.min(r, config.batchSize);
}

/** Sizes of the R contiguous parts of a batch of n (the first n % R parts are one larger). */
export function partSizes(n: number, r: number): number[] {
  return Array.from({ length: r }, (_, i) => Math.floor(n / r) + (i < n % r ? 1 : 0));
}

function spawnReplica(workerData: unknown): Worker {
  return tsWorker(join(dirname(fileURLToPath(import.meta.url)), 'replica-thread.ts'), workerData);
}

export class ReplicaGroup {
  private constructor(
    private readonly threads: { worker: Worker; block: SharedBlock }[],
    private readonly sizes: number[],
    /** Whole-batch gradient sums, one per parameter tensor, reused every step. */
    private readonly sums = sizes.map((n) => new Float32Array(n)),
  ) {}

  /** Starts R-1 replica threads holding the same model as rank 0 (weights arrive with each step). */
  static async start(config: RunConfig, data: Dataset, trainable: tf.Variable[], replicas: number): Promise<ReplicaGroup> {
    const sizes = trainable.map((v) => v.size);
    const paramCount = trainable.reduce((a, v) => a + v.size, 0);
    const backend = currentBackend()?.name ?? 'auto';
    const train = data.splits.train;
    const threads = await Promise.all(
      Array.from({ length: replicas - 1 }, async (_, i) => {
        const block = SharedBlock.create(paramCount, config.batchSize);
        const worker = spawnReplica({
          rank: i + 1,
          backend,
          config,
          block: block.buffers,
          data: { info: data.info, mean: data.mean, std: data.std, images: train.images, labels: train.labels, count: train.count },
        });
        await new Promise<void>((resolve, reject) => {
          worker.once('message', (m: { ready?: boolean; error?: string }) =>
            m.ready ? resolve() : reject(new Error(`replica ${i + 1}: ${m.error}`)),
          );
          worker.once('error', (e) => reject(new Error(`replica ${i + 1} failed to start: ${e.message}`)));
          worker.once('exit', (code) => reject(new Error(`replica ${i + 1} exited with code ${code} while starting`)));
        });
        worker.removeAllListeners();
        return { worker, block };
      }),
    );
    return new ReplicaGroup(threads, sizes);
  }

  /** Replicas including rank 0. */
  get size(): number {
    return this.threads.length + 1;
  }

  /** Sends the current weights (in trainable order) and each replica's part of the batch; returns at once. */
  begin(weights: Float32Array[], parts: Int32Array[], noiseSeeds: number[]): void {
    this.threads.forEach(({ block }, i) => {
      let off = 0;
      for (const w of weights) {
        block.params.set(w, off);
        off += w.length;
      }
      block.idx.set(parts[i]);
      block.kick(CMD_STEP, parts[i].length, noiseSeeds[i]);
    });
  }

  /**
   * The whole batch's gradient: part means weighted by part size, summed in rank order (deterministic).
   * Rank 0's part is weighted in while the replicas still compute. The arrays are valid until the next call.
   */
  gather(own: tf.Tensor[], ownCount: number, n: number): { results: ReplicaResult[]; grads: Float32Array[] } {
    own.forEach((t, i) => {
      const src = t.dataSync() as Float32Array;
      const sum = this.sums[i];
      const w = ownCount / n;
      for (let j = 0; j < sum.length; j++) sum[j] = src[j] * w;
    });
    const results = this.collect();
    for (const r of results) {
      const w = r.count / n;
      r.grads.forEach((g, i) => {
        const sum = this.sums[i];
        for (let j = 0; j < sum.length; j++) sum[j] += g[j] * w;
      });
    }
    return { results, grads: this.sums };
  }

  /** Waits for every replica's gradients (blocking: a step is synchronous anyway). The gradient arrays are
   * views of shared memory, valid until the next `begin`. */
  private collect(): ReplicaResult[] {
    return this.threads.map(({ block }, i) => {
      const r = block.await(`replica ${i + 1}`);
      let off = 0;
      const grads = this.sizes.map((size) => block.grads.subarray(off, (off += size)));
      return { ...r, grads };
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.threads.map(async ({ worker, block }) => {
        block.kick(CMD_STOP, 0, 0);
        await worker.terminate();
      }),
    );
  }
}

/**
 * Whole-batch statistics from per-part means and (biased) variances over `count` elements each:
 * mean = sum w_i m_i, var = sum w_i (v_i + (m_i - mean)^2), w_i = count_i / total. C numbers per
 * layer, in JavaScript (as tensor ops it was ~10 kernel calls per BatchNorm every step).
 */
export function combineBnStats(own: BnStat[], others: ReplicaResult[]): void {
  own.forEach((s, layer) => {
    const parts = [
      { mean: s.batchMean.dataSync() as Float32Array, variance: s.batchVar.dataSync() as Float32Array, count: s.count },
      ...others.map((o) => o.bn[layer]),
    ];
    const total = parts.reduce((a, p) => a + p.count, 0);
    const c = parts[0].mean.length;
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      let m = 0;
      for (const p of parts) m += (p.mean[i] * p.count) / total;
      let v = 0;
      for (const p of parts) v += ((p.variance[i] + (p.mean[i] - m) ** 2) * p.count) / total;
      mean[i] = m;
      variance[i] = v;
    }
    s.batchMean.dispose();
    s.batchVar.dispose();
    s.batchMean = tf.tensor1d(mean);
    s.batchVar = tf.tensor1d(variance);
    s.count = total;
  });
}
