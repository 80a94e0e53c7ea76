// The API methods that had no test calling them: runs.tag, runs.note, runs.cancel, runs.resume,
// datasets.add, datasets.remove and embeddings.cancel, through the services every transport routes to;
// and the bounds on what they take (image sizes, analyses at once).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createServices, type Services } from '../../src-main/api/services';
import type { ApiEvents } from '../../src-main/api/contract';
import { EmbeddingServices, MAX_RUNNING, MAX_WAITING } from '../../src-main/api/services/embeddings';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';

let s: Services;
let dataDir: string;
const statuses: ApiEvents['run.status'][] = [];
const analyses = new Map<string, ApiEvents['embeddings.done']>();

before(async () => {
  dataDir = tempDir();
  s = await createServices({
    dataDir,
    transport: 'http',
    emit: (e, p) => {
      if (e === 'run.status') statuses.push(p as ApiEvents['run.status']);
      if (e === 'embeddings.done') analyses.set((p as ApiEvents['embeddings.done']).jobId, p as ApiEvents['embeddings.done']);
    },
  });
});
after(() => s.dispose());

async function until(what: string, f: () => boolean, timeoutMs = 240_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const tiny = { preset: 'mnist-cnn', epochs: 1, limitTrain: 64, limitTest: 50, batchSize: 32, replicas: 1 };

test('runs.cancel a queued run, runs.resume it, runs.tag and runs.note it', async () => {
  await s.handlers['queue.configure']({ concurrency: 1 });
  // Two runs on one trainer slot: the second waits in the queue, where it is cancelled.
  const { runId: first } = await s.handlers['runs.start']({ config: tiny });
  const { runId: second } = await s.handlers['runs.start']({ config: { ...tiny, seed: 7 } });
  assert.deepEqual((await s.handlers['queue.state']({})).queued, [second]);
  assert.deepEqual(await s.handlers['runs.cancel']({ id: second }), { ok: true });
  assert.equal((await s.handlers['runs.get']({ id: second })).status, 'cancelled');
  await until('the first run completed', () => statuses.some((e) => e.runId === first && e.status === 'completed'));

  assert.deepEqual(await s.handlers['runs.resume']({ id: second }), { ok: true });
  await until('the resumed run completed', () => statuses.some((e) => e.runId === second && e.status === 'completed'));
  const detail = await s.handlers['runs.get']({ id: second });
  assert.equal(detail.status, 'completed');
  assert.equal(detail.evaluations.length, 1);

  await s.handlers['runs.tag']({ id: second, tag: 'resumed' });
  await s.handlers['runs.tag']({ id: second, tag: 'extra' });
  await s.handlers['runs.tag']({ id: second, tag: 'extra', remove: true });
  await s.handlers['runs.note']({ id: second, body: 'cancelled while queued, then resumed' });
  const tagged = await s.handlers['runs.get']({ id: second });
  assert.deepEqual(tagged.tags, ['resumed']);
  assert.deepEqual(
    tagged.notes.map((n) => n.body),
    ['cancelled while queued, then resumed'],
  );
  assert.deepEqual(
    (await s.handlers['runs.list']({ tag: 'resumed' })).map((r) => r.id),
    [second],
  );
});

test('datasets.add registers a folder; the same name again is a conflict; datasets.remove needs force while runs use it', async () => {
  const root = tempDir('noisynn-folder-');
  for (const [c, grey] of [
    ['dark', 20],
    ['light', 230],
  ] as const) {
    mkdirSync(join(root, c));
    for (let i = 0; i < 3; i++)
      await sharp(Buffer.alloc(28 * 28, grey + i), { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(root, c, `${i}.png`));
  }
  const added = await s.handlers['datasets.add']({ path: root, name: 'shades' });
  assert.equal(added.name, 'shades');
  assert.deepEqual(added.classNames, ['dark', 'light']);
  assert.ok((await s.handlers['datasets.list']({})).some((d) => d.name === 'shades'));
  assert.equal(added.alreadyRegistered, undefined);
  assert.deepEqual(
    await s.handlers['datasets.add']({ path: root, name: 'shades' }),
    { ...added, alreadyRegistered: true },
    'the same data again is not a conflict: it says so',
  );
  const again = await s.handlers['datasets.add']({ path: `${root}/` });
  assert.equal(again.name, 'shades', 'the same folder without a name: its registration, not a second one');
  assert.equal(again.alreadyRegistered, true);
  await assert.rejects(
    s.handlers['datasets.add']({ path: root, name: 'mnist' }),
    (e: Error & { code?: string }) => e.code === 'conflict' && /'mnist' is already registered/.test(e.message),
  );

  const store = openStore(dataDir);
  try {
    const shades = store.datasetByName('shades')!;
    store.createRun({ config: { dataset: 'shades' }, seed: 1, datasetId: shades.id });
  } finally {
    store.close();
  }
  await assert.rejects(
    s.handlers['datasets.remove']({ name: 'shades' }),
    (e: Error & { code?: string }) => e.code === 'conflict' && /used by 1 run/.test(e.message),
  );
  assert.deepEqual(await s.handlers['datasets.remove']({ name: 'shades', force: true }), { ok: true, runs: 1 });
  assert.ok(!(await s.handlers['datasets.list']({})).some((d) => d.name === 'shades'));
});

test('embeddings.cancel stops a running analysis, which then reports that it was cancelled', async () => {
  const { jobId } = await s.handlers['embeddings.start']({
    model: { preset: 'mnist-vit', seed: 1 },
    dataset: 'mnist',
    split: 'test',
    site: { block: 3, pool: 'cls' },
    noise: null,
    protocol: 'standard',
    batchSize: 50,
    seed: 1,
    limit: 0,
    projection: 'umap',
    entropy: true,
  });
  assert.deepEqual(await s.handlers['embeddings.cancel']({ jobId }), { ok: true });
  await until('the analysis ended', () => analyses.has(jobId));
  assert.match(analyses.get(jobId)!.error ?? '', /cancelled/);
  await assert.rejects(s.handlers['embeddings.result']({ jobId }), /cancelled/);
});

test('datasets.add bounds the image size and the memory a split would take, before decoding anything', async () => {
  const root = tempDir('noisynn-folder-');
  const png = await sharp(Buffer.alloc(4 * 4 * 3, 128), { raw: { width: 4, height: 4, channels: 3 } })
    .png()
    .toBuffer();
  for (const c of ['a', 'b']) {
    mkdirSync(join(root, c));
    for (let i = 0; i < 30; i++) writeFileSync(join(root, c, `${i}.png`), png);
  }
  await assert.rejects(
    s.handlers['datasets.add']({ path: root, name: 'huge', imageSize: [100000, 100000] }),
    (e: Error & { code?: string }) =>
      e.code === 'invalid' && /image size must be two integers from 1 to 4096, got \[100000, 100000\]/.test(e.message),
  );
  // 48 training images of 4096x4096x3 would be 2.25 GiB.
  await assert.rejects(
    s.handlers['datasets.add']({ path: root, name: 'huge', imageSize: [4096, 4096] }),
    (e: Error & { code?: string }) =>
      e.code === 'invalid' && /the train split would take 2\.3 GiB as 4096x4096x3 images \(at most 2 GiB\)/.test(e.message),
  );
  assert.ok(!(await s.handlers['datasets.list']({})).some((d) => d.name === 'huge'));
});

test('analyses are capped: two run, the rest wait in order; a waiting one cancels at once; a full queue is a conflict', async () => {
  const done = new Map<string, string | undefined>();
  const e = new EmbeddingServices(tempDir(), (ev, p) => {
    if (ev === 'embeddings.done') done.set((p as ApiEvents['embeddings.done']).jobId, (p as ApiEvents['embeddings.done']).error);
  });
  const req = {
    model: { preset: 'mnist-cnn', seed: 1 },
    dataset: 'mnist',
    split: 'test' as const,
    site: { stage: 3, block: 1 },
    noise: null,
    protocol: 'standard' as const,
    batchSize: 50,
    seed: 1,
    limit: 100,
    projection: 'pca' as const,
    entropy: false,
  };
  try {
    const ids = [0, 1, 2, 3].map(() => e.start(req).jobId);
    assert.deepEqual(e.load(), { running: MAX_RUNNING, waiting: 2 });
    e.cancel(ids[3]);
    assert.equal(done.get(ids[3]), 'cancelled before it started');
    const extra = Array.from({ length: MAX_WAITING - 1 }, () => e.start(req).jobId);
    assert.throws(
      () => e.start(req),
      (err: Error & { code?: string }) => err.code === 'conflict' && /2 analyses are running and 8 are waiting/.test(err.message),
    );
    for (const id of extra) e.cancel(id);
    let most = 0;
    while (![0, 1, 2].every((i) => done.has(ids[i]))) {
      most = Math.max(most, e.load().running);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(most <= MAX_RUNNING, `at most ${MAX_RUNNING} at once (saw ${most})`);
    for (const i of [0, 1, 2]) assert.equal(done.get(ids[i]), undefined, `analysis ${i} finished without error`);
    assert.equal(e.result(ids[2]).n, 100);
  } finally {
    await e.dispose();
  }
});
