// Sweeps: a grid (every combination) or a seeded random search over config fields, each point one run.
import { checkConfigPath, setPath } from '../engine/config';
import { invalid } from '../errors';
import { Rng } from '../engine/rng';

export interface SweepAxis {
  /** Dotted config path, e.g. 'noise.type', 'noise.strength', 'noise.site.block', 'seed'. */
  path: string;
  values: unknown[];
  /** Random mode only: sample uniformly in [lo, hi) instead of choosing among `values`. */
  range?: [number, number];
}

export interface SweepSpec {
  name: string;
  /** A partial RunConfig (may name a preset) that every point starts from. */
  base: Record<string, unknown>;
  mode: 'grid' | 'random';
  axes: SweepAxis[];
  /** Random mode: how many points. */
  samples?: number;
  seed?: number;
}

export const MAX_SWEEP_RUNS = 1000;

/** The configs of a sweep, in a stable order (the last axis varies fastest in a grid). */
export function expandSweep(spec: SweepSpec): Record<string, unknown>[] {
  if (!spec.axes?.length) throw new Error('a sweep needs at least one axis');
  for (const a of spec.axes) {
    if (a.range) {
      const [lo, hi] = a.range;
      if (spec.mode !== 'random') throw invalid(`sweep axis '${a.path}': a range (${lo}:${hi}) needs random mode`, 'axes');
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi))
        throw invalid(`sweep axis '${a.path}': range must be LO:HI with LO < HI (got ${lo}:${hi})`, 'axes');
      checkConfigPath(a.path);
      continue;
    }
    if (!a.path || !Array.isArray(a.values) || a.values.length === 0)
      throw invalid(`sweep axis '${a.path ?? ''}' needs a path and at least one value`, 'axes');
    checkConfigPath(a.path);
  }
  const points: unknown[][] = [];
  if (spec.mode === 'grid') {
    const total = spec.axes.reduce((n, a) => n * a.values.length, 1);
    if (total > MAX_SWEEP_RUNS) throw new Error(`the grid has ${total} points; at most ${MAX_SWEEP_RUNS} runs per sweep`);
    for (let i = 0; i < total; i++) {
      let rest = i;
      const p: unknown[] = new Array(spec.axes.length);
      for (let k = spec.axes.length - 1; k >= 0; k--) {
        const n = spec.axes[k].values.length;
        p[k] = spec.axes[k].values[rest % n];
        rest = Math.floor(rest / n);
      }
      points.push(p);
    }
  } else if (spec.mode === 'random') {
    const n = spec.samples ?? 0;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SWEEP_RUNS) throw new Error(`random search needs samples from 1 to ${MAX_SWEEP_RUNS}`);
    const rng = new Rng(spec.seed ?? 0);
    for (let i = 0; i < n; i++)
      points.push(
        spec.axes.map((a) => (a.range ? a.range[0] + rng.next() * (a.range[1] - a.range[0]) : a.values[rng.int(a.values.length)])),
      );
  } else {
    throw new Error(`sweep mode must be 'grid' or 'random'`);
  }
  return points.map((p) => {
    const c = structuredClone(spec.base);
    spec.axes.forEach((a, k) => setPath(c, a.path, p[k]));
    // Named after its swept values wherever a run is listed: 'lr-sweep · strength=1 · seed=2'.
    if (typeof spec.base.name !== 'string' || !spec.base.name) c.name = pointName(spec.name, spec.axes, p);
    return c;
  });
}

/** A sweep point's name: the sweep's name and each axis as `last-path-segment=value`. */
export function pointName(sweep: string, axes: SweepAxis[], values: unknown[]): string {
  const parts = axes.map((a, k) => `${a.path.split('.').pop()}=${typeof values[k] === 'string' ? values[k] : JSON.stringify(values[k])}`);
  return [sweep || 'sweep', ...parts].join(' · ');
}
