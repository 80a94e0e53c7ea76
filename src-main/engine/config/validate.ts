// One validation for the CLI, the app's form and the trainer: every problem of a config, in words.
import { MAX_IMAGE_SIDE } from '../../data/types';
import { WorkbenchError } from '../../errors';
import { validateNoiseSpec } from '../noise';
import { dependsOnBatch, isActive } from '../noise/types';
import type { ModelConfig, RunConfig } from './types';

export class ConfigError extends WorkbenchError {
  constructor(readonly problems: string[]) {
    super('invalid', `invalid run config:\n- ${problems.join('\n- ')}`, 'config');
    this.name = 'ConfigError';
  }
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const shown = (v: unknown) => (typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v));

// Upper bounds: far beyond any run this workbench can train, and low enough that a typo (1e308)
// fails here, with the field named, instead of after an epoch or as an allocation failure.
const MAX = {
  epochs: 100_000, batchSize: 65_536, testBatchSize: 65_536, limit: 1_000_000_000, imageSize: MAX_IMAGE_SIDE, channels: 4,
  numClasses: 100_000, width: 16_384, depth: 1024, stemStride: 8, mlpRatio: 64, lr: 10, weightDecay: 100, warmupEpochs: 100_000,
} as const;

function bounded(p: string[], field: string, v: unknown, max: number): void {
  if (!positiveInt(v) || (v as number) > max) p.push(`${field} must be a positive integer no larger than ${max} (got ${shown(v)})`);
}

function modelProblems(m: ModelConfig): string[] {
  const p: string[] = [];
  bounded(p, 'model.imageSize', m.imageSize, MAX.imageSize);
  bounded(p, 'model.channels', m.channels, MAX.channels);
  bounded(p, 'model.numClasses', m.numClasses, MAX.numClasses);
  if (m.kind === 'vit') {
    bounded(p, 'model.patchSize', m.patchSize, MAX.imageSize);
    bounded(p, 'model.dim', m.dim, MAX.width);
    bounded(p, 'model.depth', m.depth, MAX.depth);
    bounded(p, 'model.heads', m.heads, MAX.width);
    if (!(m.mlpRatio > 0 && m.mlpRatio <= MAX.mlpRatio)) p.push(`model.mlpRatio must be in (0, ${MAX.mlpRatio}] (got ${shown(m.mlpRatio)})`);
    if (m.imageSize % m.patchSize !== 0) {
      p.push(`model.patchSize ${m.patchSize} does not divide model.imageSize ${m.imageSize}`);
    }
    if (m.dim % m.heads !== 0) p.push(`model.dim ${m.dim} is not divisible by model.heads ${m.heads}`);
    if (m.globalPool !== undefined && m.globalPool !== 'token' && m.globalPool !== 'avg') p.push(`model.globalPool must be 'token' or 'avg' (got ${String(m.globalPool)})`);
  } else if (m.kind === 'resnet') {
    if (!Array.isArray(m.layers) || m.layers.length === 0 || m.layers.length > 16 || !m.layers.every((v) => positiveInt(v) && v <= MAX.depth)) {
      p.push(`model.layers must be 1 to 16 positive integers no larger than ${MAX.depth} (got ${JSON.stringify(m.layers)})`);
    }
    if (!Array.isArray(m.widths) || m.widths.length !== m.layers?.length || !m.widths.every((v) => positiveInt(v) && v <= MAX.width)) {
      p.push(`model.widths must give one positive width (at most ${MAX.width}) per stage (${m.layers?.length} stages)`);
    }
    bounded(p, 'model.stemStride', m.stemStride, MAX.stemStride);
    bounded(p, 'model.stemWidth', m.stemWidth, MAX.width);
    if (m.block !== 'basic' && m.block !== 'bottleneck') p.push(`model.block must be 'basic' or 'bottleneck'`);
    if (m.stem !== 'imagenet' && m.stem !== 'small') p.push(`model.stem must be 'imagenet' or 'small'`);
  } else {
    p.push(`model.kind must be 'vit' or 'resnet' (got ${(m as { kind: unknown }).kind})`);
  }
  return p;
}

function siteProblems(c: Pick<RunConfig, 'model' | 'noise'>): string[] {
  const { noise, model } = c;
  if (!isObject(noise)) return [];
  if (noise.type === 'none' || noise.level !== 'embedding') return [];
  const site = noise.site;
  if (!site || !Number.isInteger(site.block)) return ['noise.site.block is required for embedding-level noise'];
  if (model.kind === 'vit') {
    if (site.block < -1 || site.block >= model.depth) {
      return [`noise.site.block ${site.block} does not exist: this ViT has ${model.depth} blocks (0..${model.depth - 1}; -1 = after the patch embedding)`];
    }
    return [];
  }
  const stages = model.layers?.length ?? 0;
  const s = site.stage;
  if (!Number.isInteger(s) || s! < 1 || s! > stages) {
    return [`noise.site.stage ${s} does not exist: this ResNet has ${stages} stages (1..${stages})`];
  }
  const blocks = model.layers[s! - 1];
  if (site.block < 1 || site.block > blocks) {
    return [`noise.site.block ${site.block} does not exist in stage ${s}: it has ${blocks} block${blocks === 1 ? '' : 's'} (1..${blocks}, 1-based as in the official code)`];
  }
  return [];
}

/** A model with a noise at a site: what a forward pass needs, without any training settings. */
const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

function modelNoiseProblems(c: Pick<RunConfig, 'model' | 'noise'>): string[] {
  if (!isObject(c.model)) return [`model must be an object (got ${shown(c.model)})`];
  if (!isObject(c.noise)) return [`noise must be an object such as {"type": "none", "level": "embedding", "at": "both"} (got ${shown(c.noise)})`];
  const p = modelProblems(c.model);
  try {
    validateNoiseSpec(c.noise);
  } catch (e) {
    p.push((e as Error).message);
  }
  p.push(...siteProblems(c));
  if (c.noise?.skipFirstToken && c.model.kind !== 'vit') p.push('noise.skipFirstToken only applies to ViT models');
  return p;
}

function wholeBatchReason(type: string): string {
  return type === 'salt-pepper' ? 'its salt and pepper values are the max and min over the whole batch' : 'it mixes samples across the whole batch';
}

function initProblems(c: RunConfig): string[] {
  const p: string[] = [];
  const i = c.init;
  if (i !== undefined) {
    if (typeof i !== 'object' || i === null || typeof i.weights !== 'string' || !i.weights) return ['init.weights must name imported weights (noisynn weights list)'];
    const units = c.model.kind === 'vit' ? c.model.depth : c.model.layers?.length;
    if (i.freeze !== undefined && !(Number.isInteger(i.freeze) && i.freeze >= 0 && i.freeze <= units)) {
      p.push(`init.freeze must be an integer in [0, ${units}] (${c.model.kind === 'vit' ? 'blocks' : 'stages'}; got ${i.freeze})`);
    }
  }
  const inp = c.input;
  if (inp !== undefined) {
    const ch = c.model.channels;
    if (!positiveInt(inp.size) || inp.size !== c.model.imageSize) p.push(`input.size must equal model.imageSize ${c.model.imageSize} (got ${inp.size})`);
    if (!Array.isArray(inp.mean) || inp.mean.length !== ch || !inp.mean.every(Number.isFinite)) p.push(`input.mean must give ${ch} numbers`);
    if (!Array.isArray(inp.std) || inp.std.length !== ch || !inp.std.every((v) => v > 0)) p.push(`input.std must give ${ch} positive numbers`);
    if (!(inp.cropPct > 0 && inp.cropPct <= 1)) p.push(`input.cropPct must be in (0, 1] (got ${inp.cropPct})`);
  }
  return p;
}

export function configProblems(c: RunConfig): string[] {
  if (!isObject(c)) return [`config must be an object (got ${shown(c)})`];
  const p = modelNoiseProblems(c);
  if (c.name !== undefined && (typeof c.name !== 'string' || c.name.length > 200)) p.push(`name must be a string of at most 200 characters (got ${shown(c.name)})`);
  if (c.preset !== undefined && typeof c.preset !== 'string') p.push(`preset must be a string (got ${shown(c.preset)})`);
  // 0 epochs: an evaluation-only run of imported weights (`noisynn eval --weights`).
  if (!(c.epochs === 0 && c.init)) bounded(p, 'epochs', c.epochs, MAX.epochs);
  bounded(p, 'batchSize', c.batchSize, MAX.batchSize);
  bounded(p, 'testBatchSize', c.testBatchSize, MAX.testBatchSize);
  p.push(...initProblems(c));
  if (c.replicas !== undefined && (!positiveInt(c.replicas) || c.replicas > 16 || c.replicas > c.batchSize)) {
    p.push(`replicas must be an integer in [1, min(16, batchSize)] (got ${c.replicas})`);
  } else if ((c.replicas ?? 1) > 1 && c.noise && dependsOnBatch(c.noise) && isActive(c.noise, true)) {
    p.push(`replicas must be 1 when ${c.noise.type} noise is active during training: ${wholeBatchReason(c.noise.type)}, and each of ${c.replicas} replicas would see only its part`);
  }
  for (const k of ['limitTrain', 'limitTest'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0 || c[k] > MAX.limit) p.push(`${k} must be an integer from 0 to ${MAX.limit} (got ${shown(c[k])})`);
  }
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) p.push(`seed must be an integer in [0, 2^32) (got ${c.seed})`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) p.push(`labelSmoothing must be in [0, 1) (got ${c.labelSmoothing})`);
  const o = c.optimizer;
  if (!(o?.lr > 0 && o.lr <= MAX.lr)) p.push(`optimizer.lr must be in (0, ${MAX.lr}] (got ${shown(o?.lr)})`);
  if (!(o?.weightDecay >= 0 && o.weightDecay <= MAX.weightDecay)) p.push(`optimizer.weightDecay must be in [0, ${MAX.weightDecay}] (got ${shown(o?.weightDecay)})`);
  if (!(o?.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) p.push('optimizer betas must be in [0, 1)');
  if (!(o?.eps > 0 && o.eps < 1)) p.push(`optimizer.eps must be in (0, 1) (got ${shown(o?.eps)})`);
  const s = c.schedule;
  if (!(s?.warmupEpochs >= 0 && s.warmupEpochs <= MAX.warmupEpochs)) p.push(`schedule.warmupEpochs must be in [0, ${MAX.warmupEpochs}] (got ${shown(s?.warmupEpochs)})`);
  if (!(s?.minLr >= 0) || s.minLr > o?.lr) p.push(`schedule.minLr must be in [0, optimizer.lr] (got ${s?.minLr})`);
  if (typeof c.dataset !== 'string' || !c.dataset) p.push('dataset must name a registered dataset');
  return p;
}

/** A model config's problems as one error, e.g. a ViT patch that does not divide the image size. */
export function validateModel(m: ModelConfig): void {
  const p = modelProblems(m);
  if (p.length) throw new Error(`invalid model config (${m.kind}, ${m.imageSize}x${m.imageSize}x${m.channels}): ${p.join('; ')}`);
}

export function validateConfig(c: RunConfig): void {
  const p = configProblems(c);
  if (p.length) throw new ConfigError(p);
}

/** The part of validateConfig a forward pass needs (noise lab, analyses): model, noise and its site. */
export function validateModelNoise(c: Pick<RunConfig, 'model' | 'noise'>): void {
  const p = modelNoiseProblems(c);
  if (p.length) throw new ConfigError(p);
}
