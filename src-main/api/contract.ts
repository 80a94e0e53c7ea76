// The one typed contract between the renderer and the main side. One transport carries it: the loopback
// HTTP server (browser mode, and the desktop window, which loads the same page from its backend host);
// tests call the services directly. It imports nothing but pure modules (the noise registry and the config field
// table, data that imports nothing itself): every type a view sees is declared or re-exported here, so the renderer
// never depends on Node, tfjs or Electron code (test/unit/renderer-imports.test.ts).
import type { NoiseSpec as NoiseSpecDto } from '../engine/noise/types';
export { CONFIG_FIELDS, inWords, type ConfigField, type FieldGroup, type FieldRange, type FieldType } from '../engine/config/field-table';

// ---------- shared shapes ----------
export type SplitName = 'train' | 'test';
export type DatasetKind = 'mnist' | 'fashion-mnist' | 'idx' | 'cifar10' | 'cifar100' | 'image-folder';
export type EvalProtocol = 'standard' | 'sorted' | 'shuffled' | 'single';
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'diverged' | 'cancelled' | 'crashed';
export type FinalStatus = Exclude<RunStatus, 'queued' | 'running'>;
// The run status sets, here because the contract is the one module both sides may import;
// runner/lifecycle.ts is the main side's door to them.
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled', 'crashed'];
export const FINAL_STATUSES: readonly FinalStatus[] = ['completed', 'failed', 'diverged', 'cancelled', 'crashed'];
/** Statuses from which `resume` continues a run (from its last checkpoint, or from scratch without one). */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['crashed', 'cancelled', 'failed', 'diverged'];

// The noise operators: labels, help, parameters, strips and closed forms, one registry for every side.
export {
  NOISE_OPERATORS,
  NOISE_TYPES,
  allNoiseParams,
  noiseDefaults,
  noiseOperator,
  rangeText,
  sweptParam,
} from '../engine/noise/operators';
export type { NoiseOperatorInfo, NoiseParamInfo, NoiseParamName, NoiseParams, NoiseType, NumberParamName } from '../engine/noise/operators';
/** The engine's NoiseSpec (engine/noise/types.ts, pure): type, its parameters, level, when, class token. */
export type { NoiseSpecDto };

// The engine's run config and its parts (engine/config/types.ts: types only, erased from the renderer's bundle).
export type {
  ModelConfig as ModelConfigDto,
  ResNetConfig as ResNetConfigDto,
  RunConfig as RunConfigDto,
  RunNoise as RunNoiseDto,
  VitConfig as VitConfigDto,
} from '../engine/config/types';
import type { ModelConfig as ModelConfigDto, RunConfig as RunConfigDto } from '../engine/config/types';

/** Raw pixels for a canvas: row-major [height, width, channels] uint8, base64-encoded. */
export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: string;
}

/** Float values for a heatmap: row-major [rows, cols] float32, base64-encoded, with their range. */
export interface Matrix {
  rows: number;
  cols: number;
  data: string;
  min: number;
  max: number;
}

export interface DatasetSummary {
  name: string;
  kind: DatasetKind;
  path: string;
  classNames: string[];
  shape: [number, number, number];
  counts: Record<SplitName, number>;
  classCounts: Record<SplitName, number[]>;
  contentHash: string;
  note?: string;
}

/** Imported timm / torchvision weights in the library (`noisynn weights`); restates WeightsEntry. */
export interface WeightsSummary {
  name: string;
  source: string;
  importedAt: string;
  sha256: string;
  bytes: number;
  architecture: string;
  /** The model they build, as in a RunConfig. */
  model: {
    kind: 'vit' | 'resnet';
    imageSize: number;
    channels: number;
    numClasses: number;
    dim?: number;
    depth?: number;
    heads?: number;
    patchSize?: number;
    mlpRatio?: number;
    globalPool?: 'token' | 'avg';
    block?: 'basic' | 'bottleneck';
    layers?: number[];
    widths?: number[];
    stem?: 'imagenet' | 'small';
  };
  input: { size: number; mean: number[]; std: number[]; cropPct: number };
  parameters: number;
  tensors: number;
}

export interface ImageRef {
  split: SplitName;
  index: number;
  label: number;
}

export interface PixelStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface ImageDetail extends ImageRef {
  dataset: string;
  className: string;
  pixels: Pixels;
  stats: PixelStats;
}

// ---------- downloads ----------
/** GET <DOWNLOAD_ROUTE><folder>/<file>: a file the app wrote under the data directory, as a download (session cookie
 *  or token required). Only these folders of the data directory are served; nothing else in it (the store, the secret). */
export const DOWNLOAD_ROUTE = '/files/';
export const DOWNLOAD_FOLDERS: readonly string[] = ['embeddings'];

/** The URL of a file given relative to the data directory (e.g. 'embeddings/x.csv'). */
export function downloadUrl(relativePath: string): string {
  return DOWNLOAD_ROUTE + relativePath.split('/').map(encodeURIComponent).join('/');
}

// ---------- noise lab ----------
/** The most images a noise-lab batch (noise.preview, noise.embedding) may hold: the server refuses more, the labs' size field stops here. */
export const MAX_LAB_BATCH = 256;

export interface NoisePreviewRequest {
  dataset: string;
  /** The batch the noise acts on; batch-mixing noise mixes across exactly these images, in this order. */
  images: { split: SplitName; index: number }[];
  /** Which image of the batch to show in detail. */
  selected: number;
  noise: NoiseSpecDto;
  seed: number;
  /** Values of the swept parameter for the strength strip (alpha, strength or prob by type). */
  strip?: number[];
}

export interface NoisyImage {
  /** Clean and noisy images rendered for display (normalised values mapped back to 0..255, clipped). */
  clean: Pixels;
  noisy: Pixels;
  /** |noisy - clean| in normalised units, first channel averaged over channels. */
  difference: Matrix;
  psnr: number;
  ssim: number;
}

export interface MixWeight {
  /** Position in the request's batch. */
  position: number;
  split: SplitName;
  index: number;
  weight: number;
}

export interface NoisePreview extends NoisyImage {
  /** For batch-mixing noise: which images of the batch flow into the selected one, and how much. */
  mixing?: MixWeight[];
  /** The same image at each strip value. */
  strip?: (NoisyImage & { value: number })[];
  /** -log|det(I + Q)| for this batch size (linear noise only; Infinity when singular). */
  logDet?: number | null;
}

export interface ModelSource {
  /** A stored run's checkpoint (latest epoch unless given) ... */
  runId?: number;
  epoch?: number;
  /** ... or a freshly initialised model preset (seeded). */
  preset?: string;
  seed?: number;
}

export interface EmbeddingNoiseRequest {
  model: ModelSource;
  dataset: string;
  images: { split: SplitName; index: number }[];
  /** ViT: block L (0-based; -1 = after the patch embedding, our extension, not official). ResNet: stage and block (1-based). */
  site: { block: number; stage?: number };
  noise: NoiseSpecDto;
  seed: number;
  /** Which sample of the batch to show. */
  selected: number;
}

export interface EmbeddingNoiseResult {
  modelLabel: string;
  /** Token (or spatial position) x channel values of the selected sample at the site. */
  before: Matrix;
  after: Matrix;
  /** Per-token L2 norm of (after - before). */
  tokenChange: number[];
  tokenLabels: string[];
  /** The model's prediction for the selected sample without and with the noise. */
  predictionClean: number;
  predictionNoisy: number;
}

// ---------- embedding inspector and task-entropy meter ----------
export type ProjectionMethod = 'none' | 'pca' | 'umap' | 'tsne';

export interface EmbeddingRequest {
  model: ModelSource;
  dataset: string;
  split: SplitName;
  /** ViT: block L (-1 = after the patch embedding, our extension) and pooling; ResNet: stage (and block of the noise site).
   *  at: where Z is read: 'output' (default) the block's (ViT) or stage's (ResNet) output; 'noise-site' the tensor the
   *  noise acts on (the paper's latent: the attention input after LN1, or the residual block's input), pooled. */
  site: { block: number; stage?: number; pool?: 'cls' | 'mean-patch'; at?: 'output' | 'noise-site' };
  /** null: clean embeddings only. */
  noise: NoiseSpecDto | null;
  /** Batch order for extraction; batch-mixing noise depends on it (docs/method.md#evaluation-protocols). */
  protocol: 'sorted' | 'shuffled' | 'standard';
  batchSize: number;
  seed: number;
  /** Use only the first N images of the split (0 = all); the result says when it is a sample. */
  limit?: number;
  projection: ProjectionMethod;
  /** Compute the task-entropy meter (both estimators, bootstrap spread). */
  entropy: boolean;
}

export interface EntropySpread {
  value: number;
  mean: number;
  std: number;
  /** An H(Y|Z) value outside [0, H(Y)]: flagged, not an estimate. */
  outOfRange?: 'below 0' | 'above H(Y)';
}

/** The engine's reading of dS (engine/embed/entropy.ts verdict()). */
export type DsVerdict = 'positive' | 'harmful' | 'not significant' | 'out of range';

export interface EntropyEstimate {
  name: string;
  /** What the estimator measures (one sentence). */
  measures: string;
  clean: EntropySpread;
  noisy?: EntropySpread;
  dS?: EntropySpread;
  verdict?: { verdict: DsVerdict; significant: boolean; text: string };
}

export interface EntropyMeter {
  n: number;
  dim: number;
  classes: number;
  /** H(Y) of the labels, nats. */
  hY: number;
  bootstrap: number;
  estimators: EntropyEstimate[];
  /** -log|det(I + Q)| for the batch size (linear noise only): the paper's closed form, not an estimate. */
  linear: { batchSize: number; dS: number } | null;
}

export interface EmbeddingAnalysis {
  jobId: string;
  modelLabel: string;
  n: number;
  dim: number;
  classNames: string[];
  split: SplitName;
  protocol: 'sorted' | 'shuffled' | 'standard';
  batchSize: number;
  /** True when only `limit` images of the split were used. */
  sampled: boolean;
  /** Int32 base64: label, dataset index and predictions of each row. */
  labels: string;
  order: string;
  predClean: string;
  predNoisy?: string;
  projection?: {
    method: Exclude<ProjectionMethod, 'none'>;
    /** Float32 base64 [n x 2]: fitted on the clean embeddings (joint fit for t-SNE). */
    clean: string;
    noisy?: string;
    joint: boolean;
    explainedVarianceRatio?: number[];
  };
  entropy?: EntropyMeter;
  notes: string[];
  ms: Record<string, number>;
  /** Where the cached vectors are (safetensors) and the CSV export of labels + projection, on the server. */
  cachePath: string;
  csvPath?: string;
  /** The same files relative to the data directory ('embeddings/...'), for downloadUrl(). */
  cacheFile: string;
  csvFile?: string;
}

export interface EntropyTableRow {
  noise: NoiseSpecDto;
  label: string;
  estimators: EntropyEstimate[];
  linear: { batchSize: number; dS: number } | null;
}

// ---------- reproduction study ----------
export interface StatDto {
  mean: number;
  std: number;
  n: number;
}

/** One cell of a study's results table (src-main/study/table.ts). */
export interface StudyRow {
  dataset: string;
  model: string;
  noise: string;
  family: string;
  when: string;
  n: number;
  runs: number;
  top1: StatDto | null;
  delta: number | null;
  deltaSe: number | null;
  verdict: string | null;
  sorted: StatDto | null;
  shuffled: StatDto | null;
  single: StatDto | null;
  clean: StatDto | null;
}

/** A reproduction study's progress (its runs in the store; state of the process the app started, if any). */
export interface StudyProgress {
  /** The study's sweep name, e.g. 'reproduce-standard'. */
  name: string;
  mode: string;
  /** idle: not started by this app instance (its runs may still be here, from a terminal). */
  state: 'idle' | 'running' | 'finished' | 'failed';
  /** Cells in the plan (trainings and cells on reused weights). */
  total: number;
  completed: number;
  failed: number;
  running: number;
  queued: number;
  /** From this launch's pace so far; null before its first completed cell. */
  etaSeconds: number | null;
  error: string | null;
  /** The study process's output (on the server). */
  log: string | null;
}

/** A study CSV (src-main/study/report.ts renderCsv) and its rows. */
export interface StudyTableFile {
  label: string;
  /** committed: the app's docs/ folder; data dir: written by a study started here (<data dir>/study). */
  source: 'committed' | 'data dir';
  path: string;
  rows: StudyRow[] | null;
  /** Why the file could not be read as a study table. */
  error: string | null;
}

// ---------- runs (training, sweeps, comparison) ----------
export interface RunSummary {
  id: number;
  name: string | null;
  status: RunStatus;
  preset: string | null;
  noise: NoiseSpecDto & { site?: { block: number; stage?: number } };
  seed: number;
  backend: string | null;
  epochsDone: number;
  epochs: number;
  imagesPerSecond: number | null;
  summary: Record<string, unknown> | null;
  tags: string[];
  createdAt: string;
  error: string | null;
  /** From the config, for the table's columns and its search. */
  dataset: string | null;
  /** The model preset's name when the config names one, else 'vit' / 'resnet'. */
  model: string | null;
  lr: number | null;
  batchSize: number | null;
  /** Seconds from the trainer's start to the end (or to now while it runs); null before it starts. */
  durationS: number | null;
  /** Set for runs imported from a cluster bundle (`noisynn sync`). */
  cluster?: ClusterRunInfo | null;
}

// ---------- cluster runs (Slurm) ----------
export interface ClusterRunInfo {
  /** `JOB_INDEX` of the array task; null for a bundle imported without a job (e.g. from another workstation). */
  slurmJob: string | null;
  /** Slurm's last reported state (PENDING, RUNNING, COMPLETED, CANCELLED, NODE_FAIL, ...). */
  slurmState: string | null;
  bundlePath: string;
}

export interface ClusterSyncResult {
  dir: string;
  runId: number | null;
  status: RunStatus | null;
  created: boolean;
  /** Why the bundle was not imported (corrupt, truncated); nothing of its run was. */
  error: string | null;
}

export interface ClusterProfileDto {
  name: string;
  projectDir: string;
  backend: string | null;
  partition: string | null;
}

export interface RunDetail extends RunSummary {
  config: RunConfigDto;
  params: Record<string, string | number>;
  evaluations: {
    epoch: number;
    protocol: EvalProtocol;
    batchSize: number;
    noiseActive: boolean;
    top1: number;
    top5: number;
    loss: number;
    n: number;
  }[];
  checkpoints: { epoch: number; step: number; path: string; sha256: string; bytes: number }[];
  metricKeys: string[];
  notes: { id: number; body: string; createdAt: string }[];
  versions: Record<string, string> | null;
  gitCommit: string | null;
}

export interface Series {
  key: string;
  /** Downsampled for `width` pixels: min and max per bucket so spikes survive. */
  step: number[];
  value: number[];
  min?: number[];
  max?: number[];
}

export interface SweepAxisDto {
  /** Dotted config path, e.g. 'noise.strength'. */
  path: string;
  values: unknown[];
}

export interface SweepRequest {
  name: string;
  base: Record<string, unknown>;
  mode: 'grid' | 'random';
  axes: SweepAxisDto[];
  samples?: number;
  seed?: number;
}

export interface QueueState {
  concurrency: number;
  running: number[];
  queued: number[];
}

export interface PresetInfo {
  name: string;
  kind: 'run' | 'model';
  config: RunConfigDto | ModelConfigDto;
}

export interface AppInfo {
  version: string;
  transport: 'http';
  dataDir: string;
  backend: { name: string; reason: string };
  presets: PresetInfo[];
}

// ---------- the contract ----------
export interface ApiMethods {
  'app.info': { req: Record<string, never>; res: AppInfo };
  'datasets.list': { req: Record<string, never>; res: DatasetSummary[] };
  /** A name in use is refused (409) unless `replace`: the old data then stays registered as `<name>@<hash>` for its runs.
   *  The same folder and content registered already is not added again: `alreadyRegistered`, and `name` is its registration's. */
  'datasets.add': {
    req: { path: string; name?: string; kind?: DatasetKind; imageSize?: [number, number]; channels?: 1 | 3; replace?: boolean };
    res: DatasetSummary & { alreadyRegistered?: true };
  };
  /** Refused (409) while runs use the dataset, unless `force`. */
  'datasets.remove': { req: { name: string; force?: boolean }; res: { ok: true; runs: number } };
  /** One page of a split (or both), optionally filtered to some classes; indices are split-local. */
  'datasets.images': {
    req: { dataset: string; split: SplitName | 'all'; classes?: number[]; offset: number; limit: number };
    res: { total: number; items: ImageRef[] };
  };
  'datasets.image': { req: { dataset: string; split: SplitName; index: number }; res: ImageDetail };
  /** Raw pixels of many images at once (the grid's thumbnails), in the order asked. */
  'datasets.thumbnails': { req: { dataset: string; refs: { split: SplitName; index: number }[] }; res: Pixels[] };
  'weights.list': { req: Record<string, never>; res: WeightsSummary[] };
  'weights.get': { req: { name: string }; res: WeightsSummary };
  /** Checks a timm folder (config.json + model.safetensors) or a bare .safetensors with `model` (a preset), then stores it. */
  'weights.import': { req: { path: string; name?: string; model?: string }; res: WeightsSummary };
  'weights.delete': { req: { name: string }; res: { ok: true } };
  'noise.preview': { req: NoisePreviewRequest; res: NoisePreview };
  'noise.embedding': { req: EmbeddingNoiseRequest; res: EmbeddingNoiseResult };
  'runs.list': { req: { status?: RunStatus[]; search?: string; tag?: string; limit?: number }; res: RunSummary[] };
  'runs.get': { req: { id: number }; res: RunDetail };
  'runs.metrics': { req: { id: number; keys: string[]; width?: number }; res: Series[] };
  /** Validates the config (the same validation as the CLI) and queues the run. */
  'runs.start': { req: { config: unknown }; res: { runId: number } };
  /** Validates without queuing: the list of problems, empty when the config can run. */
  'runs.validate': { req: { config: unknown }; res: { problems: string[]; config: RunConfigDto } };
  'sweeps.create': { req: SweepRequest; res: { sweepId: number; runIds: number[] } };
  /**
   * The sweep as one Slurm job array of run bundles under `bundleDir` (absolute, on the filesystem the nodes share),
   * with cluster profile `cluster` (none: this checkout and node), as `noisynn sweep submit --slurm`; the runs are
   * imported at once and followed live as cluster runs.
   */
  'sweeps.submitSlurm': {
    req: SweepRequest & { cluster?: string; bundleDir: string };
    res: { sweepDir: string; jobId: string | null; runIds: number[] };
  };
  'queue.state': { req: Record<string, never>; res: QueueState };
  'queue.configure': { req: { concurrency: number }; res: QueueState };
  /** Starts extraction (+ projection + entropy) in a trainer-like process; progress arrives as events. */
  'embeddings.start': { req: EmbeddingRequest; res: { jobId: string } };
  'embeddings.cancel': { req: { jobId: string }; res: { ok: true } };
  'embeddings.result': { req: { jobId: string }; res: EmbeddingAnalysis };
  /** dS of every noise type at a few strengths for one model/site (started like embeddings.start). */
  'embeddings.entropyTable': {
    req: Omit<EmbeddingRequest, 'noise' | 'projection' | 'entropy'> & { noises: NoiseSpecDto[] };
    res: { jobId: string };
  };
  'embeddings.tableResult': { req: { jobId: string }; res: EntropyTableRow[] };
  /** The results table of a reproduction study ('reproduce-quick', 'reproduce-standard', 'reproduce-full'). */
  'study.results': { req: { name: string }; res: StudyRow[] };
  /** Starts `noisynn study reproduce` (mode quick, standard, or a smoke check) as a server child process; resumes one that was interrupted. */
  'study.start': { req: { mode: string }; res: StudyProgress };
  'study.progress': { req: { name: string }; res: StudyProgress };
  /** The study CSVs: committed ones (the app's docs/) and this data dir's. */
  'study.tables': { req: Record<string, never>; res: StudyTableFile[] };
  'runs.cancel': { req: { id: number }; res: { ok: true } };
  'runs.resume': { req: { id: number }; res: { ok: true } };
  'runs.tag': { req: { id: number; tag: string; remove?: boolean }; res: { ok: true } };
  /** Adds a note, or replaces note `noteId`'s text (the run page saves notes as they are typed). */
  'runs.note': { req: { id: number; body: string; noteId?: number }; res: { ok: true; noteId: number } };
  /** Deletes a run that is not running, with its files (checkpoints). */
  'runs.delete': { req: { id: number }; res: { ok: true } };
  /** Writes an ended run as a run bundle into `dir` (absolute, new or empty, on this machine): `noisynn sync` imports it elsewhere. */
  'runs.exportBundle': {
    req: { id: number; dir: string };
    res: { dir: string; uuid: string; metrics: number; evaluations: number; checkpoints: number };
  };
  /** Imports run bundles (a Slurm sweep's folder, or bundles from another workstation); the app then follows them live. */
  'cluster.sync': { req: { paths: string[] }; res: { results: ClusterSyncResult[] } };
  /** The cluster profiles of the data dir (`noisynn cluster add`). */
  'cluster.profiles': { req: Record<string, never>; res: ClusterProfileDto[] };
}

export type ApiMethod = keyof ApiMethods;
export type ApiRequest<M extends ApiMethod> = ApiMethods[M]['req'];
export type ApiResponse<M extends ApiMethod> = ApiMethods[M]['res'];

/** Every reply on every transport: a value or a readable error. */
export type Reply<T> = { value: T } | { error: { message: string; code?: string } };

/** Events pushed from the main side (Server-Sent Events on /api/events). */
export interface ApiEvents {
  'run.status': { runId: number; status: RunStatus; error?: string };
  'run.step': {
    runId: number;
    step: number;
    epoch: number;
    loss: number;
    acc: number;
    lr: number;
    imagesPerSecond: number;
    totalSteps: number;
  };
  'run.epoch': { runId: number; epoch: number; trainLoss: number; trainAcc: number; testTop1: number; testTop5: number; testLoss: number };
  'run.backend': { runId: number; name: string; reason: string };
  'queue.changed': QueueState;
  'embeddings.progress': { jobId: string; phase: string; done: number; total: number };
  'embeddings.done': { jobId: string; error?: string };
}
export type ApiEvent = keyof ApiEvents;

/** The method names, for transports that validate what they route. */
export const API_METHODS: readonly ApiMethod[] = [
  'app.info',
  'datasets.list',
  'datasets.add',
  'datasets.remove',
  'datasets.images',
  'datasets.image',
  'datasets.thumbnails',
  'noise.preview',
  'noise.embedding',
  'weights.list',
  'weights.get',
  'weights.import',
  'weights.delete',
  'runs.list',
  'runs.get',
  'runs.metrics',
  'runs.start',
  'runs.validate',
  'runs.cancel',
  'runs.resume',
  'runs.tag',
  'runs.note',
  'runs.delete',
  'runs.exportBundle',
  'sweeps.create',
  'sweeps.submitSlurm',
  'queue.state',
  'queue.configure',
  'embeddings.start',
  'embeddings.cancel',
  'embeddings.result',
  'embeddings.entropyTable',
  'embeddings.tableResult',
  'study.results',
  'study.start',
  'study.progress',
  'study.tables',
  'cluster.sync',
  'cluster.profiles',
];

/**
 * The shape of every request, checked before a service sees it (api/request-shape.ts): each field's kind,
 * '?' when optional. The mapped type makes the compiler keep it complete: a field added to a request
 * above and not listed here (or listed and not declared) is a type error.
 */
export type FieldKind = 'id' | 'int' | 'number' | 'string' | 'boolean' | 'object' | 'object|null' | 'array' | 'any';
export type FieldSpec = FieldKind | `${FieldKind}?`;
type Shape<R> = { [K in keyof R]-?: FieldSpec };

export const REQUEST_SHAPES: { [M in ApiMethod]: Shape<ApiRequest<M>> } = {
  'app.info': {},
  'datasets.list': {},
  'datasets.add': { path: 'string', name: 'string?', kind: 'string?', imageSize: 'array?', channels: 'int?', replace: 'boolean?' },
  'datasets.remove': { name: 'string', force: 'boolean?' },
  'datasets.images': { dataset: 'string', split: 'string', classes: 'array?', offset: 'int', limit: 'int' },
  'datasets.image': { dataset: 'string', split: 'string', index: 'int' },
  'datasets.thumbnails': { dataset: 'string', refs: 'array' },
  'noise.preview': { dataset: 'string', images: 'array', selected: 'int', noise: 'object', seed: 'int', strip: 'array?' },
  'noise.embedding': { model: 'object', dataset: 'string', images: 'array', site: 'object', noise: 'object', seed: 'int', selected: 'int' },
  'runs.list': { status: 'array?', search: 'string?', tag: 'string?', limit: 'id?' },
  'runs.get': { id: 'id' },
  'runs.metrics': { id: 'id', keys: 'array', width: 'id?' },
  'runs.start': { config: 'object' },
  'runs.validate': { config: 'any' },
  'sweeps.create': { name: 'string', base: 'object', mode: 'string', axes: 'array', samples: 'id?', seed: 'int?' },
  'sweeps.submitSlurm': {
    name: 'string',
    base: 'object',
    mode: 'string',
    axes: 'array',
    samples: 'id?',
    seed: 'int?',
    cluster: 'string?',
    bundleDir: 'string',
  },
  'queue.state': {},
  'queue.configure': { concurrency: 'int' },
  'embeddings.start': {
    model: 'object',
    dataset: 'string',
    split: 'string',
    site: 'object',
    noise: 'object|null',
    protocol: 'string',
    batchSize: 'id',
    seed: 'int',
    limit: 'int?',
    projection: 'string',
    entropy: 'boolean',
  },
  'embeddings.cancel': { jobId: 'string' },
  'embeddings.result': { jobId: 'string' },
  'embeddings.entropyTable': {
    model: 'object',
    dataset: 'string',
    split: 'string',
    site: 'object',
    protocol: 'string',
    batchSize: 'id',
    seed: 'int',
    limit: 'int?',
    noises: 'array',
  },
  'embeddings.tableResult': { jobId: 'string' },
  'study.results': { name: 'string' },
  'study.start': { mode: 'string' },
  'study.progress': { name: 'string' },
  'study.tables': {},
  'runs.cancel': { id: 'id' },
  'runs.resume': { id: 'id' },
  'runs.tag': { id: 'id', tag: 'string', remove: 'boolean?' },
  'runs.note': { id: 'id', body: 'string', noteId: 'id?' },
  'runs.delete': { id: 'id' },
  'runs.exportBundle': { id: 'id', dir: 'string' },
  'weights.list': {},
  'weights.get': { name: 'string' },
  'weights.import': { path: 'string', name: 'string?', model: 'string?' },
  'weights.delete': { name: 'string' },
  'cluster.sync': { paths: 'array' },
  'cluster.profiles': {},
};

/** The main side's implementation of every method, as each transport routes to it. */
export type Handlers = { [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>> };
/** How the main side pushes an event to every connected window. */
export type Emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

/**
 * What the desktop window's preload adds (window.noisynn): only what a browser tab cannot do. Everything
 * else goes through the same HTTP API as browser mode.
 */
export interface DesktopBridge {
  /** The native folder picker; null when the user cancels. */
  openFolder(): Promise<string | null>;
  /** Shows a file or folder in the OS file manager; false when there is nothing at that path. */
  showInFolder(path: string): Promise<boolean>;
}

/** What every transport's client exposes to the renderer (netron-style "host"). */
export interface ApiClient {
  invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
