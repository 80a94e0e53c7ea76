import type { Migration } from '../migrate';

// Runs imported from cluster bundles (`noisynn sync`): the bundle's UUID identifies the run across syncs and
// workstations; the offsets are how far each bundle file has been imported, so a re-sync reads only new lines.
export const clusterRuns: Migration = {
  version: 4,
  name: 'cluster-runs',
  up(db) {
    db.exec(`
      CREATE TABLE cluster_runs (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        uuid TEXT NOT NULL UNIQUE,
        bundle_path TEXT NOT NULL,
        slurm_job TEXT,
        slurm_state TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        metrics_offset INTEGER NOT NULL DEFAULT 0,
        metrics_lines INTEGER NOT NULL DEFAULT 0,
        evaluations_offset INTEGER NOT NULL DEFAULT 0,
        evaluations_lines INTEGER NOT NULL DEFAULT 0,
        checkpoints_offset INTEGER NOT NULL DEFAULT 0,
        checkpoints_lines INTEGER NOT NULL DEFAULT 0,
        synced_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
