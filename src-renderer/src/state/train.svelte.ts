// The Train view's state: the run form, its server-side validation (the CLI's own, via
// runs.validate), the sweep rows, and the runs launched from here. The form sends a preset name plus
// the fields it shows; the main side resolves preset < fields, exactly as `noisynn train` does.
import { CONFIG_FIELDS, type ApiResponse, type NoiseSpecDto, type SweepAxisDto, type SweepRequest } from '@api/contract';
import { errorMessage, host } from '../host';
import { cleanSpec, DEFAULTS, SKIP_CLASS_TOKEN } from '../lib/noise-params';
import { LatestRequest } from './latest-request.svelte';
import { persist, restore } from './persisted';
import { queue } from './queue.svelte';

export interface Site {
  block: number;
  stage?: number;
}

export interface TrainForm {
  preset: string;
  name: string;
  dataset: string;
  /** Every parameter of every type, so switching type and back keeps what was typed. */
  noise: NoiseSpecDto;
  site: Site;
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  warmupEpochs: number;
  minLr: number;
  epochs: number;
  batchSize: number;
  /** Data-parallel replicas (threads) per batch. */
  replicas: number;
  testBatchSize: number;
  labelSmoothing: number;
  /** A comma list: one run per seed. */
  seeds: string;
  limitTrain: number;
  limitTest: number;
  /** Imported weights to start from ('' = a seeded initialisation); the config's init.weights. */
  initWeights: string;
  /** With initWeights: ViT blocks / ResNet stages to freeze (init.freeze). */
  freeze: number;
  /** With initWeights: a fresh head even when the class count matches (init.newHead). */
  newHead: boolean;
}

export interface SweepRow {
  path: string;
  values: string;
}

/** Paths offered in the sweep rows' suggestions (any dotted config path is accepted). */
/** The sweep rows' path suggestions: every scalar config field that has a flag (field table). */
export const SWEEP_PATHS = CONFIG_FIELDS.filter((f) => f.flag && ['int', 'number', 'enum', 'boolean'].includes(f.type)).map((f) => f.path);

const VALIDATE_DEBOUNCE_MS = 250;
/** Sweep points checked before launch; a bigger grid is checked whole by sweeps.create itself. */
const MAX_CHECKED_POINTS = 16;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
type ValidateReply = ApiResponse<'runs.validate'>;
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** Seeds from "1, 2, 3": the list, or a readable problem. */
export function parseSeeds(text: string): { seeds: number[]; problem: string | null } {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return { seeds: [], problem: 'seed: give at least one integer seed' };
  const seeds = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || seeds[i] > 0xffffffff);
  if (bad !== undefined) return { seeds: [], problem: `seed '${bad}' is not an integer in [0, 2^32)` };
  if (new Set(seeds).size !== seeds.length) return { seeds: [], problem: 'seeds: the same seed is listed twice' };
  return { seeds, problem: null };
}

/** A sweep value as typed: numbers and booleans become numbers and booleans, anything else a string. */
export function parseValue(text: string): unknown {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

export function sweepAxes(rows: SweepRow[]): SweepAxisDto[] {
  return rows
    .map((r) => ({
      path: r.path.trim(),
      values: r.values
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
        .map(parseValue),
    }))
    .filter((a) => a.path && a.values.length);
}

function setPath(target: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!isPlain(o[k])) o[k] = {};
    o = o[k] as Plain;
  }
  o[keys[keys.length - 1]] = value;
}

/** Every grid point of the axes over `base` (up to `limit`), for checking a sweep before it is queued. */
function gridPoints(base: Plain, axes: SweepAxisDto[], limit: number): Plain[] {
  let points: Plain[] = [structuredClone(base)];
  for (const a of axes) {
    points = points.flatMap((p) =>
      a.values.map((v) => {
        const c = structuredClone(p);
        setPath(c, a.path, v);
        return c;
      }),
    );
    if (points.length > limit) points = points.slice(0, limit);
  }
  return points;
}

/** Where the form is kept across reloads and tabs (state/persisted.ts). */
const FORM_KEY = 'noisynn.train.form';

export class TrainState {
  form = $state<TrainForm>(
    restore(FORM_KEY, {
      preset: '',
      name: '',
      dataset: 'mnist',
      noise: { type: 'none', level: 'embedding', at: 'both', skipFirstToken: SKIP_CLASS_TOKEN, ...DEFAULTS },
      site: { block: 0 },
      lr: 1e-3,
      weightDecay: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      warmupEpochs: 0,
      minLr: 0,
      epochs: 1,
      batchSize: 32,
      replicas: 1,
      testBatchSize: 10,
      labelSmoothing: 0,
      seeds: '42',
      limitTrain: 0,
      limitTest: 0,
      initWeights: '',
      freeze: 0,
      newHead: false,
    }),
  );
  /** The model of the resolved config (from the preset, fitted to the dataset): the site picker reads it. */
  model = $state.raw<unknown>(null);
  presetError = $state<string | null>(null);

  /** runs.validate of the form's config (for its first seed), debounced; the Train view follows it. */
  readonly #check = new LatestRequest<Plain, ValidateReply>({
    request: () => (this.form.preset ? this.config : null),
    send: (config) => host.invoke('runs.validate', { config }),
    debounceMs: VALIDATE_DEBOUNCE_MS,
    onreply: (res) => (this.model = isPlain(res.config) ? res.config.model : null),
    effect: false,
  });
  problems = $derived(this.#check.error ? [this.#check.error] : (this.#check.result?.problems ?? []));
  /** The config key the problems belong to; Launch waits until it matches the form. */
  checkedKey = $derived(this.#check.settledKey);

  sweepRows = $state<SweepRow[]>([{ path: 'noise.strength', values: '' }]);
  sweepMode = $state<'grid' | 'random'>('grid');
  sweepSamples = $state(4);
  /** Submit the sweep to Slurm instead of the local queue (sweeps.submitSlurm, as `sweep submit --slurm`); '' = no profile. */
  slurm = $state({ on: false, cluster: '', bundleDir: '' });
  /** Every point of the sweep's grid (up to a limit) checked the same way. */
  readonly #sweepCheck = new LatestRequest<Plain[], ValidateReply[]>({
    request: () =>
      this.sweepAxesWithSeeds.length === 0 ? null : gridPoints(this.sweepBase(), this.sweepAxesWithSeeds, MAX_CHECKED_POINTS),
    send: (points) => Promise.all(points.map((config) => host.invoke('runs.validate', { config }))),
    debounceMs: VALIDATE_DEBOUNCE_MS,
    effect: false,
  });
  sweepProblems = $derived(
    this.#sweepCheck.error ? [this.#sweepCheck.error] : [...new Set((this.#sweepCheck.result ?? []).flatMap((r) => r.problems))],
  );

  launching = $state(false);
  launchError = $state<string | null>(null);
  /** Runs launched from this view, newest first. */
  launched = $state<number[]>([]);
  /** The run the live panel shows. */
  watching = $state<number | null>(null);
  /** Follow the next launched run when the watched one finishes, until the user picks one. */
  follow = $state(true);

  constructor() {
    // The state lives as long as the page: a root effect, not a component's.
    $effect.root(() => {
      $effect(() => persist(FORM_KEY, $state.snapshot(this.form)));
    });
  }

  seedInfo = $derived(parseSeeds(this.form.seeds));
  /** The config sent for one seed (the first), and its key for validation bookkeeping. */
  config = $derived(this.configFor(this.seedInfo.seeds[0] ?? 0));
  configKey = $derived(JSON.stringify(this.config));
  /** Problems found in the form itself, before asking the main side. */
  localProblems = $derived(this.seedInfo.problem ? [this.seedInfo.problem] : []);
  allProblems = $derived([...this.localProblems, ...(this.checkedKey === this.configKey ? this.problems : [])]);
  canLaunch = $derived(!this.launching && this.checkedKey === this.configKey && this.allProblems.length === 0);

  axes = $derived(sweepAxes(this.sweepRows));
  /** The seed list joins the sweep as an axis unless a row already sweeps 'seed'. */
  sweepAxesWithSeeds = $derived(
    this.seedInfo.seeds.length > 1 && !this.axes.some((a) => a.path === 'seed')
      ? [...this.axes, { path: 'seed', values: this.seedInfo.seeds }]
      : this.axes,
  );
  sweepCount = $derived(
    this.sweepAxesWithSeeds.length === 0
      ? 0
      : this.sweepMode === 'random'
        ? Math.max(0, Math.floor(num(this.sweepSamples, 0)))
        : this.sweepAxesWithSeeds.reduce((n, a) => n * a.values.length, 1),
  );
  canSweep = $derived(
    !this.launching &&
      this.sweepCount > 0 &&
      this.localProblems.length === 0 &&
      this.#sweepCheck.settledKey === this.#sweepCheck.key &&
      this.sweepProblems.length === 0 &&
      (!this.slurm.on || this.slurm.bundleDir.trim() !== ''),
  );

  /** The partial config for one seed: the preset fills in everything else (model, eps, ...). */
  configFor(seed: number): Plain {
    const f = this.form;
    // The class token exists only at the embedding level; the main side makes a ViT's default explicit.
    const noise: Plain = {
      ...cleanSpec(f.noise),
      skipFirstToken: f.noise.level === 'embedding' && f.noise.skipFirstToken === true,
      site: { ...f.site },
    };
    const c: Plain = {
      preset: f.preset || undefined,
      dataset: f.dataset,
      noise,
      optimizer: { lr: f.lr, weightDecay: f.weightDecay, beta1: f.beta1, beta2: f.beta2 },
      schedule: { warmupEpochs: f.warmupEpochs, minLr: f.minLr },
      epochs: f.epochs,
      batchSize: f.batchSize,
      replicas: f.replicas,
      testBatchSize: f.testBatchSize,
      labelSmoothing: f.labelSmoothing,
      seed,
      limitTrain: f.limitTrain,
      limitTest: f.limitTest,
    };
    if (f.name.trim()) c.name = f.name.trim();
    if (f.initWeights) c.init = { weights: f.initWeights, freeze: f.freeze, ...(f.newHead ? { newHead: true } : {}) };
    return c;
  }

  /** Loads a preset's resolved config into the form (the main side merges and fits it to the dataset). */
  async applyPreset(name: string, datasets: string[]): Promise<void> {
    this.form.preset = name;
    try {
      const { config } = await host.invoke('runs.validate', { config: { preset: name } });
      this.fill(config, datasets);
      this.presetError = null;
    } catch (e) {
      this.presetError = errorMessage(e);
    }
  }

  /** A recorded run's config in the form (the run page's "Duplicate"): same preset, fields, seed and name + " (copy)". */
  duplicate(config: unknown, datasets: string[]): void {
    const c = (isPlain(config) ? config : {}) as Plain;
    if (typeof c.preset === 'string') this.form.preset = c.preset;
    this.fill(c, datasets);
    this.form.name = typeof c.name === 'string' && c.name ? `${c.name} (copy)` : '';
  }

  /**
   * "Train with this spec" from a noise lab: the lab's noise, seed, dataset and (embedding lab) site and
   * model preset in the form. A preset is applied first, so the lab's choices win over its defaults.
   */
  async fromNoiseLab(o: {
    spec: NoiseSpecDto;
    seed: number;
    dataset: string;
    site?: Site;
    preset?: string;
    datasets: string[];
  }): Promise<void> {
    if (o.preset && o.preset !== this.form.preset) await this.applyPreset(o.preset, o.datasets);
    const f = this.form;
    f.noise = { ...f.noise, ...cleanSpec(o.spec), at: f.noise.type === 'none' ? 'both' : f.noise.at };
    if (o.site) f.site = { ...o.site };
    f.seeds = String(o.seed);
    if (o.datasets.includes(o.dataset)) f.dataset = o.dataset;
  }

  /** Every form field from a full config; fields it lacks keep their value. */
  fill(config: unknown, datasets: string[]): void {
    const c = (isPlain(config) ? config : {}) as Plain;
    const f = this.form;
    const o = (isPlain(c.optimizer) ? c.optimizer : {}) as Plain;
    const s = (isPlain(c.schedule) ? c.schedule : {}) as Plain;
    const n = (isPlain(c.noise) ? c.noise : {}) as Partial<NoiseSpecDto> & { site?: Site };
    // A preset naming an unregistered dataset (e.g. ImageNet) keeps the current one: its problems show below.
    if (typeof c.dataset === 'string' && datasets.includes(c.dataset)) f.dataset = c.dataset;
    f.noise = {
      ...f.noise,
      ...DEFAULTS,
      ...n,
      type: n.type ?? 'none',
      level: n.level ?? 'embedding',
      at: n.at ?? 'both',
      skipFirstToken: n.skipFirstToken === true,
    };
    delete (f.noise as { site?: Site }).site;
    if (n.site && typeof n.site.block === 'number') f.site = { ...n.site };
    f.lr = num(o.lr, f.lr);
    f.weightDecay = num(o.weightDecay, f.weightDecay);
    f.beta1 = num(o.beta1, f.beta1);
    f.beta2 = num(o.beta2, f.beta2);
    f.warmupEpochs = num(s.warmupEpochs, f.warmupEpochs);
    f.minLr = num(s.minLr, f.minLr);
    f.replicas = num(c.replicas, 1);
    for (const k of ['epochs', 'batchSize', 'testBatchSize', 'labelSmoothing', 'limitTrain', 'limitTest'] as const) f[k] = num(c[k], f[k]);
    if (typeof c.seed === 'number') f.seeds = String(c.seed);
  }

  /** Follows the form with runs.validate (debounced); returns the effect's cleanup. */
  scheduleCheck(): () => void {
    return this.#check.follow();
  }

  /** Follows the sweep rows with a check of every grid point (up to a limit); returns the effect's cleanup. */
  scheduleSweepCheck(): () => void {
    return this.#sweepCheck.follow();
  }

  /** A sweep point starts from the form; a swept noise type takes the parameters typed in the form. */
  sweepBase(): Plain {
    const base = this.configFor(this.seedInfo.seeds[0] ?? 0);
    if (this.axes.some((a) => a.path === 'noise.type')) {
      const { type, level, at, skipFirstToken, alpha, detach, strength, mean, std, prob } = this.form.noise;
      base.noise = {
        type,
        level,
        at,
        skipFirstToken: skipFirstToken === true,
        alpha,
        detach,
        strength,
        mean,
        std,
        prob,
        site: { ...this.form.site },
      };
    }
    return base;
  }

  /** One seed: runs.start. Several seeds: a grid sweep over 'seed'. */
  async launch(): Promise<void> {
    if (!this.canLaunch) return;
    const seeds = this.seedInfo.seeds;
    if (seeds.length === 1) {
      await this.#launching(async () => [(await host.invoke('runs.start', { config: this.config })).runId]);
    } else {
      await this.#sweep({ name: this.#sweepName('seeds'), base: this.config, mode: 'grid', axes: [{ path: 'seed', values: seeds }] });
    }
  }

  async launchSweep(): Promise<void> {
    if (!this.canSweep) return;
    const req: SweepRequest = {
      name: this.#sweepName(this.sweepAxesWithSeeds.map((a) => a.path).join(' x ')),
      base: this.sweepBase(),
      mode: this.sweepMode,
      axes: this.sweepAxesWithSeeds,
    };
    if (this.sweepMode === 'random') {
      req.samples = this.sweepCount;
      req.seed = this.seedInfo.seeds[0] ?? 0;
    }
    if (this.slurm.on) {
      const { cluster, bundleDir } = this.slurm;
      await this.#launching(
        async () => (await host.invoke('sweeps.submitSlurm', { ...req, bundleDir: bundleDir.trim(), ...(cluster && { cluster }) })).runIds,
      );
      return;
    }
    await this.#sweep(req);
  }

  async cancel(id: number): Promise<void> {
    await this.#act(() => host.invoke('runs.cancel', { id }));
  }

  async resume(id: number): Promise<void> {
    await this.#act(() => host.invoke('runs.resume', { id }));
    void queue.refreshQueue();
  }

  watch(id: number, byUser = false): void {
    this.watching = id;
    if (byUser) this.follow = false;
    queue.run(id);
    void queue.backfill(id);
  }

  #sweepName(what: string): string {
    const n = this.form.name.trim() || this.form.preset || 'run';
    return `${n}: ${what}`;
  }

  async #sweep(req: SweepRequest): Promise<void> {
    await this.#launching(async () => (await host.invoke('sweeps.create', req)).runIds);
  }

  async #launching(start: () => Promise<number[]>): Promise<void> {
    this.launching = true;
    try {
      const ids = await start();
      for (const id of ids) queue.run(id);
      this.launched = [...[...ids].reverse(), ...this.launched];
      this.follow = true;
      if (ids.length) this.watch(ids[0]);
      this.launchError = null;
      void queue.refreshQueue();
    } catch (e) {
      this.launchError = errorMessage(e);
    } finally {
      this.launching = false;
    }
  }

  async #act(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
      this.launchError = null;
    } catch (e) {
      this.launchError = errorMessage(e);
    }
  }
}

export const train = new TrainState();
