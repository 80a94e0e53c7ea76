// Metric rollups serve long curves: the same buckets as downsampling the raw rows, spikes kept,
// and still right after a resume deletes and re-does steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src-main/store';
import { tempDir } from '../helpers/tmp';

function series(n: number, f: (i: number) => number) {
  return Array.from({ length: n }, (_, i) => ({ runId: 1, key: 'loss', step: i + 1, epoch: i / 100, value: f(i), time: 0 }));
}

test('a long curve comes back as width buckets with mean/min/max matching the raw rows', () => {
  const s = openStore(tempDir());
  try {
    s.createRun({ config: {}, seed: 1 });
    const rows = series(100_000, (i) => Math.sin(i / 500) + (i === 54_321 ? 100 : 0));
    s.addMetrics(rows);
    const c = s.metricSeries(1, 'loss', 500);
    assert.ok(c.step.length <= 500 && c.step.length >= 400, `${c.step.length} buckets`);
    assert.equal(Math.max(...c.max!), 100 + Math.sin(54_321 / 500), 'the spike survives');
    // Each bucket's mean/min/max equal those of the raw rows between its first step and the next bucket's.
    for (const g of [0, 123, c.step.length - 1]) {
      const from = c.step[g];
      const to = g + 1 < c.step.length ? c.step[g + 1] : Infinity;
      const vals = rows.filter((r) => r.step >= from && r.step < to).map((r) => r.value);
      assert.ok(Math.abs(c.value[g] - vals.reduce((a, b) => a + b, 0) / vals.length) < 1e-9);
      assert.equal(c.min![g], Math.min(...vals));
      assert.equal(c.max![g], Math.max(...vals));
    }
    const short = s.metricSeries(1, 'missing', 500);
    assert.deepEqual(short, { step: [], value: [] });
  } finally {
    s.close();
  }
});

test('rollups stay exact when a resume deletes and re-does steps, and with NaN values', () => {
  const s = openStore(tempDir());
  try {
    s.createRun({ config: {}, seed: 1 });
    s.addMetrics(series(5000, (i) => i));
    s.deleteMetricsAfter(1, 3000);
    s.addMetrics(series(5000, (i) => (i === 4000 ? Number.NaN : -i)).slice(3000));
    const c = s.metricSeries(1, 'loss', 100);
    assert.equal(Math.max(...c.max!.filter((v) => !Number.isNaN(v))), 2999, 'old values after step 3000 are gone');
    assert.equal(Math.min(...c.min!), -4999);
    // A direct replacement of one step (no delete) is also reflected.
    s.addMetrics([{ runId: 1, key: 'loss', step: 10, epoch: 0, value: 1e6, time: 0 }]);
    assert.equal(Math.max(...s.metricSeries(1, 'loss', 100).max!.filter((v) => !Number.isNaN(v))), 1e6);
    assert.equal(s.metricSeries(1, 'loss', 10_000).step.length, 5000, 'few points: raw rows');
  } finally {
    s.close();
  }
});

test('migration 2 builds rollups for the metrics of an existing version-1 database', async () => {
  const { openDatabase } = await import('../../src-main/store/db');
  const { migrations } = await import('../../src-main/store/migrations');
  const dir = tempDir();
  const v1 = openDatabase(dir, migrations.slice(0, 1));
  v1.db.prepare(`INSERT INTO runs (status, config, seed, created_at) VALUES ('completed', '{}', 1, 'then')`).run();
  const ins = v1.db.prepare('INSERT INTO metrics (run_id, key, step, epoch, value, time) VALUES (1, ?, ?, 0, ?, 0)');
  for (let i = 1; i <= 3000; i++) ins.run('loss', i, i % 7);
  v1.db.close();
  const s = openStore(dir);
  try {
    assert.equal(s.schemaVersion(), migrations.length);
    const c = s.metricSeries(1, 'loss', 50);
    assert.ok(c.step.length >= 25 && c.step.length <= 50, `${c.step.length}`);
    assert.equal(Math.max(...c.max!), 6);
    assert.equal(Math.min(...c.min!), 0);
  } finally {
    s.close();
  }
});
