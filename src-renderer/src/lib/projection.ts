// Pure helpers of the embedding inspector: class centroids and their
// shift, clean -> noisy displacement segments, which rows a box / lasso selection covers, and how to
// read a dS estimate. No Svelte, no DOM, no plotly: unit-tested in test/unit/projection.test.ts.
import type { DsVerdict, EntropyEstimate, EntropySpread } from '@api/contract';
import { siteWords } from './model-arch';

/** Interleaved [n x 2] coordinates, as the analysis sends them. */
export type Xy = Float32Array;

export interface Centroid {
  cls: number;
  x: number;
  y: number;
  count: number;
}

/** Mean position of each class (classes with no point are left out). */
export function centroids(xy: Xy, labels: Int32Array, classes: number): Centroid[] {
  const sx = new Float64Array(classes);
  const sy = new Float64Array(classes);
  const n = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0 || c >= classes) continue;
    sx[c] += xy[2 * i];
    sy[c] += xy[2 * i + 1];
    n[c]++;
  }
  const out: Centroid[] = [];
  for (let c = 0; c < classes; c++) if (n[c] > 0) out.push({ cls: c, x: sx[c] / n[c], y: sy[c] / n[c], count: n[c] });
  return out;
}

export interface CentroidShift {
  cls: number;
  from: { x: number; y: number };
  to: { x: number; y: number };
  /** Euclidean length of the shift, in projection units. */
  length: number;
}

/** Clean centroid -> noisy centroid of each class present in both. */
export function centroidShifts(clean: Xy, noisy: Xy, labels: Int32Array, classes: number): CentroidShift[] {
  const a = centroids(clean, labels, classes);
  const b = new Map(centroids(noisy, labels, classes).map((c) => [c.cls, c]));
  return a.flatMap((c) => {
    const d = b.get(c.cls);
    return d ? [{ cls: c.cls, from: { x: c.x, y: c.y }, to: { x: d.x, y: d.y }, length: Math.hypot(d.x - c.x, d.y - c.y) }] : [];
  });
}

/**
 * Line segments clean -> noisy for some rows, as one plotly line trace (null separates segments, so
 * hundreds of arrows cost one trace), plus the head positions for the arrow markers.
 */
export function displacementSegments(
  clean: Xy,
  noisy: Xy,
  rows: readonly number[],
): { x: (number | null)[]; y: (number | null)[]; headX: number[]; headY: number[] } {
  const x: (number | null)[] = [];
  const y: (number | null)[] = [];
  const headX: number[] = [];
  const headY: number[] = [];
  for (const r of rows) {
    x.push(clean[2 * r], noisy[2 * r], null);
    y.push(clean[2 * r + 1], noisy[2 * r + 1], null);
    headX.push(noisy[2 * r]);
    headY.push(noisy[2 * r + 1]);
  }
  return { x, y, headX, headY };
}

/** The first `limit` rows of class `cls`, in row order (the default subset for displacement arrows). */
export function firstOfClass(labels: Int32Array, cls: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length && out.length < limit; i++) if (labels[i] === cls) out.push(i);
  return out;
}

/** A plotly selection region: a box (data ranges) or a lasso (polygon in data coordinates). */
export type Region = { kind: 'box'; x: [number, number]; y: [number, number] } | { kind: 'lasso'; x: number[]; y: number[] };

/** Even-odd ray casting: is (px, py) inside the polygon? */
export function inPolygon(px: number, py: number, xs: readonly number[], ys: readonly number[]): boolean {
  let inside = false;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    if (ys[i] > py !== ys[j] > py && px < ((xs[j] - xs[i]) * (py - ys[i])) / (ys[j] - ys[i]) + xs[i]) inside = !inside;
  }
  return inside;
}

export function inRegion(px: number, py: number, r: Region): boolean {
  if (r.kind === 'box') {
    const [x0, x1] = r.x[0] <= r.x[1] ? r.x : [r.x[1], r.x[0]];
    const [y0, y1] = r.y[0] <= r.y[1] ? r.y : [r.y[1], r.y[0]];
    return px >= x0 && px <= x1 && py >= y0 && py <= y1;
  }
  return inPolygon(px, py, r.x, r.y);
}

/**
 * Rows (images) with a visible point inside the region: a row counts once even when both its clean
 * and its noisy point are inside. `sets` are the point sets drawn (clean, noisy or both).
 */
export function rowsInRegion(sets: readonly Xy[], n: number, region: Region): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (sets.some((xy) => inRegion(xy[2 * i], xy[2 * i + 1], region))) out.push(i);
  }
  return out;
}

/** The region of a plotly_selected event (`range` for a box, `lassoPoints` for a lasso), or null. */
export function regionOfEvent(ev: unknown): Region | null {
  if (typeof ev !== 'object' || ev === null) return null;
  const e = ev as { range?: { x?: number[]; y?: number[] }; lassoPoints?: { x?: number[]; y?: number[] } };
  if (e.range?.x?.length === 2 && e.range.y?.length === 2)
    return { kind: 'box', x: [e.range.x[0], e.range.x[1]], y: [e.range.y[0], e.range.y[1]] };
  if (e.lassoPoints?.x && e.lassoPoints.y && e.lassoPoints.x.length >= 3) return { kind: 'lasso', x: e.lassoPoints.x, y: e.lassoPoints.y };
  return null;
}

export type DsReading = 'positive' | 'harmful' | 'not-significant' | 'out-of-range' | 'none';

/**
 * The engine's reading of one estimator's dS (engine/embed/entropy.ts verdict(): positive or harmful only
 * beyond 2 bootstrap std, no reading when an H(Y|Z) value is outside [0, H(Y)]), as a CSS-friendly name.
 */
export function readDs(e: EntropyEstimate): DsReading {
  if (!e.dS || !e.verdict || !Number.isFinite(e.dS.value)) return 'none';
  const v: Record<DsVerdict, DsReading> = {
    positive: 'positive',
    harmful: 'harmful',
    'not significant': 'not-significant',
    'out of range': 'out-of-range',
  };
  return v[e.verdict.verdict] ?? 'none';
}

export const READING_TEXT: Record<DsReading, string> = {
  positive: 'positive noise',
  harmful: 'harmful noise',
  'not-significant': 'not significant',
  'out-of-range': 'no reading (out of range)',
  none: '—',
};

/** Where the meter's Z was read, in words (the request's site; ViT sites have no stage; blocks counted from 1 as in the forms). */
export function readPoint(site: { block: number; stage?: number; pool?: 'cls' | 'mean-patch'; at?: 'output' | 'noise-site' }): string {
  const noiseSite = site.at === 'noise-site';
  if (site.stage !== undefined) {
    return noiseSite
      ? `the input of stage ${site.stage} block ${site.block} after the noise (the noise site, the paper's latent), global-average-pooled`
      : `the output of stage ${site.stage} (after the noise site), global-average-pooled`;
  }
  const pool = site.pool === 'mean-patch' ? 'mean of the patch tokens' : 'class token';
  if (site.block === -1) return `right after the patch embedding, where the noise acts (our extension), ${pool}`;
  return noiseSite
    ? `the attention input of ${siteWords(site)} after LN1 and the noise (the noise site, the paper's latent), ${pool}`
    : `the residual stream after ${siteWords(site)} (downstream of the noise site), ${pool}`;
}

/** An H(Y|Z) value flagged outside [0, H(Y)] is shown as a flag, not as an estimate. */
export function formatEntropy(s: EntropySpread | undefined, digits = 3): string {
  if (s?.outOfRange) return `out of range (${s.outOfRange}: ${s.value.toFixed(digits)})`;
  return formatSpread(s, digits);
}

/** "1.234 ± 0.012" with a precision that suits the spread. */
export function formatSpread(s: EntropySpread | undefined, digits = 3): string {
  if (!s || !Number.isFinite(s.value)) return '—';
  return `${s.value.toFixed(digits)} ± ${Number.isFinite(s.std) ? s.std.toFixed(digits) : '?'}`;
}

/** A sample of at most `max` rows spread over the whole range (for bounded drawing of huge selections). */
export function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(items[Math.floor((k * items.length) / max)]);
  return out;
}
