import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig, RunNoise } from '../config/types';
import type { Params } from './params';

/** Batch statistics of one BatchNorm in a training step; the trainer folds them into the running stats. */
export interface BnStat {
  running: { mean: tf.Variable; variance: tf.Variable };
  batchMean: tf.Tensor1D;
  batchVar: tf.Tensor1D;
  /** Elements per channel that produced the batch statistics (for the unbiased running variance). */
  count: number;
}

export interface ForwardOptions {
  training: boolean;
  noise: RunNoise;
  /** Seed of this forward pass's noise: the same seed reproduces the same noise. */
  noiseSeed: number;
  /** false: no gradient w.r.t. the input images is needed (training differentiates the weights only). */
  inputGrad?: boolean;
  /** When given (training), every BatchNorm pushes its batch statistics here as kept tensors. */
  bnStats?: BnStat[];
  /** Receives named intermediate representations (embedding inspector); tensors are not kept. */
  tap?: (site: string, t: tf.Tensor) => void;
  /** Receives the representation at the embedding-noise site before and after the noise (noise lab). */
  onNoiseSite?: (before: tf.Tensor, after: tf.Tensor) => void;
}

export interface Model {
  readonly config: ModelConfig;
  readonly params: Params;
  /** [batch, H, W, C] normalised images -> [batch, classes] logits. */
  forward(x: tf.Tensor4D, o: ForwardOptions): tf.Tensor2D;
  dispose(): void;
}
