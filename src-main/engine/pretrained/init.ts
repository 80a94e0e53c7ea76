// Starting a run's model from imported weights: what must match, what is adapted (a new head for another
// class count, position embeddings interpolated to another image size, as timm does), and which
// parameters a frozen backbone keeps fixed.
import type { ModelConfig } from '../config/types';
import type { Model } from '../models';
import type { NamedArray } from '../train/safetensors';
import { resamplePosEmbed } from './resample';

const HEAD = /^(head|fc)\./;

/** The run's model built from the weights' model: same architecture, the dataset's classes, maybe another image size. */
export function fitWeightsModel(
  weights: ModelConfig,
  o: { numClasses: number; channels: number; imageSize?: number; newHead?: boolean },
  label: string,
): { model: ModelConfig; adapted: string[] } {
  if (o.channels !== weights.channels) {
    throw new Error(`weights '${label}' take ${weights.channels}-channel images but the dataset's have ${o.channels} channels`);
  }
  const adapted: string[] = [];
  const model = { ...structuredClone(weights), numClasses: o.numClasses };
  if (o.numClasses !== weights.numClasses)
    adapted.push(
      `new head: the weights have ${weights.numClasses} classes, the dataset ${o.numClasses}; the head is freshly initialised from the run's seed`,
    );
  else if (o.newHead) adapted.push(`new head (asked for): the head is freshly initialised from the run's seed`);
  const size = o.imageSize ?? weights.imageSize;
  if (size !== weights.imageSize) {
    model.imageSize = size;
    if (model.kind === 'vit') {
      if (size % model.patchSize !== 0)
        throw new Error(`image size ${size} is not a multiple of the weights' patch size ${model.patchSize}`);
      const g0 = weights.imageSize / model.patchSize;
      const g1 = size / model.patchSize;
      adapted.push(
        `pos_embed interpolated from a ${g0}x${g0} to a ${g1}x${g1} patch grid (bicubic, antialiased, class token kept, as timm's resample_abs_pos_embed)`,
      );
    }
  }
  return { model, adapted };
}

/** Loads weights (workbench names, the weights' own model config) into a model built by fitWeightsModel. */
export function initFromWeights(
  model: Model,
  weights: ModelConfig,
  arrays: Record<string, NamedArray>,
  label: string,
  o: { newHead?: boolean } = {},
): void {
  const c = model.config;
  const newHead = o.newHead === true || c.numClasses !== weights.numClasses;
  const use: Record<string, NamedArray> = { ...arrays };
  if (c.kind === 'vit' && weights.kind === 'vit' && c.imageSize !== weights.imageSize) {
    const g = c.imageSize / c.patchSize;
    const pos = arrays.pos_embed;
    use.pos_embed = { dtype: 'F32', shape: [1, g * g + 1, c.dim], data: resamplePosEmbed(pos.data as Float32Array, c.dim, g) };
  }
  model.params.loadArrays(use, '', `weights '${label}'`, newHead ? (name) => HEAD.test(name) : undefined);
}

/** Parameter names a freeze of the first `n` ViT blocks (with patch embedding and tokens) or ResNet stages (with the stem) holds fixed. */
export function frozenParams(c: ModelConfig, names: Iterable<string>, n: number): Set<string> {
  const out = new Set<string>();
  if (!n) return out;
  for (const name of names) {
    let unit: number | undefined;
    if (c.kind === 'vit') {
      const m = /^blocks\.(\d+)\./.exec(name);
      unit = m ? Number(m[1]) : /^(patch_embed|cls_token|pos_embed)/.test(name) ? -1 : undefined;
    } else {
      const m = /^layer(\d+)\./.exec(name);
      unit = m ? Number(m[1]) - 1 : name.startsWith('stem.') ? -1 : undefined;
    }
    if (unit !== undefined && unit < n) out.add(name);
  }
  return out;
}
