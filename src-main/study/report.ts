// Markdown and CSV renderings of the study table (pure: the caller writes the files).
import type { Claim, KSweepRow, Stat, StudyTableRow } from './table';

export interface StudyMeta {
  command: string;
  date: string;
  os: string;
  cpu: string;
  cores: number;
  node: string;
  backend: string;
  versions: Record<string, string>;
  wallSeconds: number;
  /** First run start to last run end, across invocations (an interrupted study is continued). */
  spanSeconds: number;
  /** Runs of the study: total, completed, and those already completed before this invocation. */
  runs: { total: number; completed: number; failed: number; before: number };
  settings: string;
}

const pc = (s: Stat | null) =>
  !s ? '-' : s.n === 1 ? (s.mean * 100).toFixed(2) : `${(s.mean * 100).toFixed(2)} ± ${(s.std * 100).toFixed(2)}`;
const pp = (v: number | null, se: number | null) =>
  v === null ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}${se === null ? '' : ` ± ${(se * 100).toFixed(2)}`}`;
const mdCell = (s: string) => s.replace(/\|/g, '\\|');

function duration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} h ` : ''}${m} min ${Math.round(s % 60)} s`;
}

export const BODY_HEADING = "## The paper's claims and what we measured";

/** `notes`: paragraphs on the study's design (after the settings); `kSweep`: its k sweep, after the results. */
export function renderMarkdown(
  meta: StudyMeta,
  rows: StudyTableRow[],
  claims: Claim[],
  o: { notes?: string[]; kSweep?: KSweepRow[] } = {},
): string {
  const L: string[] = [];
  L.push(
    `# NoisyNN reproduction study (${/^standard/.test(meta.settings) ? 'standard: full training sets, one epoch' : 'small scale'})`,
    '',
  );
  L.push(`- Command: \`${meta.command}\``);
  L.push(`- Date: ${meta.date}`);
  L.push(`- Machine: ${meta.os}; ${meta.cpu}; ${meta.cores} cores; Node ${meta.node}`);
  L.push(
    `- Backend: ${meta.backend}; ${Object.entries(meta.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  L.push(`- Settings: ${meta.settings}`);
  L.push(
    `- Runs: ${meta.runs.completed} of ${meta.runs.total} completed${meta.runs.failed ? `, ${meta.runs.failed} failed/diverged/crashed` : ''}${meta.runs.before ? ` (${meta.runs.before} were completed by an earlier, interrupted invocation)` : ''}`,
  );
  L.push(
    `- Wall time: ${duration(meta.wallSeconds)} for this invocation; ${duration(meta.spanSeconds)} from the study's first run start to its last run end`,
  );
  L.push('');
  if (/^(quick|smoke)/.test(meta.settings)) {
    L.push(
      'The quick budget trains each model for one short epoch on a subset, so the models are far from converged and absolute accuracies are well below full-data runs; the comparisons (noise vs no noise, same model, same data, same seeds) are what this table is for.',
      '',
    );
  }
  for (const n of o.notes ?? []) L.push(n, '');
  L.push(
    'No small-scale (MNIST / Fashion-MNIST) numbers are published for NoisyNN: the paper reports ImageNet-scale results only, so these numbers are new evidence, not a check against published values.',
    '',
  );
  const k = renderKSweep(o.kSweep ?? []);
  return `${L.join('\n')}\n${renderBody(rows, claims)}${k ? `\n${k}` : ''}`;
}

/** Everything from the claims on: what a committed CSV alone determines (rerenderFromCsv). */
export function renderBody(rows: StudyTableRow[], claims: Claim[]): string {
  const L: string[] = [];
  L.push(BODY_HEADING, '');
  L.push(
    'Verdicts say what these data support at this scale (the training budget in the settings above); medians are given because a few large drops dominate the means. Figures from the paper are labelled by their source: [paper], [official README], [official code], [official log].',
    '',
  );
  L.push('| claim | paper | measured here | verdict |', '|---|---|---|---|');
  for (const c of claims)
    L.push(
      `| ${mdCell(c.claim)} | ${mdCell(c.paper)} | ${mdCell(c.measured)} | **${c.verdict}**${c.scope ? ` (${mdCell(c.scope)})` : ''} |`,
    );
  L.push('');
  L.push(
    'Caveat (docs/method.md#evaluation-protocols): batch-mixing noise at evaluation mixes every test sample with the rest of its test batch. ' +
      'Under the official protocol the batches are class-sorted, so the mixing averages features of one class and leaks the label; ' +
      'with shuffled batches it averages unrelated images, and with batch size 1 linear-optimal is exactly the noise-free model. ' +
      'The "top-1" column uses the standard protocol (test-file order, batches of the run\'s test batch size, which for both datasets is effectively shuffled); ' +
      'the sorted / shuffled / single columns show the three protocols side by side, with the noise-free evaluation of the same weights.',
    '',
  );
  L.push('## Results', '');
  L.push(
    'Test top-1 in %, mean ± sample std over seeds (n = completed runs); delta in percentage points against the no-noise baseline of the same dataset and model, ± its standard error; "better"/"worse" when |delta| > 2 SE.',
    '',
  );
  L.push(
    '| dataset | model | noise | when | n | top-1 | delta | verdict | sorted | shuffled | single | noise-free |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    L.push(
      `| ${r.dataset} | ${r.model} | ${mdCell(r.noise)} | ${r.when} | ${r.n}/${r.runs} | ${pc(r.top1)} | ${pp(r.delta, r.deltaSe)} | ${r.verdict ?? '-'} | ${pc(r.sorted)} | ${pc(r.shuffled)} | ${pc(r.single)} | ${pc(r.clean)} |`,
    );
  }
  L.push('');
  return L.join('\n');
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : (v * 100).toFixed(3));
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const CSV_COLUMNS = [
  'dataset',
  'model',
  'noise',
  'family',
  'when',
  'n',
  'runs',
  'top1_mean_pct',
  'top1_std_pct',
  'delta_pp',
  'delta_se_pp',
  'verdict',
  'sorted_mean_pct',
  'sorted_std_pct',
  'shuffled_mean_pct',
  'shuffled_std_pct',
  'single_mean_pct',
  'single_std_pct',
  'noise_free_mean_pct',
  'noise_free_std_pct',
];

export function renderCsv(rows: StudyTableRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        csvCell(r.dataset),
        csvCell(r.model),
        csvCell(r.noise),
        r.family,
        r.when,
        String(r.n),
        String(r.runs),
        num(r.top1?.mean),
        num(r.top1?.std),
        num(r.delta),
        num(r.deltaSe),
        r.verdict ?? '',
        num(r.sorted?.mean),
        num(r.sorted?.std),
        num(r.shuffled?.mean),
        num(r.shuffled?.std),
        num(r.single?.mean),
        num(r.single?.std),
        num(r.clean?.mean),
        num(r.clean?.std),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The k sweep as a markdown section (empty when the study has none). */
export function renderKSweep(rows: KSweepRow[]): string {
  if (rows.length === 0) return '';
  const ks = [...new Set(rows.flatMap((r) => r.k))].sort((a, b) => a - b);
  const L: string[] = ['## The k sweep: linear-optimal at evaluation against the test batch size', ''];
  L.push(
    'Test top-1 in % (mean ± sample std over seeds) of the noise-free weights evaluated with linear-optimal noise (each sample mixed with the rest of its test batch of k), ' +
      'in class-sorted batches (the official protocol: the mixing averages one class) and in shuffled batches, beside the same weights without noise. ' +
      'At k = 1 the noise is the identity; a sorted line above the noise-free one while the shuffled line falls below it is the label leak of docs/method.md#evaluation-protocols, not a better model.',
    '',
  );
  L.push(`| dataset | model | protocol | ${ks.map((k) => `k=${k}`).join(' | ')} |`, `|---|---|---|${ks.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cells = (v: (Stat | null)[]) => ks.map((k) => pc(v[r.k.indexOf(k)] ?? null)).join(' | ');
    L.push(`| ${r.dataset} | ${r.model} | sorted | ${cells(r.sorted)} |`);
    L.push(`| ${r.dataset} | ${r.model} | shuffled | ${cells(r.shuffled)} |`);
    L.push(`| ${r.dataset} | ${r.model} | noise-free | ${ks.map(() => pc(r.noiseFree)).join(' | ')} |`);
  }
  L.push('');
  return L.join('\n');
}

/** A study's k-sweep CSV is its table's name with this suffix (reproduction-standard-ksweep.csv). */
export const K_SWEEP_SUFFIX = '-ksweep';

export const K_SWEEP_CSV_COLUMNS = ['dataset', 'model', 'protocol', 'k', 'n', 'top1_mean_pct', 'top1_std_pct'];

export function renderKSweepCsv(rows: KSweepRow[]): string {
  const lines = [K_SWEEP_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    for (const [protocol, v] of [
      ['sorted', r.sorted],
      ['shuffled', r.shuffled],
    ] as const) {
      r.k.forEach((k, i) =>
        lines.push(
          [csvCell(r.dataset), csvCell(r.model), protocol, String(k), String(v[i]?.n ?? 0), num(v[i]?.mean), num(v[i]?.std)].join(','),
        ),
      );
    }
    lines.push(
      [
        csvCell(r.dataset),
        csvCell(r.model),
        'noise-free',
        '',
        String(r.noiseFree?.n ?? 0),
        num(r.noiseFree?.mean),
        num(r.noiseFree?.std),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
