// Pure helpers of the Runs table and the comparison: sorting, seed groups, mean ± std, final-metric
// summaries, the params diff, noise labels, curve alignment and CSV/JSON text. No DOM, no host, so
// test/unit/compare.test.ts exercises them directly.
import {
  NOISE_OPERATORS,
  sweptParam,
  type EvalProtocol,
  type NoiseSpecDto,
  type NumberParamName,
  type RunDetail,
  type RunSummary,
} from '@api/contract';
import { siteWords } from './model-arch';

// ---------- numbers ----------
export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  std: number;
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

export type SummaryMode = 'last' | 'best' | 'min' | 'max';

/** Whether larger is better for a metric key: accuracies yes, losses and learning rates no. */
export function higherIsBetter(key: string): boolean {
  return /(acc|top1|top5|top-1|top-5|images_per_second)/i.test(key);
}

/** One number per curve: its last value, its best (direction from the key), its min or its max. */
export function summarize(values: readonly number[], mode: SummaryMode, key = ''): number {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return NaN;
  if (mode === 'last') return v[v.length - 1];
  const min = Math.min(...v);
  const max = Math.max(...v);
  if (mode === 'min') return min;
  if (mode === 'max') return max;
  return higherIsBetter(key) ? max : min;
}

/**
 * The same for a downsampled series: 'last' from the bucket means, the extremes from the per-bucket
 * min / max when present, so a spike that downsampling averaged away still counts.
 */
export function summarizeSeries(s: { value: number[]; min?: number[]; max?: number[] }, mode: SummaryMode, key = ''): number {
  if (mode === 'last') return summarize(s.value, 'last');
  const lowest = summarize(s.min ?? s.value, 'min');
  const highest = summarize(s.max ?? s.value, 'max');
  if (mode === 'min') return lowest;
  if (mode === 'max') return highest;
  return higherIsBetter(key) ? highest : lowest;
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled to 0.
 * weight 0 = raw values, 0.99 = very smooth. NaNs pass through without resetting the average.
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let k = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    k++;
    return last / (1 - w ** k);
  });
}

/** Linear interpolation of (xs, ys) at x; NaN outside the range (bands never extrapolate). */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0 || x < xs[0] || x > xs[n - 1]) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[lo] === x || hi === lo) return ys[lo];
  if (xs[hi] === x) return ys[hi];
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

export interface Curve {
  x: number[];
  y: number[];
}

export interface Band {
  x: number[];
  mean: number[];
  std: number[];
  n: number[];
}

/**
 * Mean ± std of several curves on the union of their x values (each curve interpolated there), so
 * seeds whose downsampled steps do not line up still average point by point.
 */
export function band(curves: readonly Curve[]): Band {
  const xs = [...new Set(curves.flatMap((c) => c.x))].sort((a, b) => a - b);
  const out: Band = { x: [], mean: [], std: [], n: [] };
  for (const x of xs) {
    const m = meanStd(curves.map((c) => interpolate(c.x, c.y, x)));
    if (m.n === 0) continue;
    out.x.push(x);
    out.mean.push(m.mean);
    out.std.push(m.std);
    out.n.push(m.n);
  }
  return out;
}

// ---------- runs ----------
/** The noise's swept parameter by type (the registry's strip parameter: alpha, strength or prob; linear-optimal has none). */
export function noiseParam(noise: NoiseSpecDto | null | undefined): { name: string; value: number } | null {
  const swept = noise ? sweptParam(noise) : null;
  return swept && typeof swept.value === 'number' ? { name: swept.param.name, value: swept.value } : null;
}

export function siteLabel(noise: RunSummary['noise'] | null | undefined): string {
  const s = noise?.site;
  if (!s || noise?.type === 'none') return '';
  return siteWords(s);
}

/** "gaussian strength=0.1 @ block 2 (both)": type, parameter, site, when. */
export function noiseLabel(noise: RunSummary['noise'] | null | undefined): string {
  if (!noise || noise.type === 'none') return 'none';
  const p = noiseParam(noise);
  const site = siteLabel(noise);
  return `${noise.type}${p ? ` ${p.name}=${p.value}` : ''}${site ? ` @ ${site}` : ''} (${noise.at})`;
}

/** Noise that mixes samples of a batch, active at evaluation: its accuracy depends on the protocol. */
export function isBatchMixingAtEval(noise: NoiseSpecDto | null | undefined): boolean {
  return !!noise && NOISE_OPERATORS.some((o) => o.type === noise.type && o.batchMixing) && noise.at !== 'train';
}

export function testTop1(r: RunSummary): number | null {
  const v = r.summary?.testTop1;
  return typeof v === 'number' ? v : null;
}

export type SortDir = 'asc' | 'desc';
export type SortValue = string | number | null | undefined;

/** Numbers numerically, text naturally; missing values always last whatever the direction. */
export function compareValues(a: SortValue, b: SortValue, dir: SortDir): number {
  const na = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const nb = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true });
  return dir === 'asc' ? c : -c;
}

export function sortBy<T>(items: readonly T[], value: (item: T) => SortValue, dir: SortDir): T[] {
  // Stable: equal keys keep their current order.
  return items
    .map((item, i) => ({ item, i, v: value(item) }))
    .sort((p, q) => compareValues(p.v, q.v, dir) || p.i - q.i)
    .map((p) => p.item);
}

/** Params that say nothing about the experiment itself: runs that differ only in these are seeds of one. */
export const SEED_KEYS = new Set(['seed', 'name']);

export function seedGroupKey(params: Record<string, string | number>): string {
  return JSON.stringify(
    Object.keys(params)
      .filter((k) => !SEED_KEYS.has(k))
      .sort()
      .map((k) => [k, params[k]]),
  );
}

export interface SeedGroup {
  key: string;
  ids: number[];
  seeds: number[];
}

/** Runs grouped by every param except the seed; groups keep the order of their first run. */
export function groupBySeed(runs: readonly { id: number; seed: number; params: Record<string, string | number> }[]): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const r of runs) {
    const key = seedGroupKey(r.params);
    const g = groups.get(key) ?? { key, ids: [], seeds: [] };
    g.ids.push(r.id);
    g.seeds.push(r.seed);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export interface ParamDiffRow {
  key: string;
  /** One value per run, in the order given; undefined where the run has no such param. */
  values: (string | number | undefined)[];
}

/** Only the params whose value is not the same in every run (a key missing from some runs differs). */
export function paramsDiff(params: readonly Record<string, string | number>[]): ParamDiffRow[] {
  const keys = [...new Set(params.flatMap((p) => Object.keys(p)))].sort();
  const rows: ParamDiffRow[] = [];
  for (const key of keys) {
    const values = params.map((p) => p[key]);
    if (values.some((v) => v !== values[0])) rows.push({ key, values });
  }
  return rows;
}

export interface GroupLabel {
  /** The params that tell this group apart from the other groups named, with the shortest unambiguous names. */
  short: string;
  /** Every param that differs among the compared runs, by its full name, and the group's seeds (for a hover). */
  full: string;
}

/** 'noise.strength' -> 'strength', unless another of `keys` ends the same way ('model.depth', 'noise.depth'). */
export function shortKeys(keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of keys) {
    const parts = k.split('.');
    let n = 1;
    const suffix = (m: number, key: string) => key.split('.').slice(-m).join('.');
    while (n < parts.length && keys.some((o) => o !== k && suffix(n, o) === suffix(n, k))) n++;
    out.set(k, suffix(n, k));
  }
  return out;
}

/**
 * Labels of the seed groups `named` (the groups a table or chart lists, in their order): `short` holds only
 * the params whose value differs between those groups, so a param that only some other run changes does
 * not lengthen every label; `full` holds every param that differs among all compared runs (`details`).
 */
export function groupLabels(named: readonly SeedGroup[], details: ReadonlyMap<number, RunDetail>): GroupLabel[] {
  const firsts = named.map((g) => details.get(g.ids[0]));
  const paramsOf = (d: RunDetail | undefined) => d?.params ?? {};
  const between = paramsDiff(firsts.map(paramsOf))
    .map((r) => r.key)
    .filter((k) => !SEED_KEYS.has(k));
  const names = shortKeys(between);
  const all = paramsDiff([...details.values()].map((d) => d.params))
    .map((r) => r.key)
    .filter((k) => !SEED_KEYS.has(k));
  return named.map((g, i) => {
    const first = firsts[i];
    if (!first) return { short: g.ids.map((id) => `#${id}`).join(','), full: g.ids.map((id) => `#${id}`).join(',') };
    // Keys this group does not have (prob for a gaussian group) say nothing about it.
    const pairs = (keys: string[], name: (k: string) => string) =>
      keys
        .filter((k) => first.params[k] !== undefined)
        .map((k) => `${name(k)}=${first.params[k]}`)
        .join(' ');
    const n = `(n=${g.ids.length})`;
    const short = pairs(between, (k) => names.get(k) ?? k) || noiseLabel(first.noise);
    const full = `${pairs(all, (k) => k) || noiseLabel(first.noise)} · runs ${g.ids.map((id) => `#${id}`).join(', ')} · seeds ${g.seeds.join(', ')}`;
    return { short: `${short} ${n}`, full };
  });
}

// ---------- noise studies ----------
export interface ErrorPoint {
  x: number | string;
  mean: number;
  std: number;
  n: number;
}

export interface ErrorSeries {
  name: string;
  points: ErrorPoint[];
}

/**
 * Final accuracy against an x (noise strength, injection site ...), one series per noise type, mean ± std
 * over the runs (seeds) that share (type, x). Runs without an x or a value are left out.
 */
export function errorSeries<R>(
  runs: readonly R[],
  seriesOf: (r: R) => string,
  xOf: (r: R) => number | string | null,
  valueOf: (r: R) => number | null,
): ErrorSeries[] {
  const by = new Map<string, Map<number | string, number[]>>();
  for (const r of runs) {
    const x = xOf(r);
    const v = valueOf(r);
    if (x === null || v === null || !Number.isFinite(v)) continue;
    const name = seriesOf(r);
    const m = by.get(name) ?? new Map<number | string, number[]>();
    m.set(x, [...(m.get(x) ?? []), v]);
    by.set(name, m);
  }
  return [...by].map(([name, m]) => ({
    name,
    points: sortBy([...m], ([x]) => x, 'asc').map(([x, vs]) => ({ x, ...meanStd(vs) })),
  }));
}

/** The x of a noise-parameter panel: the operator's swept parameter, or the batch size k of a mixing operator without one (linear-optimal). */
export type ParamAxis = NumberParamName | 'k';

const SWEPT = NOISE_OPERATORS.flatMap((o) => {
  const p = o.strip && o.params.find((q) => q.name === o.strip!.param);
  return p ? [{ axis: p.name as NumberParamName, title: `${o.type} ${p.label}${p.symbol ? ` ${p.symbol}` : ''}` }] : [];
});

/** Operators whose panel's x is the batch size k. */
const K_TYPES = NOISE_OPERATORS.filter((o) => o.batchMixing && !o.strip).map((o) => o.type as string);
const K_AXIS = (type: string) => K_TYPES.includes(type);

export const PARAM_AXIS_TITLE = Object.fromEntries([
  ...SWEPT.map((s) => [s.axis, s.title]),
  ['k', `${K_TYPES.join(' / ')} batch size k`],
]) as Record<ParamAxis, string>;

export interface ParamPanel {
  axis: ParamAxis;
  series: ErrorSeries[];
}

type Params = Record<string, string | number>;

/** The run's setting that decides comparability: same dataset, model, epochs and training subset. */
function baseKey(p: Params): string {
  const model = Object.keys(p)
    .filter((k) => k.startsWith('model.'))
    .sort()
    .map((k) => `${k}=${p[k]}`)
    .join(',');
  return JSON.stringify([p.dataset, model, p.epochs, p.limitTrain ?? 0]);
}

function baseLabel(d: { params: Params; preset: string | null }): string {
  const p = d.params;
  const limit = Number(p.limitTrain ?? 0);
  return `${p.dataset} · ${d.preset ?? p['model.kind']} · ${p.epochs} ep · ${limit > 0 ? `${limit} train` : 'full train'}`;
}

/**
 * linear-optimal's k: the batch the mixing runs over, i.e. the test batch when the noise acts at evaluation
 * only, else the training batch (for 'both' the test batch joins the comparability key instead).
 */
function kOf(d: { noise: NoiseSpecDto; params: Params }): number | null {
  const k = Number(d.noise.at === 'eval' ? d.params.testBatchSize : d.params.batchSize);
  return Number.isFinite(k) && k > 0 ? k : null;
}

/**
 * Final accuracy against the noise parameter, grouped so that a series only joins comparable runs: one
 * panel per parameter (alpha, strength, prob, and k for linear-optimal); within it one series per
 * (dataset, model, epochs, training subset, noise type, level, when, site), mean ± std over seeds. Noise-free
 * runs of the same dataset, model, epochs and subset are the point x = 0 of the alpha / strength / prob series
 * (each of those operators is the identity at 0).
 */
export function paramPanels<
  R extends { noise: NoiseSpecDto & { site?: { block: number; stage?: number } }; params: Params; preset: string | null },
>(runs: readonly R[], valueOf: (r: R) => number | null): ParamPanel[] {
  const clean = new Map<string, R[]>();
  for (const r of runs) if (!r.noise || r.noise.type === 'none') clean.set(baseKey(r.params), [...(clean.get(baseKey(r.params)) ?? []), r]);
  const panels = new Map<ParamAxis, Map<string, { name: string; runs: [number, R][] }>>();
  for (const r of runs) {
    if (!r.noise || r.noise.type === 'none') continue;
    const p = noiseParam(r.noise);
    const axis: ParamAxis | null = K_AXIS(r.noise.type) ? 'k' : ((p?.name as ParamAxis | undefined) ?? null);
    const x = axis === 'k' ? kOf(r) : (p?.value ?? null);
    if (!axis || x === null) continue;
    const extra = axis === 'k' && r.noise.at === 'both' ? ` · test batch ${r.params.testBatchSize}` : '';
    const key = JSON.stringify([baseKey(r.params), r.noise.type, r.noise.level, r.noise.at, siteLabel(r.noise), extra]);
    const name = `${r.noise.type} (${r.noise.level}, ${r.noise.at}${siteLabel(r.noise) ? ` @ ${siteLabel(r.noise)}` : ''}) · ${baseLabel(r)}${extra}`;
    const series = panels.get(axis) ?? new Map();
    const s = series.get(key) ?? { name, runs: [] };
    s.runs.push([x, r]);
    series.set(key, s);
    panels.set(axis, series);
  }
  const order: ParamAxis[] = [...SWEPT.map((x) => x.axis), 'k'];
  return order
    .filter((a) => panels.has(a))
    .map((axis) => ({
      axis,
      series: [...panels.get(axis)!.values()].map((s) => {
        const points: [number, R][] =
          axis === 'k' ? s.runs : [...(clean.get(baseKey(s.runs[0][1].params)) ?? []).map((r): [number, R] => [0, r]), ...s.runs];
        return (
          errorSeries(
            points,
            () => s.name,
            ([x]) => x,
            ([, r]) => valueOf(r),
          )[0] ?? { name: s.name, points: [] }
        );
      }),
    }));
}

// ---------- protocol audit ----------
export interface AuditRow {
  protocol: EvalProtocol;
  label: string;
  batchSize: number;
  noiseActive: boolean;
  top1: number;
  top5: number;
  loss: number;
  n: number;
  epoch: number;
}

const AUDIT_ORDER: { protocol: EvalProtocol; noiseActive: boolean; label: string }[] = [
  { protocol: 'sorted', noiseActive: true, label: 'class-sorted batches (official)' },
  { protocol: 'shuffled', noiseActive: true, label: 'shuffled batches (seeded)' },
  { protocol: 'single', noiseActive: true, label: 'batch size 1' },
  { protocol: 'standard', noiseActive: false, label: 'noise-free model' },
];

/** Why the rows differ (docs/method.md#evaluation-protocols), one line for the table's caption. */
export const AUDIT_EXPLANATION =
  'linear-optimal at evaluation mixes each test sample with the rest of its batch: class-sorted batches average features within one class, shuffled batches mix classes, and batch size 1 has nothing to mix with, so it equals the noise-free model.';

/** The latest evaluation of each audit protocol, in the audit's order; missing protocols are left out. */
export function protocolAudit(evaluations: RunDetail['evaluations']): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const want of AUDIT_ORDER) {
    const hits = evaluations.filter((e) => e.protocol === want.protocol && e.noiseActive === want.noiseActive);
    // Evaluations come ordered by epoch then insertion: the last is the newest of the last epoch.
    const e = hits[hits.length - 1];
    if (e)
      rows.push({
        protocol: e.protocol,
        label: want.label,
        batchSize: e.batchSize,
        noiseActive: e.noiseActive,
        top1: e.top1,
        top5: e.top5,
        loss: e.loss,
        n: e.n,
        epoch: e.epoch,
      });
  }
  return rows;
}

/**
 * The k sweep (`noisynn eval RUN --protocol sorted,shuffled --test-batch-size 1,2,...`): test top-1 against
 * the test batch size k for class-sorted and shuffled batches, from the stored evaluations of the latest
 * epoch that has any (the newest value per k), with the noise-free model as a flat line over the same k.
 * Empty unless some protocol was evaluated at two or more k.
 */
export function kSweepSeries(evaluations: RunDetail['evaluations']): ErrorSeries[] {
  const sweep = evaluations.filter((e) => e.noiseActive && (e.protocol === 'sorted' || e.protocol === 'shuffled'));
  if (sweep.length === 0) return [];
  const epoch = Math.max(...sweep.map((e) => e.epoch));
  const latest = sweep.filter((e) => e.epoch === epoch);
  const series: ErrorSeries[] = [];
  for (const protocol of ['sorted', 'shuffled'] as const) {
    const byK = new Map<number, number>();
    for (const e of latest) if (e.protocol === protocol) byK.set(e.batchSize, e.top1); // later rows replace earlier ones
    if (byK.size)
      series.push({
        name: `${protocol} batches`,
        points: sortBy([...byK], ([k]) => k, 'asc').map(([x, top1]) => ({ x, mean: top1, std: 0, n: 1 })),
      });
  }
  if (!series.some((s) => s.points.length >= 2)) return [];
  const clean = evaluations.filter((e) => !e.noiseActive && e.epoch === epoch).at(-1);
  if (clean) {
    const ks = [...new Set(series.flatMap((s) => s.points.map((p) => p.x as number)))].sort((a, b) => a - b);
    series.push({ name: 'noise-free', points: ks.map((x) => ({ x, mean: clean.top1, std: 0, n: 1 })) });
  }
  return series;
}

// ---------- export ----------
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 text: a header of `columns` (default: every key seen, in first-seen order) and one line per row. */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The runs table as flat records, one per run: what the CSV and JSON exports hold. */
export function runRecord(r: RunSummary): Record<string, string | number | null> {
  const p = noiseParam(r.noise);
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    backend: r.backend,
    preset: r.preset,
    dataset: r.dataset,
    model: r.model,
    lr: r.lr,
    batch_size: r.batchSize,
    noise_type: r.noise?.type ?? null,
    noise_param: p?.name ?? null,
    noise_value: p?.value ?? null,
    noise_site: siteLabel(r.noise) || null,
    noise_at: r.noise?.at ?? null,
    seed: r.seed,
    epochs_done: r.epochsDone,
    epochs: r.epochs,
    test_top1: testTop1(r),
    images_per_second: r.imagesPerSecond,
    duration_s: r.durationS,
    tags: r.tags.join(' '),
    created_at: r.createdAt,
  };
}

export interface CurveExport {
  runId: number;
  key: string;
  step: number[];
  value: number[];
  min?: number[];
  max?: number[];
}

/** Curves in long form (run, key, step, value, min, max): one CSV row per point. */
export function curveRecords(curves: readonly CurveExport[]): Record<string, number | string | null>[] {
  return curves.flatMap((c) =>
    c.step.map((step, i) => ({ run: c.runId, key: c.key, step, value: c.value[i], min: c.min?.[i] ?? null, max: c.max?.[i] ?? null })),
  );
}

/** A file-name-safe stamp: 2024-05-01T10-20-30. */
export function stamp(d = new Date()): string {
  return d.toISOString().slice(0, 19).replace(/:/g, '-');
}
