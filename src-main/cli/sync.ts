// `noisynn sync DIR...`: imports run bundles (a cluster sweep's, or ones sent from another workstation).
import { syncAll } from '../cluster/sync';
import { ensureBuiltins } from '../runner/datasets';
import { openStore, resolveDataDir } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { printJson, printTable } from './output';

export async function syncCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals.length === 0)
    throw new UsageError('usage: noisynn sync DIR... [--json]   (a bundle, a sweep folder or a folder of sweeps)');
  const store = openStore(resolveDataDir(a.flags['data-dir'] as string | undefined));
  try {
    await ensureBuiltins(store);
    const results = syncAll(store, a.positionals);
    if (results.length === 0) throw new Error(`no run bundles under ${a.positionals.join(', ')}`);
    if (a.flags.json) printJson({ results });
    else
      printTable(
        results.map((r) => ({
          run: r.runId ?? '',
          status: r.status ?? 'error',
          new: r.created ? 'yes' : '',
          metrics: r.newMetrics ?? '',
          bundle: r.dir,
          error: r.error ?? '',
        })),
      );
    return results.some((r) => r.error) ? 1 : 0;
  } finally {
    store.close();
  }
}
