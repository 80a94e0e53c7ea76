// Metric rollups: per (run, key, level, bucket) the first step, row count, finite count, sum, min and
// max of the values whose step falls in the bucket. Charts read these instead of raw rows.
import { prepare, type StoreDb } from './sql';

export const ROLLUP_LEVELS = [32, 1024, 32768] as const;

/** Adds one fresh row (not a replacement) to every level's bucket. NaN counts as a row, not a value. */
export function rollupAdd(s: StoreDb, runId: number, key: string, step: number, value: number): void {
  const finite = Number.isNaN(value) ? null : value;
  const stmt = prepare(
    s,
    `
    INSERT INTO metric_rollups (run_id, key, level, bucket, first_step, rows, n, sum, min, max)
    VALUES (?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER), 1, CAST(? AS INTEGER), ?, ?, ?)
    ON CONFLICT (run_id, key, level, bucket) DO UPDATE SET
      first_step = MIN(first_step, excluded.first_step), rows = rows + 1, n = n + excluded.n, sum = sum + excluded.sum,
      min = CASE WHEN min IS NULL OR excluded.min < min THEN COALESCE(excluded.min, min) ELSE min END,
      max = CASE WHEN max IS NULL OR excluded.max > max THEN COALESCE(excluded.max, max) ELSE max END`,
  );
  for (const level of ROLLUP_LEVELS) {
    stmt.run(runId, key, level, Math.floor(step / level), step, finite === null ? 0 : 1, finite ?? 0, finite, finite);
  }
}

/** Rebuilds a run's buckets from raw metrics for steps >= fromStep (and every bucket that contains them). */
export function rollupRebuild(s: StoreDb, runId: number, fromStep: number, key?: string): void {
  const keyClause = key === undefined ? '' : ' AND key = ?';
  const keyArg = key === undefined ? [] : [key];
  for (const level of ROLLUP_LEVELS) {
    const first = Math.floor(Math.max(0, fromStep) / level);
    prepare(
      s,
      `DELETE FROM metric_rollups WHERE run_id = ? AND level = CAST(? AS INTEGER) AND bucket >= CAST(? AS INTEGER)${keyClause}`,
    ).run(runId, level, first, ...keyArg);
    prepare(
      s,
      `INSERT INTO metric_rollups (run_id, key, level, bucket, first_step, rows, n, sum, min, max)
         SELECT run_id, key, CAST(? AS INTEGER), step / CAST(? AS INTEGER), MIN(step), COUNT(*), COUNT(value), TOTAL(value), MIN(value), MAX(value)
         FROM metrics WHERE run_id = ? AND step >= CAST(? AS INTEGER)${keyClause} GROUP BY key, step / CAST(? AS INTEGER)`,
    ).run(level, level, runId, first * level, ...keyArg, level);
  }
}

export interface SeriesRows {
  step: number[];
  value: number[];
  min?: number[];
  max?: number[];
}

/**
 * A metric curve for a chart `width` pixels wide: raw points when there are few, otherwise about
 * `width` buckets with mean, min and max (spikes survive), merged from the coarsest rollup level that
 * still has at least width / 2 buckets (or from the raw rows when there are fewer than 16 x width).
 */
export function metricSeries(s: StoreDb, runId: number, key: string, width: number): SeriesRows {
  const buckets = Math.max(1, Math.floor(width));
  const coarsest = ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1];
  const total = (
    prepare(s, 'SELECT TOTAL(rows) AS t FROM metric_rollups WHERE run_id = ? AND key = ? AND level = CAST(? AS INTEGER)').get(
      runId,
      key,
      coarsest,
    ) as { t: number }
  ).t;
  // The coarsest level that still gives at least half the requested resolution.
  const coarse = [...ROLLUP_LEVELS].reverse().find((l) => total / l >= buckets / 2);
  if (coarse === undefined) {
    // Too few points for any rollup level to give half the resolution: bucket the raw rows (at most 16 x width).
    const raw = prepare(s, 'SELECT step, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step').all(runId, key) as {
      step: number;
      value: number | null;
    }[];
    const rows = raw.map((r) => ({ first_step: r.step, n: r.value === null ? 0 : 1, sum: r.value ?? 0, min: r.value, max: r.value }));
    if (rows.length <= 2 * buckets)
      return { step: raw.map((r) => r.step), value: raw.map((r) => (r.value === null ? Number.NaN : r.value)) };
    return merge(rows, buckets);
  }
  const rows = prepare(
    s,
    'SELECT first_step, n, sum, min, max FROM metric_rollups WHERE run_id = ? AND key = ? AND level = CAST(? AS INTEGER) ORDER BY bucket',
  ).all(runId, key, coarse) as Bucket[];
  return merge(rows, buckets);
}

interface Bucket {
  first_step: number;
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** Consecutive buckets merged into at most `buckets` groups: first step, mean, min, max. */
function merge(rows: Bucket[], buckets: number): SeriesRows {
  const out: Required<SeriesRows> = { step: [], value: [], min: [], max: [] };
  const groups = Math.min(buckets, rows.length);
  for (let g = 0; g < groups; g++) {
    const a = Math.floor((g * rows.length) / groups);
    const b = Math.floor(((g + 1) * rows.length) / groups);
    let n = 0;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b; i++) {
      const r = rows[i];
      n += r.n;
      sum += r.sum;
      if (r.min !== null && r.min < lo) lo = r.min;
      if (r.max !== null && r.max > hi) hi = r.max;
    }
    out.step.push(rows[a].first_step);
    out.value.push(n ? sum / n : Number.NaN);
    out.min.push(n ? lo : Number.NaN);
    out.max.push(n ? hi : Number.NaN);
  }
  return out;
}
