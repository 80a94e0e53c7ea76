// Every RunConfig field once: its path, type, range, the form's words, the CLI flag and where its default
// comes from. The CLI flags and train's help, the range checks of validate.ts, the known paths of `--set` and
// sweep axes, and the form's problem labels are all derived from this table. Pure data: it imports only the noise
// operator registry (pure data too), so the API contract re-exports it for the renderer.
import { NOISE_TYPES, noiseConfigFields, noiseTypesHelp } from '../noise/operators';

export type FieldType = 'int' | 'number' | 'string' | 'boolean' | 'enum' | 'ints' | 'numbers' | 'strings';
export type FieldGroup = 'run' | 'data' | 'init' | 'optimizer' | 'schedule' | 'noise' | 'model';

/**
 * Where a field's value comes from when no flag, file or form sets it: the run preset, the dataset (fitToDataset),
 * the imported weights (`init`), the run's creation (recorded facts), or nowhere (an optional field left out).
 */
export type DefaultSource = 'preset' | 'dataset' | 'weights' | 'recorded' | 'none';

export interface FieldRange {
  min: number;
  max: number;
  /** (min, ...] instead of [min, ...]. */
  minOpen?: boolean;
  /** [..., max) instead of [..., max]. */
  maxOpen?: boolean;
}

export interface ConfigField {
  path: string;
  type: FieldType;
  /** The Train form's words for the field (problems are shown in them, the raw text as tooltip). */
  label: string;
  help: string;
  group: FieldGroup;
  /** The CLI flag (without `--`) of `train`, `eval` and `sweep submit`; absent: reachable with `--set PATH=VALUE`. */
  flag?: string;
  /** Checked by validate.ts whenever the field is present (required fields: always); lists: every element. */
  range?: FieldRange;
  /** The allowed values of an enum field (checked like a range; the noise fields by the noise operators). */
  values?: readonly string[];
  /** Only meaningful for this model kind (model.* fields). */
  model?: 'vit' | 'resnet';
  default: DefaultSource;
}

// Upper bounds: far beyond any run this workbench can train, and low enough that a typo (1e308) fails at
// validation, with the field named, instead of after an epoch or as an allocation failure.
const MAX_IMAGE_SIDE = 4096; // data/types.ts MAX_IMAGE_SIDE; a test keeps the two equal
const MAX_WIDTH = 16_384;
const MAX_DEPTH = 1024;
const pos = (max: number): FieldRange => ({ min: 1, max });

const RUN_FIELDS: ConfigField[] = [
  { path: 'name', type: 'string', label: 'name', help: 'run name', group: 'run', flag: 'name', default: 'none' },
  {
    path: 'preset',
    type: 'string',
    label: 'preset',
    help: 'the preset this config started from (display only)',
    group: 'run',
    default: 'preset',
  },
  {
    path: 'dataset',
    type: 'string',
    label: 'dataset',
    help: 'registered dataset name (default mnist)',
    group: 'data',
    flag: 'dataset',
    default: 'preset',
  },
  {
    path: 'epochs',
    type: 'int',
    label: 'epochs',
    help: 'training epochs',
    group: 'run',
    flag: 'epochs',
    range: pos(100_000),
    default: 'preset',
  },
  {
    path: 'batchSize',
    type: 'int',
    label: 'batch size',
    help: 'training batch size',
    group: 'run',
    flag: 'batch-size',
    range: pos(65_536),
    default: 'preset',
  },
  {
    path: 'testBatchSize',
    type: 'int',
    label: 'test batch size',
    help: 'test batch size (batch-mixing noise mixes within it; official 10)',
    group: 'run',
    flag: 'test-batch-size',
    range: pos(65_536),
    default: 'preset',
  },
  {
    path: 'seed',
    type: 'int',
    label: 'seed',
    help: 'seed of initialisation, shuffling and noise',
    group: 'run',
    flag: 'seed',
    range: { min: 0, max: 0xffffffff },
    default: 'preset',
  },
  {
    path: 'labelSmoothing',
    type: 'number',
    label: 'label smoothing',
    help: 'label smoothing epsilon',
    group: 'run',
    flag: 'label-smoothing',
    range: { min: 0, max: 1, maxOpen: true },
    default: 'preset',
  },
  {
    path: 'limitTrain',
    type: 'int',
    label: 'training subset',
    help: 'train on a seeded subset of N images (0 = all)',
    group: 'data',
    flag: 'limit-train',
    range: { min: 0, max: 1_000_000_000 },
    default: 'preset',
  },
  {
    path: 'limitTest',
    type: 'int',
    label: 'test subset',
    help: 'evaluate on the first N test images (0 = all)',
    group: 'data',
    flag: 'limit-test',
    range: { min: 0, max: 1_000_000_000 },
    default: 'preset',
  },
  {
    path: 'replicas',
    type: 'int',
    label: 'replicas',
    help: 'data-parallel replicas (threads) per batch; BatchNorm normalises per replica; must be 1 when linear or salt-and-pepper noise is active in training (their output depends on the whole batch)',
    group: 'run',
    flag: 'replicas',
    default: 'preset',
  },
];

const INIT_FIELDS: ConfigField[] = [
  {
    path: 'init.weights',
    type: 'string',
    label: 'initial weights',
    group: 'init',
    flag: 'init',
    default: 'none',
    help: 'start from imported weights (noisynn weights list): their architecture, input size and normalisation; a new head if the classes differ',
  },
  {
    path: 'init.sha256',
    type: 'string',
    label: 'weights sha256',
    help: 'sha256 of the weights file, recorded at creation',
    group: 'init',
    default: 'recorded',
  },
  {
    path: 'init.freeze',
    type: 'int',
    label: 'frozen blocks',
    help: 'with --init: freeze the first N ViT blocks / ResNet stages (with the embedding / stem)',
    group: 'init',
    flag: 'freeze',
    default: 'none',
  },
  {
    path: 'init.newHead',
    type: 'boolean',
    label: 'new head',
    help: 'with --init: a fresh head even when the class count matches (other classes)',
    group: 'init',
    flag: 'new-head',
    default: 'none',
  },
  {
    path: 'init.adapted',
    type: 'strings',
    label: 'adaptations',
    help: 'what was adapted to fit the run, in words',
    group: 'init',
    default: 'recorded',
  },
  { path: 'input.size', type: 'int', label: 'input size', help: 'input size of the weights', group: 'init', default: 'weights' },
  {
    path: 'input.mean',
    type: 'numbers',
    label: 'input mean',
    help: 'per-channel normalisation mean of the weights',
    group: 'init',
    default: 'weights',
  },
  {
    path: 'input.std',
    type: 'numbers',
    label: 'input std',
    help: 'per-channel normalisation std of the weights',
    group: 'init',
    default: 'weights',
  },
  {
    path: 'input.cropPct',
    type: 'number',
    label: 'crop fraction',
    help: 'centre-crop fraction of the weights',
    group: 'init',
    range: { min: 0, max: 1, minOpen: true },
    default: 'weights',
  },
];

const TRAINING_FIELDS: ConfigField[] = [
  { path: 'optimizer.kind', type: 'enum', values: ['adamw'], label: 'optimizer', help: 'optimizer', group: 'optimizer', default: 'preset' },
  {
    path: 'optimizer.lr',
    type: 'number',
    label: 'learning rate',
    help: 'AdamW peak learning rate',
    group: 'optimizer',
    flag: 'lr',
    range: { min: 0, max: 10, minOpen: true },
    default: 'preset',
  },
  {
    path: 'optimizer.weightDecay',
    type: 'number',
    label: 'weight decay',
    help: 'AdamW decoupled weight decay',
    group: 'optimizer',
    flag: 'weight-decay',
    range: { min: 0, max: 100 },
    default: 'preset',
  },
  {
    path: 'optimizer.beta1',
    type: 'number',
    label: 'β1',
    help: 'AdamW beta1',
    group: 'optimizer',
    flag: 'beta1',
    range: { min: 0, max: 1, maxOpen: true },
    default: 'preset',
  },
  {
    path: 'optimizer.beta2',
    type: 'number',
    label: 'β2',
    help: 'AdamW beta2',
    group: 'optimizer',
    flag: 'beta2',
    range: { min: 0, max: 1, maxOpen: true },
    default: 'preset',
  },
  {
    path: 'optimizer.eps',
    type: 'number',
    label: 'optimizer epsilon',
    help: 'AdamW epsilon',
    group: 'optimizer',
    flag: 'eps',
    range: { min: 0, max: 1, minOpen: true, maxOpen: true },
    default: 'preset',
  },
  {
    path: 'schedule.kind',
    type: 'enum',
    values: ['cosine'],
    label: 'schedule',
    help: 'learning-rate schedule',
    group: 'schedule',
    default: 'preset',
  },
  {
    path: 'schedule.warmupEpochs',
    type: 'number',
    label: 'warm-up epochs',
    help: 'linear warm-up from 0 over this many epochs (fractions allowed)',
    group: 'schedule',
    flag: 'warmup-epochs',
    range: { min: 0, max: 100_000 },
    default: 'preset',
  },
  {
    path: 'schedule.minLr',
    type: 'number',
    label: 'minimum learning rate',
    help: 'cosine schedule floor',
    group: 'schedule',
    flag: 'min-lr',
    default: 'preset',
  },
];

// The noise block: the noise-operator registry (engine/noise) may later supply the operator parameters.
// The operators' parameters (noise.alpha, noise.strength, ...) come from the noise registry: a new operator or
// parameter becomes a flag, a known path and a form label without touching this table. Their values are checked by
// the noise validation (engine/noise/validate.ts), which knows which type uses which parameter.
const NOISE_PARAM_FIELDS: ConfigField[] = noiseConfigFields().map((p) => ({
  path: p.path,
  type: p.kind,
  label: `noise ${p.label}`,
  help: `${p.types.join(', ')}: ${p.help}`,
  group: 'noise',
  flag: p.path.slice('noise.'.length),
  default: 'none',
}));

const NOISE_FIELDS: ConfigField[] = [
  {
    path: 'noise.type',
    type: 'enum',
    values: NOISE_TYPES,
    label: 'noise type',
    help: noiseTypesHelp(),
    group: 'noise',
    flag: 'noise',
    default: 'preset',
  },
  {
    path: 'noise.level',
    type: 'enum',
    values: ['image', 'embedding'],
    label: 'noise level',
    help: 'image | embedding',
    group: 'noise',
    flag: 'noise-level',
    default: 'preset',
  },
  {
    path: 'noise.at',
    type: 'enum',
    values: ['train', 'eval', 'both'],
    label: 'noise active at',
    help: 'train | eval | both',
    group: 'noise',
    flag: 'noise-at',
    default: 'preset',
  },
  ...NOISE_PARAM_FIELDS,
  {
    path: 'noise.skipFirstToken',
    type: 'boolean',
    label: '"skip the class token"',
    group: 'noise',
    flag: 'skip-first-token',
    default: 'preset',
    help: 'ViT: leave the class token untouched (default true, as the official code; stored with the run)',
  },
  {
    path: 'noise.site.block',
    type: 'int',
    label: 'noise site block',
    group: 'noise',
    flag: 'noise-block',
    default: 'preset',
    help: 'ViT block L (0-based; -1 = after the patch embedding, an extension: the official NoisyViT never noises there) or ResNet block (1-based)',
  },
  {
    path: 'noise.site.stage',
    type: 'int',
    label: 'noise site stage',
    help: 'ResNet stage (1-based)',
    group: 'noise',
    flag: 'noise-stage',
    default: 'preset',
  },
];

const MODEL_FIELDS: ConfigField[] = [
  { path: 'model.kind', type: 'enum', values: ['vit', 'resnet'], label: 'model', help: 'vit | resnet', group: 'model', default: 'preset' },
  {
    path: 'model.imageSize',
    type: 'int',
    label: 'image size',
    group: 'model',
    flag: 'image-size',
    range: pos(MAX_IMAGE_SIDE),
    default: 'dataset',
    help: 'model input size (set from the dataset; with --init, from the weights unless given: ViT position embeddings are then interpolated)',
  },
  {
    path: 'model.channels',
    type: 'int',
    label: 'channels',
    help: 'input channels (set from the dataset)',
    group: 'model',
    range: pos(4),
    default: 'dataset',
  },
  {
    path: 'model.numClasses',
    type: 'int',
    label: 'classes',
    help: 'head outputs (set from the dataset)',
    group: 'model',
    range: pos(100_000),
    default: 'dataset',
  },
  {
    path: 'model.patchSize',
    type: 'int',
    label: 'patch size',
    help: 'ViT patch size',
    group: 'model',
    flag: 'patch-size',
    model: 'vit',
    range: pos(MAX_IMAGE_SIDE),
    default: 'preset',
  },
  {
    path: 'model.dim',
    type: 'int',
    label: 'embedding dim',
    help: 'ViT embedding dim',
    group: 'model',
    flag: 'dim',
    model: 'vit',
    range: pos(MAX_WIDTH),
    default: 'preset',
  },
  {
    path: 'model.depth',
    type: 'int',
    label: 'blocks',
    help: 'ViT blocks',
    group: 'model',
    flag: 'depth',
    model: 'vit',
    range: pos(MAX_DEPTH),
    default: 'preset',
  },
  {
    path: 'model.heads',
    type: 'int',
    label: 'attention heads',
    help: 'ViT attention heads',
    group: 'model',
    flag: 'heads',
    model: 'vit',
    range: pos(MAX_WIDTH),
    default: 'preset',
  },
  {
    path: 'model.mlpRatio',
    type: 'number',
    label: 'MLP ratio',
    help: 'ViT MLP hidden / dim',
    group: 'model',
    flag: 'mlp-ratio',
    model: 'vit',
    range: { min: 0, max: 64, minOpen: true },
    default: 'preset',
  },
  {
    path: 'model.globalPool',
    type: 'enum',
    values: ['token', 'avg'],
    label: 'global pool',
    group: 'model',
    model: 'vit',
    default: 'none',
    help: "ViT head input: 'token' (the class token) or 'avg' (mean of the patch tokens, timm)",
  },
  {
    path: 'model.block',
    type: 'enum',
    values: ['basic', 'bottleneck'],
    label: 'block type',
    help: 'basic | bottleneck',
    group: 'model',
    model: 'resnet',
    default: 'preset',
  },
  {
    path: 'model.layers',
    type: 'ints',
    label: 'blocks per stage',
    help: 'ResNet blocks per stage, e.g. 2,2,2,2',
    group: 'model',
    flag: 'layers',
    model: 'resnet',
    range: pos(MAX_DEPTH),
    default: 'preset',
  },
  {
    path: 'model.widths',
    type: 'ints',
    label: 'stage widths',
    help: 'ResNet stage widths, e.g. 64,128,256,512',
    group: 'model',
    flag: 'widths',
    model: 'resnet',
    range: pos(MAX_WIDTH),
    default: 'preset',
  },
  {
    path: 'model.stem',
    type: 'enum',
    values: ['imagenet', 'small'],
    label: 'stem',
    help: 'imagenet | small',
    group: 'model',
    model: 'resnet',
    default: 'preset',
  },
  {
    path: 'model.stemStride',
    type: 'int',
    label: 'stem stride',
    help: 'ResNet stem stride',
    group: 'model',
    model: 'resnet',
    range: pos(8),
    default: 'preset',
  },
  {
    path: 'model.stemWidth',
    type: 'int',
    label: 'stem width',
    help: 'ResNet stem width',
    group: 'model',
    model: 'resnet',
    range: pos(MAX_WIDTH),
    default: 'preset',
  },
];

export const CONFIG_FIELDS: readonly ConfigField[] = [...RUN_FIELDS, ...INIT_FIELDS, ...TRAINING_FIELDS, ...NOISE_FIELDS, ...MODEL_FIELDS];

export const CONFIG_FIELD_BY_PATH: ReadonlyMap<string, ConfigField> = new Map(CONFIG_FIELDS.map((f) => [f.path, f]));

// Single lowercase words ('epochs', 'seed') read the same in both; only paths and camelCase names are replaced.
const WORDS = new Map<string, string>(
  CONFIG_FIELDS.filter((f) => f.label !== f.path && /[.A-Z]/.test(f.path)).map((f) => [f.path, f.label]),
);
const WORD_KEYS = [...WORDS.keys()].sort((a, b) => b.length - a.length);
const WORD_PATTERN = new RegExp(`(?<![\\w.])(${WORD_KEYS.map((k) => k.replace(/\./g, '\\.')).join('|')})(?![\\w.])`, 'g');

/** A validation problem with every config path replaced by the form's label (the raw text is the caller's tooltip). */
export function inWords(problem: string): string {
  return problem.replace(WORD_PATTERN, (path) => WORDS.get(path) ?? path);
}
