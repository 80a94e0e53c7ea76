// `noisynn export RUN --format csv|json [--out FILE]`.
import { writeFileSync } from 'node:fs';
import { openStore, resolveDataDir } from '../store';
import { parseArgs, UsageError } from './args';
import { printJson } from './output';

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function exportCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json'], values: ['data-dir', 'format', 'out'] });
  const id = Number(a.positionals[0]);
  const format = (a.flags.format as string) ?? 'json';
  if (!Number.isInteger(id) || !['csv', 'json'].includes(format)) throw new UsageError('usage: noisynn export RUN --format csv|json [--out FILE]');
  const store = openStore(resolveDataDir(a.flags['data-dir'] as string | undefined), { readOnly: true });
  let text: string;
  let rows: number;
  try {
    const run = store.getRun(id);
    if (!run) throw new Error(`run ${id} not found in ${store.path}`);
    const metrics = store.metrics(id);
    rows = metrics.length;
    if (format === 'json') {
      text = JSON.stringify({ run, params: store.params(id), evaluations: store.evaluations(id), checkpoints: store.checkpoints(id), metrics }, null, 1);
    } else {
      const lines = ['run_id,key,step,epoch,value,time', ...metrics.map((m) => [m.runId, m.key, m.step, m.epoch, m.value, m.time].map(csvCell).join(','))];
      text = `${lines.join('\n')}\n`;
    }
  } finally {
    store.close();
  }
  const out = a.flags.out as string | undefined;
  if (out) {
    writeFileSync(out, text);
    if (a.flags.json) printJson({ runId: id, format, out, metrics: rows });
    else console.log(`wrote ${rows} metric rows of run ${id} to ${out}`);
  } else {
    process.stdout.write(text);
    if (a.flags.json && format === 'csv') printJson({ runId: id, format, metrics: rows });
  }
  return 0;
}
