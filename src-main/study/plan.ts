// The reproduction study's grid: dataset x model x noise x when x seed, as run configs.
// 'none' has no "when", so it appears once per dataset/model/seed (a grid sweep cannot say that,
// hence a plan of explicit points instead of runner/sweep.ts's expandSweep).
import type { RunConfig } from '../engine/config/types';
import type { NoiseSpec } from '../engine/noise/types';

export type StudyMode = 'quick' | 'full' | 'smoke' | 'standard' | 'standard-smoke';
export type When = 'train' | 'eval' | 'both' | '-';

export interface StudyNoise {
  /** Stable label used in run names and tables, e.g. 'gaussian s=0.5'. */
  label: string;
  spec: Pick<NoiseSpec, 'type' | 'alpha' | 'strength' | 'prob'>;
  /** Paper's prediction (docs/method.md#task-entropy): linear transform noise positive, the rest harmful. */
  family: 'baseline' | 'positive' | 'harmful';
  /** Only for these models (a per-model official default); absent = every model. */
  models?: readonly string[];
  /** Where the setting comes from, for the report. */
  source?: string;
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

/**
 * The standard study's settings: ONE per family, the official/paper default (docs/method.md#official-defaults, #reported-results).
 * linear-shift: a = 0.3 for the ViT [paper], 0.4 for the CNN [official CNN script]. gaussian: s = 0.1 for the
 * ViT [official NoisyViT default], 1.0 for the CNN [official CNN script]. salt-pepper: p = 0.1 for both
 * [official NoisyViT default, the workbench's default]; the CNN script's p = 1.0 replaces nearly every element,
 * so it is not used. linear-optimal has no parameter (k = the batch).
 */
export const STANDARD_NOISES: StudyNoise[] = [
  { label: 'none', spec: { type: 'none' }, family: 'baseline' },
  { label: 'linear-shift a=0.3', spec: { type: 'linear-shift', alpha: 0.3 }, family: 'positive', models: ['mnist-vit'], source: 'paper' },
  {
    label: 'linear-shift a=0.4',
    spec: { type: 'linear-shift', alpha: 0.4 },
    family: 'positive',
    models: ['mnist-cnn'],
    source: 'official CNN script',
  },
  { label: 'linear-optimal', spec: { type: 'linear-optimal' }, family: 'positive', source: 'official NoisyViT (no parameter)' },
  {
    label: 'gaussian s=0.1',
    spec: { type: 'gaussian', strength: 0.1 },
    family: 'harmful',
    models: ['mnist-vit'],
    source: 'official NoisyViT default',
  },
  {
    label: 'gaussian s=1',
    spec: { type: 'gaussian', strength: 1.0 },
    family: 'harmful',
    models: ['mnist-cnn'],
    source: 'official CNN script',
  },
  { label: 'salt-pepper p=0.1', spec: { type: 'salt-pepper', prob: 0.1 }, family: 'harmful', source: 'official NoisyViT default' },
];

/** Every noise setting any study uses (a stored run is matched to its setting by parameters). */
export const ALL_STUDY_NOISES: StudyNoise[] = [
  ...STUDY_NOISES,
  ...STANDARD_NOISES.filter((n) => !STUDY_NOISES.some((q) => q.label === n.label)),
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
  // One full epoch of the whole training set, the whole 10k test set, the presets' batch sizes (ViT 32,
  // CNN 64) and learning rates; sizing in STANDARD_SIZING.
  standard: { epochs: 1, limitTrain: 0, limitTest: 0 },
  'standard-smoke': { epochs: 1, limitTrain: 200, limitTest: 100, batchSize: 16 },
};

/**
 * Sizing of the standard study, for the report. 156 cells: 108 trainings (2 datasets x 2 models x 3 seeds x
 * (baseline + 4 families x train/both)) and 48 eval-only cells on reused weights, the 12 linear-optimal ones
 * with the k sweep; two processes at a time (an evaluating cell takes one of the trainers' two slots).
 */
export const STANDARD_SIZING =
  'one full-epoch training with replicas 1 (`noisynn train --preset P --epochs 1 --replicas 1`), measured 2026-12-01 on this 2-core machine while other work kept its load average at 9 to 11: ' +
  'mnist-vit 82 s (802 img/s, 94.17% test top-1), mnist-cnn 134 s (485 img/s, 98.76%). Idle, an earlier session measured 1,859 / 3,381 img/s with 2 replicas (both cores) for one process; two 1-replica processes share the cores the same way. ' +
  'From those idle rates, the 108 trainings need about 54 x 70 s + 54 x 40 s of one core each, i.e. about 50 min on two cores, and the 48 evaluations and 12 k sweeps (10,000 test images per evaluation, batch-1 passes for the single protocol and k = 1) about 30 min more in one slot: about 1 h 20 min idle. ' +
  "Under the load above it takes two to three times as long; the wall time of the run itself is in the report's header.";

/** What a study mode varies beyond its budget. */
export interface StudyDesign {
  noises: StudyNoise[];
  points: PointFilter;
  /**
   * Eval-only cells evaluate the noise-free run's weights of the same dataset/model/seed (the same weights by
   * construction) instead of training their own: they cost an evaluation, not a training.
   */
  reuseForEval: boolean;
  /** Test batch sizes k of the k sweep (linear-optimal at evaluation, sorted and shuffled) on the baseline weights. */
  kSweep: number[];
}

export const K_SWEEP = [1, 2, 5, 10, 25, 50, 100];

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

/** The `study reproduce` flags that select each mode (--smoke is the hidden pipeline check). */
export const MODE_FLAGS: Record<StudyMode, string[]> = {
  full: [],
  quick: ['--quick'],
  smoke: ['--smoke'],
  standard: ['--standard'],
  'standard-smoke': ['--standard', '--smoke'],
};

/** The mode of a study's sweep name ('reproduce-standard' -> 'standard'), undefined for any other name. */
export function modeOfSweep(name: string): StudyMode | undefined {
  return (Object.keys(MODE_FLAGS) as StudyMode[]).find((m) => studySweepName(m) === name);
}
export const studyTag = (sweepName: string) => `study:${sweepName}`;
export const pointKey = (p: Omit<StudyPoint, 'key'>) => `${p.dataset}/${p.model}/${p.noise.label}/${p.when}/seed ${p.seed}`;

/**
 * Every point of the study. Seeds vary slowest, so an interrupted study already has one complete
 * seed of every cell before it starts the second.
 */
export interface PointFilter {
  seeds?: number[];
  datasets?: readonly string[];
  models?: readonly string[];
  noises?: readonly string[];
}

export const STUDY_DESIGNS: Record<StudyMode, StudyDesign> = {
  quick: { noises: STUDY_NOISES, points: {}, reuseForEval: false, kSweep: [] },
  full: { noises: STUDY_NOISES, points: {}, reuseForEval: false, kSweep: [] },
  // The smoke check runs a corner of the grid (16 runs): enough to exercise every code path once.
  smoke: {
    noises: STUDY_NOISES,
    points: { seeds: [42, 43], datasets: ['mnist'], noises: ['none', 'linear-optimal'] },
    reuseForEval: false,
    kSweep: [],
  },
  standard: { noises: STANDARD_NOISES, points: {}, reuseForEval: true, kSweep: K_SWEEP },
  // The standard design's every code path (training cells, reused-weights cells, the k sweep) in about a minute.
  'standard-smoke': {
    noises: STANDARD_NOISES,
    points: { seeds: [42], datasets: ['mnist'], models: ['mnist-cnn'], noises: ['none', 'linear-optimal', 'gaussian s=1'] },
    reuseForEval: true,
    kSweep: [1, 5],
  },
};

/** Whether a point of this mode is an eval-only cell on reused weights (never trained, never queued). */
export const reusesWeights = (mode: StudyMode, p: Pick<StudyPoint, 'when'>) => STUDY_DESIGNS[mode].reuseForEval && p.when === 'eval';

export function studyPoints(o: PointFilter = {}, noises: StudyNoise[] = STUDY_NOISES): StudyPoint[] {
  const out: StudyPoint[] = [];
  for (const seed of o.seeds ?? STUDY_SEEDS) {
    for (const dataset of o.datasets ?? STUDY_DATASETS) {
      for (const noise of noises.filter((n) => !o.noises || o.noises.includes(n.label))) {
        for (const when of noise.spec.type === 'none' ? (['-'] as When[]) : STUDY_WHENS) {
          // Models alternate fastest so two parallel trainers mostly run one ViT and one CNN.
          for (const model of (o.models ?? STUDY_MODELS).filter((m) => !noise.models || noise.models.includes(m))) {
            const p = { dataset, model, noise, when, seed };
            out.push({ ...p, key: pointKey(p) });
          }
        }
      }
    }
  }
  return out;
}

/** The points of a study mode. */
export const modePoints = (mode: StudyMode) => studyPoints(STUDY_DESIGNS[mode].points, STUDY_DESIGNS[mode].noises);

/**
 * The partial config (over the model's run preset) of one point. Noise sits at the presets' default
 * embedding sites (mnist-vit block 3, mnist-cnn stage 3 block 1); the ViT leaves its class token alone.
 */
export function pointConfig(p: StudyPoint, mode: StudyMode): Record<string, unknown> {
  const noise: Record<string, unknown> = { ...p.noise.spec, level: 'embedding', at: p.when === '-' ? 'both' : p.when };
  if (p.model === 'mnist-vit' && p.noise.spec.type !== 'none') noise.skipFirstToken = true;
  const short = mode === 'quick' || mode === 'smoke' || mode === 'standard-smoke';
  const model = short ? (SHORT_BUDGET_MODEL[p.model] ?? {}) : {};
  // One replica everywhere: linear noise during training needs the whole batch in one replica, and the
  // other cells must not differ from those in how BatchNorm sees the batch.
  return { ...model, preset: p.model, name: p.key, dataset: p.dataset, seed: p.seed, noise, replicas: 1, ...STUDY_BUDGETS[mode] };
}
