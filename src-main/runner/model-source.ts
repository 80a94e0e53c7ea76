// A model for analysis: a stored run's checkpoint (verified) or a freshly initialised preset.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dataset } from '../data/types';
import { fitToDataset, runPreset, type RunConfig } from '../engine/config';
import type { ModelSourceKey } from '../engine/embed/cache';
import { withInput } from '../engine/batches';
import { createModel, type Model } from '../engine/models';
import { loadCheckpoint } from '../engine/train/checkpoint';
import type { Store } from '../store';

export interface ModelSourceRequest {
  runId?: number;
  epoch?: number;
  preset?: string;
  seed?: number;
}

export interface LoadedModel {
  model: Model;
  config: RunConfig;
  label: string;
  /** The dataset as this model takes it (a run from imported weights: their input size and normalisation). */
  data: Dataset;
  /** What determines the weights, for cache keys. */
  key: ModelSourceKey;
}

export function loadModelSource(store: Store, data: Dataset, src: ModelSourceRequest): LoadedModel {
  if (src.runId !== undefined) {
    const run = store.getRun(src.runId);
    if (!run) throw new Error(`run ${src.runId} not found`);
    const config = run.config as RunConfig;
    if (config.dataset !== data.info.name) throw new Error(`run ${src.runId} was trained on '${config.dataset}', not '${data.info.name}'`);
    const ckpts = store.checkpoints(src.runId);
    const ckpt = src.epoch === undefined ? ckpts[ckpts.length - 1] : ckpts.find((c) => c.epoch === src.epoch);
    if (!ckpt) throw new Error(`run ${src.runId} has no checkpoint${src.epoch === undefined ? '' : ` for epoch ${src.epoch}`}`);
    const sha = createHash('sha256').update(readFileSync(ckpt.path)).digest('hex');
    if (sha !== ckpt.sha256)
      throw new Error(`checkpoint ${ckpt.path} of run ${src.runId} is corrupt: sha256 differs from the recorded one`);
    const model = createModel(config.model, 0);
    try {
      loadCheckpoint(ckpt.path, model);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return {
      model,
      config,
      data: withInput(data, config.input),
      label: `run ${src.runId}, epoch ${ckpt.epoch}`,
      key: { runId: src.runId, epoch: ckpt.epoch, checkpointSha256: sha },
    };
  }
  const preset = src.preset ?? 'mnist-vit';
  const seed = src.seed ?? 0;
  const config = fitToDataset(runPreset(preset), data.info);
  return {
    model: createModel(config.model, seed),
    config,
    data,
    label: `${preset}, freshly initialised (seed ${seed})`,
    key: { preset, seed },
  };
}
