// The training loop: seeded shuffling, AdamW with warm-up + cosine, label smoothing, noise per step,
// per-step and per-epoch metrics, a checkpoint per epoch, divergence and cancel. No store, no process:
// callers (the worker, tests) receive everything through callbacks.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { currentBackend, isGpuBackend } from '../backend';
import { range } from '../batches';
import type { ModelConfig, RunConfig } from '../config/types';
import { evaluate, finalProtocols, type EvalResult } from '../eval/evaluate';
import { createModel, updateRunningStats, type Model } from '../models';
import { isActive } from '../noise/types';
import { download } from '../readback';
import { frozenParams, initFromWeights } from '../pretrained';
import { deriveSeed, Rng } from '../rng';
import { loadCheckpoint, saveCheckpoint, type SavedCheckpoint } from './checkpoint';
import { AdamW } from './optim';
import { combineBnStats, replicaCount, partSizes, ReplicaGroup } from './replicas';
import type { NamedArray } from './safetensors';
import { learningRate } from './schedule';
import { gradients } from './step';

// Independent seed streams derived from the run's seed. SHUFFLE is exported for the golden-step fixture's inputs
// (test/helpers/golden-step.ts), which must feed PyTorch the batches in the order this loop draws them.
const INIT = 0x1a17;
const SUBSET = 0x5b5e;
export const SHUFFLE = 0x5afe;
const NOISE = 0x7a15e;

export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  acc: number;
  lr: number;
  imagesPerSecond: number;
}
export interface EpochMetrics {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAcc: number;
  test: EvalResult;
  seconds: number;
  imagesPerSecond: number;
}
export interface TrainStart {
  totalSteps: number;
  stepsPerEpoch: number;
  startEpoch: number;
  startStep: number;
  parameters: number;
  trainImages: number;
  replicas: number;
}

export interface TrainCallbacks {
  onStart?(s: TrainStart): void;
  onStep?(m: StepMetrics): void;
  onEpoch?(m: EpochMetrics): void;
  onCheckpoint?(c: SavedCheckpoint): void;
  onEval?(r: EvalResult): void;
  shouldStop?(): boolean;
}

export type TrainStatus = 'completed' | 'diverged' | 'cancelled';
export interface TrainResult {
  status: TrainStatus;
  epochsDone: number;
  steps: number;
  imagesPerSecond: number;
  evaluations: EvalResult[];
  error?: string;
  /** Replicas that ran, and why when that differs from the config. */
  replicas: number;
  replicasNote?: string;
}

/** Training indices: all of the train split, or a seeded subset of `limitTrain`. */
export function trainIndices(config: RunConfig, data: Dataset): Int32Array {
  const all = range(data.splits.train.count);
  if (!config.limitTrain || config.limitTrain >= all.length) return all;
  new Rng(deriveSeed(config.seed, SUBSET)).shuffle(all);
  return all.slice(0, config.limitTrain);
}

export function modelFor(config: RunConfig): Model {
  return createModel(config.model, deriveSeed(config.seed, INIT));
}

const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

/** Imported weights a fresh run starts from (config.init): workbench names, under the weights' own model config. */
export interface InitialWeights {
  label: string;
  model: ModelConfig;
  arrays: Record<string, NamedArray>;
}

export async function train(
  config: RunConfig,
  data: Dataset,
  runDir: string,
  cb: TrainCallbacks = {},
  resumeFrom?: string,
  initial?: InitialWeights,
): Promise<TrainResult> {
  const model = modelFor(config);
  try {
    if (initial && !resumeFrom) initFromWeights(model, initial.model, initial.arrays, initial.label, { newHead: config.init?.newHead });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const optim = new AdamW(model.params.trainable, config.optimizer);
  let group: ReplicaGroup | undefined;
  try {
    const wanted = replicaCount(config);
    const replicas = usedReplicas(wanted);
    if (replicas.count > 1) group = await ReplicaGroup.start(config, data, [...model.params.trainable.values()], replicas.count);
    return {
      ...(await loop(config, data, runDir, cb, model, optim, group, resumeFrom)),
      replicas: replicas.count,
      ...(replicas.note ? { replicasNote: replicas.note } : {}),
    };
  } finally {
    await group?.stop();
    optim.dispose();
    model.dispose();
  }
}

/**
 * Replica threads split a CPU's cores (each runs its own wasm backend); on a GPU backend the whole batch
 * runs on the device, and R threads would queue on the same GPU. So a GPU run uses one replica whatever
 * the config says, and the run records it. Not a validation error: the backend is chosen in the trainer
 * process, after validation, and every MNIST preset asks for 2.
 */
function usedReplicas(wanted: number): { count: number; note?: string } {
  const backend = currentBackend()?.name;
  if (wanted <= 1 || !backend || !isGpuBackend(backend)) return { count: wanted };
  return { count: 1, note: `replicas ${wanted} in the config, 1 used: on a GPU backend (${backend}) the whole batch runs on the device` };
}

async function loop(
  config: RunConfig,
  data: Dataset,
  runDir: string,
  cb: TrainCallbacks,
  model: Model,
  optim: AdamW,
  group?: ReplicaGroup,
  resumeFrom?: string,
): Promise<Omit<TrainResult, 'replicas' | 'replicasNote'>> {
  const indices = trainIndices(config, data);
  const { batchSize, epochs, seed } = config;
  const stepsPerEpoch = Math.max(1, Math.floor(indices.length / batchSize));
  const totalSteps = stepsPerEpoch * epochs;
  const shuffle = new Rng(deriveSeed(seed, SHUFFLE));
  let epoch = 0;
  let step = 0;
  if (resumeFrom) {
    const state = loadCheckpoint(resumeFrom, model, optim);
    epoch = state.epoch;
    step = state.step;
    shuffle.setState(state.shuffleRng);
  }
  const trainable = [...model.params.trainable.values()];
  const frozenNames = frozenParams(config.model, model.params.trainable.keys(), config.init?.freeze ?? 0);
  const frozen = new Set([...frozenNames].map((n) => model.params.trainable.get(n)!.name));
  const configJson = JSON.stringify(config);
  cb.onStart?.({
    totalSteps,
    stepsPerEpoch,
    startEpoch: epoch,
    startStep: step,
    parameters: model.params.count(),
    trainImages: indices.length,
    replicas: group?.size ?? 1,
  });
  const evaluations: EvalResult[] = [];
  let trainSeconds = 0;
  let trainImages = 0;
  const rate = () => (trainSeconds > 0 ? trainImages / trainSeconds : 0);
  const result = (status: TrainStatus, error?: string) => ({
    status,
    epochsDone: epoch,
    steps: step,
    imagesPerSecond: rate(),
    evaluations,
    error,
  });

  for (; epoch < epochs;) {
    const order = Int32Array.from(indices);
    shuffle.shuffle(order);
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i < stepsPerEpoch; i++) {
      if (cb.shouldStop?.()) return result('cancelled');
      const t0 = performance.now();
      const lr = learningRate(step, totalSteps, stepsPerEpoch, config.optimizer, config.schedule);
      const idx = order.subarray(i * batchSize, (i + 1) * batchSize);
      const { loss, hits } = await trainStep(model, optim, data, idx, config, lr, deriveSeed(seed, NOISE, step), trainable, frozen, group);
      if (!Number.isFinite(loss)) return result('diverged', `loss became ${loss} at step ${step} (epoch ${epoch + 1})`);
      step += 1;
      trainSeconds += (performance.now() - t0) / 1000;
      trainImages += idx.length;
      lossSum += loss * idx.length;
      correct += hits;
      seen += idx.length;
      cb.onStep?.({ step, epoch: epoch + (i + 1) / stepsPerEpoch, loss, acc: hits / idx.length, lr, imagesPerSecond: rate() });
      await yieldToEvents();
    }
    const evalOpts = { noise: config.noise, testBatchSize: config.testBatchSize, seed, limit: config.limitTest, shouldStop: cb.shouldStop };
    const test = await evaluate(model, data, { ...evalOpts, protocol: 'standard' });
    epoch += 1;
    await download([...model.params.trainable.values(), ...model.params.buffers.values()]);
    const saved = saveCheckpoint(runDir, model, optim, { epoch, step, optimizerStep: optim.t, shuffleRng: shuffle.getState() }, configJson);
    cb.onCheckpoint?.(saved);
    cb.onEpoch?.({
      epoch,
      step,
      trainLoss: lossSum / seen,
      trainAcc: correct / seen,
      test,
      seconds: (performance.now() - epochStart) / 1000,
      imagesPerSecond: rate(),
    });
    if (epoch === epochs) {
      evaluations.push(test);
      for (const r of await finalEvaluations(model, data, config)) {
        evaluations.push(r);
        cb.onEval?.(r);
      }
    }
    await yieldToEvents();
  }
  if (epochs === 0) {
    // An evaluation-only run of imported weights: the weights as epoch 0, then the same evaluations as a run's end.
    await download([...model.params.trainable.values(), ...model.params.buffers.values()]);
    const saved = saveCheckpoint(runDir, model, optim, { epoch: 0, step: 0, optimizerStep: 0, shuffleRng: shuffle.getState() }, configJson);
    cb.onCheckpoint?.(saved);
    const test = await evaluate(model, data, {
      noise: config.noise,
      testBatchSize: config.testBatchSize,
      seed,
      limit: config.limitTest,
      shouldStop: cb.shouldStop,
      protocol: 'standard',
    });
    evaluations.push(test);
    cb.onEval?.(test);
    for (const r of await finalEvaluations(model, data, config)) {
      evaluations.push(r);
      cb.onEval?.(r);
    }
  }
  return result('completed');
}

/** One optimizer step over all replicas; returns the batch loss and the number of correct top-1 predictions. */
async function trainStep(
  model: Model,
  optim: AdamW,
  data: Dataset,
  idx: Int32Array,
  config: RunConfig,
  lr: number,
  noiseSeed: number,
  trainable: tf.Variable[],
  frozen: Set<string>,
  group?: ReplicaGroup,
): Promise<{ loss: number; hits: number }> {
  const sizes = partSizes(idx.length, group ? group.size : 1);
  let start = 0;
  const parts = sizes.map((n) => idx.subarray(start, (start += n)));
  // Rank 0 keeps the run's noise stream; the other parts draw from streams derived from it.
  const seeds = sizes.map((_, r) => (r === 0 ? noiseSeed : deriveSeed(noiseSeed, r)));
  group?.begin(optim.weights(), parts.slice(1), seeds.slice(1));
  const own = await gradients(model, data, parts[0], config, noiseSeed, trainable);
  const n = idx.length;
  const whole = group?.gather(own.grads, sizes[0], n);
  const others = whole?.results ?? [];
  const loss = others.reduce((a, o) => a + (o.loss * o.count) / n, (own.loss * sizes[0]) / n);
  const hits = others.reduce((a, o) => a + o.hits, own.hits);
  const grads: Record<string, tf.Tensor | Float32Array> = {};
  // A frozen parameter gets no gradient, so AdamW leaves it (and its decay) alone.
  trainable.forEach((v, i) => frozen.has(v.name) || (grads[v.name] = whole ? whole.grads[i] : own.grads[i]));
  if (Number.isFinite(loss)) {
    await optim.apply(grads, lr);
    await download(own.bnStats.flatMap((s) => [s.batchMean, s.batchVar, s.running.mean, s.running.variance]));
    if (others.length) combineBnStats(own.bnStats, others);
    updateRunningStats(own.bnStats);
  } else {
    for (const s of own.bnStats) {
      s.batchMean.dispose();
      s.batchVar.dispose();
    }
  }
  tf.dispose(own.grads);
  return { loss, hits };
}

/** End-of-run evaluations beyond the per-epoch one: the mixing protocols, and the noise-free model. */
async function finalEvaluations(model: Model, data: Dataset, config: RunConfig): Promise<EvalResult[]> {
  if (!isActive(config.noise, false)) return [];
  const base = { testBatchSize: config.testBatchSize, seed: config.seed, limit: config.limitTest };
  const out: EvalResult[] = [];
  for (const protocol of finalProtocols(config.noise).filter((p) => p !== 'standard')) {
    out.push(await evaluate(model, data, { ...base, protocol, noise: config.noise }));
  }
  out.push(await evaluate(model, data, { ...base, protocol: 'standard', noise: { ...config.noise, type: 'none' } }));
  return out;
}

export { evaluate, finalProtocols, saveCheckpoint, loadCheckpoint };
