// `noisynn eval RUN --protocol sorted|shuffled|single|standard|all`.
import type { EvalProtocol } from '../engine/config/types';
import { openStore, resolveDataDir } from '../store';
import { parseArgs, UsageError } from './args';
import { follow } from './follow';
import { pct, printJson, printTable } from './output';

const PROTOCOLS: Record<string, { protocols: EvalProtocol[]; clean: boolean }> = {
  standard: { protocols: ['standard'], clean: false },
  sorted: { protocols: ['sorted'], clean: false },
  shuffled: { protocols: ['shuffled'], clean: false },
  single: { protocols: ['single'], clean: false },
  // The audit of method page section 6, next to the same weights without noise.
  all: { protocols: ['sorted', 'shuffled', 'single'], clean: true },
};

export async function evalCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json', 'quiet', 'clean'], values: ['data-dir', 'backend', 'protocol', 'epoch', 'test-batch-size'] });
  const runId = Number(a.positionals[0]);
  if (!Number.isInteger(runId)) throw new UsageError('usage: noisynn eval RUN [--protocol sorted|shuffled|single|standard|all] [--epoch N] [--test-batch-size N] [--clean]');
  const choice = PROTOCOLS[(a.flags.protocol as string) ?? 'all'];
  if (!choice) throw new UsageError(`--protocol must be one of ${Object.keys(PROTOCOLS).join(', ')}`);
  const num = (f: string) => (a.flags[f] === undefined ? undefined : Number(a.flags[f]));
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const store = openStore(dataDir);
  try {
    if (!store.getRun(runId)) throw new Error(`run ${runId} not found in ${store.path}`);
  } finally {
    store.close();
  }
  const exit = await follow(
    { kind: 'eval', runId, dataDir, protocols: choice.protocols, clean: choice.clean || a.flags.clean === true, epoch: num('epoch'), testBatchSize: num('test-batch-size') },
    { quiet: a.flags.quiet === true || a.flags.json === true, backend: a.flags.backend as string },
  );
  const d = exit.done;
  if (!d || d.status !== 'completed') throw new Error(d?.error ?? `evaluation process ended ${exit.signal ?? `with code ${exit.code}`}`);
  const rows = d.evaluations.map((e) => ({ protocol: e.protocol, noise: e.noiseActive ? 'on' : 'off', batch: e.batchSize, top1: e.top1, top5: e.top5, loss: e.loss, n: e.n }));
  if (a.flags.json) {
    printJson({ runId, epoch: d.epochs, evaluations: rows });
  } else {
    printTable(rows.map((r) => ({ ...r, top1: pct(r.top1), top5: pct(r.top5) })));
    const by = (p: string, noise: string) => rows.find((r) => r.protocol === p && r.noise === noise);
    const sorted = by('sorted', 'on');
    const shuffled = by('shuffled', 'on');
    if (sorted && shuffled) console.log(`sorted - shuffled gap: ${((sorted.top1 - shuffled.top1) * 100).toFixed(2)} points (batch composition changes the result)`);
    const single = by('single', 'on');
    const clean = by('standard', 'off');
    if (single && clean) console.log(`single - noise-free: ${((single.top1 - clean.top1) * 100).toFixed(2)} points`);
  }
  return 0;
}
