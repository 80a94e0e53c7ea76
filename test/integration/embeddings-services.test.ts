// The embedding inspector's services: analyses in their own process, cached, with projections fitted
// on clean embeddings and the task-entropy meter; progress and completion arrive as events.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createServices, type Services } from '../../src-main/api/services';
import type { ApiEvents, EmbeddingRequest } from '../../src-main/api/contract';
import { tempDir } from '../helpers/tmp';

let s: Services;
const done = new Map<string, ApiEvents['embeddings.done']>();
const progress: string[] = [];
before(async () => {
  s = await createServices({
    dataDir: tempDir(),
    transport: 'http',
    emit: (e, p) => {
      if (e === 'embeddings.done') done.set((p as ApiEvents['embeddings.done']).jobId, p as ApiEvents['embeddings.done']);
      if (e === 'embeddings.progress') progress.push((p as ApiEvents['embeddings.progress']).phase);
    },
  });
});
after(() => s.dispose());

const f32 = (s64: string) => {
  const b = Buffer.from(s64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const i32 = (s64: string) => {
  const b = Buffer.from(s64, 'base64');
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

async function finished(jobId: string) {
  for (let i = 0; i < 1200 && !done.has(jobId); i++) await new Promise((r) => setTimeout(r, 100));
  const d = done.get(jobId);
  assert.ok(d, 'analysis finished');
  assert.equal(d.error, undefined);
}

const base: EmbeddingRequest = {
  model: { preset: 'mnist-vit', seed: 3 },
  dataset: 'mnist',
  split: 'test',
  site: { block: 3, pool: 'cls' },
  noise: { type: 'gaussian', strength: 0.5, level: 'embedding', at: 'both' },
  protocol: 'shuffled',
  batchSize: 50,
  seed: 1,
  limit: 600,
  projection: 'pca',
  entropy: true,
};

test('analysis: PCA of clean and noisy embeddings in one fitted space, entropy meter with a verdict, cached', async () => {
  const { jobId } = await s.handlers['embeddings.start'](base);
  await finished(jobId);
  const a = await s.handlers['embeddings.result']({ jobId });
  assert.equal(a.n, 600);
  assert.equal(a.dim, 64);
  assert.equal(a.sampled, true);
  assert.ok(a.notes.some((n) => /sample/.test(n)));
  const clean = f32(a.projection!.clean);
  const noisy = f32(a.projection!.noisy!);
  assert.equal(clean.length, 1200);
  assert.notDeepEqual(clean, noisy);
  assert.equal(new Set(i32(a.labels)).size, 10);
  const names = a.entropy!.estimators.map((e) => e.name);
  assert.ok(names.includes('gaussian') && names.includes('knn'), names.join());
  for (const e of a.entropy!.estimators) assert.ok(e.verdict && Number.isFinite(e.dS!.value), e.name);
  assert.ok(existsSync(a.cachePath));
  assert.match(readFileSync(a.csvPath!, 'utf8').split('\n')[0], /label/);
  assert.ok(progress.includes('extract'));

  const again = await s.handlers['embeddings.start']({ ...base, entropy: false });
  await finished(again.jobId);
  const b = await s.handlers['embeddings.result']({ jobId: again.jobId });
  assert.ok('extract (cached)' in b.ms, `second extraction comes from the cache: ${Object.keys(b.ms)}`);
  assert.equal(b.projection!.clean, a.projection!.clean, 'same fit, same map');
  assert.equal(a.cacheFile, `embeddings/${a.cachePath.split(/[\\/]/).pop()}`, 'the download name is relative to the data directory');

  // Another projection of the same extraction reads the meter back instead of recomputing it.
  const umap = await s.handlers['embeddings.start']({ ...base, projection: 'none' });
  await finished(umap.jobId);
  const c = await s.handlers['embeddings.result']({ jobId: umap.jobId });
  assert.ok('entropy (cached)' in c.ms && !('entropy' in c.ms), `meter from the cache: ${Object.keys(c.ms)}`);
  assert.deepEqual(c.entropy, a.entropy);
});

test("analysis at the noise site (the paper's latent): each estimator says what it measures; out-of-range values get no reading", async () => {
  const req: EmbeddingRequest = { ...base, site: { block: 3, pool: 'mean-patch', at: 'noise-site' }, limit: 200, projection: 'none' };
  const { jobId } = await s.handlers['embeddings.start'](req);
  await finished(jobId);
  const a = await s.handlers['embeddings.result']({ jobId });
  assert.equal(a.dim, 64);
  for (const e of a.entropy!.estimators) {
    assert.ok(e.measures.length > 40, e.name);
    assert.ok(['positive', 'harmful', 'not significant', 'out of range'].includes(e.verdict!.verdict), e.name);
    if (e.clean.outOfRange || e.noisy?.outOfRange) assert.equal(e.verdict!.verdict, 'out of range', e.name);
  }
  await assert.rejects(
    s.handlers['embeddings.start']({ ...req, site: { block: 3, at: 'middle' as 'output' } }).then((j) => finished(j.jobId)),
    /at must be 'output' or 'noise-site'/,
  );
});

test('entropy table: one row per noise, linear noise with its -log|det(I+Q)|; bad sites are explained', async () => {
  const { jobId } = await s.handlers['embeddings.entropyTable']({
    model: base.model,
    dataset: 'mnist',
    split: 'test',
    site: base.site,
    protocol: 'shuffled',
    batchSize: 50,
    seed: 1,
    limit: 300,
    noises: [
      { type: 'linear-shift', alpha: 0.3, level: 'embedding', at: 'both' },
      { type: 'gaussian', strength: 1, level: 'embedding', at: 'both' },
    ],
  });
  await finished(jobId);
  const rows = await s.handlers['embeddings.tableResult']({ jobId });
  assert.deepEqual(
    rows.map((r) => r.label),
    ['linear-shift a=0.3', 'gaussian s=1'],
  );
  assert.ok(rows[0].linear && Math.abs(rows[0].linear.dS - -Math.log(Math.abs(0.7 ** 50 - 0.3 ** 50))) < 1e-9);
  assert.equal(rows[1].linear, null);
  const bad = await s.handlers['embeddings.start']({ ...base, site: { block: 9 } });
  for (let i = 0; i < 600 && !done.has(bad.jobId); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(done.get(bad.jobId)?.error ?? '', /block/);
});
