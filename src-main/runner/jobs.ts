// Jobs as a trainer process runs them: engine + data + store. Everything a run produces is written as it
// happens (metrics every step) through a recorder (runner/recorder.ts: the store, or a cluster task's
// bundle), so a killed process leaves a consistent, resumable run.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { withInput } from '../engine/batches';
import type { EvalProtocol } from '../engine/config/types';
import { evaluate, type EvalResult } from '../engine/eval/evaluate';
import { loadCheckpoint } from '../engine/train/checkpoint';
import { modelFor, train, type TrainResult } from '../engine/train/trainer';
import type { Store } from '../store';
import { openRunDataset } from './datasets';
import type { FromWorker, Job } from './messages';
import { storedRun, storeRecorder, verifiedStoreCheckpoint, type EvalPoint, type RunRecorder } from './recorder';

export interface JobContext {
  store: Store;
  backend: string;
  send: (m: FromWorker) => void;
  shouldStop: () => boolean;
  /** When a stop should put the run back in the queue instead of cancelling it. */
  requeueOnStop?: () => boolean;
}

const evalRow = (epoch: number, r: EvalResult): EvalPoint => ({
  epoch,
  protocol: r.protocol,
  batchSize: r.batchSize,
  noiseActive: r.noiseActive,
  top1: r.top1,
  top5: r.top5,
  loss: r.loss,
  n: r.n,
});

export async function trainJob(job: Extract<Job, { kind: 'train' | 'resume' }>, ctx: JobContext): Promise<FromWorker & { type: 'done' }> {
  return trainRecorded(storeRecorder(ctx.store, job.runId, job.kind), job.runId, job.kind === 'resume', ctx);
}

/** Trains one run, writing everything through `rec` (the store or a cluster bundle). */
export async function trainRecorded(
  rec: RunRecorder,
  runId: number,
  resume: boolean,
  ctx: Omit<JobContext, 'store'>,
): Promise<FromWorker & { type: 'done' }> {
  const config = rec.config();
  // Before any write: the store recorder refuses a run its parent did not claim.
  rec.start({ pid: process.pid, backend: ctx.backend, host: hostname() });
  const data = withInput(await rec.openData(), config.input);
  const initial = config.init && !resume ? rec.initialWeights(config.init) : undefined;
  const resumeFrom = resume ? rec.resumePoint().path : undefined;
  const dir = rec.checkpointDir();
  mkdirSync(dir, { recursive: true });
  const now = () => Date.now() / 1000;
  let lastProgress = 0;
  const result: TrainResult = await train(
    config,
    data,
    dir,
    {
      onStart: (start) => ctx.send({ type: 'start', start }),
      onStep: (s) => {
        const t = now();
        rec.metrics([
          { key: 'train/loss', step: s.step, epoch: s.epoch, value: s.loss, time: t },
          { key: 'train/acc', step: s.step, epoch: s.epoch, value: s.acc, time: t },
          { key: 'train/lr', step: s.step, epoch: s.epoch, value: s.lr, time: t },
        ]);
        if (t - lastProgress > 1) {
          rec.progress({ stepsDone: s.step, imagesPerSecond: s.imagesPerSecond });
          lastProgress = t;
        }
        ctx.send({ type: 'step', step: s });
      },
      onCheckpoint: (c) => rec.checkpoint(c),
      onEpoch: (e) => {
        const t = now();
        const m = (key: string, value: number) => ({ key, step: e.step, epoch: e.epoch, value, time: t });
        rec.metrics([
          m('epoch/train_loss', e.trainLoss),
          m('epoch/train_acc', e.trainAcc),
          m('epoch/images_per_second', e.imagesPerSecond),
          m('test/top1', e.test.top1),
          m('test/top5', e.test.top5),
          m('test/loss', e.test.loss),
        ]);
        rec.evaluation(evalRow(e.epoch, e.test));
        rec.progress({ epochsDone: e.epoch, stepsDone: e.step, imagesPerSecond: e.imagesPerSecond });
        ctx.send({ type: 'epoch', epoch: e });
      },
      onEval: (r) => {
        rec.evaluation(evalRow(config.epochs, r));
        ctx.send({ type: 'eval', result: r });
      },
      shouldStop: ctx.shouldStop,
    },
    resumeFrom,
    initial,
  );
  const last = result.evaluations.find(
    (r) => r.protocol === 'standard' && r.noiseActive === (config.noise.type !== 'none' && config.noise.at !== 'train'),
  );
  const summary: Record<string, unknown> = { epochs: result.epochsDone, steps: result.steps, replicas: result.replicas };
  if (result.replicasNote) summary.replicasNote = result.replicasNote;
  const std = last ?? result.evaluations[0];
  if (std) Object.assign(summary, { testTop1: std.top1, testTop5: std.top5, testLoss: std.loss });
  for (const r of result.evaluations) summary[`eval.${r.protocol}${r.noiseActive ? '' : '.clean'}.top1`] = r.top1;
  const finish = { error: result.error, summary, imagesPerSecond: result.imagesPerSecond };
  if (result.status === 'cancelled' && ctx.requeueOnStop?.())
    rec.requeue('interrupted: the app stopped; continues from its last checkpoint', finish);
  else rec.finish(result.status, finish);
  return {
    type: 'done',
    status: result.status,
    runId,
    error: result.error,
    evaluations: result.evaluations,
    imagesPerSecond: result.imagesPerSecond,
    epochs: result.epochsDone,
  };
}

/** Re-evaluates a stored checkpoint under the given protocols (and noise-free when asked). Writes evaluations only. */
export async function evalJob(job: Extract<Job, { kind: 'eval' }>, ctx: JobContext): Promise<FromWorker & { type: 'done' }> {
  const { store } = ctx;
  const { run, config } = storedRun(store, job.runId);
  const data = withInput(await openRunDataset(store, run, 'evaluate'), config.input);
  const ckpt = verifiedStoreCheckpoint(store, job.runId, job.epoch);
  const model = modelFor(config);
  try {
    loadCheckpoint(ckpt.path, model);
    const base = {
      testBatchSize: job.testBatchSize ?? config.testBatchSize,
      seed: config.seed,
      limit: config.limitTest,
      shouldStop: ctx.shouldStop,
    };
    const plan: { protocol: EvalProtocol; clean: boolean }[] = job.protocols.map((protocol) => ({ protocol, clean: false }));
    if (job.clean) plan.push({ protocol: 'standard', clean: true });
    const results: EvalResult[] = [];
    for (const p of plan) {
      const noise = p.clean ? { ...config.noise, type: 'none' as const } : config.noise;
      const r = await evaluate(model, data, {
        ...base,
        protocol: p.protocol,
        noise,
        onProgress: (done, total) => ctx.send({ type: 'eval-progress', protocol: p.protocol, done, total }),
      });
      store.addEvaluation({ runId: job.runId, ...evalRow(ckpt.epoch, r) });
      ctx.send({ type: 'eval', result: r });
      results.push(r);
    }
    return { type: 'done', status: 'completed', runId: job.runId, evaluations: results, imagesPerSecond: 0, epochs: ckpt.epoch };
  } finally {
    model.dispose();
  }
}
