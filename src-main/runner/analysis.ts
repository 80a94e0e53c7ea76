// Embedding analyses as a trainer process runs them: extraction (cached in the data directory),
// projection fitted on the clean embeddings, and the task-entropy meter. Heavy work stays off the UI's
// process; the result is small enough (n x 2 projections) to travel back as one message.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { EmbeddingAnalysis, EmbeddingRequest, EntropyEstimate, EntropyMeter, EntropyTableRow, NoiseSpecDto } from '../api/contract';
import type { Dataset } from '../data/types';
import { embeddingsCsv, embedCacheKey, loadEmbeddings, saveEmbeddings, type EmbedCacheKey } from '../engine/embed/cache';
import { taskEntropy, type TaskEntropyReport } from '../engine/embed/entropy';
import { isBatchMixing } from '../engine/noise/types';
import { sweptParamText } from '../engine/noise/operators';
import { extractEmbeddings, type EmbedSite, type Embeddings } from '../engine/embed/extract';
import { fitPca, transformPca } from '../engine/embed/pca';
import { fitTsne } from '../engine/embed/tsne';
import { fitUmap } from '../engine/embed/umap';
import type { RunNoise } from '../engine/config/types';
import type { Store } from '../store';
import { openDataset } from './datasets';
import { loadModelSource } from './model-source';

export interface AnalysisContext {
  store: Store;
  dataDir: string;
  progress(phase: string, done: number, total: number): void;
  shouldStop(): boolean;
}

const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function embedSite(kind: 'vit' | 'resnet', site: EmbeddingRequest['site']): EmbedSite {
  const at = site.at ?? 'output';
  if (at !== 'output' && at !== 'noise-site')
    throw new Error(`embedding site: at must be 'output' or 'noise-site', got ${JSON.stringify(at)}`);
  if (kind === 'vit') return { kind: 'vit', block: site.block, pool: site.pool ?? (site.block === -1 ? 'mean-patch' : 'cls'), at };
  if (site.stage === undefined) throw new Error('a ResNet embedding site needs a stage');
  return { kind: 'resnet', stage: site.stage, block: site.block, at };
}

/** Cached extraction: the same model, data, site, noise, protocol and seed never run twice. */
async function embeddings(
  req: Omit<EmbeddingRequest, 'noise' | 'projection' | 'entropy'>,
  noise: NoiseSpecDto | null,
  data: Dataset,
  ctx: AnalysisContext,
): Promise<{ e: Embeddings; label: string; cachePath: string; cached: boolean }> {
  const source = loadModelSource(ctx.store, data, req.model);
  try {
    const site = embedSite(source.config.model.kind, req.site);
    const split = data.splits[req.split];
    if (!split) throw new Error(`dataset ${data.info.name} has no ${req.split} split`);
    const n = req.limit && req.limit > 0 ? Math.min(req.limit, split.count) : split.count;
    const runNoise = noise ? ({ ...noise } as RunNoise) : null;
    const key: EmbedCacheKey = {
      model: source.key,
      datasetHash: data.info.contentHash,
      split: req.split,
      site,
      noise: runNoise,
      protocol: req.protocol,
      batchSize: req.batchSize,
      seed: req.seed,
      n,
    };
    const cachePath = join(ctx.dataDir, 'embeddings', `${embedCacheKey(key)}.safetensors`);
    const hit = loadEmbeddings(ctx.dataDir, key);
    if (hit) return { e: hit, label: source.label, cachePath, cached: true };
    const e = await extractEmbeddings(source.model, source.data, {
      split: req.split,
      site,
      noise: runNoise,
      protocol: req.protocol,
      batchSize: req.batchSize,
      seed: req.seed,
      limit: n,
      onProgress: (done, total) => ctx.progress('extract', done, total),
      shouldStop: ctx.shouldStop,
    });
    saveEmbeddings(ctx.dataDir, key, e);
    return { e, label: source.label, cachePath, cached: false };
  } finally {
    source.model.dispose();
  }
}

function meter(r: TaskEntropyReport): EntropyMeter {
  const estimators: EntropyEstimate[] = Object.entries(r.estimators).map(([name, x]) => ({ name, ...x }));
  return { n: r.n, dim: r.dim, classes: r.classes, hY: r.hY, bootstrap: r.bootstrap, estimators, linear: r.linear };
}

export async function runAnalysis(jobId: string, req: EmbeddingRequest, ctx: AnalysisContext): Promise<EmbeddingAnalysis> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const { data } = await openDataset(ctx.store, req.dataset);
  const { e, label, cachePath, cached } = await embeddings(req, req.noise, data, ctx);
  ms[cached ? 'extract (cached)' : 'extract'] = performance.now() - t;
  const notes: string[] = [];
  const sampled = e.n < data.splits[req.split].count;
  if (sampled) notes.push(`a sample: the first ${e.n} of ${data.splits[req.split].count} ${req.split} images (as asked)`);
  if (req.noise && isBatchMixing(req.noise)) {
    notes.push(`batch-mixing noise extracted in ${req.protocol} batches of ${req.batchSize}: each noisy point depends on its batch`);
  }
  const out: EmbeddingAnalysis = {
    jobId,
    modelLabel: label,
    n: e.n,
    dim: e.dim,
    classNames: data.info.classNames,
    split: req.split,
    protocol: req.protocol,
    batchSize: req.batchSize,
    sampled,
    labels: b64(e.labels),
    order: b64(e.order),
    predClean: b64(e.predClean),
    ...(e.predNoisy ? { predNoisy: b64(e.predNoisy) } : {}),
    notes,
    ms,
    cachePath,
    cacheFile: inDataDir(ctx, cachePath),
  };
  t = performance.now();
  if (req.projection === 'pca') {
    const pca = fitPca(e.clean, e.n, e.dim, 2);
    const clean = transformPca(pca, e.clean, e.n);
    const noisy = e.noisy ? transformPca(pca, e.noisy, e.n) : undefined;
    out.projection = {
      method: 'pca',
      clean: b64(clean),
      ...(noisy ? { noisy: b64(noisy) } : {}),
      joint: false,
      explainedVarianceRatio: [...pca.explainedVarianceRatio],
    };
  } else if (req.projection === 'umap') {
    // umap-js defaults (15 neighbours, 200 epochs) took ~2 min for 10,000 points here; these settings ~15 s.
    const big = e.n > 5000 ? { nNeighbors: 10, nEpochs: 99 } : {};
    if (e.n > 5000) notes.push('UMAP with 10 neighbours and 99 epochs (faster settings for more than 5,000 points)');
    const u = await fitUmap(e.clean, e.n, e.dim, e.noisy ?? null, e.noisy ? e.n : 0, {
      seed: req.seed,
      ...big,
      onProgress: (phase, done, total) => ctx.progress(`umap ${phase}`, done, total),
      shouldStop: ctx.shouldStop,
    });
    out.projection = { method: 'umap', clean: b64(u.embedding), ...(u.transformed ? { noisy: b64(u.transformed) } : {}), joint: false };
  } else if (req.projection === 'tsne') {
    const r = await fitTsne(e.clean, e.n, e.dim, e.noisy ?? null, e.noisy ? e.n : 0, {
      seed: req.seed,
      onProgress: (done, total) => ctx.progress('tsne', done, total),
      shouldStop: ctx.shouldStop,
    });
    out.projection = { method: 'tsne', clean: b64(r.clean), ...(r.noisy ? { noisy: b64(r.noisy) } : {}), joint: true };
    notes.push('t-SNE has no out-of-sample transform: clean and noisy points were fitted jointly in one map');
  }
  if (out.projection) {
    ms[req.projection] = performance.now() - t;
    // Copy out of Buffer.from's result: small buffers live at an offset inside a shared pool.
    const proj = (s: string) => {
      const b = Buffer.from(s, 'base64');
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    const csv = embeddingsCsv(
      e,
      proj(out.projection.clean),
      out.projection.noisy ? proj(out.projection.noisy) : undefined,
      2,
      data.info.classNames,
    );
    out.csvPath = join(ctx.dataDir, 'embeddings', `${jobId}-${req.projection}.csv`);
    writeFileSync(out.csvPath, csv);
    out.csvFile = inDataDir(ctx, out.csvPath);
  }
  if (req.entropy) {
    t = performance.now();
    const r = cachedMeter(cachePath, 'meter', cached, () =>
      meter(
        taskEntropy(e, data.info.classNames.length, {
          seed: req.seed,
          noise: req.noise,
          batchSize: req.batchSize,
          onProgress: (d, n) => ctx.progress('entropy', d, n),
        }),
      ),
    );
    out.entropy = r.meter;
    ms[r.cached ? 'entropy (cached)' : 'entropy'] = performance.now() - t;
  }
  return out;
}

/** A path under the data directory as the contract's relative, '/'-separated name. */
function inDataDir(ctx: AnalysisContext, file: string): string {
  return relative(ctx.dataDir, file).split(sep).join('/');
}

// Bumped when the estimators change, so older cached meters are recomputed rather than shown.
const METER_VERSION = 1;

/**
 * The entropy meter of one extraction, computed once: it is a function of the cached vectors, the seed and the
 * batch protocol, all in the extraction's key, so it is kept beside the vectors (`<key>.<variant>.json`) and reused
 * while they are. A fresh extraction (`vectorsCached` false) recomputes it; an unreadable file is recomputed too.
 */
function cachedMeter(
  vectorsPath: string,
  variant: string,
  vectorsCached: boolean,
  compute: () => EntropyMeter,
): { meter: EntropyMeter; cached: boolean } {
  const file = vectorsPath.replace(/\.safetensors$/, `.${variant}.json`);
  if (vectorsCached && existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; meter?: EntropyMeter };
      if (saved.version === METER_VERSION && saved.meter) return { meter: saved.meter, cached: true };
    } catch {
      /* recomputed below */
    }
  }
  const m = compute();
  writeFileSync(file, JSON.stringify({ version: METER_VERSION, meter: m }));
  return { meter: m, cached: false };
}

export function noiseLabel(n: NoiseSpecDto): string {
  const p = sweptParamText(n);
  return p ? `${n.type} ${p}` : n.type;
}

export async function runEntropyTable(
  req: Omit<EmbeddingRequest, 'noise' | 'projection' | 'entropy'> & { noises: NoiseSpecDto[] },
  ctx: AnalysisContext,
): Promise<EntropyTableRow[]> {
  const { data } = await openDataset(ctx.store, req.dataset);
  const rows: EntropyTableRow[] = [];
  for (const [i, noise] of req.noises.entries()) {
    if (ctx.shouldStop()) throw new Error('cancelled');
    ctx.progress(`table ${noiseLabel(noise)}`, i, req.noises.length);
    const { e, cachePath, cached } = await embeddings(req, noise, data, ctx);
    const { meter: m } = cachedMeter(cachePath, 'meter-b5', cached, () =>
      meter(taskEntropy(e, data.info.classNames.length, { seed: req.seed, bootstrap: 5, noise, batchSize: req.batchSize })),
    );
    rows.push({ noise, label: noiseLabel(noise), estimators: m.estimators, linear: m.linear });
  }
  ctx.progress('table', req.noises.length, req.noises.length);
  return rows;
}
