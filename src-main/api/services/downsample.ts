// Long curves reduced to what a chart of `width` pixels can show: per bucket the first point plus the
// bucket's min and max, so spikes (a diverging loss) survive downsampling.

export interface Downsampled {
  step: number[];
  value: number[];
  min?: number[];
  max?: number[];
}

export function downsample(steps: ArrayLike<number>, values: ArrayLike<number>, width: number): Downsampled {
  const n = steps.length;
  const buckets = Math.max(1, Math.floor(width));
  if (n <= buckets * 2) return { step: Array.from(steps), value: Array.from(values) };
  const out: Required<Downsampled> = { step: [], value: [], min: [], max: [] };
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end <= start) continue;
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
      count++;
    }
    out.step.push(steps[start]);
    out.value.push(count ? sum / count : NaN);
    out.min.push(count ? lo : NaN);
    out.max.push(count ? hi : NaN);
  }
  return out;
}
