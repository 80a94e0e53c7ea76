// A run's checkpoint as PyTorch takes it: model.safetensors with timm / torchvision names and layouts,
// and a timm-like config.json (architecture, model_args, pretrained_cfg with the run's input size and
// normalisation). `noisynn weights import` reads the folder back.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/types';
import type { InputSpec, RunConfig } from '../engine/config';
import { timmConfig, toTorch } from '../engine/pretrained';
import { decodeSafetensors, writeSafetensorsFile, type NamedArray } from '../engine/train/safetensors';
import type { Store } from '../store';

export interface ExportedWeights {
  dir: string;
  runId: number;
  epoch: number;
  sha256: string;
  tensors: number;
}

const PREFIX = 'model.';

/** The input a run's model was trained on: the weights' spec, or the dataset's size and statistics (no crop). */
export function runInput(config: RunConfig, data: Pick<Dataset, 'mean' | 'std'>): InputSpec {
  return config.input ?? { size: config.model.imageSize, mean: data.mean, std: data.std, cropPct: 1 };
}

export function exportRunWeights(
  store: Store,
  runId: number,
  data: Pick<Dataset, 'mean' | 'std'>,
  outDir: string,
  epoch?: number,
): ExportedWeights {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found in ${store.path}`);
  const config = run.config as RunConfig;
  const all = store.checkpoints(runId);
  const ckpt = epoch === undefined ? all[all.length - 1] : all.find((c) => c.epoch === epoch);
  if (!ckpt)
    throw new Error(
      `run ${runId} has no checkpoint${epoch === undefined ? '' : ` for epoch ${epoch} (it has ${all.map((c) => c.epoch).join(', ') || 'none'})`}`,
    );
  const bytes = readFileSync(ckpt.path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== ckpt.sha256) throw new Error(`checkpoint ${ckpt.path} of run ${runId} is corrupt: sha256 differs from the recorded one`);
  const { tensors } = decodeSafetensors(bytes, ckpt.path);
  const ours: Record<string, NamedArray> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith(PREFIX)) ours[k.slice(PREFIX.length)] = t;
  const state = toTorch(config.model, ours);
  mkdirSync(outDir, { recursive: true });
  const written = writeSafetensorsFile(join(outDir, 'model.safetensors'), state, { format: 'pt' });
  const cfg = timmConfig(config.model, runInput(config, data), {
    run: runId,
    epoch: ckpt.epoch,
    checkpoint_sha256: ckpt.sha256,
    ...(config.init ? { init: config.init } : {}),
  });
  writeFileSync(join(outDir, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
  return { dir: outDir, runId, epoch: ckpt.epoch, sha256: written.sha256, tensors: Object.keys(state).length };
}
