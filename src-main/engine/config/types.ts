// A run's full configuration: stored verbatim as JSON with every run, flattened into run_params.
import type { NoiseSpec } from '../noise/types';

export interface VitConfig {
  kind: 'vit';
  imageSize: number;
  channels: number;
  patchSize: number;
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  numClasses: number;
}

export interface ResNetConfig {
  kind: 'resnet';
  imageSize: number;
  channels: number;
  block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. ResNet-18: [2, 2, 2, 2]. */
  layers: number[];
  /** Output channels of each stage's first block before the bottleneck expansion. */
  widths: number[];
  /** 'imagenet': 7x7/2 conv + 3x3/2 max-pool; 'small': one 3x3 conv with stemStride (MNIST/CIFAR sizes). */
  stem: 'imagenet' | 'small';
  stemStride: number;
  stemWidth: number;
  numClasses: number;
}

export type ModelConfig = VitConfig | ResNetConfig;

/**
 * Where embedding-level noise acts (method page section 4).
 * ViT: `block` L (0-indexed) = the attention input after LN1; `block: -1` = right after the patch embedding.
 * ResNet: the input of residual block `block` (1-based) of stage `stage` (1-based), as in the official code.
 */
export interface NoiseSite {
  block: number;
  stage?: number;
}

export interface RunNoise extends NoiseSpec {
  site?: NoiseSite;
}

export interface OptimizerConfig {
  kind: 'adamw';
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export interface ScheduleConfig {
  kind: 'cosine';
  /** Linear warm-up from 0 over this many epochs (fractions allowed). */
  warmupEpochs: number;
  minLr: number;
}

export type EvalProtocol = 'standard' | 'sorted' | 'shuffled' | 'single';

export interface RunConfig {
  name?: string;
  /** Preset this config started from, for display only; the fields below are authoritative. */
  preset?: string;
  /** Registered dataset name ('mnist' is always there). */
  dataset: string;
  model: ModelConfig;
  noise: RunNoise;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  epochs: number;
  batchSize: number;
  testBatchSize: number;
  labelSmoothing: number;
  seed: number;
  /** Use only the first N training / test images (after a seeded shuffle for train); 0 = all. */
  limitTrain: number;
  limitTest: number;
  /**
   * Data-parallel replicas (threads) a training batch is split across; default 1. Part of the method:
   * BatchNorm normalises per part, as PyTorch DDP without SyncBatchNorm (see engine/train/replicas.ts).
   */
  replicas?: number;
}
