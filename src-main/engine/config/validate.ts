// One validation for the CLI, the app's form and the trainer: every problem of a config, in words. Each field's
// own range and allowed values come from the field table; the rules written here are the ones between fields and within lists.
import { WorkbenchError } from '../../errors';
import { validateNoiseSpec } from '../noise';
import { noiseOperator } from '../noise/operators';
import { dependsOnBatch, isActive } from '../noise/types';
import { CONFIG_FIELD_BY_PATH, CONFIG_FIELDS, type ConfigField } from './field-table';
import type { ModelConfig, RunConfig } from './types';

export class ConfigError extends WorkbenchError {
  constructor(readonly problems: string[]) {
    super('invalid', `invalid run config:\n- ${problems.join('\n- ')}`, 'config');
    this.name = 'ConfigError';
  }
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const shown = (v: unknown) => (typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v));

const valueAt = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (isObject(v) ? (v as Record<string, unknown>)[k] : undefined), o);

function valueProblem(f: ConfigField, v: unknown): string | undefined {
  if (f.values)
    return f.values.includes(v as string) ? undefined : `${f.path} must be ${f.values.map((x) => `'${x}'`).join(' or ')} (got ${shown(v)})`;
  const r = f.range!;
  if (f.type === 'int') {
    if (Number.isInteger(v) && (v as number) >= r.min && (v as number) <= r.max) return undefined;
    return r.min === 1
      ? `${f.path} must be a positive integer no larger than ${r.max} (got ${shown(v)})`
      : `${f.path} must be an integer from ${r.min} to ${r.max} (got ${shown(v)})`;
  }
  const n = v as number;
  if (typeof v === 'number' && (r.minOpen ? n > r.min : n >= r.min) && (r.maxOpen ? n < r.max : n <= r.max)) return undefined;
  return `${f.path} must be in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'} (got ${shown(v)})`;
}

// The noise fields are the noise operators' to check (validateNoiseSpec); model.kind chooses the model's fields.
const OWN_CHECK = (f: ConfigField) => f.path.startsWith('noise.') || f.path === 'model.kind';

/** The table's range and value checks of the scalar fields in the model (`root` 'model') or the rest of the config. */
function fieldProblems(c: object, root: 'model' | 'run', skip: (f: ConfigField) => boolean = () => false): string[] {
  const p: string[] = [];
  const kind = root === 'model' ? (c as { kind?: unknown }).kind : undefined;
  for (const f of CONFIG_FIELDS) {
    if (
      !(f.range || f.values) ||
      f.type === 'ints' ||
      OWN_CHECK(f) ||
      (root === 'model') !== f.path.startsWith('model.') ||
      (f.model && f.model !== kind) ||
      skip(f)
    )
      continue;
    const path = root === 'model' ? f.path.slice('model.'.length) : f.path;
    const v = valueAt(c, path);
    const parent = path.includes('.') ? valueAt(c, path.slice(0, path.lastIndexOf('.'))) : c;
    // Fields a preset or the dataset sets are required; the weights' input fields whenever `input` is there.
    const required = f.default === 'preset' || f.default === 'dataset' || (f.default === 'weights' && parent !== undefined);
    if (v === undefined && !required) continue;
    const problem = valueProblem(f, v);
    if (problem) p.push(problem);
  }
  return p;
}

const listMax = (path: string) => CONFIG_FIELD_BY_PATH.get(path)!.range!.max;

function modelProblems(m: ModelConfig): string[] {
  const p = fieldProblems(m, 'model');
  if (m.kind === 'vit') {
    if (m.imageSize % m.patchSize !== 0) {
      p.push(`model.patchSize ${m.patchSize} does not divide model.imageSize ${m.imageSize}`);
    }
    if (m.dim % m.heads !== 0) p.push(`model.dim ${m.dim} is not divisible by model.heads ${m.heads}`);
  } else if (m.kind === 'resnet') {
    const [maxDepth, maxWidth] = [listMax('model.layers'), listMax('model.widths')];
    if (
      !Array.isArray(m.layers) ||
      m.layers.length === 0 ||
      m.layers.length > 16 ||
      !m.layers.every((v) => positiveInt(v) && v <= maxDepth)
    ) {
      p.push(`model.layers must be 1 to 16 positive integers no larger than ${maxDepth} (got ${JSON.stringify(m.layers)})`);
    }
    if (!Array.isArray(m.widths) || m.widths.length !== m.layers?.length || !m.widths.every((v) => positiveInt(v) && v <= maxWidth)) {
      p.push(`model.widths must give one positive width (at most ${maxWidth}) per stage (${m.layers?.length} stages)`);
    }
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
      return [
        `noise.site.block ${site.block} does not exist: this ViT has ${model.depth} blocks (0..${model.depth - 1}; -1 = after the patch embedding)`,
      ];
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
    return [
      `noise.site.block ${site.block} does not exist in stage ${s}: it has ${blocks} block${blocks === 1 ? '' : 's'} (1..${blocks}, 1-based as in the official code)`,
    ];
  }
  return [];
}

/** A model with a noise at a site: what a forward pass needs, without any training settings. */
const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

function modelNoiseProblems(c: Pick<RunConfig, 'model' | 'noise'>): string[] {
  if (!isObject(c.model)) return [`model must be an object (got ${shown(c.model)})`];
  if (!isObject(c.noise))
    return [`noise must be an object such as {"type": "none", "level": "embedding", "at": "both"} (got ${shown(c.noise)})`];
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
  const o = noiseOperator(type);
  return o.batchMixing ? 'it mixes samples across the whole batch' : (o.batchDependence ?? 'its output depends on the whole batch');
}

function initProblems(c: RunConfig): string[] {
  const p: string[] = [];
  const i = c.init;
  if (i !== undefined) {
    if (typeof i !== 'object' || i === null || typeof i.weights !== 'string' || !i.weights)
      return ['init.weights must name imported weights (noisynn weights list)'];
    const units = c.model.kind === 'vit' ? c.model.depth : c.model.layers?.length;
    if (i.freeze !== undefined && !(Number.isInteger(i.freeze) && i.freeze >= 0 && i.freeze <= units)) {
      p.push(`init.freeze must be an integer in [0, ${units}] (${c.model.kind === 'vit' ? 'blocks' : 'stages'}; got ${i.freeze})`);
    }
  }
  const inp = c.input;
  if (inp !== undefined) {
    const ch = c.model.channels;
    if (!positiveInt(inp.size) || inp.size !== c.model.imageSize)
      p.push(`input.size must equal model.imageSize ${c.model.imageSize} (got ${inp.size})`);
    if (!Array.isArray(inp.mean) || inp.mean.length !== ch || !inp.mean.every(Number.isFinite))
      p.push(`input.mean must give ${ch} numbers`);
    if (!Array.isArray(inp.std) || inp.std.length !== ch || !inp.std.every((v) => v > 0))
      p.push(`input.std must give ${ch} positive numbers`);
  }
  return p;
}

export function configProblems(c: RunConfig): string[] {
  if (!isObject(c)) return [`config must be an object (got ${shown(c)})`];
  const p = modelNoiseProblems(c);
  if (c.name !== undefined && (typeof c.name !== 'string' || c.name.length > 200))
    p.push(`name must be a string of at most 200 characters (got ${shown(c.name)})`);
  if (c.preset !== undefined && typeof c.preset !== 'string') p.push(`preset must be a string (got ${shown(c.preset)})`);
  // 0 epochs: an evaluation-only run of imported weights (`noisynn eval --weights`).
  p.push(...fieldProblems(c, 'run', (f) => f.path === 'epochs' && c.epochs === 0 && c.init !== undefined));
  p.push(...initProblems(c));
  if (c.replicas !== undefined && (!positiveInt(c.replicas) || c.replicas > 16 || c.replicas > c.batchSize)) {
    p.push(`replicas must be an integer in [1, min(16, batchSize)] (got ${c.replicas})`);
  } else if ((c.replicas ?? 1) > 1 && c.noise && dependsOnBatch(c.noise) && isActive(c.noise, true)) {
    p.push(
      `replicas must be 1 when ${c.noise.type} noise is active during training: ${wholeBatchReason(c.noise.type)}, and each of ${c.replicas} replicas would see only its part`,
    );
  }
  const o = c.optimizer;
  const s = c.schedule;
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
