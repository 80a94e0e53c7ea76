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
  /** 'token' (default): the head reads LN(t)[:, 0]; 'avg': no final norm, the mean of the patch tokens through fc_norm (timm). */
  globalPool?: 'token' | 'avg';
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
 * Where embedding-level noise acts (docs/method.md#sites).
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

/**
 * How images become the model's input when it starts from imported weights: resized (bicubic, as timm) to
 * `size / cropPct` and centre-cropped to `size`, normalised with the weights' mean and std. Without it a run
 * uses the dataset's own size and statistics.
 */
export interface InputSpec {
  size: number;
  mean: number[];
  std: number[];
  cropPct: number;
}

/** Start from imported weights (`noisynn weights import`); resolved and checked when the run is created. */
export interface InitSpec {
  /** Name in the weights library. */
  weights: string;
  /** sha256 of the weights file, recorded when the run was created and verified when it loads. */
  sha256?: string;
  /** Freeze the first N ViT blocks (with the patch embedding and tokens) or ResNet stages (with the stem); 0 = none. */
  freeze?: number;
  /** A freshly initialised head even when the class count matches (the dataset's classes are other ones). */
  newHead?: boolean;
  /** What was adapted to fit this run (a new head, interpolated position embeddings), in words. */
  adapted?: string[];
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
  /** Initial weights from the weights library; without it the model starts from a seeded initialisation. */
  init?: InitSpec;
  /** Input size and normalisation from the weights (set with `init`); absent = the dataset's own. */
  input?: InputSpec;
}
