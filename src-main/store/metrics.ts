// What a run produces over time: metric series, evaluations and checkpoints.
import { rollupAdd, rollupRebuild } from './rollups';
import { requireRun } from './runs';
import { checkInt, checkNumber, checkText, fail, nowIso, prepare, writeTx, type StoreDb } from './sql';
import { EVAL_PROTOCOLS, type CheckpointRow, type EvaluationRow, type MetricRow } from './types';

// SQLite stores NaN as NULL; only NaN is ever written as NULL, so NULL reads back as NaN.
const fromDb = (v: number | null): number => (v === null ? Number.NaN : v);

/** One transaction, INSERT OR REPLACE: a resumed run that redoes steps overwrites them. A bad row rejects the whole batch. */
export function addMetrics(s: StoreDb, rows: MetricRow[]): void {
  if (!Array.isArray(rows)) fail(s, 'addMetrics expects an array of metric rows');
  rows.forEach((r, i) => {
    const at = `metric row ${i}`;
    checkInt(s, `${at} runId`, r.runId, 1);
    checkText(s, `${at} key`, r.key);
    checkInt(s, `${at} step`, r.step);
    checkNumber(s, `${at} epoch`, r.epoch);
    checkNumber(s, `${at} value`, r.value);
    checkNumber(s, `${at} time`, r.time);
  });
  const insert = prepare(s, 'INSERT OR REPLACE INTO metrics (run_id, key, step, epoch, value, time) VALUES (?, ?, ?, ?, ?, ?)');
  const exists = prepare(s, 'SELECT 1 FROM metrics WHERE run_id = ? AND key = ? AND step = ?');
  writeTx(s, () => {
    for (const id of new Set(rows.map((r) => r.runId))) requireRun(s, id);
    const replaced: MetricRow[] = [];
    for (const r of rows) {
      const existed = exists.get(r.runId, r.key, r.step) !== undefined;
      insert.run(r.runId, r.key, r.step, r.epoch, r.value, r.time);
      if (existed) replaced.push(r);
      else rollupAdd(s, r.runId, r.key, r.step, r.value);
    }
    // A replaced value cannot be subtracted from a min/max: rebuild those buckets from the raw rows.
    for (const r of replaced) rollupRebuild(s, r.runId, r.step, r.key);
  });
}

export function metrics(s: StoreDb, runId: number, key?: string): MetricRow[] {
  requireRun(s, runId);
  const sql = `SELECT run_id, key, step, epoch, value, time FROM metrics WHERE run_id = ?${key === undefined ? '' : ' AND key = ?'} ORDER BY key, step`;
  const args: unknown[] = key === undefined ? [runId] : [runId, key];
  return (
    prepare(s, sql).all(...args) as { run_id: number; key: string; step: number; epoch: number; value: number | null; time: number }[]
  ).map((r) => ({ runId: r.run_id, key: r.key, step: r.step, epoch: r.epoch, value: fromDb(r.value), time: r.time }));
}

export function metricKeys(s: StoreDb, runId: number): string[] {
  requireRun(s, runId);
  // A loose index scan: one primary-key seek per key. SELECT DISTINCT reads every row of the run's
  // index (100 ms at a million steps), and the run page and Compare ask for the keys first.
  const sql = `WITH RECURSIVE k(key) AS (
      SELECT MIN(key) FROM metrics WHERE run_id = @run
      UNION ALL
      SELECT (SELECT MIN(key) FROM metrics WHERE run_id = @run AND key > k.key) FROM k WHERE k.key IS NOT NULL
    ) SELECT key FROM k WHERE key IS NOT NULL`;
  return (prepare(s, sql).all({ run: runId }) as { key: string }[]).map((r) => r.key);
}

export function lastStep(s: StoreDb, runId: number): number | null {
  requireRun(s, runId);
  return (prepare(s, 'SELECT MAX(step) AS step FROM metrics WHERE run_id = ?').get(runId) as { step: number | null }).step;
}

/** Drops every metric with step > `step`, for resuming from an earlier checkpoint. */
export function deleteMetricsAfter(s: StoreDb, runId: number, step: number): void {
  checkInt(s, 'deleteMetricsAfter step', step, -1);
  requireRun(s, runId);
  writeTx(s, () => {
    prepare(s, 'DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step);
    rollupRebuild(s, runId, step + 1);
  });
}

export function addEvaluation(s: StoreDb, e: EvaluationRow): void {
  checkInt(s, 'evaluation epoch', e.epoch);
  if (!EVAL_PROTOCOLS.includes(e.protocol))
    fail(s, `evaluation protocol must be one of ${EVAL_PROTOCOLS.join(', ')}, got ${JSON.stringify(e.protocol)}`);
  checkInt(s, 'evaluation batchSize', e.batchSize, 1);
  if (typeof e.noiseActive !== 'boolean') fail(s, 'evaluation noiseActive must be a boolean');
  for (const k of ['top1', 'top5', 'loss'] as const) checkNumber(s, `evaluation ${k}`, e[k]);
  checkInt(s, 'evaluation n', e.n);
  requireRun(s, e.runId);
  prepare(
    s,
    `INSERT INTO evaluations (run_id, epoch, protocol, batch_size, noise_active, top1, top5, loss, n, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.runId, e.epoch, e.protocol, e.batchSize, e.noiseActive ? 1 : 0, e.top1, e.top5, e.loss, e.n, e.createdAt ?? nowIso());
}

/** Ordered by epoch, then insertion. */
export function evaluations(s: StoreDb, runId: number): EvaluationRow[] {
  requireRun(s, runId);
  const rows = prepare(s, 'SELECT * FROM evaluations WHERE run_id = ? ORDER BY epoch, id').all(runId) as {
    run_id: number;
    epoch: number;
    protocol: EvaluationRow['protocol'];
    batch_size: number;
    noise_active: number;
    top1: number | null;
    top5: number | null;
    loss: number | null;
    n: number;
    created_at: string;
  }[];
  return rows.map((r) => ({
    runId: r.run_id,
    epoch: r.epoch,
    protocol: r.protocol,
    batchSize: r.batch_size,
    noiseActive: r.noise_active === 1,
    top1: fromDb(r.top1),
    top5: fromDb(r.top5),
    loss: fromDb(r.loss),
    n: r.n,
    createdAt: r.created_at,
  }));
}

/** Replaces the checkpoint of the same (run, epoch). */
export function addCheckpoint(s: StoreDb, c: CheckpointRow): void {
  checkInt(s, 'checkpoint epoch', c.epoch);
  checkInt(s, 'checkpoint step', c.step);
  checkText(s, 'checkpoint path', c.path);
  if (typeof c.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(c.sha256))
    fail(s, `checkpoint sha256 must be 64 hex digits, got ${JSON.stringify(c.sha256)}`);
  checkInt(s, 'checkpoint bytes', c.bytes);
  requireRun(s, c.runId);
  prepare(
    s,
    `INSERT INTO checkpoints (run_id, epoch, step, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, epoch) DO UPDATE SET step = excluded.step, path = excluded.path, sha256 = excluded.sha256,
       bytes = excluded.bytes, created_at = excluded.created_at`,
  ).run(c.runId, c.epoch, c.step, c.path, c.sha256.toLowerCase(), c.bytes, c.createdAt ?? nowIso());
}

const CHECKPOINT_COLUMNS = 'run_id AS runId, epoch, step, path, sha256, bytes, created_at AS createdAt';

export function checkpoints(s: StoreDb, runId: number): CheckpointRow[] {
  requireRun(s, runId);
  return prepare(s, `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE run_id = ? ORDER BY epoch`).all(runId) as CheckpointRow[];
}

export function latestCheckpoint(s: StoreDb, runId: number): CheckpointRow | undefined {
  requireRun(s, runId);
  return prepare(s, `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC, step DESC LIMIT 1`).get(runId) as
    CheckpointRow | undefined;
}
