// noise.embedding: the representation at a model's noise site for one sample, before and after the
// noise, from a stored run's checkpoint or a freshly initialised preset.
import { invalid } from '../../errors';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { fitToDataset, runPreset, validateModelNoise } from '../../engine/config';
import { tokenLayout, rowChange } from '../../engine/embed/token-layout';
import { createModel } from '../../engine/models';
import { deriveSeed } from '../../engine/rng';
import { loadModelSource, type LoadedModel } from '../../runner/model-source';
import type { Store } from '../../store';
import type { EmbeddingNoiseRequest, EmbeddingNoiseResult } from '../contract';
import { batchTensor } from './batch';
import { matrix } from './encode';
import { labInput, resizeBatch, type LabInput } from './lab-input';

/** The model, the dataset as it takes it, and the resize its input needs (a preset that cannot take the dataset's images as they are). */
function labModel(
  store: Store,
  data: Dataset,
  req: EmbeddingNoiseRequest,
): Pick<LoadedModel, 'model' | 'config' | 'label' | 'data'> & { resize: LabInput | null } {
  const preset = req.model.runId === undefined ? (req.model.preset ?? 'mnist-vit') : undefined;
  const resize = preset === undefined ? null : labInput(runPreset(preset).model, data.info.shape);
  if (!preset || !resize) return { ...loadModelSource(store, data, req.model), resize };
  const fitted = fitToDataset(runPreset(preset), data.info);
  const config = { ...fitted, model: { ...fitted.model, imageSize: resize.size, channels: resize.channels } };
  const seed = req.model.seed ?? 0;
  return {
    model: createModel(config.model, seed),
    config,
    data,
    label: `${preset}, freshly initialised (seed ${seed}); ${resize.note}`,
    resize,
  };
}

export async function embeddingNoise(store: Store, data: Dataset, req: EmbeddingNoiseRequest): Promise<EmbeddingNoiseResult> {
  const { model, config, label, data: input, resize } = labModel(store, data, req);
  try {
    const noise = { ...req.noise, level: 'embedding' as const, at: 'both' as const, site: req.site };
    validateModelNoise({ model: config.model, noise }); // the same site validation as training
    const k = req.images.length;
    if (!Number.isInteger(req.selected) || req.selected < 0 || req.selected >= k)
      throw invalid(`selected sample ${req.selected} is not in the batch of ${k}`, 'selected');
    const kept = tf.tidy(() => {
      const { x: raw } = batchTensor(input, req.images);
      const x = resize ? resizeBatch(raw, resize) : raw;
      const noiseSeed = deriveSeed(req.seed >>> 0, 0);
      let site: tf.Tensor[] = [];
      const noisyLogits = model.forward(x, { training: false, noise, noiseSeed, onNoiseSite: (b, a) => (site = [b, a]) });
      if (site.length === 0) throw new Error('the model never reached the noise site');
      const cleanLogits = model.forward(x, { training: false, noise: { ...noise, type: 'none' }, noiseSeed });
      return [...site, tf.argMax(cleanLogits, 1), tf.argMax(noisyLogits, 1)];
    });
    try {
      const [before, after, predClean, predNoisy] = (await Promise.all(kept.map((t) => t.data()))) as [
        Float32Array,
        Float32Array,
        Int32Array,
        Int32Array,
      ];
      const layout = tokenLayout(config.model.kind, kept[0].shape, req.site.block);
      const { rows, channels } = layout;
      const off = req.selected * rows * channels;
      const b = before.slice(off, off + rows * channels);
      const a = after.slice(off, off + rows * channels);
      return {
        modelLabel: label,
        before: matrix(b, rows, channels),
        after: matrix(a, rows, channels),
        tokenChange: rowChange(b, a, layout),
        tokenLabels: layout.labels,
        predictionClean: predClean[req.selected],
        predictionNoisy: predNoisy[req.selected],
      };
    } finally {
      tf.dispose(kept);
    }
  } finally {
    model.dispose();
  }
}
