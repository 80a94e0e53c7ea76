import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetInfo } from '../../src-main/data/types';
import { openStore } from '../../src-main/store/index';
import { migrations } from '../../src-main/store/migrations';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-store-runs-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => openStore(path.join(root, `d${++n}`));

const config = {
  model: 'vit-tiny',
  noise: { type: 'linear', strength: 0.3, layer: 11, enabled: true },
  optimizer: { name: 'adamw', lr: 0.001 },
  milestones: [30, 60],
  warmup: null,
};

test('run lifecycle: queued -> running -> failed -> resumed -> completed', () => {
  const store = fresh();
  try {
    const id = store.createRun({ name: 'baseline', config, seed: 42, versions: { node: '20' }, gitCommit: 'abc123' });
    let run = store.getRun(id)!;
    assert.equal(run.status, 'queued');
    assert.deepEqual(run.config, config);
    assert.equal(run.seed, 42);
    assert.deepEqual(run.versions, { node: '20' });
    assert.equal(run.gitCommit, 'abc123');
    assert.equal(run.startedAt, null);
    assert.equal(run.epochsDone, 0);
    assert.deepEqual(run.tags, []);

    store.startRun(id, { pid: 1234, backend: 'tfjs-node', host: 'box' });
    run = store.getRun(id)!;
    assert.equal(run.status, 'running');
    assert.equal(run.pid, 1234);
    assert.equal(run.backend, 'tfjs-node');
    assert.equal(run.host, 'box');
    const firstStart = run.startedAt;
    assert.ok(firstStart);

    store.updateProgress(id, { epochsDone: 2, stepsDone: 200 });
    store.updateProgress(id, { imagesPerSecond: 512.5 });
    store.mergeSummary(id, { bestTop1: 0.5 });
    store.finishRun(id, 'failed', { error: 'out of memory' });
    run = store.getRun(id)!;
    assert.equal(run.status, 'failed');
    assert.equal(run.error, 'out of memory');
    assert.ok(run.endedAt);
    assert.equal(run.epochsDone, 2);
    assert.equal(run.stepsDone, 200);
    assert.equal(run.imagesPerSecond, 512.5);

    // Resume keeps the first started_at and clears the failure.
    store.startRun(id, { pid: 5678, backend: 'wasm' });
    run = store.getRun(id)!;
    assert.equal(run.status, 'running');
    assert.equal(run.startedAt, firstStart);
    assert.equal(run.endedAt, null);
    assert.equal(run.error, null);
    assert.equal(run.host, os.hostname());

    store.finishRun(id, 'completed', { summary: { testTop1: 0.91 }, imagesPerSecond: 600 });
    run = store.getRun(id)!;
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.summary, { bestTop1: 0.5, testTop1: 0.91 });
    assert.equal(run.imagesPerSecond, 600);
    assert.equal(run.error, null);
  } finally {
    store.close();
  }
});

test('bad input and unknown ids give clear errors naming the file', () => {
  const store = fresh();
  try {
    const file = store.path;
    assert.equal(store.getRun(42), undefined);
    for (const call of [
      () => store.startRun(42, { pid: 1, backend: 'cpu' }),
      () => store.finishRun(42, 'completed'),
      () => store.updateProgress(42, { epochsDone: 1 }),
      () => store.mergeSummary(42, { a: 1 }),
      () => store.deleteRun(42),
      () => store.addTag(42, 'x'),
      () => store.params(42),
    ]) {
      assert.throws(call, (err: Error) => err.message === `${file}: run 42 not found`);
    }
    assert.throws(() => store.createRun({ config: {}, seed: 1.5 }), /noisynn\.db: run seed must be an integer/);
    assert.throws(() => store.createRun({ config: undefined, seed: 1 }), /run config is not JSON-serialisable/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => store.createRun({ config: cyclic, seed: 1 }), /run config is not JSON-serialisable/);
    assert.throws(() => store.createRun({ config: {}, seed: 1, datasetId: 9 }), /dataset 9 not found/);
    assert.throws(() => store.createRun({ config: {}, seed: 1, sweepId: 9 }), /sweep 9 not found/);
    const id = store.createRun({ config: {}, seed: 1 });
    assert.throws(() => store.finishRun(id, 'running' as never), /finishRun: status must be one of/);
    assert.throws(() => store.updateProgress(id, { epochsDone: -1 }), /epochsDone must be an integer >= 0/);
    assert.equal(store.listRuns().length, 1, 'rejected creates leave nothing behind');
    assert.equal(store.getRun(id)!.status, 'queued');
  } finally {
    store.close();
  }
});

test('config is flattened into queryable params', () => {
  const store = fresh();
  try {
    const a = store.createRun({ config, seed: 1 });
    const b = store.createRun({
      config: { ...config, noise: { ...config.noise, type: 'gaussian' }, optimizer: { name: 'sgd', lr: 0.1 } },
      seed: 2,
    });
    assert.deepEqual(store.params(a), {
      'milestones.0': 30,
      'milestones.1': 60,
      model: 'vit-tiny',
      'noise.enabled': 1,
      'noise.layer': 11,
      'noise.strength': 0.3,
      'noise.type': 'linear',
      'optimizer.lr': 0.001,
      'optimizer.name': 'adamw',
      warmup: 'null',
    });
    assert.deepEqual(store.runsWhereParam('noise.type', 'linear'), [a]);
    assert.deepEqual(store.runsWhereParam('noise.type', 'gaussian'), [b]);
    assert.deepEqual(store.runsWhereParam('optimizer.lr', 0.1), [b]);
    assert.deepEqual(store.runsWhereParam('optimizer.lr', 0.001), [a]);
    assert.deepEqual(store.runsWhereParam('noise.layer', 11), [a, b]);
    assert.deepEqual(store.runsWhereParam('noise.enabled', 1), [a, b]);
    assert.deepEqual(store.runsWhereParam('noise.type', 'uniform'), []);
  } finally {
    store.close();
  }
});

test('listRuns filters by status, sweep, tag and search, newest first; tags and notes', () => {
  const store = fresh();
  try {
    const sweep = store.createSweep('lr sweep', { lr: [0.1, 0.01] });
    const a = store.createRun({ name: 'alpha', config: { noise: 'linear' }, seed: 1, sweepId: sweep });
    const b = store.createRun({ name: 'beta_1', config: { noise: 'gaussian' }, seed: 2, sweepId: sweep, status: 'running' });
    const c = store.createRun({ name: 'gamma', config: { noise: 'none' }, seed: 3 });
    store.finishRun(c, 'diverged');
    store.addTag(a, 'paper');
    store.addTag(a, 'fig2');
    store.addTag(a, 'paper'); // idempotent
    store.addTag(c, 'paper');

    const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
    assert.deepEqual(ids(store.listRuns()), [c, b, a]);
    assert.deepEqual(ids(store.listRuns({ limit: 2 })), [c, b]);
    assert.deepEqual(ids(store.listRuns({ status: ['running', 'diverged'] })), [c, b]);
    assert.deepEqual(ids(store.listRuns({ status: [] })), []);
    assert.deepEqual(ids(store.listRuns({ sweepId: sweep })), [b, a]);
    assert.deepEqual(ids(store.listRuns({ tag: 'paper' })), [c, a]);
    assert.deepEqual(ids(store.listRuns({ search: 'GAUSS' })), [b]); // config text
    assert.deepEqual(ids(store.listRuns({ search: 'fig' })), [a]); // tag
    assert.deepEqual(ids(store.listRuns({ search: 'a_1' })), [b]); // _ is literal, not a wildcard
    assert.deepEqual(ids(store.listRuns({ search: '%' })), []);
    assert.deepEqual(store.getRun(a)!.tags, ['fig2', 'paper']);
    assert.equal(store.getRun(b)!.startedAt !== null, true);

    store.removeTag(a, 'paper');
    assert.deepEqual(store.getRun(a)!.tags, ['fig2']);

    store.addNote(a, 'lr too high?');
    store.addNote(a, 'retry with warmup');
    assert.deepEqual(
      store.notes(a).map((x) => x.body),
      ['lr too high?', 'retry with warmup'],
    );
    assert.match(store.notes(a)[0].createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.throws(() => store.addNote(a, ''), /note body must be a non-empty string/);

    store.deleteRun(a);
    assert.equal(store.getRun(a), undefined);
    assert.deepEqual(store.runsWhereParam('noise', 'linear'), []);
    assert.deepEqual(ids(store.listRuns({ tag: 'fig2' })), []);
    assert.equal(store.integrityCheck(), 'ok');
    assert.equal(store.schemaVersion(), migrations.length);
  } finally {
    store.close();
  }
});

const mnist = (over: Partial<DatasetInfo> = {}): DatasetInfo => ({
  name: 'mnist',
  kind: 'mnist',
  path: '/data/mnist',
  classNames: ['0', '1'],
  shape: [28, 28, 1],
  counts: { train: 6, test: 2 },
  classCounts: { train: [3, 3], test: [1, 1] },
  contentHash: 'aa'.repeat(32),
  ...over,
});

test('datasets upsert by name', () => {
  const store = fresh();
  try {
    const id = store.upsertDataset({ ...mnist(), note: 'first copy' });
    const again = store.upsertDataset(mnist({ path: '/elsewhere/mnist', counts: { train: 5, test: 2 } }));
    assert.equal(again, id);
    const all = store.datasets();
    assert.equal(all.length, 1);
    const { addedAt, ...got } = all[0];
    assert.match(addedAt, /^\d{4}-/);
    assert.deepEqual(got, { ...mnist({ path: '/elsewhere/mnist', counts: { train: 5, test: 2 } }), id, note: 'first copy' });
    const cifar = store.upsertDataset(mnist({ name: 'cifar10', kind: 'cifar10', shape: [32, 32, 3] }));
    assert.notEqual(cifar, id);
    assert.deepEqual(
      store.datasets().map((d) => d.name),
      ['cifar10', 'mnist'],
    );
    assert.equal(store.datasetByName('cifar10')!.id, cifar);
    assert.equal(store.datasetByName('nope'), undefined);

    const run = store.createRun({ config: {}, seed: 1, datasetId: cifar });
    assert.equal(store.getRun(run)!.datasetId, cifar);

    assert.throws(() => store.upsertDataset(mnist({ kind: 'png' as never })), /noisynn\.db: dataset "mnist": kind must be one of/);
    assert.throws(() => store.upsertDataset(mnist({ shape: [28, 28] as never })), /shape must be \[height, width, channels\]/);
    assert.throws(() => store.upsertDataset(mnist({ name: '' })), /dataset name must be a non-empty string/);
    assert.equal(store.datasetByName('mnist')!.kind, 'mnist', 'rejected upserts change nothing');
  } finally {
    store.close();
  }
});
