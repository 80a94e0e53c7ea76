// `noisynn eval RUN --protocol sorted|shuffled|single|standard|all|P1,P2 [--test-batch-size K|K1,K2,...]`.
// A list of test batch sizes is the k sweep of method page section 6: each protocol at each k, with the
// noise-free line, showing how class-sorted batches leak labels through batch-mixing noise.
import type { DatasetKind } from '../api/contract';
import type { EvalProtocol, RunConfig } from '../engine/config/types';
import { openStore, resolveDataDir } from '../store';
import { parseArgs, UsageError } from './args';
import { follow } from './follow';
import { pct, printJson, printTable } from './output';

const NAMED: Record<string, { protocols: EvalProtocol[]; clean: boolean }> = {
  // The audit of method page section 6, next to the same weights without noise.
  all: { protocols: ['sorted', 'shuffled', 'single'], clean: true },
};
const SINGLE: EvalProtocol[] = ['standard', 'sorted', 'shuffled', 'single'];
const USAGE = 'usage: noisynn eval RUN [--protocol sorted|shuffled|single|standard|all|official|P1,P2] [--epoch N] [--test-batch-size K|K1,K2,...] [--clean]';

/**
 * The order and batch size the official scripts evaluate in (method page section 10): ImageFolder is read
 * class-sorted (sequential sampler) in batches of te_batch_size (ViT) or the training batch size (CNN);
 * CIFAR in file order (shuffle=False) in batches of the training batch size. The official code has no
 * loader for the other kinds.
 */
export function officialEvalOrder(kind: DatasetKind, config: Pick<RunConfig, 'batchSize' | 'testBatchSize'> & { model: { kind: string } }): { protocol: EvalProtocol; testBatchSize: number; note: string } {
  if (kind === 'image-folder') {
    const vit = config.model.kind === 'vit';
    return { protocol: 'sorted', testBatchSize: vit ? config.testBatchSize : config.batchSize, note: `ImageFolder, class-sorted, batches of ${vit ? 'the test batch size (ViT te_batch_size)' : 'the training batch size (CNN script)'}` };
  }
  if (kind === 'cifar10' || kind === 'cifar100') return { protocol: 'standard', testBatchSize: config.batchSize, note: 'CIFAR, file order (shuffle=False), batches of the training batch size' };
  throw new UsageError(`--protocol official: the official code has no loader for ${kind} datasets (only ImageFolder and CIFAR); use sorted, shuffled or all`);
}

function protocolsOf(flag: string | undefined): { protocols: EvalProtocol[]; clean: boolean } {
  const v = flag ?? 'all';
  if (NAMED[v]) return NAMED[v];
  const list = v.split(',').map((s) => s.trim());
  const bad = list.filter((p) => !(SINGLE as string[]).includes(p));
  if (bad.length || list.length === 0) throw new UsageError(`--protocol: '${bad.join(',') || v}' is not a protocol; use ${SINGLE.join(', ')}, a comma list of them, or all`);
  return { protocols: [...new Set(list)] as EvalProtocol[], clean: false };
}

function batchSizesOf(flag: string | undefined): (number | undefined)[] {
  if (flag === undefined) return [undefined];
  const ks = flag.split(',').map((s) => Number(s.trim()));
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 100000)) throw new UsageError(`--test-batch-size: '${flag}' must be one integer >= 1 or a comma list of them`);
  return [...new Set(ks)];
}

interface Row { protocol: EvalProtocol; noise: 'on' | 'off'; batch: number; top1: number; top1RunningAvg: number; top5: number; loss: number; n: number }

export async function evalCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json', 'quiet', 'clean'], values: ['data-dir', 'backend', 'protocol', 'epoch', 'test-batch-size'] });
  const runId = Number(a.positionals[0]);
  if (!Number.isInteger(runId)) throw new UsageError(USAGE);
  const official = a.flags.protocol === 'official';
  if (official && a.flags['test-batch-size'] !== undefined) throw new UsageError('--protocol official decides the test batch size itself: leave out --test-batch-size');
  let choice = official ? { protocols: [] as EvalProtocol[], clean: true } : protocolsOf(a.flags.protocol as string | undefined);
  let ks = batchSizesOf(a.flags['test-batch-size'] as string | undefined);
  const sweep = ks.length > 1;
  const epoch = a.flags.epoch === undefined ? undefined : Number(a.flags.epoch);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const store = openStore(dataDir);
  let officialNote = '';
  try {
    const run = store.getRun(runId);
    if (!run) throw new Error(`run ${runId} not found in ${store.path}`);
    if (official) {
      const config = run.config as RunConfig;
      const kind = store.datasetByName(config.dataset)?.kind;
      if (!kind) throw new Error(`run ${runId}: its dataset '${config.dataset}' is not registered in ${store.path}`);
      const o = officialEvalOrder(kind, config);
      choice = { protocols: [o.protocol], clean: true };
      ks = [o.testBatchSize];
      officialNote = o.note;
    }
  } finally {
    store.close();
  }
  const quiet = a.flags.quiet === true || a.flags.json === true;
  const rows: Row[] = [];
  let epochs = 0;
  // One evaluation process per k; the noise-free line once (its accuracy does not depend on k).
  for (const [i, testBatchSize] of ks.entries()) {
    const clean = (choice.clean || a.flags.clean === true || sweep) && i === 0;
    // 'single' is batch size 1 whatever k is: once.
    const protocols = i === 0 ? choice.protocols : choice.protocols.filter((p) => p !== 'single');
    if (protocols.length === 0) continue;
    const exit = await follow({ kind: 'eval', runId, dataDir, protocols, clean, epoch, testBatchSize }, { quiet, backend: a.flags.backend as string });
    const d = exit.done;
    if (!d || d.status !== 'completed') throw new Error(d?.error ?? `evaluation process ended ${exit.signal ?? `with code ${exit.code}`}`);
    epochs = d.epochs;
    for (const e of d.evaluations) {
      rows.push({ protocol: e.protocol, noise: e.noiseActive ? 'on' : 'off', batch: e.batchSize, top1: e.top1, top1RunningAvg: e.top1RunningAvg, top5: e.top5, loss: e.loss, n: e.n });
    }
  }
  const noisy = rows.filter((r) => r.noise === 'on');
  const kSweep = sweep
    ? {
        k: ks as number[],
        noiseFree: rows.find((r) => r.noise === 'off')?.top1 ?? null,
        top1: Object.fromEntries(choice.protocols.map((p) => [p, ks.map((k) => noisy.find((r) => r.protocol === p && r.batch === (p === 'single' ? 1 : k))?.top1 ?? null)])),
      }
    : undefined;
  if (a.flags.json) {
    printJson({ runId, epoch: epochs, evaluations: rows, ...(kSweep ? { kSweep } : {}), ...(officialNote ? { official: officialNote } : {}) });
    return 0;
  }
  if (officialNote) console.log(`official order: ${officialNote}`);
  printTable(rows.map((r) => ({ ...r, top1: pct(r.top1), top1RunningAvg: pct(r.top1RunningAvg), top5: pct(r.top5) })));
  console.log('top1 = correct / total; top1RunningAvg = the official scripts\' accs.avg (mean over batches of the cumulative accuracy).');
  const by = (p: string, noise: string) => rows.find((r) => r.protocol === p && r.noise === noise);
  const sorted = by('sorted', 'on');
  const shuffled = by('shuffled', 'on');
  if (!sweep && sorted && shuffled) console.log(`sorted - shuffled gap: ${((sorted.top1 - shuffled.top1) * 100).toFixed(2)} points (batch composition changes the result)`);
  const single = by('single', 'on');
  const clean = by('standard', 'off');
  if (single && clean) console.log(`single - noise-free: ${((single.top1 - clean.top1) * 100).toFixed(2)} points`);
  return 0;
}
