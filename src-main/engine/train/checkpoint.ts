// A checkpoint is one .safetensors file: model parameters and buffers, AdamW moments, and in its
// metadata the position of training (epoch, step, optimizer step, shuffle RNG state), which is
// everything `resume` needs to continue bit-for-bit.
import { join } from 'node:path';
import type { Model } from '../models';
import type { AdamW } from './optim';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors';

export const CHECKPOINT_FORMAT = 'noisynn-checkpoint/1';

export interface CheckpointState {
  epoch: number; // epochs completed
  step: number; // optimizer steps completed
  optimizerStep: number;
  shuffleRng: number[];
}

export interface SavedCheckpoint extends CheckpointState {
  path: string;
  sha256: string;
  bytes: number;
}

export function checkpointPath(runDir: string, epoch: number): string {
  return join(runDir, `epoch-${String(epoch).padStart(4, '0')}.safetensors`);
}

export function saveCheckpoint(runDir: string, model: Model, optim: AdamW, state: CheckpointState, configJson: string): SavedCheckpoint {
  const path = checkpointPath(runDir, state.epoch);
  const tensors = { ...model.params.toArrays('model.'), ...optim.toArrays() };
  const meta = {
    format: CHECKPOINT_FORMAT,
    epoch: String(state.epoch),
    step: String(state.step),
    optimizer_step: String(state.optimizerStep),
    shuffle_rng: JSON.stringify(state.shuffleRng),
    config: configJson,
  };
  const { sha256, bytes } = writeSafetensorsFile(path, tensors, meta);
  return { ...state, path, sha256, bytes };
}

/** Restores model and optimizer from a checkpoint file; returns the training position. */
export function loadCheckpoint(path: string, model: Model, optim?: AdamW): CheckpointState & { config: unknown } {
  const { tensors, metadata } = readSafetensorsFile(path);
  if (metadata.format !== CHECKPOINT_FORMAT) throw new Error(`${path}: not a NoisyNN checkpoint (format ${metadata.format ?? 'missing'})`);
  model.params.loadArrays(tensors, 'model.', path);
  const state = {
    epoch: Number(metadata.epoch),
    step: Number(metadata.step),
    optimizerStep: Number(metadata.optimizer_step),
    shuffleRng: JSON.parse(metadata.shuffle_rng) as number[],
    config: JSON.parse(metadata.config) as unknown,
  };
  optim?.loadArrays(tensors, state.optimizerStep, path);
  return state;
}
