// The study's results table and the paper's claims next to it: pure functions over run rows, so the
// CLI, the app and the tests share one computation. Accuracies are fractions in [0, 1] here; the
// renderers (report.ts) turn them into percentages.
import { NOISE_TYPES } from '../engine/noise/operators';

export type Family = 'baseline' | 'positive' | 'harmful';

export interface StudyEval {
  protocol: 'standard' | 'sorted' | 'shuffled' | 'single';
  noiseActive: boolean;
  top1: number;
  epoch: number;
  batchSize: number;
}

/** One run of the study, reduced to what the table needs. */
export interface StudyRunRow {
  runId: number;
  dataset: string;
  model: string;
  /** Noise label, e.g. 'gaussian s=0.5'; 'none' is the baseline. */
  noise: string;
  family: Family;
  /** 'train' | 'eval' | 'both', '-' for the baseline. */
  when: string;
  /** Batch-mixing noise (linear-shift, linear-optimal): its evaluation depends on batch composition. */
  mixing: boolean;
  seed: number;
  status: string;
  /** The run's test batch size: its own evaluations; other batch sizes are a k sweep's. */
  testBatchSize: number;
  evaluations: StudyEval[];
}

export interface Stat {
  mean: number;
  /** Sample standard deviation (n - 1); 0 when n = 1. */
  std: number;
  n: number;
}

export type Verdict = 'better' | 'worse' | 'no clear difference' | 'too few seeds';

export interface StudyTableRow {
  dataset: string;
  model: string;
  noise: string;
  family: Family;
  when: string;
  /** Completed runs aggregated / runs of this cell in the study. */
  n: number;
  runs: number;
  /** Test top-1 under the run's own setting: noise active at evaluation iff when is eval/both. */
  top1: Stat | null;
  /** top1 minus the same dataset/model's no-noise mean, and its standard error. */
  delta: number | null;
  deltaSe: number | null;
  verdict: Verdict | null;
  /** Batch-mixing noise active at evaluation only: the three protocols and the noise-free model. */
  sorted: Stat | null;
  shuffled: Stat | null;
  single: Stat | null;
  clean: Stat | null;
}

export function stat(values: number[]): Stat | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

export interface RunMeasures {
  top1?: number;
  sorted?: number;
  shuffled?: number;
  single?: number;
  clean?: number;
}

/** The final-epoch numbers of one run (the trainer stores sorted/shuffled/single + a noise-free one). */
export function runMeasures(r: Pick<StudyRunRow, 'evaluations' | 'when' | 'noise' | 'testBatchSize'>): RunMeasures {
  if (r.evaluations.length === 0) return {};
  const last = Math.max(...r.evaluations.map((e) => e.epoch));
  // The run's own evaluations, not a k sweep's: noisy ones at its test batch size ('single' is batch 1; the
  // noise-free model does not depend on the batch). A re-done evaluation supersedes an earlier one.
  const ev = r.evaluations.filter(
    (e) => e.epoch === last && (!e.noiseActive || e.protocol === 'single' || e.batchSize === r.testBatchSize),
  );
  const activeAtEval = r.noise !== 'none' && (r.when === 'eval' || r.when === 'both');
  const pick = (protocol: StudyEval['protocol'], active: boolean) =>
    ev.filter((e) => e.protocol === protocol && e.noiseActive === active).at(-1)?.top1;
  const out: RunMeasures = {};
  const top1 = pick('standard', activeAtEval);
  if (top1 !== undefined) out.top1 = top1;
  for (const p of ['sorted', 'shuffled', 'single'] as const) {
    const v = pick(p, true);
    if (v !== undefined) out[p] = v;
  }
  const clean = activeAtEval ? pick('standard', false) : top1;
  if (clean !== undefined) out.clean = clean;
  return out;
}

// Cells in the registry's order of operators.
const NOISE_ORDER: string[] = [...NOISE_TYPES];
const WHEN_ORDER = ['-', 'train', 'eval', 'both'];
const rank = (list: string[], v: string) => {
  const i = list.findIndex((x) => v === x || v.startsWith(`${x} `));
  return i < 0 ? list.length : i;
};

function compareCells(a: StudyTableRow, b: StudyTableRow): number {
  return (
    a.dataset.localeCompare(b.dataset) ||
    a.model.localeCompare(b.model) ||
    rank(NOISE_ORDER, a.noise) - rank(NOISE_ORDER, b.noise) ||
    a.noise.localeCompare(b.noise, 'en', { numeric: true }) ||
    rank(WHEN_ORDER, a.when) - rank(WHEN_ORDER, b.when)
  );
}

/** Two-sided: a difference counts when it is more than twice its standard error. */
export function verdictOf(delta: number, se: number | null): Verdict {
  if (se === null) return 'too few seeds';
  if (delta > 2 * se && delta > 0) return 'better';
  if (delta < -2 * se && delta < 0) return 'worse';
  return 'no clear difference';
}

/** Aggregates runs into one row per dataset x model x noise x when; only completed runs count. */
export function buildStudyTable(runs: StudyRunRow[]): StudyTableRow[] {
  const cells = new Map<string, StudyRunRow[]>();
  for (const r of runs) {
    const k = JSON.stringify([r.dataset, r.model, r.noise, r.when]);
    (cells.get(k) ?? cells.set(k, []).get(k)!).push(r);
  }
  const rows: StudyTableRow[] = [];
  for (const group of cells.values()) {
    const first = group[0];
    const done = group.filter((r) => r.status === 'completed').map((r) => ({ r, m: runMeasures(r) }));
    const col = (f: (m: RunMeasures) => number | undefined) => stat(done.map((d) => f(d.m)).filter((v): v is number => v !== undefined));
    const mixingAtEval = first.mixing && (first.when === 'eval' || first.when === 'both');
    const top1 = col((m) => m.top1);
    rows.push({
      dataset: first.dataset,
      model: first.model,
      noise: first.noise,
      family: first.family,
      when: first.when,
      n: top1?.n ?? 0,
      runs: group.length,
      top1,
      delta: null,
      deltaSe: null,
      verdict: null,
      sorted: mixingAtEval ? col((m) => m.sorted) : null,
      shuffled: mixingAtEval ? col((m) => m.shuffled) : null,
      single: mixingAtEval ? col((m) => m.single) : null,
      clean: mixingAtEval ? col((m) => m.clean) : null,
    });
  }
  for (const row of rows) {
    if (row.family === 'baseline' || !row.top1) continue;
    const base = rows.find((b) => b.family === 'baseline' && b.dataset === row.dataset && b.model === row.model)?.top1;
    if (!base) continue;
    row.delta = row.top1.mean - base.mean;
    row.deltaSe = row.top1.n > 1 && base.n > 1 ? Math.sqrt(row.top1.std ** 2 / row.top1.n + base.std ** 2 / base.n) : null;
    row.verdict = verdictOf(row.delta, row.deltaSe);
  }
  return rows.sort(compareCells);
}

export interface Claim {
  claim: string;
  /** What the paper reports or predicts, each figure labelled by its source (paper, official code, official log). */
  paper: string;
  measured: string;
  /**
   * What the data support at this scale: 'supported' / 'contradicted' when most judged settings show the
   * effect / its opposite; 'not supported at this scale' when none shows it and some show the opposite;
   * 'inconclusive' when there is no majority either way; 'not testable here' for claims about other settings.
   */
  verdict: 'supported' | 'contradicted' | 'not supported at this scale' | 'inconclusive' | 'not testable here';
  /** Which cells the verdict rests on, when not all (models without power are left out). */
  scope?: string;
}

const pp = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} pp`;
const pc = (v: number) => `${(v * 100).toFixed(2)}%`;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "name: b better / w worse of n, median +x pp" for the judged rows of each group. */
function summaries(rows: StudyTableRow[], groupOf: (r: StudyTableRow) => string): string {
  const groups = new Map<string, StudyTableRow[]>();
  for (const r of rows) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
  return [...groups]
    .map(([g, rs]) => {
      const b = rs.filter((r) => r.verdict === 'better').length;
      const w = rs.filter((r) => r.verdict === 'worse').length;
      return `${g}: ${b} better / ${w} worse of ${rs.length}, median ${pp(median(rs.map((r) => r.delta!)))}`;
    })
    .join('; ');
}

const judgedRows = (rows: StudyTableRow[]) =>
  rows.filter((r) => r.family !== 'baseline' && r.delta !== null && r.verdict !== null && r.verdict !== 'too few seeds');

/** Models with at least one noisy cell (of any family) that differs from its baseline beyond 2 SE. */
function poweredModels(rows: StudyTableRow[]): Set<string> {
  return new Set(
    judgedRows(rows)
      .filter((r) => r.verdict === 'better' || r.verdict === 'worse')
      .map((r) => r.model),
  );
}

/** Models whose noisy cells never differ from their baseline, and baselines below a harder dataset's. */
function powerNotes(rows: StudyTableRow[]): string[] {
  const notes: string[] = [];
  const all = judgedRows(rows);
  for (const model of [...new Set(all.map((r) => r.model))]) {
    const mine = all.filter((r) => r.model === model);
    const mnist = rows.find((r) => r.family === 'baseline' && r.model === model && r.dataset === 'mnist')?.top1;
    const fashion = rows.find((r) => r.family === 'baseline' && r.model === model && r.dataset === 'fashion-mnist')?.top1;
    const inverted = mnist && fashion && mnist.mean < fashion.mean;
    if (mine.every((r) => r.verdict === 'no clear difference') || inverted) {
      notes.push(
        `${model}: ${mine.filter((r) => r.verdict !== 'no clear difference').length} of ${mine.length} cells differ from the baseline` +
          (inverted ? `, and its MNIST baseline (${pc(mnist.mean)}) is below its Fashion-MNIST one (${pc(fashion.mean)})` : '') +
          ': at this budget the model is barely trained, so these cells have no power to show an effect either way',
      );
    }
  }
  return notes;
}

function familyClaim(rows: StudyTableRow[], family: 'positive' | 'harmful'): Pick<Claim, 'measured' | 'verdict' | 'scope'> {
  const mine = rows.filter((r) => r.family === family && r.verdict !== null && r.delta !== null);
  // A cell with a single seed has no standard error: it is listed, not judged.
  const judged = mine.filter((r) => r.verdict !== 'too few seeds');
  const unjudged = mine.length - judged.length;
  if (judged.length === 0)
    return {
      measured: mine.length ? `${mine.length} settings have fewer than 2 completed seeds: not judged yet` : 'no completed runs yet',
      verdict: 'inconclusive',
    };
  const count = (v: Verdict) => judged.filter((r) => r.verdict === v).length;
  const better = count('better');
  const worse = count('worse');
  const unclear = judged.length - better - worse;
  const deltas = judged.map((r) => r.delta!);
  const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  const notes = powerNotes(rows);
  const measured =
    `${better} of ${judged.length} settings better than the no-noise baseline (delta > 2 SE), ${worse} worse, ${unclear} no clear difference; ` +
    `median delta ${pp(median(deltas))} (mean ${pp(mean)}, pulled by a few large drops). ` +
    `By noise: ${summaries(judged, (r) => r.noise.split(' ')[0])}. By model: ${summaries(judged, (r) => r.model)}. ` +
    `By when: ${summaries(judged, (r) => r.when)}.` +
    (notes.length ? ` Power: ${notes.join('; ')}.` : '') +
    (unjudged ? ` ${unjudged} more with fewer than 2 seeds not judged.` : '');
  // The verdict rests on the models that can show an effect at all at this budget.
  const powered = poweredModels(rows);
  const basis = judged.filter((r) => powered.has(r.model));
  const left = [...new Set(judged.map((r) => r.model))].filter((m) => !powered.has(m));
  const scope = left.length && basis.length ? `${[...powered].join(', ')} only; ${left.join(', ')} without power` : undefined;
  if (basis.length === 0) return { measured, verdict: 'inconclusive', scope: 'no model has power at this budget' };
  const expected = basis.filter((r) => r.verdict === (family === 'positive' ? 'better' : 'worse')).length;
  const opposite = basis.filter((r) => r.verdict === (family === 'positive' ? 'worse' : 'better')).length;
  const verdict: Claim['verdict'] =
    expected > basis.length / 2
      ? 'supported'
      : opposite > basis.length / 2
        ? 'contradicted'
        : expected === 0 && opposite > 0
          ? 'not supported at this scale'
          : 'inconclusive';
  return { measured, verdict, ...(scope ? { scope } : {}) };
}

/** Protocol mean minus noise-free mean, "better" / "worse" only beyond 2 SE (seeds as samples). */
function versusClean(p: Stat, clean: Stat): string {
  const d = p.mean - clean.mean;
  const se = p.n > 1 && clean.n > 1 ? Math.sqrt(p.std ** 2 / p.n + clean.std ** 2 / clean.n) : null;
  return `${pp(d)}${se === null ? '' : ` ± ${(se * 100).toFixed(2)}`} (${se === null ? 'too few seeds' : verdictOf(d, se)})`;
}

/** The sorted-vs-shuffled gap for batch-mixing noise at evaluation (docs/method.md#evaluation-protocols). */
function protocolClaim(rows: StudyTableRow[]): Pick<Claim, 'measured' | 'verdict'> {
  const mixing = rows.filter((r) => r.sorted && r.shuffled && r.clean && r.noise === 'linear-optimal' && r.when === 'eval');
  if (mixing.length === 0) return { measured: 'no completed linear-optimal eval-only runs yet', verdict: 'not testable here' };
  const parts = mixing.map(
    (r) =>
      `${r.dataset}/${r.model}: sorted ${pc(r.sorted!.mean)} (${versusClean(r.sorted!, r.clean!)} vs noise-free), shuffled ${pc(r.shuffled!.mean)} (${versusClean(r.shuffled!, r.clean!)}), ` +
      `single ${r.single ? pc(r.single.mean) : '-'}, noise-free ${pc(r.clean!.mean)}`,
  );
  const beyond = (p: (r: StudyTableRow) => Stat) => mixing.filter((r) => /\(better\)$/.test(versusClean(p(r), r.clean!))).length;
  const summary = `class-sorted batches beat the noise-free model beyond 2 SE in ${beyond((r) => r.sorted!)} of ${mixing.length} cells, shuffled batches in ${beyond((r) => r.shuffled!)} of ${mixing.length}`;
  return { measured: `${parts.join('; ')}. ${summary}.`, verdict: 'not testable here' };
}

/** The paper's claims, each next to what this study measured. */
export function studyClaims(rows: StudyTableRow[]): Claim[] {
  return [
    {
      claim: 'Positive noise (linear transform noise: circular shift, optimal Q) improves test accuracy',
      paper:
        '[paper, its tables as restated in the method notes section 8] ViT-B with linear noise on ImageNet 89.99% (+5.66 pp over its baseline); ResNet-50 without augmentation +11.32 pp over 70.00%',
      ...familyClaim(rows, 'positive'),
    },
    {
      claim: 'Harmful noise (additive Gaussian, salt-and-pepper) lowers test accuracy',
      paper: '[paper] predicted by its entropy argument (dS <= 0) and reported as harmful',
      ...familyClaim(rows, 'harmful'),
    },
    {
      claim:
        'NoisyViT-B/16 with optimal Q at evaluation reaches 93.87% (224 px) / 95.65% (384 px) top-1 on ImageNet-1k under the official protocol',
      paper:
        '[official README, its results table] 93.87% (224 px) / 95.65% (384 px); [official code] class-sorted ImageNet validation batches of 10 (the mixing averages features of one class), accuracy reported as the running average of cumulative batch accuracies; [official log] test_acc 0.9465 -> 0.9626 while the noise-free train_acc went 0.71 -> 0.85',
      ...protocolClaim(rows),
    },
  ];
}

/** The k sweep of one dataset/model (docs/method.md#evaluation-protocols): top-1 against the test batch size k, over seeds. */
export interface KSweepRow {
  dataset: string;
  model: string;
  k: number[];
  sorted: (Stat | null)[];
  shuffled: (Stat | null)[];
  /** The same weights without noise (does not depend on k). */
  noiseFree: Stat | null;
}

/** From the completed linear-optimal eval-only runs that carry evaluations at several test batch sizes. */
export function kSweepTable(runs: StudyRunRow[]): KSweepRow[] {
  const mine = runs.filter((r) => r.status === 'completed' && r.noise === 'linear-optimal' && r.when === 'eval');
  const groups = new Map<string, StudyRunRow[]>();
  for (const r of mine) {
    const key = JSON.stringify([r.dataset, r.model]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  const out: KSweepRow[] = [];
  for (const group of groups.values()) {
    const at = (r: StudyRunRow, protocol: StudyEval['protocol'], k: number) =>
      r.evaluations.filter((e) => e.protocol === protocol && e.noiseActive && e.batchSize === k).at(-1)?.top1;
    const ks = [
      ...new Set(group.flatMap((r) => r.evaluations.filter((e) => e.protocol === 'shuffled' && e.noiseActive).map((e) => e.batchSize))),
    ].sort((a, b) => a - b);
    // Only a sweep: a run's own test batch size alone is not one.
    if (ks.length < 2) continue;
    const over = (f: (r: StudyRunRow) => number | undefined) => stat(group.map(f).filter((v): v is number => v !== undefined));
    out.push({
      dataset: group[0].dataset,
      model: group[0].model,
      k: ks,
      sorted: ks.map((k) => over((r) => at(r, 'sorted', k))),
      shuffled: ks.map((k) => over((r) => at(r, 'shuffled', k))),
      noiseFree: over((r) => r.evaluations.filter((e) => e.protocol === 'standard' && !e.noiseActive).at(-1)?.top1),
    });
  }
  return out.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.model.localeCompare(b.model));
}
