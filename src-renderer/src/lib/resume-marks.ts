// Where a run's curve was resumed: the checkpoint steps a resume went back to (the store records them
// in the run's summary as `resumedFrom`; the live view also sees the step counter go back). The steps
// after each are re-run and replace the old ones, so charts draw the curve once and mark the spot.

export interface ChartMark {
  x: number;
  text: string;
}

/** The recorded resume steps of a run's summary, oldest first (none when absent or malformed). */
export function resumeSteps(summary: Record<string, unknown> | null | undefined): number[] {
  const v = summary?.resumedFrom;
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0) : [];
}

export function resumeMarks(steps: readonly number[]): ChartMark[] {
  return [...new Set(steps)].map((x) => ({ x, text: x === 0 ? 'restarted from step 0' : `resumed from step ${x}` }));
}
