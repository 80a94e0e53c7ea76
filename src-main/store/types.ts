import type { DatasetInfo } from '../data/types';

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'diverged' | 'cancelled' | 'crashed';
export type FinalStatus = Exclude<RunStatus, 'queued' | 'running'>;
export type EvalProtocol = 'standard' | 'sorted' | 'shuffled' | 'single';

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled', 'crashed'];
export const FINAL_STATUSES: readonly FinalStatus[] = ['completed', 'failed', 'diverged', 'cancelled', 'crashed'];
export const EVAL_PROTOCOLS: readonly EvalProtocol[] = ['standard', 'sorted', 'shuffled', 'single'];

export interface RunRow {
  id: number;
  name: string | null;
  status: RunStatus;
  /** Parsed JSON, exactly as stored (after a JSON round trip). */
  config: unknown;
  seed: number;
  datasetId: number | null;
  sweepId: number | null;
  backend: string | null;
  versions: Record<string, string> | null;
  gitCommit: string | null;
  host: string | null;
  pid: number | null;
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
}

export interface RunStart {
  pid: number;
  backend: string;
  /** Defaults to os.hostname(); crash recovery only judges runs of this host. */
  host?: string;
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
