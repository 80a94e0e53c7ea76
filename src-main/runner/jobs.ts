// Jobs as a trainer process runs them: engine + data + store. Everything a run produces is written to
// the store as it happens (metrics every step), so a killed process leaves a consistent, resumable run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { EvalProtocol, RunConfig } from '../engine/config/types';
import { withInput } from '../engine/batches';
import { validateConfig } from '../engine/config';
import { evaluate, type EvalResult } from '../engine/eval/evaluate';
import { loadCheckpoint } from '../engine/train/checkpoint';
import { modelFor, train, type InitialWeights, type TrainResult } from '../engine/train/trainer';
import { conflict } from '../errors';
import { runDir, type CheckpointRow, type RunRow, type Store } from '../store';
import { loadWeights } from '../weights/library';
import { openRunDataset } from './datasets';
import { beginTraining, finishTraining } from './lifecycle';
import type { FromWorker, Job } from './messages';

export interface JobContext {
  store: Store;
  backend: string;
  send: (m: FromWorker) => void;
  shouldStop: () => boolean;
  /** When a stop should put the run back in the queue instead of cancelling it. */
  requeueOnStop?: () => boolean;
}

function storedRun(store: Store, runId: number): { run: RunRow; config: RunConfig } {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found in ${store.path}`);
  const config = run.config as RunConfig;
  validateConfig(config);
  return { run, config };
}

function verifiedCheckpoint(store: Store, runId: number, epoch?: number) {
  const all = store.checkpoints(runId);
  const ckpt = epoch === undefined ? all[all.length - 1] : all.find((c) => c.epoch === epoch);
  if (!ckpt) throw new Error(`run ${runId} has no checkpoint${epoch === undefined ? '' : ` for epoch ${epoch}`}`);
  return verified(ckpt, runId);
}

function verified(ckpt: CheckpointRow, runId: number): CheckpointRow {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ckpt.path);
  } catch (e) {
    throw new Error(`checkpoint ${ckpt.path} of run ${runId} cannot be read: ${(e as Error).message}`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== ckpt.sha256) throw new Error(`checkpoint ${ckpt.path} of run ${runId} is corrupt: sha256 ${sha.slice(0, 12)} != recorded ${ckpt.sha256.slice(0, 12)}`);
  return ckpt;
}

/**
 * Resume continues from the newest checkpoint that is intact: a missing or damaged newer one is skipped
 * (and noted on the run), and when none is left the run says so and how to start over.
 */
function resumeCheckpoint(store: Store, runId: number): CheckpointRow {
  const all = store.checkpoints(runId);
  const skipped: string[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    try {
      const ckpt = verified(all[i], runId);
      if (skipped.length) store.addNote(runId, `resume: ${skipped.join('; ')}; continued from the epoch ${ckpt.epoch} checkpoint instead`);
      return ckpt;
    } catch (e) {
      skipped.push((e as Error).message);
    }
  }
  throw conflict(`run ${runId}: no intact checkpoint is left (${skipped.join('; ') || 'none was written'}); start it over from the beginning with: noisynn resume ${runId} --restart`);
}

const evalRow = (runId: number, epoch: number, r: EvalResult) => ({ runId, epoch, protocol: r.protocol, batchSize: r.batchSize, noiseActive: r.noiseActive, top1: r.top1, top5: r.top5, loss: r.loss, n: r.n });

export async function trainJob(job: Extract<Job, { kind: 'train' | 'resume' }>, ctx: JobContext): Promise<FromWorker & { type: 'done' }> {
  const { store } = ctx;
  const { runId } = job;
  const { run, config } = storedRun(store, runId);
  beginTraining(store, runId, ctx.backend); // before any write: refuses a run its parent did not claim
  const data = withInput(await openRunDataset(store, run, job.kind), config.input);
  let initial: InitialWeights | undefined;
  if (config.init && job.kind === 'train') {
    const { entry, arrays } = loadWeights(store.dataDir, config.init.weights, config.init.sha256);
    initial = { label: entry.name, model: entry.model, arrays };
  }
  let resumeFrom: string | undefined;
  if (job.kind === 'resume') {
    const ckpt = resumeCheckpoint(store, runId);
    store.deleteMetricsAfter(runId, ckpt.step);
    resumeFrom = ckpt.path;
  }
  const dir = runDir(store.dataDir, runId);
  mkdirSync(dir, { recursive: true });
  const now = () => Date.now() / 1000;
  let lastProgress = 0;
  const result: TrainResult = await train(config, data, dir, {
    onStart: (start) => ctx.send({ type: 'start', start }),
    onStep: (s) => {
      const t = now();
      store.addMetrics([
        { runId, key: 'train/loss', step: s.step, epoch: s.epoch, value: s.loss, time: t },
        { runId, key: 'train/acc', step: s.step, epoch: s.epoch, value: s.acc, time: t },
        { runId, key: 'train/lr', step: s.step, epoch: s.epoch, value: s.lr, time: t },
      ]);
      if (t - lastProgress > 1) {
        store.updateProgress(runId, { stepsDone: s.step, imagesPerSecond: s.imagesPerSecond });
        lastProgress = t;
      }
      ctx.send({ type: 'step', step: s });
    },
    onCheckpoint: (c) => store.addCheckpoint({ runId, epoch: c.epoch, step: c.step, path: c.path, sha256: c.sha256, bytes: c.bytes }),
    onEpoch: (e) => {
      const t = now();
      const m = (key: string, value: number) => ({ runId, key, step: e.step, epoch: e.epoch, value, time: t });
      store.addMetrics([
        m('epoch/train_loss', e.trainLoss), m('epoch/train_acc', e.trainAcc), m('epoch/images_per_second', e.imagesPerSecond),
        m('test/top1', e.test.top1), m('test/top5', e.test.top5), m('test/loss', e.test.loss),
      ]);
      store.addEvaluation(evalRow(runId, e.epoch, e.test));
      store.updateProgress(runId, { epochsDone: e.epoch, stepsDone: e.step, imagesPerSecond: e.imagesPerSecond });
      ctx.send({ type: 'epoch', epoch: e });
    },
    onEval: (r) => {
      store.addEvaluation(evalRow(runId, config.epochs, r));
      ctx.send({ type: 'eval', result: r });
    },
    shouldStop: ctx.shouldStop,
  }, resumeFrom, initial);
  const last = result.evaluations.find((r) => r.protocol === 'standard' && r.noiseActive === (config.noise.type !== 'none' && config.noise.at !== 'train'));
  const summary: Record<string, unknown> = { epochs: result.epochsDone, steps: result.steps, replicas: result.replicas };
  if (result.replicasNote) summary.replicasNote = result.replicasNote;
  const std = last ?? result.evaluations[0];
  if (std) Object.assign(summary, { testTop1: std.top1, testTop5: std.top5, testLoss: std.loss });
  for (const r of result.evaluations) summary[`eval.${r.protocol}${r.noiseActive ? '' : '.clean'}.top1`] = r.top1;
  finishTraining(store, runId, result.status, { error: result.error, summary, imagesPerSecond: result.imagesPerSecond, requeue: ctx.requeueOnStop?.() });
  return { type: 'done', status: result.status, runId, error: result.error, evaluations: result.evaluations, imagesPerSecond: result.imagesPerSecond, epochs: result.epochsDone };
}

/** Re-evaluates a stored checkpoint under the given protocols (and noise-free when asked). Writes evaluations only. */
export async function evalJob(job: Extract<Job, { kind: 'eval' }>, ctx: JobContext): Promise<FromWorker & { type: 'done' }> {
  const { store } = ctx;
  const { run, config } = storedRun(store, job.runId);
  const data = withInput(await openRunDataset(store, run, 'evaluate'), config.input);
  const ckpt = verifiedCheckpoint(store, job.runId, job.epoch);
  const model = modelFor(config);
  try {
    loadCheckpoint(ckpt.path, model);
    const base = { testBatchSize: job.testBatchSize ?? config.testBatchSize, seed: config.seed, limit: config.limitTest, shouldStop: ctx.shouldStop };
    const plan: { protocol: EvalProtocol; clean: boolean }[] = job.protocols.map((protocol) => ({ protocol, clean: false }));
    if (job.clean) plan.push({ protocol: 'standard', clean: true });
    const results: EvalResult[] = [];
    for (const p of plan) {
      const noise = p.clean ? { ...config.noise, type: 'none' as const } : config.noise;
      const r = await evaluate(model, data, { ...base, protocol: p.protocol, noise, onProgress: (done, total) => ctx.send({ type: 'eval-progress', protocol: p.protocol, done, total }) });
      store.addEvaluation(evalRow(job.runId, ckpt.epoch, r));
      ctx.send({ type: 'eval', result: r });
      results.push(r);
    }
    return { type: 'done', status: 'completed', runId: job.runId, evaluations: results, imagesPerSecond: 0, epochs: ckpt.epoch };
  } finally {
    model.dispose();
  }
}
