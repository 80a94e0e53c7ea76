// noise.embedding: the representation at a model's noise site for one sample, before and after the
// noise, from a stored run's checkpoint or a freshly initialised preset.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { validateModelNoise } from '../../engine/config';
import { deriveSeed } from '../../engine/rng';
import { loadModelSource } from '../../runner/model-source';
import type { Store } from '../../store';
import type { EmbeddingNoiseRequest, EmbeddingNoiseResult } from '../contract';
import { batchTensor } from './batch';
import { matrix } from './encode';

export function embeddingNoise(store: Store, data: Dataset, req: EmbeddingNoiseRequest): EmbeddingNoiseResult {
  const { model, config, label, data: input } = loadModelSource(store, data, req.model);
  try {
    const noise = { ...req.noise, level: 'embedding' as const, at: 'both' as const, site: req.site };
    validateModelNoise({ model: config.model, noise }); // the same site validation as training
    const k = req.images.length;
    if (!Number.isInteger(req.selected) || req.selected < 0 || req.selected >= k) throw new Error(`selected sample ${req.selected} is not in the batch of ${k}`);
    let result: EmbeddingNoiseResult | undefined;
    tf.tidy(() => {
      const { x } = batchTensor(input, req.images);
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
