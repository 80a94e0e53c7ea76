// The golden first steps: the configs, and the inputs PyTorch is fed (bench/reference/golden_step.py): our seeded
// initial weights and the first training batches in the order the trainer draws them. The test rebuilds these
// inputs and checks their sha256 against the fixture's before comparing losses, so a changed init, shuffle or
// data is reported as such, not as a loss mismatch.
import { createHash } from 'node:crypto';
import { fitToDataset, runPreset, type RunConfig } from '../../src-main/engine/config';
import type { RunNoise } from '../../src-main/engine/config/types';
import type { Dataset } from '../../src-main/data/types';
import { makeBatch } from '../../src-main/engine/batches';
import { deriveSeed, Rng } from '../../src-main/engine/rng';
import { encodeSafetensors, type NamedArray } from '../../src-main/engine/train/safetensors';
import { modelFor, SHUFFLE, trainIndices } from '../../src-main/engine/train/trainer';

export const GOLDEN_STEPS = 3;

const SHIFT = { type: 'linear-shift', alpha: 0.4, detach: true, level: 'embedding', at: 'both' } as const;

/**
 * Training hyperparameters chosen so that each rule shows in the losses: no warm-up (step 1 at the full lr), label
 * smoothing 0.1 on both presets, and a weight decay large enough (lr * wd ~ 1e-2) that decaying the wrong tensors,
 * or none, moves the second step's loss far beyond the tolerance.
 */
export function goldenCases(data: Dataset): { name: string; config: RunConfig }[] {
  const make = (preset: 'mnist-vit' | 'mnist-cnn', noise: RunNoise): RunConfig => {
    const base = fitToDataset(runPreset(preset), data.info);
    return {
      ...base,
      noise,
      seed: 7,
      epochs: 1,
      limitTrain: 8 * GOLDEN_STEPS,
      limitTest: 10,
      batchSize: 8,
      testBatchSize: 10,
      replicas: 1,
      labelSmoothing: 0.1,
      optimizer: { ...base.optimizer, weightDecay: 5 },
      schedule: { kind: 'cosine', warmupEpochs: 0, minLr: 1e-5 },
    };
  };
  const vitNoise = (n: Partial<RunNoise>): RunNoise => ({ ...runPreset('mnist-vit').noise, skipFirstToken: true, ...n }) as RunNoise;
  return [
    { name: 'mnist-vit', config: make('mnist-vit', vitNoise({ type: 'none', site: { block: 1 } })) },
    { name: 'mnist-vit-shift', config: make('mnist-vit', vitNoise({ ...SHIFT, site: { block: 1 } })) },
    { name: 'mnist-cnn', config: make('mnist-cnn', { type: 'none', level: 'embedding', at: 'both', site: { stage: 3, block: 1 } }) },
    { name: 'mnist-cnn-shift', config: make('mnist-cnn', { ...SHIFT, site: { stage: 3, block: 1 } }) },
  ];
}

/** `init.<name>` for every parameter and buffer, `step<k>.x` (NHWC) and `step<k>.y` for the first steps. */
export async function goldenInputs(config: RunConfig, data: Dataset): Promise<{ bytes: Buffer; sha256: string }> {
  const tensors: Record<string, NamedArray> = {};
  const model = modelFor(config);
  try {
    for (const [name, v] of [...model.params.trainable, ...model.params.buffers]) {
      tensors[`init.${name}`] = { dtype: 'F32', shape: v.shape, data: (await v.data()) as Float32Array };
    }
  } finally {
    model.dispose();
  }
  const order = Int32Array.from(trainIndices(config, data));
  new Rng(deriveSeed(config.seed, SHUFFLE)).shuffle(order);
  for (let k = 0; k < GOLDEN_STEPS; k++) {
    const { x, labels } = makeBatch(
      data.splits.train,
      order.subarray(k * config.batchSize, (k + 1) * config.batchSize),
      data.info.shape,
      data,
    );
    tensors[`step${k + 1}.x`] = { dtype: 'F32', shape: x.shape, data: (await x.data()) as Float32Array };
    tensors[`step${k + 1}.y`] = { dtype: 'I32', shape: [labels.length], data: labels };
    x.dispose();
  }
  const bytes = encodeSafetensors(tensors, { config: JSON.stringify(config) });
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
