// `noisynn eval RUN --protocol sorted|shuffled|single|standard|all|official|P1,P2 [--test-batch-size K|K1,K2,...]`
// and `noisynn eval --weights NAME`. A list of test batch sizes is the k sweep of docs/method.md#evaluation-protocols:
// each protocol at each k, with the noise-free line, showing how class-sorted batches leak labels
// through batch-mixing noise.
import type { DatasetKind } from '../api/contract';
import { ConfigError, type EvalProtocol, type RunConfig } from '../engine/config';
import type { EvalResult } from '../engine/eval/evaluate';
import { notFound } from '../errors';
import { ensureBuiltins, openDataset } from '../runner/datasets';
import { createRuns, resolveRunConfig } from '../runner/lifecycle';
import { openStore, resolveDataDir } from '../store';
import { getWeights } from '../weights/library';
import { UsageError, type ParsedArgs } from './args';
import { buildConfig } from './config-flags';
import { follow } from './follow';
import { pct, printJson, printTable } from './output';

const NAMED: Record<string, { protocols: EvalProtocol[]; clean: boolean }> = {
  // The audit of docs/method.md#evaluation-protocols, next to the same weights without noise.
  all: { protocols: ['sorted', 'shuffled', 'single'], clean: true },
};
const SINGLE: EvalProtocol[] = ['standard', 'sorted', 'shuffled', 'single'];
const USAGE =
  'usage: noisynn eval RUN [--protocol sorted|shuffled|single|standard|all|official|P1,P2] [--epoch N] [--test-batch-size K|K1,K2,...] [--clean]\n       noisynn eval --weights NAME [--dataset D] [--protocol ...] [--json]';

/**
 * The order and batch size the official scripts evaluate in (docs/method.md#evaluation-protocols, #the-official-code): ImageFolder is read
 * class-sorted (sequential sampler) in batches of te_batch_size (ViT) or the training batch size (CNN);
 * CIFAR in file order (shuffle=False) in batches of the training batch size. The official code has no
 * loader for the other kinds.
 */
export function officialEvalOrder(
  kind: DatasetKind,
  config: Pick<RunConfig, 'batchSize' | 'testBatchSize'> & { model: { kind: string } },
): { protocol: EvalProtocol; testBatchSize: number; note: string } {
  if (kind === 'image-folder') {
    const vit = config.model.kind === 'vit';
    return {
      protocol: 'sorted',
      testBatchSize: vit ? config.testBatchSize : config.batchSize,
      note: `ImageFolder, class-sorted, batches of ${vit ? 'the test batch size (ViT te_batch_size)' : 'the training batch size (CNN script)'}`,
    };
  }
  if (kind === 'cifar10' || kind === 'cifar100')
    return {
      protocol: 'standard',
      testBatchSize: config.batchSize,
      note: 'CIFAR, file order (shuffle=False), batches of the training batch size',
    };
  throw new UsageError(
    `--protocol official: the official code has no loader for ${kind} datasets (only ImageFolder and CIFAR); use sorted, shuffled or all`,
  );
}

function protocolsOf(flag: string): { protocols: EvalProtocol[]; clean: boolean } {
  if (NAMED[flag]) return NAMED[flag];
  const list = flag.split(',').map((s) => s.trim());
  const bad = list.filter((p) => !(SINGLE as string[]).includes(p));
  if (bad.length || list.length === 0)
    throw new UsageError(
      `--protocol: '${bad.join(',') || flag}' is not a protocol; use ${SINGLE.join(', ')}, official, a comma list of them, or all`,
    );
  return { protocols: [...new Set(list)] as EvalProtocol[], clean: false };
}

function batchSizesOf(flag: string | undefined): (number | undefined)[] {
  if (flag === undefined) return [undefined];
  const ks = flag.split(',').map((s) => Number(s.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 100000))
    throw new UsageError(`--test-batch-size: '${flag}' must be one integer >= 1 or a comma list of them`);
  return [...new Set(ks)];
}

interface Row {
  protocol: EvalProtocol;
  noise: 'on' | 'off';
  batch: number;
  top1: number;
  top1RunningAvg: number;
  top5: number;
  loss: number;
  n: number;
}

const toRow = (e: EvalResult): Row => ({
  protocol: e.protocol,
  noise: e.noiseActive ? 'on' : 'off',
  batch: e.batchSize,
  top1: e.top1,
  top1RunningAvg: e.top1RunningAvg,
  top5: e.top5,
  loss: e.loss,
  n: e.n,
});

/**
 * An evaluation-only run of imported weights: a run with `init` and 0 epochs, whose trainer stores the weights
 * as its epoch-0 checkpoint and evaluates them; the protocols then run as for `eval RUN`. Created claimed
 * by this process, as `train` does.
 */
async function createWeightsRun(a: ParsedArgs, dataDir: string, sweep: boolean): Promise<number> {
  const name = a.flags.weights as string;
  // A k list is this command's, not a config value: the run keeps the preset's test batch size.
  const flags = sweep ? { ...a.flags, 'test-batch-size': undefined } : a.flags;
  let config = buildConfig({ preset: a.flags.preset as string, configFile: a.flags.config as string, flags, sets: a.lists.set });
  config = { ...config, name: config.name ?? `eval ${name}`, epochs: 0, replicas: 1, init: { weights: name } };
  const store = openStore(dataDir);
  try {
    await ensureBuiltins(store);
    const { data } = await openDataset(store, config.dataset);
    const w = getWeights(dataDir, name);
    if (w.model.numClasses !== data.info.classNames.length) {
      throw new Error(
        `weights '${name}' have ${w.model.numClasses} classes but dataset '${config.dataset}' has ${data.info.classNames.length}: evaluating them needs the dataset they classify (fine-tune with: noisynn train --init ${name})`,
      );
    }
    const imageSize = a.flags['image-size'] === undefined ? undefined : config.model.imageSize;
    const resolved = await resolveRunConfig(store, config, { imageSize });
    if (resolved.problems.length) throw new ConfigError(resolved.problems);
    const [runId] = createRuns(store, [resolved], { claim: true });
    if (!a.flags.json)
      console.log(
        `evaluation-only run ${runId} of weights '${name}' on '${config.dataset}'${(resolved.config.init?.adapted ?? []).map((l) => `\n  ${l}`).join('')}`,
      );
    return runId;
  } finally {
    store.close();
  }
}

/** --protocol official for a stored run: the protocol and batch size of the official loaders for its dataset. */
function officialFor(dataDir: string, runId: number): ReturnType<typeof officialEvalOrder> {
  const store = openStore(dataDir, { readOnly: true });
  try {
    const run = store.getRun(runId);
    if (!run) throw notFound(`run ${runId} not found in ${store.path}`);
    const config = run.config as RunConfig;
    const kind = store.datasetByName(config.dataset)?.kind;
    if (!kind) throw new Error(`run ${runId}: its dataset '${config.dataset}' is not registered in ${store.path}`);
    return officialEvalOrder(kind, config);
  } finally {
    store.close();
  }
}

export interface StoredEvalRequest {
  runId: number;
  protocols: EvalProtocol[];
  /** Also the noise-free model (once: its accuracy does not depend on k). */
  clean: boolean;
  /** Test batch sizes; undefined = the run's own. */
  ks: (number | undefined)[];
  epoch?: number;
}

/**
 * Evaluates a stored run's checkpoint (written to the store as evaluations of that run): one evaluation
 * process per k. The one evaluation path of `eval RUN` and the study's cells on reused weights.
 */
export async function evaluateStored(
  dataDir: string,
  r: StoredEvalRequest,
  o: { quiet?: boolean; backend?: string } = {},
): Promise<{ epoch: number; evaluations: EvalResult[]; backend?: string }> {
  const evaluations: EvalResult[] = [];
  let epoch = 0;
  let backend: string | undefined;
  for (const [i, testBatchSize] of r.ks.entries()) {
    const clean = r.clean && i === 0;
    // 'single' is batch size 1 whatever k is: once.
    const protocols = i === 0 ? r.protocols : r.protocols.filter((p) => p !== 'single');
    if (protocols.length === 0) continue;
    const exit = await follow({ kind: 'eval', runId: r.runId, dataDir, protocols, clean, epoch: r.epoch, testBatchSize }, o);
    const d = exit.done;
    if (!d || d.status !== 'completed') throw new Error(d?.error ?? `evaluation process ended ${exit.signal ?? `with code ${exit.code}`}`);
    epoch = d.epochs;
    backend = exit.backend ?? backend;
    evaluations.push(...d.evaluations);
  }
  return { epoch, evaluations, ...(backend ? { backend } : {}) };
}

export async function evalCommand(a: ParsedArgs): Promise<number> {
  const byWeights = typeof a.flags.weights === 'string';
  let runId = Number(a.positionals[0]);
  if (!byWeights && !Number.isInteger(runId)) throw new UsageError(USAGE);
  const official = a.flags.protocol === 'official';
  if (official && a.flags['test-batch-size'] !== undefined)
    throw new UsageError('--protocol official decides the test batch size itself: leave out --test-batch-size');
  let choice = official
    ? { protocols: [] as EvalProtocol[], clean: true }
    : protocolsOf((a.flags.protocol as string | undefined) ?? (byWeights ? 'standard' : 'all'));
  let ks = batchSizesOf(a.flags['test-batch-size'] as string | undefined);
  const sweep = ks.length > 1;
  const epoch = a.flags.epoch === undefined ? undefined : Number(a.flags.epoch);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const quiet = a.flags.quiet === true || a.flags.json === true;
  const rows: Row[] = [];
  let epochs = 0;
  if (byWeights) {
    runId = await createWeightsRun(a, dataDir, sweep);
    const made = await follow({ kind: 'train', runId, dataDir, onCallerLoss: 'cancel' }, { quiet, backend: a.flags.backend as string });
    if (made.done?.status !== 'completed')
      throw new Error(made.done?.error ?? `evaluation-only run ${runId} ended ${made.signal ?? `with code ${made.code}`}`);
    epochs = made.done.epochs;
    // The run already evaluated its weights as a run's end does (standard, and with eval-time noise the
    // protocols plus noise-free): reuse those rows rather than store the same evaluations twice.
    const have = made.done.evaluations;
    const pick = [
      ...choice.protocols.map((p) =>
        have.find((e) => e.protocol === p && (p !== 'standard' || e.noiseActive || !have.some((x) => x.protocol === p && x.noiseActive))),
      ),
      ...(choice.clean || a.flags.clean === true ? [have.find((e) => e.protocol === 'standard' && !e.noiseActive)] : []),
    ];
    if (!sweep && !official && pick.every((e) => e !== undefined)) rows.push(...[...new Set(pick)].map((e) => toRow(e!)));
  }
  let officialNote = '';
  if (official) {
    const o = officialFor(dataDir, runId);
    choice = { protocols: [o.protocol], clean: true };
    ks = [o.testBatchSize];
    officialNote = o.note;
  } else if (!byWeights) {
    const store = openStore(dataDir, { readOnly: true });
    try {
      if (!store.getRun(runId)) throw notFound(`run ${runId} not found in ${store.path}`);
    } finally {
      store.close();
    }
  }
  if (!rows.length) {
    const done = await evaluateStored(
      dataDir,
      { runId, protocols: choice.protocols, clean: choice.clean || a.flags.clean === true || sweep, ks, epoch },
      { quiet, backend: a.flags.backend as string },
    );
    epochs = done.epoch;
    rows.push(...done.evaluations.map(toRow));
  }
  const noisy = rows.filter((r) => r.noise === 'on');
  const kSweep = sweep
    ? {
        k: ks as number[],
        noiseFree: rows.find((r) => r.noise === 'off')?.top1 ?? null,
        top1: Object.fromEntries(
          choice.protocols.map((p) => [
            p,
            ks.map((k) => noisy.find((r) => r.protocol === p && r.batch === (p === 'single' ? 1 : k))?.top1 ?? null),
          ]),
        ),
      }
    : undefined;
  if (a.flags.json) {
    printJson({
      runId,
      epoch: epochs,
      evaluations: rows,
      ...(kSweep ? { kSweep } : {}),
      ...(officialNote ? { official: officialNote } : {}),
    });
    return 0;
  }
  if (officialNote) console.log(`official order: ${officialNote}`);
  printTable(rows.map((r) => ({ ...r, top1: pct(r.top1), top1RunningAvg: pct(r.top1RunningAvg), top5: pct(r.top5) })));
  console.log("top1 = correct / total; top1RunningAvg = the official scripts' accs.avg (mean over batches of the cumulative accuracy).");
  const by = (p: string, noise: string) => rows.find((r) => r.protocol === p && r.noise === noise);
  const sorted = by('sorted', 'on');
  const shuffled = by('shuffled', 'on');
  if (!sweep && sorted && shuffled)
    console.log(`sorted - shuffled gap: ${((sorted.top1 - shuffled.top1) * 100).toFixed(2)} points (batch composition changes the result)`);
  const single = by('single', 'on');
  const clean = by('standard', 'off');
  if (single && clean) console.log(`single - noise-free: ${((single.top1 - clean.top1) * 100).toFixed(2)} points`);
  return 0;
}
