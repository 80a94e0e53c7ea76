// Messages between a caller (CLI, Electron main, loopback server) and a trainer process.
// Discriminated unions, structured-clone safe; both sides import these types.
import type { EvalProtocol } from '../engine/config/types';
import type { EpochMetrics, StepMetrics, TrainStart, TrainStatus } from '../engine/train/trainer';
import type { EvalResult } from '../engine/eval/evaluate';
import type { EmbeddingAnalysis, EmbeddingRequest, EntropyTableRow, NoiseSpecDto } from '../api/contract';

/** What a trainer does when its caller goes away: the app's queue puts the run back ('requeue'). */
export type OnCallerLoss = 'cancel' | 'requeue';

export type Job =
  | { kind: 'train'; runId: number; dataDir: string; onCallerLoss?: OnCallerLoss }
  | { kind: 'resume'; runId: number; dataDir: string; onCallerLoss?: OnCallerLoss }
  | { kind: 'eval'; runId: number; dataDir: string; protocols: EvalProtocol[]; clean: boolean; epoch?: number; testBatchSize?: number }
  | { kind: 'analyse'; jobId: string; dataDir: string; request: EmbeddingRequest }
  | {
      kind: 'entropy-table';
      jobId: string;
      dataDir: string;
      request: Omit<EmbeddingRequest, 'noise' | 'projection' | 'entropy'> & { noises: NoiseSpecDto[] };
    };

export type RunJob = Extract<Job, { runId: number }>;

export type ToWorker = { type: 'start'; job: Job } | { type: 'cancel'; requeue?: boolean };

export interface BackendInfo {
  name: string;
  reason: string;
}

export type FromWorker =
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'start'; start: TrainStart }
  | { type: 'step'; step: StepMetrics }
  | { type: 'epoch'; epoch: Omit<EpochMetrics, 'test'> & { test: EvalResult } }
  | { type: 'eval'; result: EvalResult }
  | { type: 'eval-progress'; protocol: EvalProtocol; done: number; total: number }
  | {
      type: 'done';
      status: TrainStatus | 'failed';
      runId: number;
      error?: string;
      evaluations: EvalResult[];
      imagesPerSecond: number;
      epochs: number;
    }
  | { type: 'analysis-progress'; phase: string; done: number; total: number }
  | { type: 'analysis-done'; analysis?: EmbeddingAnalysis; table?: EntropyTableRow[]; error?: string };
