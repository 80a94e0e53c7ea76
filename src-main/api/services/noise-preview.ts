// noise.preview: what image-level noise does to a batch, computed by the same applyNoise and seed
// derivation the trainer uses, so the preview is exactly what a model would receive.
import { invalid } from '../../errors';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../data/types';
import { psnr, ssim } from '../../engine/metrics/image-quality';
import { applyNoise, linearNoiseLogDet, mixingRow, noiseOperator, validateNoiseSpec } from '../../engine/noise';
import type { NoiseSpec } from '../../engine/noise/types';
import type { MixWeight, NoisePreview, NoisePreviewRequest, NoisyImage } from '../contract';
import { values } from '../../engine/readback';
import { batchTensor } from './batch';
import { matrix, pixels } from './encode';

function imageSpec(noise: NoisePreviewRequest['noise']): NoiseSpec {
  const spec: NoiseSpec = { ...noise, level: 'image', at: 'both', skipFirstToken: false };
  validateNoiseSpec(spec);
  return spec;
}

/** Normalised [k, H, W, C] values of the clean and the noisy batch. */
async function run(data: Dataset, req: NoisePreviewRequest, spec: NoiseSpec): Promise<{ clean: Float32Array; noisy: Float32Array }> {
  const [x, y] = tf.tidy(() => {
    const { x } = batchTensor(data, req.images);
    return [x, applyNoise(x, spec, { seed: req.seed >>> 0, training: true })];
  });
  try {
    return { clean: await values(x), noisy: await values(y) };
  } finally {
    tf.dispose([x, y]);
  }
}

/** One image of a batch: display pixels, difference map and similarity, comparing what is shown. */
function describe(data: Dataset, clean: Float32Array, noisy: Float32Array, selected: number): NoisyImage {
  const [h, w, c] = data.info.shape;
  const size = h * w * c;
  const off = selected * size;
  const show = (v: number, ch: number) => Math.min(255, Math.max(0, Math.round((v * data.std[ch] + data.mean[ch]) * 255)));
  const cleanPx = new Uint8Array(size);
  const noisyPx = new Uint8Array(size);
  const diff = new Float32Array(h * w);
  const greyClean = new Float32Array(h * w);
  const greyNoisy = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < c; ch++) {
      const i = p * c + ch;
      cleanPx[i] = show(clean[off + i], ch);
      noisyPx[i] = show(noisy[off + i], ch);
      diff[p] += Math.abs(noisy[off + i] - clean[off + i]) / c;
      greyClean[p] += cleanPx[i] / 255 / c;
      greyNoisy[p] += noisyPx[i] / 255 / c;
    }
  }
  return {
    clean: pixels(cleanPx, h, w, c),
    noisy: pixels(noisyPx, h, w, c),
    difference: matrix(diff, h, w),
    psnr: psnr(greyClean, greyNoisy),
    ssim: ssim(greyClean, greyNoisy, h, w),
  };
}

/** Row `selected` of I + Q (engine/noise): which batch members flow into the selected image, with their place in the dataset. */
function mixingWeights(spec: NoiseSpec, req: NoisePreviewRequest): MixWeight[] | undefined {
  const row = mixingRow(spec, req.images.length, req.selected);
  return row?.map((weight, position) => ({ position, ...req.images[position], weight })).filter((m) => m.weight !== 0);
}

export async function noisePreview(data: Dataset, req: NoisePreviewRequest): Promise<NoisePreview> {
  if (!Number.isInteger(req.selected) || req.selected < 0 || req.selected >= req.images.length) {
    throw invalid(`selected image ${req.selected} is not in the batch of ${req.images.length}`, 'selected');
  }
  const spec = imageSpec(req.noise);
  const { clean, noisy } = await run(data, req, spec);
  const out: NoisePreview = {
    ...describe(data, clean, noisy, req.selected),
    mixing: mixingWeights(spec, req),
    logDet: linearNoiseLogDet(spec, req.images.length),
  };
  const param = noiseOperator(spec.type).strip?.param;
  if (req.strip?.length && param) {
    out.strip = [];
    for (const value of req.strip.slice(0, 12)) {
      const r = await run(data, req, imageSpec({ ...req.noise, [param]: value }));
      out.strip.push({ value, ...describe(data, r.clean, r.noisy, req.selected) });
    }
  }
  return out;
}
