// `noisynn datasets add|list|show|remove`.
import type { DatasetKind } from '../data/types';
import { DATASET_KINDS } from '../data/registry';
import { addDataset, ensureBuiltins } from '../runner/datasets';
import { openStore, resolveDataDir, type StoredDataset } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { printJson, printTable } from './output';

const row = (d: StoredDataset) => ({
  name: d.name,
  kind: d.kind,
  shape: d.shape.join('x'),
  classes: d.classNames.length,
  train: d.counts.train,
  test: d.counts.test,
  hash: d.contentHash.slice(0, 12),
  path: d.path,
});

export async function datasetsCommand(a: ParsedArgs): Promise<number> {
  const [sub = 'list', arg] = a.positionals;
  const store = openStore(resolveDataDir(a.flags['data-dir'] as string | undefined));
  try {
    await ensureBuiltins(store);
    if (sub === 'add') {
      if (!arg)
        throw new UsageError(
          'usage: noisynn datasets add PATH [--name NAME] [--replace] [--kind KIND] [--image-size HxW] [--channels 1|3]',
        );
      const kind = a.flags.kind as DatasetKind | undefined;
      if (kind && !DATASET_KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${DATASET_KINDS.join(', ')}`);
      let imageSize: [number, number] | undefined;
      if (a.flags['image-size']) {
        const m = /^(\d+)(?:x(\d+))?$/.exec(String(a.flags['image-size']));
        if (!m) throw new UsageError('--image-size expects HxW or N');
        imageSize = [Number(m[1]), Number(m[2] ?? m[1])];
      }
      const channels = a.flags.channels === undefined ? undefined : Number(a.flags.channels);
      if (channels !== undefined && channels !== 1 && channels !== 3) throw new UsageError('--channels must be 1 or 3');
      const d = await addDataset(store, arg, {
        name: a.flags.name as string | undefined,
        kind,
        imageSize,
        channels: channels as 1 | 3 | undefined,
        replace: a.flags.replace === true,
      });
      if (a.flags.json) printJson(d);
      else {
        printTable([row(d)]);
        if (d.alreadyAs) console.log(`${arg} is already registered as '${d.alreadyAs}': nothing was added`);
      }
    } else if (sub === 'list') {
      const all = store.datasets();
      if (a.flags.json) printJson({ datasets: all });
      else printTable(all.map(row));
    } else if (sub === 'show') {
      const d = arg ? store.datasetByName(arg) : undefined;
      if (!d) throw new Error(`dataset '${arg ?? ''}' is not registered`);
      if (a.flags.json) printJson(d);
      else {
        printTable([row(d)]);
        console.log('\nper class (train / test):');
        printTable(d.classNames.map((c, i) => ({ class: c, train: d.classCounts.train[i], test: d.classCounts.test[i] })));
        if (d.note) console.log(`\nnote: ${d.note}`);
      }
    } else if (sub === 'remove') {
      if (!arg) throw new UsageError('usage: noisynn datasets remove NAME [--force]');
      const runs = store.removeDataset(arg, a.flags.force === true);
      if (a.flags.json) printJson({ removed: arg, runs });
      else console.log(`dataset '${arg}' removed${runs ? ` (${runs} run${runs === 1 ? '' : 's'} used it)` : ''}`);
    } else throw new UsageError(`unknown datasets subcommand '${sub}' (add, list, show, remove)`);
  } finally {
    store.close();
  }
  return 0;
}
