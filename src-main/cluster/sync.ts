// `noisynn sync`: bundles -> store, idempotently (a run is its UUID; a finished bundle synced twice changes
// nothing) and incrementally (only lines after what was imported are read). A bundle that is corrupt or cut
// short raises a BundleError and nothing of its run is imported.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunStatus, Store } from '../store';
import type { MetricPoint } from '../runner/recorder';
import {
  BundleError,
  FINISHED_STATES,
  checkpointFile,
  isBundle,
  readCheckpointLines,
  readEvalLines,
  readMetricLines,
  readRun,
  readStatus,
  type BundleRun,
  type BundleStatus,
} from './bundle';
import { ACTIVE_STATES, taskStates, type TaskState } from './slurm';

/** A running bundle whose heartbeat is older than this, with no word from Slurm, is taken for dead. */
export const STALE_HEARTBEAT_S = 300;

export interface SyncResult {
  dir: string;
  uuid?: string;
  runId?: number;
  created?: boolean;
  status?: RunStatus;
  newMetrics?: number;
  /** The newest training step among the imported lines (for live views). */
  lastStep?: { step: number; epoch: number; loss: number; acc: number; lr: number; totalSteps: number; imagesPerSecond: number };
  /** The newest epoch's numbers among the imported lines. */
  lastEpoch?: { epoch: number; trainLoss: number; trainAcc: number; testTop1: number; testTop5: number; testLoss: number };
  error?: string;
}

/** Every bundle at or under the given paths (a bundle, a sweep folder, a folder of sweeps). */
export function findBundles(paths: string[], depth = 4): string[] {
  const out: string[] = [];
  const walk = (dir: string, d: number) => {
    if (isBundle(dir)) return void out.push(dir);
    if (d === 0) return;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name), d - 1);
    }
  };
  for (const p of paths) {
    const dir = resolve(p);
    let st;
    try {
      st = statSync(dir);
    } catch {
      throw new Error(`${p}: no such folder`);
    }
    if (!st.isDirectory()) throw new Error(`${p}: not a folder`);
    walk(dir, depth);
  }
  return out;
}

export const slurmTaskId = (run: BundleRun): string | null => (run.slurm ? `${run.slurm.jobId}_${run.slurm.arrayIndex}` : null);

/** The store status of a bundle's run: its own word when it finished, else what Slurm (or the heartbeat) says. */
export function runStatus(
  status: BundleStatus,
  slurm: TaskState | undefined,
  taskId: string | null,
  nowMs = Date.now(),
): { status: RunStatus; error: string | null } {
  if ((FINISHED_STATES as readonly string[]).includes(status.state)) return { status: status.state as RunStatus, error: status.error };
  const live = status.state === 'running' ? 'running' : 'queued';
  if (slurm && ACTIVE_STATES.has(slurm.state)) {
    return {
      status: live,
      error: slurm.state === 'PENDING' ? `Slurm ${taskId}: PENDING${slurm.reason ? ` (${slurm.reason})` : ''}` : status.error,
    };
  }
  if (slurm) {
    if (slurm.state === 'CANCELLED') return { status: 'cancelled', error: `Slurm task ${taskId} was CANCELLED before the run finished` };
    return { status: 'crashed', error: `Slurm task ${taskId} ended ${slurm.state} without finishing the run` };
  }
  const beat = status.heartbeat ? Date.parse(status.heartbeat) : Number.NaN;
  if (status.state === 'running' && Number.isFinite(beat) && nowMs - beat > STALE_HEARTBEAT_S * 1000) {
    return {
      status: 'crashed',
      error: `no heartbeat since ${status.heartbeat}${taskId ? ` and Slurm no longer knows task ${taskId}` : ''}`,
    };
  }
  return { status: live, error: status.error };
}

function sha256(path: string, dir: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (e) {
    throw new BundleError(dir, `checkpoint ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Imports what is new in one bundle. Throws BundleError (nothing imported) when it is corrupt or truncated. */
export function syncBundle(store: Store, dir: string, slurm: Map<string, TaskState> = new Map()): SyncResult {
  const run = readRun(dir);
  const status = readStatus(dir);
  const known = store.clusterRunByUuid(run.uuid);
  const zero = { offset: 0, lines: 0 };
  const from = known?.cursors ?? { metrics: zero, evaluations: zero, checkpoints: zero };
  const metrics = readMetricLines(dir, from.metrics);
  const evals = readEvalLines(dir, from.evaluations);
  const ckpts = readCheckpointLines(dir, from.checkpoints);
  if ((FINISHED_STATES as readonly string[]).includes(status.state)) {
    const want = status.lines;
    if (!want) throw new BundleError(dir, `status.json says ${status.state} but has no line counts`);
    const got = { metrics: metrics.lines, evaluations: evals.lines, checkpoints: ckpts.lines };
    for (const k of ['metrics', 'evaluations', 'checkpoints'] as const) {
      const file = k === 'metrics' ? metrics : k === 'evaluations' ? evals : ckpts;
      if (file.partial > 0 || got[k] !== want[k]) {
        throw new BundleError(
          dir,
          `is truncated: ${k}.jsonl has ${got[k]} complete lines${file.partial ? ` and a cut-off one` : ''}, status.json recorded ${want[k]}`,
        );
      }
    }
  }
  const checkpoints = ckpts.items.map((c) => {
    const path = checkpointFile(dir, c);
    if (sha256(path, dir) !== c.sha256) throw new BundleError(dir, `checkpoint ${c.file} does not match its recorded sha256`);
    return { epoch: c.epoch, step: c.step, path, sha256: c.sha256, bytes: c.bytes };
  });
  const taskId = slurmTaskId(run);
  const slurmState = taskId ? slurm.get(taskId) : undefined;
  const derived = runStatus(status, slurmState, taskId);
  const dataset = store.datasetByName(run.dataset.name);
  const res = store.importBundle({
    uuid: run.uuid,
    bundlePath: dir,
    slurmJob: taskId,
    slurmState: slurmState?.state ?? known?.slurmState ?? null,
    attempt: status.attempt,
    create: {
      name: run.name ?? undefined,
      config: run.config,
      seed: run.seed,
      datasetId: dataset && dataset.contentHash === run.dataset.contentHash ? dataset.id : null,
      versions: run.versions,
      gitCommit: run.gitCommit,
    },
    tags: run.tags,
    metrics: metrics.items,
    evaluations: evals.items,
    checkpoints,
    cursors: {
      metrics: { offset: metrics.offset, lines: metrics.lines },
      evaluations: { offset: evals.offset, lines: evals.lines },
      checkpoints: { offset: ckpts.offset, lines: ckpts.lines },
    },
    run: {
      status: derived.status,
      backend: status.backend,
      host: status.host,
      startedAt: status.startedAt,
      endedAt: status.endedAt ?? (derived.status === 'crashed' || derived.status === 'cancelled' ? new Date().toISOString() : null),
      error: derived.error,
      summary: status.summary,
      epochsDone: status.epochsDone,
      stepsDone: status.stepsDone,
      imagesPerSecond: status.imagesPerSecond,
    },
  });
  const rows = metrics.items.filter((m): m is MetricPoint => !('truncate' in m));
  const at = (key: string) => rows.findLast((m) => m.key === key);
  const loss = at('train/loss');
  const lastStep = loss && {
    step: loss.step,
    epoch: loss.epoch,
    loss: loss.value,
    acc: at('train/acc')?.value ?? Number.NaN,
    lr: at('train/lr')?.value ?? Number.NaN,
    totalSteps: status.totalSteps ?? 0,
    imagesPerSecond: status.imagesPerSecond ?? 0,
  };
  const ep = at('epoch/train_loss');
  const value = (key: string) => rows.findLast((m) => m.key === key && m.epoch === ep?.epoch)?.value ?? Number.NaN;
  const lastEpoch = ep && {
    epoch: ep.epoch,
    trainLoss: ep.value,
    trainAcc: value('epoch/train_acc'),
    testTop1: value('test/top1'),
    testTop5: value('test/top5'),
    testLoss: value('test/loss'),
  };
  return {
    dir,
    uuid: run.uuid,
    runId: res.runId,
    created: res.created,
    status: derived.status,
    newMetrics: rows.length,
    lastStep,
    lastEpoch,
  };
}

/** Syncs every bundle under `paths`; a bad bundle is reported in its result and does not stop the others. */
export function syncAll(store: Store, paths: string[]): SyncResult[] {
  const dirs = findBundles(paths);
  const jobs = new Set<string>();
  const runs = new Map<string, BundleRun | undefined>();
  for (const d of dirs) {
    try {
      const r = readRun(d);
      runs.set(d, r);
      if (r.slurm) jobs.add(r.slurm.jobId);
    } catch {
      runs.set(d, undefined); // reported by syncBundle below
    }
  }
  const states = taskStates([...jobs]);
  return dirs.map((d) => {
    try {
      return syncBundle(store, d, states);
    } catch (e) {
      if (e instanceof BundleError) return { dir: d, uuid: runs.get(d)?.uuid, error: e.message };
      throw e;
    }
  });
}
