import type { ModelConfig } from '../config/types';
import { validateModel } from '../config/validate';
import { Rng } from '../rng';
import { NoisyResNet, updateRunningStats } from './resnet';
import type { Model } from './types';
import { NoisyViT } from './vit';

export type { BnStat, ForwardOptions, Model } from './types';
export { updateRunningStats };

/** Builds a model with parameters drawn from `seed` (the same seed gives the same initial weights). */
export function createModel(config: ModelConfig, seed: number): Model {
  // A clear error instead of a tensor-shape one (a ViT patch 16 on 28x28 images: "[1,4.0625,192]").
  validateModel(config);
  const rng = new Rng(seed);
  if (config.kind === 'vit') return new NoisyViT(config, rng);
  if (config.kind === 'resnet') return new NoisyResNet(config, rng);
  throw new Error(`unknown model kind ${(config as { kind: string }).kind}`);
}
