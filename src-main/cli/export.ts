// `noisynn export RUN --format csv|json [--out FILE]`, `--format safetensors [--epoch N] [--out DIR]` and
// `--format bundle [--out DIR]` (a run bundle that `noisynn sync` imports into another data dir).
import { writeFileSync } from 'node:fs';
import { exportRunBundle } from '../cluster/export-bundle';
import type { RunConfig } from '../engine/config';
import { openDataset } from '../runner/datasets';
import { exportRunWeights } from '../weights/export';
import { openStore, resolveDataDir } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { printJson } from './output';

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function exportCommand(a: ParsedArgs): Promise<number> {
  const id = Number(a.positionals[0]);
  const format = (a.flags.format as string) ?? 'json';
  if (!Number.isInteger(id) || !['csv', 'json', 'safetensors', 'bundle'].includes(format)) {
    throw new UsageError(
      'usage: noisynn export RUN --format csv|json [--out FILE] | --format safetensors [--epoch N] [--out DIR] | --format bundle [--out DIR]',
    );
  }
  if (format === 'safetensors') return exportSafetensors(id, a.flags);
  if (format === 'bundle') return exportBundle(id, a.flags);
  const store = openStore(resolveDataDir(a.flags['data-dir'] as string | undefined), { readOnly: true });
  let text: string;
  let rows: number;
  try {
    const run = store.getRun(id);
    if (!run) throw new Error(`run ${id} not found in ${store.path}`);
    const metrics = store.metrics(id);
    rows = metrics.length;
    if (format === 'json') {
      text = JSON.stringify(
        { run, params: store.params(id), evaluations: store.evaluations(id), checkpoints: store.checkpoints(id), metrics },
        null,
        1,
      );
    } else {
      const lines = [
        'run_id,key,step,epoch,value,time',
        ...metrics.map((m) => [m.runId, m.key, m.step, m.epoch, m.value, m.time].map(csvCell).join(',')),
      ];
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

async function exportSafetensors(id: number, flags: Record<string, string | boolean | undefined>): Promise<number> {
  const epoch = flags.epoch === undefined ? undefined : Number(flags.epoch);
  if (epoch !== undefined && !Number.isInteger(epoch)) throw new UsageError('--epoch expects an integer');
  const store = openStore(resolveDataDir(flags['data-dir'] as string | undefined));
  try {
    const run = store.getRun(id);
    if (!run) throw new Error(`run ${id} not found in ${store.path}`);
    // The dataset's statistics are the run's normalisation when it did not start from imported weights.
    const { data } = await openDataset(store, (run.config as RunConfig).dataset);
    const out = (flags.out as string | undefined) ?? `run-${id}-weights`;
    const e = exportRunWeights(store, id, data, out, epoch);
    if (flags.json) printJson(e);
    else
      console.log(
        `wrote ${e.dir}/model.safetensors (${e.tensors} tensors, timm/torchvision names) and config.json from run ${id}, epoch ${e.epoch}`,
      );
  } finally {
    store.close();
  }
  return 0;
}

function exportBundle(id: number, flags: Record<string, string | boolean | undefined>): number {
  const store = openStore(resolveDataDir(flags['data-dir'] as string | undefined), { readOnly: true });
  try {
    const e = exportRunBundle(store, id, (flags.out as string | undefined) ?? `run-${id}-bundle`);
    if (flags.json) printJson(e);
    else
      console.log(
        `wrote run ${id} as a bundle to ${e.dir} (${e.metrics} metric rows, ${e.evaluations} evaluations, ${e.checkpoints} checkpoints)\nimport it elsewhere with: noisynn sync ${e.dir}`,
      );
  } finally {
    store.close();
  }
  return 0;
}
