import type { Migration } from '../migrate';

// Pre-aggregated metric buckets (32, 1024 and 32768 steps) so a chart of a million-step curve reads
// about a thousand rows instead of a million. Derived data: rebuilt here from metrics, kept in step by
// addMetrics / deleteMetricsAfter.
// The levels are written out, not imported from rollups.ts: a shipped migration must build the same rows
// whatever later code says. Changing ROLLUP_LEVELS needs a new migration that rebuilds the table.
const LEVELS = [32, 1024, 32768];

export const metricRollups: Migration = {
  version: 2,
  name: 'metric-rollups',
  up(db) {
    db.exec(`
      CREATE TABLE metric_rollups (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        level INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        first_step INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        n INTEGER NOT NULL,
        sum REAL NOT NULL,
        min REAL,
        max REAL,
        PRIMARY KEY (run_id, key, level, bucket)
      ) STRICT, WITHOUT ROWID;
    `);
    const fill = db.prepare(`
      INSERT INTO metric_rollups (run_id, key, level, bucket, first_step, rows, n, sum, min, max)
      SELECT run_id, key, CAST(? AS INTEGER), step / CAST(? AS INTEGER), MIN(step), COUNT(*), COUNT(value), TOTAL(value), MIN(value), MAX(value)
      FROM metrics GROUP BY run_id, key, step / CAST(? AS INTEGER)`);
    for (const level of LEVELS) fill.run(level, level, level);
  },
};
