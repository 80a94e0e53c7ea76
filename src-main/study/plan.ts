// The reproduction study's grid: dataset x model x noise x when x seed, as run configs.
// 'none' has no "when", so it appears once per dataset/model/seed (a grid sweep cannot say that,
// hence a plan of explicit points instead of runner/sweep.ts's expandSweep).
import type { RunConfig } from '../engine/config/types';
import type { NoiseSpec } from '../engine/noise/types';

export type StudyMode = 'quick' | 'full' | 'smoke';
export type When = 'train' | 'eval' | 'both' | '-';

export interface StudyNoise {
  /** Stable label used in run names and tables, e.g. 'gaussian s=0.5'. */
  label: string;
  spec: Pick<NoiseSpec, 'type' | 'alpha' | 'strength' | 'prob'>;
  /** Paper's prediction (docs/method.md#task-entropy): linear transform noise positive, the rest harmful. */
  family: 'baseline' | 'positive' | 'harmful';
}

export const STUDY_NOISES: StudyNoise[] = [
  { label: 'none', spec: { type: 'none' }, family: 'baseline' },
  { label: 'linear-shift a=0.1', spec: { type: 'linear-shift', alpha: 0.1 }, family: 'positive' },
  { label: 'linear-shift a=0.3', spec: { type: 'linear-shift', alpha: 0.3 }, family: 'positive' },
  { label: 'linear-optimal', spec: { type: 'linear-optimal' }, family: 'positive' },
  { label: 'gaussian s=0.1', spec: { type: 'gaussian', strength: 0.1 }, family: 'harmful' },
  { label: 'gaussian s=0.5', spec: { type: 'gaussian', strength: 0.5 }, family: 'harmful' },
  { label: 'gaussian s=1', spec: { type: 'gaussian', strength: 1.0 }, family: 'harmful' },
  { label: 'salt-pepper p=0.05', spec: { type: 'salt-pepper', prob: 0.05 }, family: 'harmful' },
  { label: 'salt-pepper p=0.2', spec: { type: 'salt-pepper', prob: 0.2 }, family: 'harmful' },
];

export const STUDY_DATASETS = ['mnist', 'fashion-mnist'] as const;
export const STUDY_MODELS = ['mnist-vit', 'mnist-cnn'] as const;
export const STUDY_WHENS: Exclude<When, '-'>[] = ['train', 'eval', 'both'];
export const STUDY_SEEDS = [42, 43, 44];

/** Data and step budget per mode. 'full' keeps the presets' own settings (all data). */
export const STUDY_BUDGETS: Record<StudyMode, Partial<Pick<RunConfig, 'epochs' | 'limitTrain' | 'limitTest' | 'batchSize'>>> = {
  // Sized so that 300 runs fit in about an hour on 2 cores (wasm backend, ~150 ViT / ~230 CNN img/s
  // per process unloaded). Batch 16 instead of the presets' 32/64: with 2,000 images the presets'
  // batch sizes give too few steps (measured on MNIST: CNN 46% at batch 64 vs 79% at 16).
  quick: { epochs: 1, limitTrain: 2000, limitTest: 1000, batchSize: 16 },
  full: {},
  // For checking the pipeline end to end in a minute, not for results.
  smoke: { epochs: 1, limitTrain: 200, limitTest: 100, batchSize: 16 },
};

/**
 * Per-model changes for the short budgets: the mnist-vit preset's lr 3e-3 is tuned for a whole epoch
 * of MNIST; after 125 steps it reached 26% test top-1, lr 1e-3 reached 45% (measured here).
 */
export const SHORT_BUDGET_MODEL: Record<string, Record<string, unknown>> = {
  'mnist-vit': { optimizer: { lr: 1e-3 } },
};

export interface StudyPoint {
  dataset: string;
  model: string;
  noise: StudyNoise;
  when: When;
  seed: number;
  /** Unique within the study; the run's name, so a resumed study can recognise its runs. */
  key: string;
}

export const studySweepName = (mode: StudyMode) => `reproduce-${mode}`;
export const studyTag = (sweepName: string) => `study:${sweepName}`;
export const pointKey = (p: Omit<StudyPoint, 'key'>) => `${p.dataset}/${p.model}/${p.noise.label}/${p.when}/seed ${p.seed}`;

/**
 * Every point of the study. Seeds vary slowest, so an interrupted study already has one complete
 * seed of every cell before it starts the second.
 */
export interface PointFilter { seeds?: number[]; datasets?: readonly string[]; models?: readonly string[]; noises?: readonly string[] }

/** The smoke check runs a corner of the grid (16 runs): enough to exercise every code path once. */
export const MODE_POINTS: Record<StudyMode, PointFilter> = {
  quick: {},
  full: {},
  smoke: { seeds: [42, 43], datasets: ['mnist'], noises: ['none', 'linear-optimal'] },
};

export function studyPoints(o: PointFilter = {}): StudyPoint[] {
  const out: StudyPoint[] = [];
  for (const seed of o.seeds ?? STUDY_SEEDS) {
    for (const dataset of o.datasets ?? STUDY_DATASETS) {
      for (const noise of STUDY_NOISES.filter((n) => !o.noises || o.noises.includes(n.label))) {
        for (const when of noise.spec.type === 'none' ? (['-'] as When[]) : STUDY_WHENS) {
          // Models alternate fastest so two parallel trainers mostly run one ViT and one CNN.
          for (const model of o.models ?? STUDY_MODELS) {
            const p = { dataset, model, noise, when, seed };
            out.push({ ...p, key: pointKey(p) });
          }
        }
      }
    }
  }
  return out;
}

/**
 * The partial config (over the model's run preset) of one point. Noise sits at the presets' default
 * embedding sites (mnist-vit block 3, mnist-cnn stage 3 block 1); the ViT leaves its class token alone.
 */
export function pointConfig(p: StudyPoint, mode: StudyMode): Record<string, unknown> {
  const noise: Record<string, unknown> = { ...p.noise.spec, level: 'embedding', at: p.when === '-' ? 'both' : p.when };
  if (p.model === 'mnist-vit' && p.noise.spec.type !== 'none') noise.skipFirstToken = true;
  const model = mode === 'full' ? {} : (SHORT_BUDGET_MODEL[p.model] ?? {});
  // One replica everywhere: linear noise during training needs the whole batch in one replica, and the
  // other cells must not differ from those in how BatchNorm sees the batch.
  return { ...model, preset: p.model, name: p.key, dataset: p.dataset, seed: p.seed, noise, replicas: 1, ...STUDY_BUDGETS[mode] };
}
