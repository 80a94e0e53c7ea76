// Where a training job writes what it produces. jobs.ts defines the metric keys and evaluation rows once and
// writes them through a recorder: the store recorder (a local run, SQLite) or the bundle recorder
// (a cluster task, files on a shared filesystem; src-main/cluster/bundle-recorder.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunConfig } from '../engine/config/types';
import { validateConfig } from '../engine/config';
import type { Dataset } from '../data/types';
import type { SavedCheckpoint } from '../engine/train/checkpoint';
import { runDir, type CheckpointRow, type EvaluationRow, type FinalStatus, type MetricRow, type RunFinish, type RunProgress, type RunStart, type Store } from '../store';
import { openDataset } from './datasets';

export type MetricPoint = Omit<MetricRow, 'runId'>;
export type EvalPoint = Omit<EvaluationRow, 'runId' | 'createdAt'>;
export type CheckpointPoint = Pick<SavedCheckpoint, 'epoch' | 'step' | 'path' | 'sha256' | 'bytes'>;

export interface RunRecorder {
  /** The validated run config. */
  config(): RunConfig;
  openData(): Promise<Dataset>;
  /** Where the trainer writes its checkpoints. */
  checkpointDir(): string;
  /** The last verified checkpoint; everything recorded after it is dropped (a resume redoes those steps). */
  resumePoint(): CheckpointPoint;
  start(r: Required<RunStart>): void;
  metrics(rows: MetricPoint[]): void;
  progress(p: RunProgress): void;
  checkpoint(c: CheckpointPoint): void;
  evaluation(e: EvalPoint): void;
  finish(status: FinalStatus, r: RunFinish): void;
  requeue(reason: string): void;
}

/** Reads a checkpoint and checks its sha256 against the recorded one (`what` names it in errors). */
export function verifyCheckpoint<C extends { path: string; sha256: string }>(ckpt: C, what: string): C {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ckpt.path);
  } catch (e) {
    throw new Error(`checkpoint ${ckpt.path} of ${what} cannot be read: ${(e as Error).message}`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== ckpt.sha256) throw new Error(`checkpoint ${ckpt.path} of ${what} is corrupt: sha256 ${sha.slice(0, 12)} != recorded ${ckpt.sha256.slice(0, 12)}`);
  return ckpt;
}

export function storedConfig(store: Store, runId: number): RunConfig {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found in ${store.path}`);
  const config = run.config as RunConfig;
  validateConfig(config);
  return config;
}

export function verifiedStoreCheckpoint(store: Store, runId: number, epoch?: number): CheckpointRow {
  const all = store.checkpoints(runId);
  const ckpt = epoch === undefined ? all[all.length - 1] : all.find((c) => c.epoch === epoch);
  if (!ckpt) throw new Error(`run ${runId} has no checkpoint${epoch === undefined ? '' : ` for epoch ${epoch}`}`);
  return verifyCheckpoint(ckpt, `run ${runId}`);
}

export function storeRecorder(store: Store, runId: number): RunRecorder {
  const config = storedConfig(store, runId);
  return {
    config: () => config,
    openData: async () => (await openDataset(store, config.dataset)).data,
    checkpointDir: () => runDir(store.dataDir, runId),
    resumePoint: () => {
      const ckpt = verifiedStoreCheckpoint(store, runId);
      store.deleteMetricsAfter(runId, ckpt.step);
      return ckpt;
    },
    start: (r) => store.startRun(runId, r),
    metrics: (rows) => store.addMetrics(rows.map((r) => ({ runId, ...r }))),
    progress: (p) => store.updateProgress(runId, p),
    checkpoint: (c) => store.addCheckpoint({ runId, epoch: c.epoch, step: c.step, path: c.path, sha256: c.sha256, bytes: c.bytes }),
    evaluation: (e) => store.addEvaluation({ runId, ...e }),
    finish: (status, r) => store.finishRun(runId, status, r),
    requeue: (reason) => store.requeueRun(runId, reason),
  };
}
