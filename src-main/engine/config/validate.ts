// One validation for the CLI, the app's form and the trainer: every problem of a config, in words.
import { validateNoiseSpec } from '../noise';
import { dependsOnBatch, isActive } from '../noise/types';
import type { ModelConfig, RunConfig } from './types';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid run config:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

function modelProblems(m: ModelConfig): string[] {
  const p: string[] = [];
  for (const k of ['imageSize', 'channels', 'numClasses'] as const) {
    if (!positiveInt(m[k])) p.push(`model.${k} must be a positive integer (got ${m[k]})`);
  }
  if (m.kind === 'vit') {
    for (const k of ['patchSize', 'dim', 'depth', 'heads'] as const) {
      if (!positiveInt(m[k])) p.push(`model.${k} must be a positive integer (got ${m[k]})`);
    }
    if (!(m.mlpRatio > 0)) p.push(`model.mlpRatio must be > 0 (got ${m.mlpRatio})`);
    if (m.imageSize % m.patchSize !== 0) {
      p.push(`model.patchSize ${m.patchSize} does not divide model.imageSize ${m.imageSize}`);
    }
    if (m.dim % m.heads !== 0) p.push(`model.dim ${m.dim} is not divisible by model.heads ${m.heads}`);
  } else if (m.kind === 'resnet') {
    if (!Array.isArray(m.layers) || m.layers.length === 0 || !m.layers.every(positiveInt)) {
      p.push(`model.layers must be a non-empty list of positive integers (got ${JSON.stringify(m.layers)})`);
    }
    if (!Array.isArray(m.widths) || m.widths.length !== m.layers?.length || !m.widths.every(positiveInt)) {
      p.push(`model.widths must give one positive width per stage (${m.layers?.length} stages)`);
    }
    if (m.block !== 'basic' && m.block !== 'bottleneck') p.push(`model.block must be 'basic' or 'bottleneck'`);
    if (m.stem !== 'imagenet' && m.stem !== 'small') p.push(`model.stem must be 'imagenet' or 'small'`);
  } else {
    p.push(`model.kind must be 'vit' or 'resnet' (got ${(m as { kind: unknown }).kind})`);
  }
  return p;
}

function siteProblems(c: Pick<RunConfig, 'model' | 'noise'>): string[] {
  const { noise, model } = c;
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
function modelNoiseProblems(c: Pick<RunConfig, 'model' | 'noise'>): string[] {
  if (!c.model || typeof c.model !== 'object') return ['model is missing'];
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

export function configProblems(c: RunConfig): string[] {
  if (!c.model || typeof c.model !== 'object') return ['model is missing'];
  const p = modelNoiseProblems(c);
  for (const k of ['epochs', 'batchSize', 'testBatchSize'] as const) {
    if (!positiveInt(c[k])) p.push(`${k} must be a positive integer (got ${c[k]})`);
  }
  if (c.replicas !== undefined && (!positiveInt(c.replicas) || c.replicas > 16 || c.replicas > c.batchSize)) {
    p.push(`replicas must be an integer in [1, min(16, batchSize)] (got ${c.replicas})`);
  } else if ((c.replicas ?? 1) > 1 && c.noise && dependsOnBatch(c.noise) && isActive(c.noise, true)) {
    p.push(`replicas must be 1 when ${c.noise.type} noise is active during training: ${wholeBatchReason(c.noise.type)}, and each of ${c.replicas} replicas would see only its part`);
  }
  for (const k of ['limitTrain', 'limitTest'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) p.push(`${k} must be an integer >= 0 (got ${c[k]})`);
  }
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) p.push(`seed must be an integer in [0, 2^32) (got ${c.seed})`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) p.push(`labelSmoothing must be in [0, 1) (got ${c.labelSmoothing})`);
  const o = c.optimizer;
  if (!(o?.lr > 0)) p.push(`optimizer.lr must be > 0 (got ${o?.lr})`);
  if (!(o?.weightDecay >= 0)) p.push(`optimizer.weightDecay must be >= 0 (got ${o?.weightDecay})`);
  if (!(o?.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) p.push('optimizer betas must be in [0, 1)');
  if (!(o?.eps > 0)) p.push('optimizer.eps must be > 0');
  const s = c.schedule;
  if (!(s?.warmupEpochs >= 0)) p.push(`schedule.warmupEpochs must be >= 0 (got ${s?.warmupEpochs})`);
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
