// Extracted embeddings cached in the data directory as safetensors, keyed by everything that determines
// them, and CSV export of labels + projections.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitName } from '../../data/types';
import type { NoiseSite, RunNoise } from '../config/types';
import { readSafetensorsFile, writeSafetensorsFile, type NamedArray } from '../train/safetensors';
import type { EmbedProtocol, EmbedSite, Embeddings, ExtractOptions } from './extract';

export const EMBED_CACHE_FORMAT = 'noisynn-embeddings/1';

export type ModelSourceKey = { runId: number; epoch: number; checkpointSha256: string } | { preset: string; seed: number };

/** The extraction's own options, and what they ran on. */
export interface EmbedCacheKey extends Pick<ExtractOptions, 'split' | 'site' | 'noise' | 'protocol' | 'batchSize' | 'seed'> {
  model: ModelSourceKey;
  datasetHash: string;
  /** Images used (n). */
  n: number;
}

/** JSON with sorted object keys, so equal keys hash equally whatever the property order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

/** sha256 (hex) of the canonical key: the cache file name. */
export function embedCacheKey(k: EmbedCacheKey): string {
  return createHash('sha256')
    .update(canonical({ format: EMBED_CACHE_FORMAT, ...k }))
    .digest('hex');
}

export function embedCachePath(dataDir: string, key: EmbedCacheKey): string {
  return join(dataDir, 'embeddings', `${embedCacheKey(key)}.safetensors`);
}

export function saveEmbeddings(dataDir: string, key: EmbedCacheKey, e: Embeddings): string {
  if (key.n !== e.n) throw new Error(`embedding cache: key says ${key.n} images, embeddings have ${e.n}`);
  const path = embedCachePath(dataDir, key);
  const t: Record<string, NamedArray> = {
    clean: { dtype: 'F32', shape: [e.n, e.dim], data: e.clean },
    labels: { dtype: 'I32', shape: [e.n], data: e.labels },
    order: { dtype: 'I32', shape: [e.n], data: e.order },
    pred_clean: { dtype: 'I32', shape: [e.n], data: e.predClean },
  };
  if (e.noisy) t.noisy = { dtype: 'F32', shape: [e.n, e.dim], data: e.noisy };
  if (e.predNoisy) t.pred_noisy = { dtype: 'I32', shape: [e.n], data: e.predNoisy };
  const meta = {
    format: EMBED_CACHE_FORMAT,
    key: canonical(key),
    split: e.split,
    site: JSON.stringify(e.site),
    noise_site: JSON.stringify(e.noiseSite),
    noise: JSON.stringify(e.noise),
    protocol: e.protocol,
    batch_size: String(e.batchSize),
  };
  writeSafetensorsFile(path, t, meta);
  return path;
}

/** The cached embeddings for this key, or null when there are none (or the file is for another key). */
export function loadEmbeddings(dataDir: string, key: EmbedCacheKey): Embeddings | null {
  const path = embedCachePath(dataDir, key);
  if (!existsSync(path)) return null;
  const { tensors: t, metadata: m } = readSafetensorsFile(path);
  if (m.format !== EMBED_CACHE_FORMAT || m.key !== canonical(key)) return null;
  const need = (name: string) => {
    if (!t[name]) throw new Error(`${path}: embedding cache has no "${name}"`);
    return t[name];
  };
  const clean = need('clean');
  const [n, dim] = clean.shape;
  return {
    clean: clean.data as Float32Array,
    noisy: t.noisy?.data as Float32Array | undefined,
    dim,
    labels: need('labels').data as Int32Array,
    order: need('order').data as Int32Array,
    predClean: need('pred_clean').data as Int32Array,
    predNoisy: t.pred_noisy?.data as Int32Array | undefined,
    n,
    split: m.split as SplitName,
    site: JSON.parse(m.site) as EmbedSite,
    noiseSite: JSON.parse(m.noise_site) as NoiseSite,
    noise: JSON.parse(m.noise) as RunNoise | null,
    protocol: m.protocol as EmbedProtocol,
    batchSize: Number(m.batch_size),
  };
}

/**
 * CSV of one row per image: dataset index, label, predictions, then the clean projection's k
 * coordinates and (when given) the noisy one's.
 */
export function embeddingsCsv(
  e: Pick<Embeddings, 'n' | 'order' | 'labels' | 'predClean' | 'predNoisy'>,
  clean: Float32Array,
  noisy: Float32Array | undefined,
  k: number,
  classNames?: string[],
): string {
  if (clean.length !== e.n * k) throw new Error(`csv: clean projection has ${clean.length} values, expected ${e.n} x ${k}`);
  if (noisy && noisy.length !== e.n * k) throw new Error(`csv: noisy projection has ${noisy.length} values, expected ${e.n} x ${k}`);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ['index', 'label', 'pred_clean'];
  if (e.predNoisy) head.push('pred_noisy');
  for (let j = 0; j < k; j++) head.push(`clean_${j + 1}`);
  if (noisy) for (let j = 0; j < k; j++) head.push(`noisy_${j + 1}`);
  const lines = [head.join(',')];
  const name = (y: number) => quote(classNames?.[y] ?? String(y));
  for (let i = 0; i < e.n; i++) {
    const cells = [String(e.order[i]), name(e.labels[i]), name(e.predClean[i])];
    if (e.predNoisy) cells.push(name(e.predNoisy[i]));
    for (let j = 0; j < k; j++) cells.push(String(clean[i * k + j]));
    if (noisy) for (let j = 0; j < k; j++) cells.push(String(noisy[i * k + j]));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
