import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type MetricRow } from '../../src-main/store/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-store-metrics-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => openStore(path.join(root, `d${++n}`));
const row = (runId: number, key: string, step: number, value: number): MetricRow => ({
  runId,
  key,
  step,
  epoch: step / 10,
  value,
  time: 1700000000 + step,
});

test('metrics insert, replace on re-done steps, NaN/Infinity round trip, deleteMetricsAfter', () => {
  const store = fresh();
  try {
    const id = store.createRun({ config: {}, seed: 1 });
    const other = store.createRun({ config: {}, seed: 2 });
    assert.equal(store.lastStep(id), null);
    store.addMetrics([1, 2, 3, 4].map((s) => row(id, 'train/loss', s, 1 / s)));
    store.addMetrics([
      row(id, 'lr', 1, 0.1),
      row(id, 'train/loss', 5, Number.NaN),
      row(id, 'grad', 5, Number.POSITIVE_INFINITY),
      row(other, 'train/loss', 1, 9),
    ]);

    assert.deepEqual(store.metricKeys(id), ['grad', 'lr', 'train/loss']);
    assert.equal(store.lastStep(id), 5);
    const loss = store.metrics(id, 'train/loss');
    assert.deepEqual(
      loss.map((r) => r.step),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(loss[1], row(id, 'train/loss', 2, 0.5));
    assert.ok(Number.isNaN(loss[4].value));
    assert.equal(store.metrics(id, 'grad')[0].value, Number.POSITIVE_INFINITY);
    assert.deepEqual(
      store.metrics(id).map((r) => `${r.key}@${r.step}`),
      ['grad@5', 'lr@1', 'train/loss@1', 'train/loss@2', 'train/loss@3', 'train/loss@4', 'train/loss@5'],
    );

    // Resume from step 2: later steps are dropped, then redone steps overwrite.
    store.deleteMetricsAfter(id, 2);
    assert.equal(store.lastStep(id), 2);
    assert.deepEqual(store.metricKeys(id), ['lr', 'train/loss']);
    store.addMetrics([row(id, 'train/loss', 2, 0.25), row(id, 'train/loss', 3, 0.2)]);
    assert.deepEqual(
      store.metrics(id, 'train/loss').map((r) => r.value),
      [1, 0.25, 0.2],
    );
    assert.equal(store.metrics(other).length, 1, 'other runs untouched');

    store.deleteRun(id);
    assert.equal(store.metrics(other).length, 1);
    assert.throws(() => store.metrics(id), /run \d+ not found/);
  } finally {
    store.close();
  }
});

test('a bad metric row rejects the whole batch', () => {
  const store = fresh();
  try {
    const id = store.createRun({ config: {}, seed: 1 });
    assert.throws(
      () => store.addMetrics([row(id, 'a', 1, 1), row(id, 'a', 1.5, 1)]),
      /noisynn\.db: metric row 1 step must be an integer >= 0/,
    );
    assert.throws(
      () => store.addMetrics([row(id, 'a', 1, 1), { ...row(id, 'a', 2, 1), value: '3' as never }]),
      /metric row 1 value must be a number/,
    );
    assert.throws(() => store.addMetrics([row(id, 'a', 1, 1), row(999, 'a', 1, 1)]), /run 999 not found/);
    assert.deepEqual(store.metrics(id), []);
  } finally {
    store.close();
  }
});

test('evaluations round trip', () => {
  const store = fresh();
  try {
    const id = store.createRun({ config: {}, seed: 1 });
    store.addEvaluation({
      runId: id,
      epoch: 2,
      protocol: 'sorted',
      batchSize: 64,
      noiseActive: true,
      top1: 0.8,
      top5: 0.95,
      loss: 0.7,
      n: 10000,
    });
    store.addEvaluation({
      runId: id,
      epoch: 1,
      protocol: 'standard',
      batchSize: 128,
      noiseActive: false,
      top1: 0.5,
      top5: 0.9,
      loss: Number.NaN,
      n: 10000,
      createdAt: '2024-01-01T00:00:00.000Z',
    });
    const evs = store.evaluations(id);
    assert.deepEqual(
      evs.map((e) => [e.epoch, e.protocol, e.noiseActive]),
      [
        [1, 'standard', false],
        [2, 'sorted', true],
      ],
    );
    assert.equal(evs[0].createdAt, '2024-01-01T00:00:00.000Z');
    assert.ok(Number.isNaN(evs[0].loss));
    assert.equal(evs[1].top5, 0.95);
    assert.equal(evs[1].batchSize, 64);
    assert.throws(() => store.addEvaluation({ ...evs[0], protocol: 'random' as never }), /evaluation protocol must be one of/);
    assert.throws(() => store.addEvaluation({ ...evs[0], runId: 77 }), /run 77 not found/);
    assert.equal(store.evaluations(id).length, 2);
  } finally {
    store.close();
  }
});

test('checkpoints replace on the same epoch; latest is the highest epoch', () => {
  const store = fresh();
  try {
    const id = store.createRun({ config: {}, seed: 1 });
    assert.equal(store.latestCheckpoint(id), undefined);
    const ck = (epoch: number, step: number, sha: string) => ({
      runId: id,
      epoch,
      step,
      path: `ckpt/epoch-${epoch}.bin`,
      sha256: sha.repeat(64),
      bytes: 1000 + epoch,
    });
    store.addCheckpoint(ck(2, 200, 'a'));
    store.addCheckpoint(ck(1, 100, 'b'));
    store.addCheckpoint({ ...ck(2, 210, 'c'), createdAt: '2024-05-05T00:00:00.000Z' });
    assert.deepEqual(
      store.checkpoints(id).map((c) => [c.epoch, c.step, c.sha256[0]]),
      [
        [1, 100, 'b'],
        [2, 210, 'c'],
      ],
    );
    assert.deepEqual(store.latestCheckpoint(id), { ...ck(2, 210, 'c'), createdAt: '2024-05-05T00:00:00.000Z' });
    assert.throws(() => store.addCheckpoint({ ...ck(3, 1, 'a'), sha256: 'xyz' }), /checkpoint sha256 must be 64 hex digits/);
    assert.equal(store.checkpoints(id).length, 2);
  } finally {
    store.close();
  }
});

test("metricKeys lists one run's keys in order, whatever the other runs and the step counts", () => {
  const store = fresh();
  try {
    const before = store.createRun({ config: {}, seed: 1 });
    const id = store.createRun({ config: {}, seed: 2 });
    const after = store.createRun({ config: {}, seed: 3 });
    store.addMetrics([row(before, 'a/first', 1, 1), row(before, 'zz', 1, 1), row(after, '0', 1, 1), row(after, 'm', 1, 1)]);
    store.addMetrics(Array.from({ length: 3000 }, (_, i) => row(id, ['test/top1', 'lr', 'train/loss'][i % 3], i, i)));
    store.addMetrics([row(id, 'Z upper', 7, 1)]);
    assert.deepEqual(store.metricKeys(id), ['Z upper', 'lr', 'test/top1', 'train/loss']);
    assert.deepEqual(store.metricKeys(before), ['a/first', 'zz']);
    assert.deepEqual(store.metricKeys(after), ['0', 'm']);
    assert.deepEqual(store.metricKeys(store.createRun({ config: {}, seed: 4 })), []);
  } finally {
    store.close();
  }
});
