// Runs that live in cluster bundles: their link to the bundle and how far it has been imported. One import
// is one transaction, so a bundle that fails validation half-way (the caller validates first) or a crash
// mid-import leaves the store as it was.
import { addCheckpoint, addEvaluation, addMetrics, deleteMetricsAfter } from './metrics';
import { addTag, createRun } from './runs';
import { checkText, nowIso, writeTx, type StoreDb } from './sql';
import type { EvaluationRow, MetricRow, NewRun, RunStatus } from './types';

export interface FileCursor {
  offset: number;
  lines: number;
}
export interface BundleCursors {
  metrics: FileCursor;
  evaluations: FileCursor;
  checkpoints: FileCursor;
}

export interface ClusterRunRow {
  runId: number;
  uuid: string;
  bundlePath: string;
  slurmJob: string | null;
  slurmState: string | null;
  attempt: number;
  cursors: BundleCursors;
  syncedAt: string;
}

export interface BundleImport {
  uuid: string;
  bundlePath: string;
  slurmJob: string | null;
  slurmState: string | null;
  attempt: number;
  /** How to create the run when this UUID is new. */
  create: NewRun;
  tags?: string[];
  /** In file order; a truncate drops every row after that step (an attempt that resumed from a checkpoint). */
  metrics: (Omit<MetricRow, 'runId'> | { truncate: number })[];
  evaluations: ((Omit<EvaluationRow, 'runId' | 'createdAt'> & { time: number }) | { truncate: number })[];
  checkpoints: { epoch: number; step: number; path: string; sha256: string; bytes: number }[];
  cursors: BundleCursors;
  run: {
    status: RunStatus;
    backend: string | null;
    host: string | null;
    startedAt: string | null;
    endedAt: string | null;
    error: string | null;
    summary: Record<string, unknown> | null;
    epochsDone: number;
    stepsDone: number;
    imagesPerSecond: number | null;
  };
}

interface Record_ {
  run_id: number;
  uuid: string;
  bundle_path: string;
  slurm_job: string | null;
  slurm_state: string | null;
  attempt: number;
  metrics_offset: number;
  metrics_lines: number;
  evaluations_offset: number;
  evaluations_lines: number;
  checkpoints_offset: number;
  checkpoints_lines: number;
  synced_at: string;
}

const toRow = (r: Record_): ClusterRunRow => ({
  runId: r.run_id,
  uuid: r.uuid,
  bundlePath: r.bundle_path,
  slurmJob: r.slurm_job,
  slurmState: r.slurm_state,
  attempt: r.attempt,
  cursors: {
    metrics: { offset: r.metrics_offset, lines: r.metrics_lines },
    evaluations: { offset: r.evaluations_offset, lines: r.evaluations_lines },
    checkpoints: { offset: r.checkpoints_offset, lines: r.checkpoints_lines },
  },
  syncedAt: r.synced_at,
});

export function clusterRunByUuid(s: StoreDb, uuid: string): ClusterRunRow | undefined {
  const r = s.db.prepare('SELECT * FROM cluster_runs WHERE uuid = ?').get(uuid) as Record_ | undefined;
  return r && toRow(r);
}

export function clusterRun(s: StoreDb, runId: number): ClusterRunRow | undefined {
  const r = s.db.prepare('SELECT * FROM cluster_runs WHERE run_id = ?').get(runId) as Record_ | undefined;
  return r && toRow(r);
}

export function clusterRuns(s: StoreDb): ClusterRunRow[] {
  return (s.db.prepare('SELECT * FROM cluster_runs ORDER BY run_id').all() as Record_[]).map(toRow);
}

/** Applies one sync of one bundle; returns the run id and whether the run was created by it. */
export function importBundle(s: StoreDb, b: BundleImport): { runId: number; created: boolean } {
  checkText(s, 'bundle uuid', b.uuid);
  return writeTx(s, () => {
    const known = clusterRunByUuid(s, b.uuid);
    const runId = known?.runId ?? createRun(s, { ...b.create, status: 'queued' });
    if (!known) for (const t of b.tags ?? []) addTag(s, runId, t);
    let batch: MetricRow[] = [];
    const flush = () => {
      if (batch.length) addMetrics(s, batch);
      batch = [];
    };
    for (const m of b.metrics) {
      if ('truncate' in m) {
        flush();
        deleteMetricsAfter(s, runId, m.truncate);
      } else batch.push({ runId, ...m });
    }
    flush();
    for (const e of b.evaluations) {
      if ('truncate' in e) s.db.prepare('DELETE FROM evaluations WHERE run_id = ? AND epoch > ?').run(runId, e.truncate);
      else {
        const { time, ...row } = e;
        addEvaluation(s, { runId, ...row, createdAt: new Date(Math.round(time * 1000)).toISOString() });
      }
    }
    for (const c of b.checkpoints) addCheckpoint(s, { runId, ...c });
    const r = b.run;
    // pid stays NULL: the task's pid belongs to a cluster node, and local crash recovery must not judge it.
    s.db
      .prepare(
        `UPDATE runs SET status = ?, backend = ?, host = ?, pid = NULL, started_at = ?, ended_at = ?, error = ?, summary = ?,
         epochs_done = ?, steps_done = ?, images_per_second = ? WHERE id = ?`,
      )
      .run(
        r.status,
        r.backend,
        r.host,
        r.startedAt,
        r.endedAt,
        r.error,
        r.summary ? JSON.stringify(r.summary) : null,
        r.epochsDone,
        r.stepsDone,
        r.imagesPerSecond,
        runId,
      );
    const c = b.cursors;
    s.db
      .prepare(
        `INSERT INTO cluster_runs (run_id, uuid, bundle_path, slurm_job, slurm_state, attempt, metrics_offset, metrics_lines,
           evaluations_offset, evaluations_lines, checkpoints_offset, checkpoints_lines, synced_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET bundle_path = excluded.bundle_path, slurm_job = excluded.slurm_job,
           slurm_state = excluded.slurm_state, attempt = excluded.attempt, metrics_offset = excluded.metrics_offset,
           metrics_lines = excluded.metrics_lines, evaluations_offset = excluded.evaluations_offset,
           evaluations_lines = excluded.evaluations_lines, checkpoints_offset = excluded.checkpoints_offset,
           checkpoints_lines = excluded.checkpoints_lines, synced_at = excluded.synced_at`,
      )
      .run(
        runId,
        b.uuid,
        b.bundlePath,
        b.slurmJob,
        b.slurmState,
        b.attempt,
        c.metrics.offset,
        c.metrics.lines,
        c.evaluations.offset,
        c.evaluations.lines,
        c.checkpoints.offset,
        c.checkpoints.lines,
        nowIso(),
      );
    return { runId, created: !known };
  });
}
