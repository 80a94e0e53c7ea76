import type { DatasetInfo } from '../data/types';

import type { FinalStatus, RunStatus } from '../api/contract';

export type { FinalStatus, RunStatus };
export { FINAL_STATUSES, RESUMABLE_STATUSES, RUN_STATUSES } from '../api/contract';
export type EvalProtocol = 'standard' | 'sorted' | 'shuffled' | 'single';

export const EVAL_PROTOCOLS: readonly EvalProtocol[] = ['standard', 'sorted', 'shuffled', 'single'];

export interface RunRow {
  id: number;
  name: string | null;
  status: RunStatus;
  /** Parsed JSON, exactly as stored (after a JSON round trip). */
  config: unknown;
  seed: number;
  datasetId: number | null;
  /** The content hash of the dataset when the run was created: eval and resume refuse other data. */
  datasetHash: string | null;
  sweepId: number | null;
  backend: string | null;
  versions: Record<string, string> | null;
  gitCommit: string | null;
  host: string | null;
  pid: number | null;
  /** Another process asked the owner to stop at its next step. */
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  epochsDone: number;
  stepsDone: number;
  imagesPerSecond: number | null;
  summary: Record<string, unknown> | null;
  /** Sorted. */
  tags: string[];
}

export interface NewRun {
  name?: string;
  config: unknown;
  seed: number;
  datasetId?: number | null;
  sweepId?: number | null;
  versions?: Record<string, string>;
  gitCommit?: string | null;
  status?: 'queued' | 'running';
  /** With status 'running': the process that owns the run from birth (default this one). */
  ownerPid?: number;
}

export interface RunStart {
  pid: number;
  backend: string;
  /** Defaults to os.hostname(); crash recovery only judges runs of this host. */
  host?: string;
  /** Refuse unless the run is 'running' and claimed by this pid (the trainer's parent). */
  claimedBy?: number;
}

export interface RunFinish {
  error?: string;
  /** Merged into the existing summary. */
  summary?: Record<string, unknown>;
  imagesPerSecond?: number;
}

export interface RunProgress {
  epochsDone?: number;
  stepsDone?: number;
  imagesPerSecond?: number;
}

export interface RunFilter {
  status?: RunStatus[];
  sweepId?: number;
  tag?: string;
  /** Case-insensitive substring of the name, a tag or the config JSON. */
  search?: string;
  limit?: number;
}

export interface MetricRow {
  runId: number;
  key: string;
  step: number;
  epoch: number;
  /** NaN survives the round trip (stored as NULL). */
  value: number;
  /** Unix seconds. */
  time: number;
}

export interface EvaluationRow {
  runId: number;
  epoch: number;
  protocol: EvalProtocol;
  batchSize: number;
  noiseActive: boolean;
  top1: number;
  top5: number;
  loss: number;
  n: number;
  createdAt?: string;
}

export interface CheckpointRow {
  runId: number;
  epoch: number;
  step: number;
  path: string;
  sha256: string;
  bytes: number;
  createdAt?: string;
}

export interface NoteRow {
  id: number;
  body: string;
  createdAt: string;
}

/** DatasetInfo may or may not declare `note` yet; the store accepts it either way. */
export type DatasetInput = DatasetInfo & { note?: string };
export type StoredDataset = DatasetInfo & { id: number; note?: string; addedAt: string };
