// The run store: the only module that talks to SQLite. Everything else goes through Store.
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './db';
import * as cluster from './cluster';
import * as ds from './datasets';
import * as m from './metrics';
import { schemaVersion } from './migrate';
import * as runs from './runs';
import { ensureReserve, isDiskFull, releaseReserve } from './reserve';
import { metricSeries, type SeriesRows } from './rollups';
import type { StoreDb } from './sql';
import type {
  CheckpointRow,
  DatasetInput,
  EvaluationRow,
  FinalStatus,
  MetricRow,
  NewRun,
  NoteRow,
  RunFilter,
  RunFinish,
  RunProgress,
  RunRow,
  RunStart,
  RunStatus,
  StoredDataset,
} from './types';

export type * from './types';
export type { BundleImport, ClusterRunRow } from './cluster';
export { RUN_STATUSES, FINAL_STATUSES, RESUMABLE_STATUSES, EVAL_PROTOCOLS } from './types';
export type { CancelOutcome } from './runs';
export { resolveDataDir, dbPath, runDir } from './paths';
export type { Migration } from './migrate';

export class Store {
  readonly path: string;
  readonly dataDir: string;
  readonly #s: StoreDb;

  constructor(s: StoreDb, dataDir: string) {
    this.#s = s;
    this.path = s.file;
    this.dataDir = path.resolve(dataDir);
  }

  createRun(r: NewRun): number {
    return runs.createRun(this.#s, r);
  }
  startRun(id: number, r: RunStart): void {
    runs.startRun(this.#s, id, r);
  }
  /** A full disk does not stop this one: it is written into the space of the disk reserve (reserve.ts). */
  finishRun(id: number, status: FinalStatus, r?: RunFinish): void {
    try {
      runs.finishRun(this.#s, id, status, r);
    } catch (e) {
      if (!isDiskFull(e) || !releaseReserve(this.dataDir)) throw e;
      runs.finishRun(this.#s, id, status, r);
    }
  }
  requeueRun(id: number, reason?: string): void {
    runs.requeueRun(this.#s, id, reason);
  }
  requeueFrom(id: number, from: readonly RunStatus[], reason?: string): boolean {
    return runs.requeueFrom(this.#s, id, from, reason);
  }
  /** Atomically takes a run in one of `from` (default queued) for process `pid`; false when another process has it. */
  claimRun(id: number, pid: number, from?: readonly RunStatus[]): boolean {
    return runs.claimRun(this.#s, id, pid, from);
  }
  requestCancel(id: number): runs.CancelOutcome {
    return runs.requestCancel(this.#s, id);
  }
  cancelRequested(id: number): boolean {
    return runs.cancelRequested(this.#s, id);
  }
  updateProgress(id: number, p: RunProgress): void {
    runs.updateProgress(this.#s, id, p);
  }
  mergeSummary(id: number, s: Record<string, unknown>): void {
    runs.mergeSummary(this.#s, id, s);
  }
  getRun(id: number): RunRow | undefined {
    return runs.getRun(this.#s, id);
  }
  listRuns(f?: RunFilter): RunRow[] {
    return runs.listRuns(this.#s, f);
  }
  /** Database rows only (cascades to metrics, params, ...); the run's artefact folder is the caller's to remove. */
  deleteRun(id: number): void {
    runs.deleteRun(this.#s, id);
  }

  addMetrics(rows: MetricRow[]): void {
    m.addMetrics(this.#s, rows);
  }
  metrics(runId: number, key?: string): MetricRow[] {
    return m.metrics(this.#s, runId, key);
  }
  metricKeys(runId: number): string[] {
    return m.metricKeys(this.#s, runId);
  }
  lastStep(runId: number): number | null {
    return m.lastStep(this.#s, runId);
  }
  deleteMetricsAfter(runId: number, step: number): void {
    m.deleteMetricsAfter(this.#s, runId, step);
  }
  /** A curve sized for a chart `width` pixels wide (raw when short; mean/min/max buckets when long). */
  metricSeries(runId: number, key: string, width: number): SeriesRows {
    runs.requireRun(this.#s, runId);
    return metricSeries(this.#s, runId, key, width);
  }

  addEvaluation(e: EvaluationRow): void {
    m.addEvaluation(this.#s, e);
  }
  evaluations(runId: number): EvaluationRow[] {
    return m.evaluations(this.#s, runId);
  }
  addCheckpoint(c: CheckpointRow): void {
    m.addCheckpoint(this.#s, c);
  }
  checkpoints(runId: number): CheckpointRow[] {
    return m.checkpoints(this.#s, runId);
  }
  latestCheckpoint(runId: number): CheckpointRow | undefined {
    return m.latestCheckpoint(this.#s, runId);
  }

  upsertDataset(info: DatasetInput): number {
    return ds.upsertDataset(this.#s, info);
  }
  datasets(): StoredDataset[] {
    return ds.datasets(this.#s);
  }
  datasetByName(name: string): StoredDataset | undefined {
    return ds.datasetByName(this.#s, name);
  }
  datasetById(id: number): StoredDataset | undefined {
    return ds.datasetById(this.#s, id);
  }
  /** Refuses a name in use unless `replace` (the old data stays registered as `<name>@<hash>` for its runs). */
  registerDataset(info: DatasetInput, replace?: boolean): number {
    return ds.registerDataset(this.#s, info, replace);
  }
  /** Refused while runs use it unless `force`; returns how many runs did. */
  removeDataset(name: string, force?: boolean): number {
    return ds.removeDataset(this.#s, name, force);
  }

  addTag(runId: number, tag: string): void {
    runs.addTag(this.#s, runId, tag);
  }
  removeTag(runId: number, tag: string): void {
    runs.removeTag(this.#s, runId, tag);
  }
  addNote(runId: number, body: string): number {
    return runs.addNote(this.#s, runId, body);
  }
  updateNote(runId: number, noteId: number, body: string): void {
    runs.updateNote(this.#s, runId, noteId, body);
  }
  notes(runId: number): NoteRow[] {
    return runs.notes(this.#s, runId);
  }
  params(runId: number): Record<string, string | number> {
    return runs.params(this.#s, runId);
  }
  runsWhereParam(key: string, value: string | number): number[] {
    return runs.runsWhereParam(this.#s, key, value);
  }
  createSweep(name: string, spec: unknown): number {
    return runs.createSweep(this.#s, name, spec);
  }

  /** One sync of one cluster bundle, in one transaction. */
  importBundle(b: cluster.BundleImport): { runId: number; created: boolean } {
    return cluster.importBundle(this.#s, b);
  }
  clusterRunByUuid(uuid: string): cluster.ClusterRunRow | undefined {
    return cluster.clusterRunByUuid(this.#s, uuid);
  }
  clusterRun(runId: number): cluster.ClusterRunRow | undefined {
    return cluster.clusterRun(this.#s, runId);
  }
  clusterRuns(): cluster.ClusterRunRow[] {
    return cluster.clusterRuns(this.#s);
  }

  /** Whether the disk reserve is in place (made now if there is room): false while the disk is (nearly) full. */
  diskReserve(): boolean {
    return ensureReserve(this.dataDir);
  }

  /** Done on open; call again to sweep up trainers that died while the app is running. Returns the ids marked crashed. */
  recoverCrashedRuns(): number[] {
    return runs.recoverCrashedRuns(this.#s, os.hostname());
  }

  /** 'ok' when healthy, otherwise SQLite's list of problems (one per line). */
  integrityCheck(): string {
    const rows = this.#s.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  schemaVersion(): number {
    return schemaVersion(this.#s.db);
  }

  close(): void {
    this.#s.db.close();
    this.#s.onClose?.();
  }
}

/**
 * Opens `<dataDir>/noisynn.db` (creating and migrating it) and recovers crashed runs of this host; with
 * `readOnly`, only reads it (commands that show or export), which also works where it cannot be written.
 */
export function openStore(dataDir: string, o: { readOnly?: boolean } = {}): Store {
  const store = new Store(openDatabase(dataDir, undefined, o), dataDir);
  if (!o.readOnly) ensureReserve(store.dataDir);
  return store;
}
