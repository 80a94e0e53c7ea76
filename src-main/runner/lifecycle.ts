// A run's lifecycle, in one place for the CLI, the app's queue and the study: resolve the config,
// record provenance, create, claim, start or resume, cancel, finish. The invariant it keeps: a trainer
// process only ever trains a run its parent claimed atomically in the store (startRun checks the claim),
// so two processes (a CLI beside the app, two app instances) never train one run.
import { hostname } from 'node:os';
import { configProblems, mergeConfig, runPreset, type RunConfig } from '../engine/config';
import { conflict, invalid, notFound } from '../errors';
import { RESUMABLE_STATUSES, type CancelOutcome, type FinalStatus, type RunFinish, type Store } from '../store';
import { openDataset } from './datasets';
import { launch, type RunningJob } from './launch';
import type { FromWorker, OnCallerLoss } from './messages';
import { gitCommit, packageVersions } from './provenance';
import { fitRun } from '../weights/fit';

export { FINAL_STATUSES, RESUMABLE_STATUSES, RUN_STATUSES } from '../store';

export interface ResolvedConfig {
  config: RunConfig;
  problems: string[];
  datasetId?: number;
}

/**
 * preset < given fields, fitted to the dataset (and, with `init`, to the imported weights: their
 * architecture, input size and normalisation); problems instead of a throw.
 */
export async function resolveRunConfig(store: Store, given: unknown, o: { imageSize?: number } = {}): Promise<ResolvedConfig> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    return {
      config: given as RunConfig,
      problems: [`config must be an object of run config fields (got ${JSON.stringify(given) ?? String(given)})`],
    };
  }
  const g = given as Partial<RunConfig>;
  let config: RunConfig;
  try {
    config = mergeConfig(runPreset(g.preset ?? 'mnist-vit'), g);
  } catch (e) {
    return { config: g as RunConfig, problems: [(e as Error).message] };
  }
  try {
    const { data, id } = await openDataset(store, config.dataset);
    config = fitRun(config, data.info, store.dataDir, o);
    return { config, problems: configProblems(config), datasetId: id };
  } catch (e) {
    return { config, problems: [(e as Error).message] };
  }
}

export function provenance(): { versions: Record<string, string>; gitCommit: string | null } {
  return { versions: packageVersions(), gitCommit: gitCommit() };
}

export interface CreateOptions {
  sweepId?: number;
  tags?: string[];
  /** Create the runs already claimed by this process (the CLI trains its own run; no queue may take it). */
  claim?: boolean;
}

/** Creates one run per resolved config (all checked first: nothing is written when one is invalid). */
export function createRuns(store: Store, resolved: readonly ResolvedConfig[], o: CreateOptions = {}): number[] {
  for (const r of resolved) if (r.problems.length) throw invalid(`invalid run config: ${r.problems.join('; ')}`, 'config');
  const { versions, gitCommit: commit } = provenance();
  return resolved.map(({ config, datasetId }) => {
    const id = store.createRun({
      name: config.name,
      config,
      seed: config.seed,
      datasetId,
      sweepId: o.sweepId,
      versions,
      gitCommit: commit,
      status: o.claim ? 'running' : 'queued',
      ownerPid: o.claim ? process.pid : undefined,
    });
    for (const tag of o.tags ?? []) store.addTag(id, tag);
    return id;
  });
}

/** Takes a queued run for this process; false when another process has it. */
export function claimQueued(store: Store, runId: number): boolean {
  return store.claimRun(runId, process.pid, ['queued']);
}

/** Takes a finished-but-resumable run for this process (CLI `resume`), or says why not. */
export function claimForResume(store: Store, runId: number): void {
  const run = store.getRun(runId);
  if (!run) throw notFound(`run ${runId} not found in ${store.path}`);
  if (!store.claimRun(runId, process.pid, RESUMABLE_STATUSES)) {
    throw conflict(
      `run ${runId} is ${store.getRun(runId)?.status ?? run.status}; only ${RESUMABLE_STATUSES.join(', ')} runs can be resumed`,
    );
  }
}

/** Puts a resumable run back in the queue (the app's `resume`). */
export function requeueForResume(store: Store, runId: number): void {
  const run = store.getRun(runId);
  if (!run) throw notFound(`run ${runId} not found`);
  if (!store.requeueFrom(runId, RESUMABLE_STATUSES)) {
    throw conflict(
      `run ${runId} is ${store.getRun(runId)?.status ?? run.status}; only ${RESUMABLE_STATUSES.join(', ')} runs can be resumed`,
    );
  }
}

/** For a claimed run: continue from its last checkpoint, or start over (asked, or none was written; a killed attempt may have left steps). */
export function startKind(store: Store, runId: number, o: { restart?: boolean } = {}): 'train' | 'resume' {
  if (!o.restart && store.latestCheckpoint(runId)) return 'resume';
  store.deleteMetricsAfter(runId, 0);
  return 'train';
}

export interface LaunchOptions {
  onCallerLoss: OnCallerLoss;
  onEvent?: (m: FromWorker) => void;
  env?: NodeJS.ProcessEnv;
}

/** Starts the trainer of a run this process has claimed. */
export function launchClaimed(store: Store, runId: number, o: LaunchOptions): { job: RunningJob; kind: 'train' | 'resume' } {
  const kind = startKind(store, runId);
  const job = launch({ kind, runId, dataDir: store.dataDir, onCallerLoss: o.onCallerLoss }, o.onEvent, o.env);
  return { job, kind };
}

/** In the trainer: takes over the run from the parent that claimed it, or refuses. */
export function beginTraining(store: Store, runId: number, backend: string): void {
  store.startRun(runId, { pid: process.pid, backend, host: hostname(), claimedBy: process.ppid });
}

/** In the trainer: the run's end, or back to the queue when the stop was the app shutting down. */
export function finishTraining(store: Store, runId: number, status: FinalStatus, r: RunFinish & { requeue?: boolean }): void {
  if (status === 'cancelled' && r.requeue && !store.cancelRequested(runId)) {
    store.requeueRun(runId, 'interrupted: the app stopped; continues from its last checkpoint');
  } else {
    store.finishRun(runId, status, { error: r.error, summary: r.summary, imagesPerSecond: r.imagesPerSecond });
  }
}

/** Cancels from any process: queued (or orphaned) runs at once, running ones at their owner's next step. */
export function cancelRun(store: Store, runId: number): CancelOutcome {
  return store.requestCancel(runId);
}
