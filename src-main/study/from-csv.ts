// A committed study's CSV (report.ts renderCsv) read back into table rows, so its report can be
// re-rendered (verdicts, medians, summaries) without running the study again.
import { BODY_HEADING, CSV_COLUMNS, K_SWEEP_CSV_COLUMNS, renderBody, renderKSweep } from './report';
import { studyClaims, type Family, type KSweepRow, type Stat, type StudyTableRow } from './table';

function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += c;
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

export function parseStudyCsv(text: string, source = 'study CSV'): StudyTableRow[] {
  const lines = text.trim().split('\n');
  if (lines[0] !== CSV_COLUMNS.join(','))
    throw new Error(`${source}: the header is not the study CSV's (${CSV_COLUMNS.length} columns starting dataset,model,noise)`);
  return lines.slice(1).map((line, i) => {
    const v = cells(line);
    if (v.length !== CSV_COLUMNS.length) throw new Error(`${source}: line ${i + 2} has ${v.length} cells, expected ${CSV_COLUMNS.length}`);
    const get = (name: string) => v[CSV_COLUMNS.indexOf(name)];
    const frac = (name: string): number | null => (get(name) === '' ? null : Number(get(name)) / 100);
    const n = Number(get('n'));
    const stat = (prefix: string, count = n): Stat | null => {
      const mean = frac(`${prefix}_mean_pct`);
      return mean === null ? null : { mean, std: frac(`${prefix}_std_pct`) ?? 0, n: count };
    };
    const delta = frac('delta_pp');
    const deltaSe = frac('delta_se_pp');
    const verdict = get('verdict');
    return {
      dataset: get('dataset'),
      model: get('model'),
      noise: get('noise'),
      family: get('family') as Family,
      when: get('when'),
      n,
      runs: Number(get('runs')),
      top1: stat('top1'),
      delta,
      deltaSe,
      // The committed verdict was judged at full precision; the CSV's rounded delta and SE could flip a boundary case.
      verdict: verdict === '' ? null : (verdict as StudyTableRow['verdict']),
      sorted: stat('sorted'),
      shuffled: stat('shuffled'),
      single: stat('single'),
      clean: stat('noise_free'),
    };
  });
}

/** A study's k-sweep CSV (report.ts renderKSweepCsv) read back into its rows, in file order. */
export function parseKSweepCsv(text: string, source = 'k-sweep CSV'): KSweepRow[] {
  const lines = text.trim().split('\n');
  if (lines[0] !== K_SWEEP_CSV_COLUMNS.join(','))
    throw new Error(`${source}: the header is not the k-sweep CSV's (${K_SWEEP_CSV_COLUMNS.join(',')})`);
  const rows: KSweepRow[] = [];
  lines.slice(1).forEach((line, i) => {
    const v = cells(line);
    if (v.length !== K_SWEEP_CSV_COLUMNS.length)
      throw new Error(`${source}: line ${i + 2} has ${v.length} cells, expected ${K_SWEEP_CSV_COLUMNS.length}`);
    const [dataset, model, protocol, k, n, mean, std] = v;
    const stat: Stat | null = mean === '' ? null : { mean: Number(mean) / 100, std: Number(std) / 100, n: Number(n) };
    let row = rows.find((r) => r.dataset === dataset && r.model === model);
    if (!row) rows.push((row = { dataset, model, k: [], sorted: [], shuffled: [], noiseFree: null }));
    if (protocol === 'noise-free') row.noiseFree = stat;
    else if (protocol === 'sorted' || protocol === 'shuffled') {
      let at = row.k.indexOf(Number(k));
      if (at < 0) {
        at = row.k.push(Number(k)) - 1;
        row.sorted[at] = null;
        row.shuffled[at] = null;
      }
      row[protocol][at] = stat;
    } else throw new Error(`${source}: line ${i + 2}: protocol '${protocol}' is not sorted, shuffled or noise-free`);
  });
  return rows;
}

/**
 * The report with its header (command, machine, settings) kept and everything from the claims on
 * re-rendered from the CSV, and the k-sweep section from its CSV when the study has one.
 */
export function rerenderFromCsv(markdown: string, csv: string, kSweepCsv?: string): string {
  const at = markdown.indexOf(BODY_HEADING);
  if (at < 0) throw new Error(`the report has no "${BODY_HEADING}" section`);
  const rows = parseStudyCsv(csv);
  const k = kSweepCsv === undefined ? '' : renderKSweep(parseKSweepCsv(kSweepCsv));
  return markdown.slice(0, at) + renderBody(rows, studyClaims(rows)) + (k ? `\n${k}` : '');
}
