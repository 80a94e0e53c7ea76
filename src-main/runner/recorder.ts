// Where a training job writes what it produces. jobs.ts defines the metric keys and evaluation rows once and
// writes them through a recorder: the store recorder (a local run, SQLite) or the bundle recorder
// (a cluster task, files on a shared filesystem; src-main/cluster/bundle-recorder.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InitSpec, RunConfig } from '../engine/config/types';
import { validateConfig } from '../engine/config';
import type { Dataset } from '../data/types';
import type { SavedCheckpoint } from '../engine/train/checkpoint';
import type { InitialWeights } from '../engine/train/trainer';
import { conflict, notFound } from '../errors';
import {
  runDir,
  type CheckpointRow,
  type EvaluationRow,
  type FinalStatus,
  type MetricRow,
  type RunFinish,
  type RunProgress,
  type RunRow,
  type RunStart,
  type Store,
} from '../store';
import { loadWeights } from '../weights/library';
import { openRunDataset } from './datasets';
import { beginTraining, finishTraining } from './lifecycle';

export type MetricPoint = Omit<MetricRow, 'runId'>;
export type EvalPoint = Omit<EvaluationRow, 'runId' | 'createdAt'>;
export type CheckpointPoint = Pick<SavedCheckpoint, 'epoch' | 'step' | 'path' | 'sha256' | 'bytes'>;

export interface RunRecorder {
  /** The validated run config. */
  config(): RunConfig;
  /** The run's dataset as recorded (its content checked), before the weights' input transform. */
  openData(): Promise<Dataset>;
  /** The imported weights a run with `init` starts from (checked against the recorded sha256). */
  initialWeights(init: InitSpec): InitialWeights;
  /** Where the trainer writes its checkpoints. */
  checkpointDir(): string;
  /** The last verified checkpoint; everything recorded after it is dropped (a resume redoes those steps). */
  resumePoint(): CheckpointPoint;
  /** The trainer takes the run over; for the store, only a run its parent claimed (else it throws). */
  start(r: Required<Omit<RunStart, 'claimedBy'>>): void;
  metrics(rows: MetricPoint[]): void;
  progress(p: RunProgress): void;
  checkpoint(c: CheckpointPoint): void;
  evaluation(e: EvalPoint): void;
  finish(status: FinalStatus, r: RunFinish): void;
  /** The trainer was stopped to be run again later (the app shutting down, Slurm requeueing the task). */
  requeue(reason: string, r: RunFinish): void;
}

/**
 * The summary change a resume from `step` makes: the steps after it are re-run, and the charts mark
 * where (summary.resumedFrom, one step per resume, read by the renderer's lib/resume-marks.ts).
 */
export function resumeMark(summary: Record<string, unknown> | null | undefined, step: number): { resumedFrom: number[] } {
  const before = summary?.resumedFrom;
  return { resumedFrom: [...(Array.isArray(before) ? (before as number[]) : []), step] };
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
  if (sha !== ckpt.sha256)
    throw new Error(`checkpoint ${ckpt.path} of ${what} is corrupt: sha256 ${sha.slice(0, 12)} != recorded ${ckpt.sha256.slice(0, 12)}`);
  return ckpt;
}

export function storedRun(store: Store, runId: number): { run: RunRow; config: RunConfig } {
  const run = store.getRun(runId);
  if (!run) throw notFound(`run ${runId} not found in ${store.path}`);
  const config = run.config as RunConfig;
  validateConfig(config);
  return { run, config };
}

export function verifiedStoreCheckpoint(store: Store, runId: number, epoch?: number): CheckpointRow {
  const all = store.checkpoints(runId);
  const ckpt = epoch === undefined ? all[all.length - 1] : all.find((c) => c.epoch === epoch);
  if (!ckpt) throw new Error(`run ${runId} has no checkpoint${epoch === undefined ? '' : ` for epoch ${epoch}`}`);
  return verifyCheckpoint(ckpt, `run ${runId}`);
}

/**
 * Resume continues from the newest checkpoint that is intact: a missing or damaged newer one is skipped
 * (and noted on the run), and when none is left the run says so and how to start over.
 */
function resumeStoreCheckpoint(store: Store, runId: number): CheckpointRow {
  const all = store.checkpoints(runId);
  const skipped: string[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    try {
      const ckpt = verifyCheckpoint(all[i], `run ${runId}`);
      if (skipped.length) store.addNote(runId, `resume: ${skipped.join('; ')}; continued from the epoch ${ckpt.epoch} checkpoint instead`);
      return ckpt;
    } catch (e) {
      skipped.push((e as Error).message);
    }
  }
  throw conflict(
    `run ${runId}: no intact checkpoint is left (${skipped.join('; ') || 'none was written'}); start it over from the beginning with: noisynn resume ${runId} --restart`,
  );
}

export function storeRecorder(store: Store, runId: number, kind: 'train' | 'resume'): RunRecorder {
  const { run, config } = storedRun(store, runId);
  return {
    config: () => config,
    openData: () => openRunDataset(store, run, kind),
    initialWeights: (init) => {
      const { entry, arrays } = loadWeights(store.dataDir, init.weights, init.sha256);
      return { label: entry.name, model: entry.model, arrays };
    },
    checkpointDir: () => runDir(store.dataDir, runId),
    resumePoint: () => {
      const ckpt = resumeStoreCheckpoint(store, runId);
      store.deleteMetricsAfter(runId, ckpt.step);
      store.mergeSummary(runId, resumeMark(store.getRun(runId)?.summary, ckpt.step));
      return ckpt;
    },
    start: (r) => beginTraining(store, runId, r.backend),
    metrics: (rows) => store.addMetrics(rows.map((r) => ({ runId, ...r }))),
    progress: (p) => store.updateProgress(runId, p),
    checkpoint: (c) => store.addCheckpoint({ runId, epoch: c.epoch, step: c.step, path: c.path, sha256: c.sha256, bytes: c.bytes }),
    evaluation: (e) => store.addEvaluation({ runId, ...e }),
    finish: (status, r) => finishTraining(store, runId, status, r),
    // A cancel asked for through the store wins over the requeue (lifecycle.finishTraining).
    requeue: (_reason, r) => finishTraining(store, runId, 'cancelled', { ...r, requeue: true }),
  };
}
