// `noisynn train` and `noisynn resume`.
import { trainIntoBundle } from '../cluster/task';
import { validateConfig } from '../engine/config';
import { ensureBuiltins, openDataset } from '../runner/datasets';
import { gitCommit, packageVersions } from '../runner/provenance';
import { openStore, resolveDataDir } from '../store';
import { parseArgs, UsageError } from './args';
import { buildConfig, CONFIG_FLAGS, fitToDataset } from './config-flags';
import { follow, type Followed } from './follow';
import { printJson } from './output';

const configBooleans = Object.entries(CONFIG_FLAGS).filter(([, f]) => f.kind === 'bool').map(([k]) => k);
const configValues = Object.entries(CONFIG_FLAGS).filter(([, f]) => f.kind !== 'bool').map(([k]) => k);

export const TRAIN_SPEC = {
  booleans: ['json', 'quiet', 'dry-run', ...configBooleans],
  values: ['preset', 'config', 'model', 'data-dir', 'backend', 'set', 'bundle', ...configValues],
  repeatable: ['set'],
};

function trainSummary(runId: number, exit: Followed) {
  const d = exit.done;
  const std = d?.evaluations.find((e) => e.protocol === 'standard');
  return {
    runId,
    status: d?.status ?? 'crashed',
    backend: exit.backend ?? null,
    epochs: d?.epochs ?? 0,
    imagesPerSecond: d ? Math.round(d.imagesPerSecond * 10) / 10 : 0,
    testTop1: std?.top1 ?? null,
    testTop5: std?.top5 ?? null,
    ...(d?.error ? { error: d.error } : {}),
  };
}

export async function trainCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, TRAIN_SPEC);
  if (a.positionals.length) throw new UsageError(`train takes no positional arguments (got ${a.positionals.join(' ')})`);
  if (typeof a.flags.bundle === 'string') return trainIntoBundle(a.flags.bundle, { backend: a.flags.backend as string | undefined });
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  let config = buildConfig({ preset: a.flags.preset as string, model: a.flags.model as string, configFile: a.flags.config as string, flags: a.flags, sets: a.lists.set });
  const store = openStore(dataDir);
  let runId: number;
  try {
    await ensureBuiltins(store);
    const { data, id } = await openDataset(store, config.dataset);
    config = fitToDataset(config, data.info);
    validateConfig(config);
    if (a.flags['dry-run']) {
      console.log(JSON.stringify(config, null, 2));
      return 0;
    }
    runId = store.createRun({ name: config.name, config, seed: config.seed, datasetId: id, versions: packageVersions(), gitCommit: gitCommit(), status: 'queued' });
  } finally {
    store.close();
  }
  console.log(`run ${runId} created in ${dataDir}`);
  const exit = await follow({ kind: 'train', runId, dataDir }, { quiet: a.flags.quiet === true, backend: a.flags.backend as string });
  const summary = trainSummary(runId, exit);
  if (a.flags.json) printJson(summary);
  else console.log(`run ${runId} ${summary.status}${summary.testTop1 !== null ? `: test top-1 ${(summary.testTop1 * 100).toFixed(2)}%` : ''}, ${summary.imagesPerSecond} img/s on ${summary.backend}`);
  return summary.status === 'completed' ? 0 : 1;
}

const RESUMABLE = new Set(['crashed', 'cancelled', 'failed', 'diverged']);

export async function resumeCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json', 'quiet'], values: ['data-dir', 'backend'] });
  const runId = Number(a.positionals[0]);
  if (!Number.isInteger(runId)) throw new UsageError('usage: noisynn resume RUN');
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const store = openStore(dataDir);
  let kind: 'train' | 'resume';
  try {
    const run = store.getRun(runId);
    if (!run) throw new Error(`run ${runId} not found in ${store.path}`);
    if (!RESUMABLE.has(run.status)) throw new Error(`run ${runId} is ${run.status}; only crashed, cancelled, failed or diverged runs can be resumed`);
    kind = store.latestCheckpoint(runId) ? 'resume' : 'train';
    if (kind === 'train') store.deleteMetricsAfter(runId, 0); // no checkpoint yet: start over from step 0
  } finally {
    store.close();
  }
  console.log(kind === 'resume' ? `resuming run ${runId} from its last checkpoint` : `run ${runId} has no checkpoint: restarting it from the beginning`);
  const exit = await follow({ kind, runId, dataDir }, { quiet: a.flags.quiet === true, backend: a.flags.backend as string });
  const summary = trainSummary(runId, exit);
  if (a.flags.json) printJson(summary);
  else console.log(`run ${runId} ${summary.status}`);
  return summary.status === 'completed' ? 0 : 1;
}
