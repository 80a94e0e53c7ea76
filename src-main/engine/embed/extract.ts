// Extraction of per-image representations at a model site, clean and with embedding noise, for the
// embedding inspector and the task-entropy meter (docs/method.md#task-entropy, #sites, #evaluation-protocols).
// Clean and noisy rows come from the same batches, in the evaluation protocol's order, because
// batch-mixing noise (linear-shift, linear-optimal) makes a sample's noisy value depend on its batch.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, SplitName } from '../../data/types';
import type { NoiseSite, RunNoise } from '../config/types';
import { makeBatch } from '../batches';
import { protocolOrder } from '../eval/protocols';
import type { ForwardOptions, Model } from '../models';
import { validateNoiseSpec } from '../noise';
import { deriveSeed } from '../rng';
import { values } from '../readback';

/**
 * Where the representation is read.
 * ViT `block` L (0-based; -1 = right after the patch embedding, which has no class token):
 *   at 'output' (default) the residual stream after block L (tap `block.L`);
 *   at 'noise-site' the attention input of block L after LN1 and after the noise (the tensor the noise acts on).
 *   pool 'cls' = token 0, 'mean-patch' = the mean of the patch tokens.
 * ResNet `stage` s (1-based): at 'output' the stage's output (tap `stage.s`), at 'noise-site' the input of
 *   residual block `block` (1-based, default 1) after the noise; both global-average-pooled.
 * The noise (when given) acts at the matching model noise site: ViT block L, ResNet stage s block b.
 */
export type EmbedSite =
  | { kind: 'vit'; block: number; pool: 'cls' | 'mean-patch'; at?: 'output' | 'noise-site' }
  | { kind: 'resnet'; stage: number; block?: number; at?: 'output' | 'noise-site' };

export type EmbedProtocol = 'sorted' | 'shuffled' | 'standard';

export interface ExtractOptions {
  split: SplitName;
  site: EmbedSite;
  /** The noise to apply at the site; null = clean only. Its level, `at` and site are overridden. */
  noise: RunNoise | null;
  protocol: EmbedProtocol;
  batchSize: number;
  /** Seed of the protocol's shuffle and of the noise (per batch, as evaluate() derives it). */
  seed: number;
  /** Use only the first `limit` images of the protocol order's source range (0/undefined = all). */
  limit?: number;
  onProgress?(done: number, total: number): void;
  shouldStop?(): boolean;
}

export interface Embeddings {
  /** [n, dim] row-major, row i = image order[i]. */
  clean: Float32Array;
  /** [n, dim], same rows, with the noise active at the site; absent when no noise was given. */
  noisy?: Float32Array;
  dim: number;
  labels: Int32Array;
  /** Dataset index of each row. */
  order: Int32Array;
  /** Model predictions (argmax of the logits) without and with the noise. */
  predClean: Int32Array;
  predNoisy?: Int32Array;
  n: number;
  split: SplitName;
  site: EmbedSite;
  /** The model noise site the noise acted at. */
  noiseSite: NoiseSite;
  protocol: EmbedProtocol;
  batchSize: number;
  /** The noise actually applied (level 'embedding', at 'both', site = noiseSite), or null. */
  noise: RunNoise | null;
}

/** Same derivation as eval/evaluate.ts, so batch b's noise equals the evaluation's noise for batch b. */
const EVAL_NOISE_STREAM = 0xe7a1;

function checkSite(model: Model, site: EmbedSite): NoiseSite {
  const c = model.config;
  if (site.kind !== c.kind) throw new Error(`embedding site is for a ${site.kind} but the model is a ${c.kind}`);
  if (c.kind === 'vit' && site.kind === 'vit') {
    if (!Number.isInteger(site.block) || site.block < -1 || site.block >= c.depth) {
      throw new Error(`ViT embedding site: block must be an integer in [-1, ${c.depth - 1}], got ${String(site.block)}`);
    }
    if (site.pool !== 'cls' && site.pool !== 'mean-patch')
      throw new Error(`ViT embedding site: pool must be 'cls' or 'mean-patch', got ${String(site.pool)}`);
    if (site.block === -1 && site.pool === 'cls')
      throw new Error('ViT embedding site: block -1 (after the patch embedding) has no class token; use pool mean-patch');
    return { block: site.block };
  }
  if (c.kind === 'resnet' && site.kind === 'resnet') {
    const stages = c.layers.length;
    if (!Number.isInteger(site.stage) || site.stage < 1 || site.stage > stages) {
      throw new Error(`ResNet embedding site: stage must be an integer in [1, ${stages}], got ${String(site.stage)}`);
    }
    const block = site.block ?? 1;
    const blocks = c.layers[site.stage - 1];
    if (!Number.isInteger(block) || block < 1 || block > blocks) {
      throw new Error(`ResNet embedding site: stage ${site.stage} has blocks 1..${blocks}, got block ${String(site.block)}`);
    }
    return { stage: site.stage, block };
  }
  throw new Error('unreachable');
}

/** [B, ...] representation -> [B, dim] pooled row per image. */
function pool(site: EmbedSite, t: tf.Tensor): tf.Tensor2D {
  if (site.kind === 'vit') {
    const [b, tokens, d] = t.shape as [number, number, number];
    if (site.pool === 'cls') return tf.reshape(tf.slice(t, [0, 0, 0], [b, 1, d]), [b, d]);
    const first = site.block === -1 ? 0 : 1; // before the class token is prepended every token is a patch
    return tf.mean(tf.slice(t, [0, first, 0], [b, tokens - first, d]), 1) as tf.Tensor2D;
  }
  return tf.mean(t, [1, 2]) as tf.Tensor2D; // NHWC global average pool
}

function argmaxRows(logits: Float32Array, rows: number, classes: number, out: Int32Array, offset: number): void {
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[offset + i] = best;
  }
}

/**
 * Runs the model over every image of the split (or the first `limit`) in protocol order and returns the
 * pooled representation at the site, clean and (when `noise` is given) noisy, from the same batches.
 */
export async function extractEmbeddings(model: Model, data: Dataset, o: ExtractOptions): Promise<Embeddings> {
  const noiseSite = checkSite(model, o.site);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be an integer >= 1, got ${String(o.batchSize)}`);
  if (!['sorted', 'shuffled', 'standard'].includes(o.protocol))
    throw new Error(`protocol must be sorted, shuffled or standard, got ${String(o.protocol)}`);
  const split = data.splits[o.split];
  if (!split) throw new Error(`dataset ${data.info.name} has no ${o.split} split`);
  const n = o.limit && o.limit > 0 ? Math.min(o.limit, split.count) : split.count;
  if (n < 1) throw new Error(`the ${o.split} split is empty`);
  const order = protocolOrder(o.protocol, split.labels, n, o.seed);
  const noise: RunNoise | null = o.noise ? { ...o.noise, level: 'embedding', at: 'both', site: noiseSite } : null;
  if (noise) validateNoiseSpec(noise);
  const cleanNoise: RunNoise = { type: 'none', level: 'embedding', at: 'both', site: noiseSite };
  const classes = model.config.numClasses;
  const at = o.site.at ?? 'output';
  const tapName = o.site.kind === 'vit' ? (o.site.block === -1 ? 'patch_embed' : `block.${o.site.block}`) : `stage.${o.site.stage}`;

  let dim = 0;
  let clean: Float32Array | undefined;
  let noisy: Float32Array | undefined;
  const labels = new Int32Array(n);
  const predClean = new Int32Array(n);
  const predNoisy = noise ? new Int32Array(n) : undefined;

  /** One forward pass; returns the pooled rows at the site and the logits (kept: the caller reads and disposes them). */
  const run = (x: tf.Tensor4D, runNoise: RunNoise, noiseSeed: number): tf.Tensor[] => {
    let captured: tf.Tensor2D | undefined;
    const fo: ForwardOptions = { training: false, noise: runNoise, noiseSeed };
    // At ViT block -1 the tap 'patch_embed' comes after the noise, so 'output' and 'noise-site' coincide.
    if (at === 'noise-site') fo.onNoiseSite = (_before, after) => (captured = pool(o.site, after));
    else
      fo.tap = (name, t) => {
        if (name === tapName) captured = pool(o.site, t);
      };
    const logits = model.forward(x, fo);
    if (!captured) throw new Error(`the model never reached the embedding site (${at === 'noise-site' ? 'noise site' : tapName})`);
    return [tf.keep(captured), tf.keep(logits)];
  };
  const read = async (ts: tf.Tensor[]): Promise<{ rows: Float32Array; logits: Float32Array }> => {
    try {
      return { rows: await values(ts[0]), logits: await values(ts[1]) };
    } finally {
      tf.dispose(ts);
    }
  };

  for (let start = 0, b = 0; start < n; start += o.batchSize, b++) {
    if (o.shouldStop?.()) throw new Error('embedding extraction cancelled');
    const idx = order.subarray(start, Math.min(n, start + o.batchSize));
    const rows = idx.length;
    const noiseSeed = deriveSeed(o.seed, EVAL_NOISE_STREAM, b);
    const batch = tf.tidy(() => {
      const made = makeBatch(split, idx, data.info.shape, data);
      return { labels: made.labels, clean: run(made.x, cleanNoise, noiseSeed), noisy: noise ? run(made.x, noise, noiseSeed) : undefined };
    });
    const c = await read(batch.clean);
    if (!clean) {
      dim = c.rows.length / rows;
      clean = new Float32Array(n * dim);
      if (noise) noisy = new Float32Array(n * dim);
    }
    clean.set(c.rows, start * dim);
    argmaxRows(c.logits, rows, classes, predClean, start);
    if (batch.noisy && noisy && predNoisy) {
      const z = await read(batch.noisy);
      noisy.set(z.rows, start * dim);
      argmaxRows(z.logits, rows, classes, predNoisy, start);
    }
    labels.set(batch.labels, start);
    o.onProgress?.(start + rows, n);
  }
  return {
    clean: clean!,
    noisy,
    dim,
    labels,
    order,
    predClean,
    predNoisy,
    n,
    split: o.split,
    site: o.site,
    noiseSite,
    protocol: o.protocol,
    batchSize: o.batchSize,
    noise,
  };
}
