// noise.embedding: the representation at a model's noise site for one sample, before and after the
// noise, from a stored run's checkpoint or a freshly initialised preset.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { fitToDataset, runPreset, validateConfig, type RunConfig } from '../../engine/config';
import { createModel, type Model } from '../../engine/models';
import { deriveSeed } from '../../engine/rng';
import { loadCheckpoint } from '../../engine/train/checkpoint';
import type { Store } from '../../store';
import type { EmbeddingNoiseRequest, EmbeddingNoiseResult } from '../contract';
import { batchTensor } from './batch';
import { matrix } from './encode';

function modelFor(store: Store, data: Dataset, req: EmbeddingNoiseRequest): { model: Model; config: RunConfig; label: string } {
  const src = req.model;
  if (src.runId !== undefined) {
    const run = store.getRun(src.runId);
    if (!run) throw new Error(`run ${src.runId} not found`);
    const config = run.config as RunConfig;
    const ckpts = store.checkpoints(src.runId);
    const ckpt = src.epoch === undefined ? ckpts[ckpts.length - 1] : ckpts.find((c) => c.epoch === src.epoch);
    if (!ckpt) throw new Error(`run ${src.runId} has no checkpoint${src.epoch === undefined ? '' : ` for epoch ${src.epoch}`}`);
    if (config.dataset !== data.info.name) throw new Error(`run ${src.runId} was trained on '${config.dataset}', not '${data.info.name}'`);
    const model = createModel(config.model, 0);
    try {
      loadCheckpoint(ckpt.path, model);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return { model, config, label: `run ${src.runId}, epoch ${ckpt.epoch}` };
  }
  const config = fitToDataset(runPreset(src.preset ?? 'mnist-vit'), data.info);
  const seed = src.seed ?? 0;
  return { model: createModel(config.model, seed), config, label: `${src.preset ?? 'mnist-vit'}, freshly initialised (seed ${seed})` };
}

export function embeddingNoise(store: Store, data: Dataset, req: EmbeddingNoiseRequest): EmbeddingNoiseResult {
  const { model, config, label } = modelFor(store, data, req);
  try {
    const noise = { ...req.noise, level: 'embedding' as const, at: 'both' as const, site: req.site };
    validateConfig({ ...config, noise }); // the same site validation as training
    const k = req.images.length;
    if (!Number.isInteger(req.selected) || req.selected < 0 || req.selected >= k) throw new Error(`selected sample ${req.selected} is not in the batch of ${k}`);
    let result: EmbeddingNoiseResult | undefined;
    tf.tidy(() => {
      const { x } = batchTensor(data, req.images);
      const noiseSeed = deriveSeed(req.seed >>> 0, 0);
      let before: Float32Array | undefined;
      let after: Float32Array | undefined;
      let shape: number[] = [];
      const noisyLogits = model.forward(x, {
        training: false, noise, noiseSeed,
        onNoiseSite: (b, a) => {
          shape = b.shape;
          before = b.dataSync() as Float32Array;
          after = a.dataSync() as Float32Array;
        },
      });
      if (!before || !after) throw new Error('the model never reached the noise site');
      const cleanLogits = model.forward(x, { training: false, noise: { ...noise, type: 'none' }, noiseSeed });
      // ViT: [k, tokens, dim]; ResNet: [k, H, W, C] -> positions x channels.
      const channels = shape[shape.length - 1];
      const rows = shape.slice(1, -1).reduce((a, b) => a * b, 1);
      const off = req.selected * rows * channels;
      const b = before.slice(off, off + rows * channels);
      const a = after.slice(off, off + rows * channels);
      const change: number[] = [];
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += (a[r * channels + c] - b[r * channels + c]) ** 2;
        change.push(Math.sqrt(s));
      }
      const vit = config.model.kind === 'vit';
      const hasCls = vit && req.site.block !== -1; // after the patch embedding there is no class token yet
      const tokenLabels = Array.from({ length: rows }, (_, r) => (!vit ? `(${Math.floor(r / shape[2])},${r % shape[2]})` : hasCls ? (r === 0 ? 'cls' : `patch ${r - 1}`) : `patch ${r}`));
      const argmax = (t: tf.Tensor) => (tf.argMax(t, 1).dataSync() as Int32Array)[req.selected];
      result = { modelLabel: label, before: matrix(b, rows, channels), after: matrix(a, rows, channels), tokenChange: change, tokenLabels, predictionClean: argmax(cleanLogits), predictionNoisy: argmax(noisyLogits) };
    });
    return result!;
  } finally {
    model.dispose();
  }
}
