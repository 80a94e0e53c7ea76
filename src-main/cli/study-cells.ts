// The standard study's eval-only cells on reused weights. Each cell is a run of its own (the cell's config:
// its noise at evaluation only), so the results table, the report and the app see it as the cell; its one
// checkpoint is the final checkpoint of the noise-free run of the same dataset/model/seed (hard-linked, same
// sha256: the same weights by construction), and its evaluations come from `noisynn eval`'s path
// (evaluateStored). Such a run is never queued: the study process claims it, evaluates it and completes it;
// an interrupted one is claimed again and evaluated again (a re-done evaluation supersedes the earlier one).
import { copyFileSync, existsSync, linkSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigError, type RunConfig } from '../engine/config';
import { finalProtocols, type EvalResult } from '../engine/eval/evaluate';
import { createRuns, resolveRunConfig } from '../runner/lifecycle';
import { verifiedStoreCheckpoint } from '../runner/recorder';
import { runDir, type RunRow, type Store } from '../store';
import {
  modePoints,
  pointConfig,
  pointKey,
  reusesWeights,
  STUDY_DESIGNS,
  studySweepName,
  studyTag,
  type StudyMode,
  type StudyPoint,
} from '../study/plan';
import { studyRuns } from '../study/results';
import { evaluateStored } from './eval';

/** Marks a study run whose weights are another run's (its provenance note names which). */
export const REUSED_TAG = 'study:reused-weights';

export interface PendingCell {
  point: StudyPoint;
  baseline: RunRow;
  /** The cell's run when an earlier invocation created it. */
  run?: RunRow;
}

const baselineKey = (p: StudyPoint) => pointKey({ ...p, noise: { label: 'none', spec: { type: 'none' }, family: 'baseline' }, when: '-' });

/** Eval-only cells not completed yet whose noise-free run has completed (their weights exist). */
export function pendingCells(store: Store, mode: StudyMode, sweepName: string): PendingCell[] {
  const byName = new Map(studyRuns(store, sweepName).map((r) => [r.name, r]));
  const out: PendingCell[] = [];
  for (const point of modePoints(mode).filter((p) => reusesWeights(mode, p))) {
    const baseline = byName.get(baselineKey(point));
    const run = byName.get(point.key);
    if (baseline?.status !== 'completed' || run?.status === 'completed') continue;
    // Another live study process has it.
    if (run?.status === 'running') continue;
    out.push({ point, baseline, ...(run ? { run } : {}) });
  }
  return out;
}

/** The names (point keys) of a study's cells on reused weights. */
export const cellKeys = (mode: StudyMode) =>
  new Set(
    modePoints(mode)
      .filter((p) => reusesWeights(mode, p))
      .map((p) => p.key),
  );

/** The cell's run, claimed by this process, with the baseline's final checkpoint as its own; undefined when another process took it. */
async function claimCell(store: Store, mode: StudyMode, sweepId: number, c: PendingCell): Promise<number | undefined> {
  if (c.run) return store.claimRun(c.run.id, process.pid, ['crashed', 'cancelled', 'failed']) ? c.run.id : undefined;
  const resolved = await resolveRunConfig(store, pointConfig(c.point, mode));
  if (resolved.problems.length) throw new ConfigError(resolved.problems.map((x) => `${c.point.key}: ${x}`));
  const [id] = createRuns(store, [resolved], { sweepId, tags: [studyTag(studySweepName(mode)), REUSED_TAG], claim: true });
  return id;
}

/** Gives the cell's run the baseline's final checkpoint (a hard link; a copy across filesystems). */
function adoptCheckpoint(store: Store, cellId: number, baseline: RunRow): void {
  if (store.latestCheckpoint(cellId)) return;
  const ckpt = verifiedStoreCheckpoint(store, baseline.id);
  const dir = runDir(store.dataDir, cellId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, basename(ckpt.path));
  if (!existsSync(path)) {
    try {
      linkSync(ckpt.path, path);
    } catch {
      copyFileSync(ckpt.path, path);
    }
  }
  store.addCheckpoint({ runId: cellId, epoch: ckpt.epoch, step: ckpt.step, path, sha256: ckpt.sha256, bytes: ckpt.bytes });
  store.updateProgress(cellId, { epochsDone: ckpt.epoch, stepsDone: ckpt.step });
  store.mergeSummary(cellId, { weightsFromRun: baseline.id });
  store.addNote(
    cellId,
    `weights reused from run ${baseline.id} (${baseline.name}), its epoch ${ckpt.epoch} checkpoint (sha256 ${ckpt.sha256.slice(0, 12)}): this run was not trained; its evaluations are of those weights with its noise at evaluation`,
  );
}

/** The summary a trained run's end writes (runner/jobs.ts), from the cell's evaluations. */
function summaryOf(config: RunConfig, evals: EvalResult[], baselineId: number): Record<string, unknown> {
  const std = evals.find((r) => r.protocol === 'standard' && r.noiseActive) ?? evals[0];
  const summary: Record<string, unknown> = { epochs: config.epochs, weightsFromRun: baselineId };
  if (std) Object.assign(summary, { testTop1: std.top1, testTop5: std.top5, testLoss: std.loss });
  for (const r of evals.filter((e) => e.protocol === 'single' || !e.noiseActive || e.batchSize === config.testBatchSize)) {
    summary[`eval.${r.protocol}${r.noiseActive ? '' : '.clean'}.top1`] = r.top1;
  }
  return summary;
}

/**
 * Evaluates one cell: the evaluations a trained run's end makes (standard with the noise, the mixing
 * protocols, noise-free), and for linear-optimal the design's k sweep (sorted and shuffled at each k).
 */
export async function runCell(
  store: Store,
  mode: StudyMode,
  sweepId: number,
  c: PendingCell,
  o: { quiet?: boolean } = {},
): Promise<'completed' | 'failed' | 'skipped'> {
  const id = await claimCell(store, mode, sweepId, c);
  if (id === undefined) return 'skipped';
  try {
    adoptCheckpoint(store, id, c.baseline);
    const config = store.getRun(id)!.config as RunConfig;
    const protocols = ['standard' as const, ...finalProtocols(config.noise).filter((p) => p !== 'standard')];
    const own = await evaluateStored(store.dataDir, { runId: id, protocols, clean: true, ks: [undefined] }, o);
    const ks = STUDY_DESIGNS[mode].kSweep;
    if (ks.length && config.noise.type === 'linear-optimal') {
      await evaluateStored(store.dataDir, { runId: id, protocols: ['sorted', 'shuffled'], clean: false, ks }, o);
    }
    if (own.backend) store.startRun(id, { pid: process.pid, backend: own.backend, host: hostname(), claimedBy: process.pid });
    store.finishRun(id, 'completed', { summary: summaryOf(config, own.evaluations, c.baseline.id) });
    return 'completed';
  } catch (e) {
    store.finishRun(id, 'failed', { error: (e as Error).message });
    return 'failed';
  }
}
