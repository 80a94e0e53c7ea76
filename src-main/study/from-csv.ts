// A committed study's CSV (report.ts renderCsv) read back into table rows, so its report can be
// re-rendered (verdicts, medians, summaries) without running the study again.
import { BODY_HEADING, CSV_COLUMNS, renderBody } from './report';
import { studyClaims, type Family, type Stat, type StudyTableRow } from './table';

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

/** The report with its header (command, machine, settings) kept and everything from the claims on re-rendered from the CSV. */
export function rerenderFromCsv(markdown: string, csv: string): string {
  const at = markdown.indexOf(BODY_HEADING);
  if (at < 0) throw new Error(`the report has no "${BODY_HEADING}" section`);
  const rows = parseStudyCsv(csv);
  return markdown.slice(0, at) + renderBody(rows, studyClaims(rows));
}
