// `noisynn train` and `noisynn resume`.
import { trainIntoBundle } from '../cluster/task';
import { ConfigError, type RunConfig } from '../engine/config';
import { ensureBuiltins } from '../runner/datasets';
import { claimForResume, createRuns, resolveRunConfig, startKind } from '../runner/lifecycle';
import { openStore, resolveDataDir } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { buildConfig } from './config-flags';
import { follow, type Followed } from './follow';
import { printJson } from './output';

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

export async function trainCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals.length) throw new UsageError(`train takes no positional arguments (got ${a.positionals.join(' ')})`);
  if (typeof a.flags.bundle === 'string') return trainIntoBundle(a.flags.bundle, { backend: a.flags.backend as string | undefined });
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const given = buildConfig({
    preset: a.flags.preset as string,
    model: a.flags.model as string,
    configFile: a.flags.config as string,
    flags: a.flags,
    sets: a.lists.set,
  });
  const store = openStore(dataDir);
  let runId: number;
  let kind: 'train' | 'resume';
  let config: RunConfig;
  try {
    await ensureBuiltins(store);
    const imageSize = a.flags['image-size'] === undefined ? undefined : (given.model as { imageSize?: number } | undefined)?.imageSize;
    const resolved = await resolveRunConfig(store, given, { imageSize });
    if (resolved.problems.length) throw new ConfigError(resolved.problems);
    config = resolved.config;
    if (a.flags['dry-run']) {
      console.log(JSON.stringify(config, null, 2));
      return 0;
    }
    // Created claimed by this process: a queue running on the same data dir never sees it queued.
    [runId] = createRuns(store, [resolved], { claim: true });
    kind = startKind(store, runId);
  } finally {
    store.close();
  }
  console.log(`run ${runId} created in ${dataDir}`);
  if (config.init)
    console.log(
      `starting from weights '${config.init.weights}' (sha256 ${config.init.sha256?.slice(0, 12)})${config.init.freeze ? `, first ${config.init.freeze} frozen` : ''}${(config.init.adapted ?? []).map((l) => `\n  ${l}`).join('')}`,
    );
  const exit = await follow(
    { kind, runId, dataDir, onCallerLoss: 'cancel' },
    { quiet: a.flags.quiet === true, backend: a.flags.backend as string },
  );
  const summary = trainSummary(runId, exit);
  if (a.flags.json) printJson(summary);
  else
    console.log(
      `run ${runId} ${summary.status}${summary.testTop1 !== null ? `: test top-1 ${(summary.testTop1 * 100).toFixed(2)}%` : ''}, ${summary.imagesPerSecond} img/s on ${summary.backend}`,
    );
  return summary.status === 'completed' ? 0 : 1;
}

export async function resumeCommand(a: ParsedArgs): Promise<number> {
  const runId = Number(a.positionals[0]);
  if (!Number.isInteger(runId)) throw new UsageError('usage: noisynn resume RUN [--restart]');
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const store = openStore(dataDir);
  let kind: 'train' | 'resume';
  try {
    claimForResume(store, runId);
    kind = startKind(store, runId, { restart: a.flags.restart === true });
  } finally {
    store.close();
  }
  console.log(
    kind === 'resume'
      ? `resuming run ${runId} from its last intact checkpoint`
      : `run ${runId}: ${a.flags.restart ? 'restarting' : 'no checkpoint, restarting'} it from the beginning`,
  );
  const exit = await follow(
    { kind, runId, dataDir, onCallerLoss: 'cancel' },
    { quiet: a.flags.quiet === true, backend: a.flags.backend as string },
  );
  const summary = trainSummary(runId, exit);
  if (a.flags.json) printJson(summary);
  else console.log(`run ${runId} ${summary.status}`);
  return summary.status === 'completed' ? 0 : 1;
}
