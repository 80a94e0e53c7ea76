// Every RunConfig field as a CLI flag: the one table the `train` command and its help are built from.
import { readFileSync } from 'node:fs';
import { fitToDataset, mergeConfig, MODEL_PRESETS, runPreset, setPath, validateConfig, type RunConfig } from '../engine/config';

type Kind = 'int' | 'num' | 'str' | 'bool' | 'ints';
interface Flag { path: string; kind: Kind; help: string }

export const CONFIG_FLAGS: Record<string, Flag> = {
  name: { path: 'name', kind: 'str', help: 'run name' },
  dataset: { path: 'dataset', kind: 'str', help: 'registered dataset name (default mnist)' },
  epochs: { path: 'epochs', kind: 'int', help: 'training epochs' },
  'batch-size': { path: 'batchSize', kind: 'int', help: 'training batch size' },
  'test-batch-size': { path: 'testBatchSize', kind: 'int', help: 'test batch size (batch-mixing noise mixes within it; official 10)' },
  seed: { path: 'seed', kind: 'int', help: 'seed of initialisation, shuffling and noise' },
  'label-smoothing': { path: 'labelSmoothing', kind: 'num', help: 'label smoothing epsilon' },
  'limit-train': { path: 'limitTrain', kind: 'int', help: 'train on a seeded subset of N images (0 = all)' },
  'limit-test': { path: 'limitTest', kind: 'int', help: 'evaluate on the first N test images (0 = all)' },
  replicas: { path: 'replicas', kind: 'int', help: 'data-parallel replicas (threads) per batch; BatchNorm normalises per replica' },
  init: { path: 'init.weights', kind: 'str', help: 'start from imported weights (noisynn weights list): their architecture, input size and normalisation; a new head if the classes differ' },
  'new-head': { path: 'init.newHead', kind: 'bool', help: 'with --init: a fresh head even when the class count matches (other classes)' },
  freeze: { path: 'init.freeze', kind: 'int', help: 'with --init: freeze the first N ViT blocks / ResNet stages (with the embedding / stem)' },
  lr: { path: 'optimizer.lr', kind: 'num', help: 'AdamW peak learning rate' },
  'weight-decay': { path: 'optimizer.weightDecay', kind: 'num', help: 'AdamW decoupled weight decay' },
  beta1: { path: 'optimizer.beta1', kind: 'num', help: 'AdamW beta1' },
  beta2: { path: 'optimizer.beta2', kind: 'num', help: 'AdamW beta2' },
  eps: { path: 'optimizer.eps', kind: 'num', help: 'AdamW epsilon' },
  'warmup-epochs': { path: 'schedule.warmupEpochs', kind: 'num', help: 'linear warm-up length in epochs' },
  'min-lr': { path: 'schedule.minLr', kind: 'num', help: 'cosine schedule floor' },
  noise: { path: 'noise.type', kind: 'str', help: 'none | linear-shift | linear-optimal | gaussian | salt-pepper' },
  'noise-level': { path: 'noise.level', kind: 'str', help: 'image | embedding' },
  'noise-at': { path: 'noise.at', kind: 'str', help: 'train | eval | both' },
  alpha: { path: 'noise.alpha', kind: 'num', help: 'linear-shift mixing weight' },
  detach: { path: 'noise.detach', kind: 'bool', help: 'linear-shift: official detached shift, gradient the identity (default true); false: full gradient' },
  strength: { path: 'noise.strength', kind: 'num', help: 'gaussian scale s' },
  mean: { path: 'noise.mean', kind: 'num', help: 'gaussian mean' },
  std: { path: 'noise.std', kind: 'num', help: 'gaussian standard deviation' },
  prob: { path: 'noise.prob', kind: 'num', help: 'salt-pepper probability' },
  'skip-first-token': { path: 'noise.skipFirstToken', kind: 'bool', help: 'ViT: leave the class token untouched (default true, as the official code; stored with the run)' },
  'noise-block': { path: 'noise.site.block', kind: 'int', help: 'ViT block L (0-based; -1 = after the patch embedding, an extension: the official NoisyViT never noises there) or ResNet block (1-based)' },
  'noise-stage': { path: 'noise.site.stage', kind: 'int', help: 'ResNet stage (1-based)' },
  'image-size': { path: 'model.imageSize', kind: 'int', help: 'model input size (set from the dataset; with --init, from the weights unless given: ViT position embeddings are then interpolated)' },
  'patch-size': { path: 'model.patchSize', kind: 'int', help: 'ViT patch size' },
  dim: { path: 'model.dim', kind: 'int', help: 'ViT embedding dim' },
  depth: { path: 'model.depth', kind: 'int', help: 'ViT blocks' },
  heads: { path: 'model.heads', kind: 'int', help: 'ViT attention heads' },
  'mlp-ratio': { path: 'model.mlpRatio', kind: 'num', help: 'ViT MLP hidden / dim' },
  layers: { path: 'model.layers', kind: 'ints', help: 'ResNet blocks per stage, e.g. 2,2,2,2' },
  widths: { path: 'model.widths', kind: 'ints', help: 'ResNet stage widths, e.g. 64,128,256,512' },
};

function parseValue(flag: string, kind: Kind, raw: string | boolean): unknown {
  if (kind === 'bool') return raw === true || raw === 'true' || raw === '1';
  const s = String(raw);
  if (kind === 'str') return s;
  if (kind === 'ints') {
    const parts = s.split(',').map(Number);
    if (!parts.every(Number.isInteger)) throw new Error(`--${flag} expects integers separated by commas (got '${s}')`);
    return parts;
  }
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw new Error(`--${flag} expects ${kind === 'int' ? 'an integer' : 'a number'} (got '${s}')`);
  }
  return n;
}

export interface ConfigSources {
  preset?: string;
  model?: string;
  configFile?: string;
  flags: Record<string, string | boolean | undefined>;
  /** --set path=value pairs; values parsed as JSON when possible. */
  sets?: string[];
}

/** preset < --model < --config file < flags < --set, then validated (the dataset fit happens later). */
export function buildConfig(src: ConfigSources): RunConfig {
  let c = runPreset(src.preset ?? 'mnist-vit');
  if (src.model) {
    const m = MODEL_PRESETS[src.model];
    if (!m) throw new Error(`unknown model preset '${src.model}' (known: ${Object.keys(MODEL_PRESETS).join(', ')})`);
    c.model = structuredClone(m);
  }
  if (src.configFile) {
    let file: unknown;
    try {
      file = JSON.parse(readFileSync(src.configFile, 'utf8'));
    } catch (e) {
      throw new Error(`${src.configFile}: cannot read the config file: ${(e as Error).message}`);
    }
    c = mergeConfig(c, file);
  }
  const over: Record<string, unknown> = {};
  for (const [flag, raw] of Object.entries(src.flags)) {
    const f = CONFIG_FLAGS[flag];
    if (f && raw !== undefined) setPath(over, f.path, parseValue(flag, f.kind, raw));
  }
  for (const s of src.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new Error(`--set expects path=value (got '${s}')`);
    const raw = s.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      /* a bare string */
    }
    setPath(over, s.slice(0, eq), v);
  }
  return mergeConfig(c, over);
}

export { fitToDataset, validateConfig };
