// `noisynn eval RUN --protocol sorted|shuffled|single|standard|all` and `noisynn eval --weights NAME`.
import type { EvalProtocol } from '../engine/config/types';
import { validateConfig } from '../engine/config';
import { ensureBuiltins, openDataset } from '../runner/datasets';
import { gitCommit, packageVersions } from '../runner/provenance';
import { openStore, resolveDataDir } from '../store';
import { fitRun } from '../weights/fit';
import { getWeights } from '../weights/library';
import { parseArgs, UsageError } from './args';
import { buildConfig } from './config-flags';
import { follow, type Followed } from './follow';
import { pct, printJson, printTable } from './output';
import { TRAIN_SPEC } from './train';

const PROTOCOLS: Record<string, { protocols: EvalProtocol[]; clean: boolean }> = {
  standard: { protocols: ['standard'], clean: false },
  sorted: { protocols: ['sorted'], clean: false },
  shuffled: { protocols: ['shuffled'], clean: false },
  single: { protocols: ['single'], clean: false },
  // The audit of method page section 6, next to the same weights without noise.
  all: { protocols: ['sorted', 'shuffled', 'single'], clean: true },
};

/**
 * An evaluation-only run of imported weights: a run with `init` and 0 epochs, whose trainer stores the weights
 * as its epoch-0 checkpoint and evaluates them; the protocols then run as for `eval RUN`.
 */
async function createWeightsRun(a: ReturnType<typeof parseArgs>, dataDir: string): Promise<number> {
  const name = a.flags.weights as string;
  let config = buildConfig({ preset: a.flags.preset as string, configFile: a.flags.config as string, flags: a.flags, sets: a.lists.set });
  config = { ...config, name: config.name ?? `eval ${name}`, epochs: 0, replicas: 1, init: { weights: name } };
  const store = openStore(dataDir);
  try {
    await ensureBuiltins(store);
    const { data, id } = await openDataset(store, config.dataset);
    const w = getWeights(dataDir, name);
    if (w.model.numClasses !== data.info.classNames.length) {
      throw new Error(`weights '${name}' have ${w.model.numClasses} classes but dataset '${config.dataset}' has ${data.info.classNames.length}: evaluating them needs the dataset they classify (fine-tune with: noisynn train --init ${name})`);
    }
    const imageSize = a.flags['image-size'] === undefined ? undefined : config.model.imageSize;
    config = fitRun(config, data.info, dataDir, { imageSize });
    validateConfig(config);
    const runId = store.createRun({ name: config.name, config, seed: config.seed, datasetId: id, versions: packageVersions(), gitCommit: gitCommit(), status: 'queued' });
    if (!a.flags.json) console.log(`evaluation-only run ${runId} of weights '${name}' on '${config.dataset}'${(config.init?.adapted ?? []).map((l) => `\n  ${l}`).join('')}`);
    return runId;
  } finally {
    store.close();
  }
}

export async function evalCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: [...TRAIN_SPEC.booleans, 'clean'], values: [...TRAIN_SPEC.values, 'protocol', 'epoch', 'weights'], repeatable: TRAIN_SPEC.repeatable });
  const byWeights = typeof a.flags.weights === 'string';
  let runId = Number(a.positionals[0]);
  if (!byWeights && !Number.isInteger(runId)) throw new UsageError('usage: noisynn eval RUN [--protocol sorted|shuffled|single|standard|all] [--epoch N] [--test-batch-size N] [--clean]\n       noisynn eval --weights NAME [--dataset D] [--protocol ...] [--json]');
  const choice = PROTOCOLS[(a.flags.protocol as string) ?? (byWeights ? 'standard' : 'all')];
  if (!choice) throw new UsageError(`--protocol must be one of ${Object.keys(PROTOCOLS).join(', ')}`);
  const num = (f: string) => (a.flags[f] === undefined ? undefined : Number(a.flags[f]));
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const quiet = a.flags.quiet === true || a.flags.json === true;
  const clean = choice.clean || a.flags.clean === true;
  let exit: Followed | undefined;
  if (byWeights) {
    runId = await createWeightsRun(a, dataDir);
    const made = await follow({ kind: 'train', runId, dataDir }, { quiet, backend: a.flags.backend as string });
    if (made.done?.status !== 'completed') throw new Error(made.done?.error ?? `evaluation-only run ${runId} ended ${made.signal ?? `with code ${made.code}`}`);
    // The run already evaluated its weights as a run's end does (standard, and with eval-time noise the
    // protocols plus noise-free): reuse those rows rather than store the same evaluations twice.
    const have = made.done.evaluations;
    const pick = [
      ...choice.protocols.map((p) => have.find((e) => e.protocol === p && (p !== 'standard' || e.noiseActive || !have.some((x) => x.protocol === p && x.noiseActive)))),
      ...(clean ? [have.find((e) => e.protocol === 'standard' && !e.noiseActive)] : []),
    ];
    if (pick.every((e) => e !== undefined)) exit = { ...made, done: { ...made.done, evaluations: [...new Set(pick)] as typeof have } };
  } else {
    const store = openStore(dataDir);
    try {
      if (!store.getRun(runId)) throw new Error(`run ${runId} not found in ${store.path}`);
    } finally {
      store.close();
    }
  }
  exit ??= await follow(
    { kind: 'eval', runId, dataDir, protocols: choice.protocols, clean, epoch: num('epoch'), testBatchSize: byWeights ? undefined : num('test-batch-size') },
    { quiet, backend: a.flags.backend as string },
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
