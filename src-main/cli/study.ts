// `noisynn study reproduce`: the small-scale reproduction study (docs/method.md#train-eval-or-both to #reported-results) as one
// sweep in the store, executed by the app's persistent RunQueue. Re-running the command continues the
// same study: its runs are found by their tag, completed ones are kept, interrupted ones resume.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../engine/config';
import { ensureBuiltins } from '../runner/datasets';
import { createRuns, resolveRunConfig, type ResolvedConfig } from '../runner/lifecycle';
import { gitCommit, packageVersions } from '../runner/provenance';
import { RunQueue } from '../runner/queue';
import { openStore, resolveDataDir, type Store } from '../store';
import {
  MODE_FLAGS,
  modePoints,
  pointConfig,
  reusesWeights,
  STANDARD_SIZING,
  STUDY_BUDGETS,
  STUDY_DESIGNS,
  studySweepName,
  studyTag,
  type StudyMode,
} from '../study/plan';
import { K_SWEEP_SUFFIX, renderCsv, renderKSweepCsv, renderMarkdown, type StudyMeta } from '../study/report';
import { studyRuns, toStudyRow } from '../study/results';
import { buildStudyTable, kSweepTable, studyClaims } from '../study/table';
import { UsageError, type ParsedArgs } from './args';
import { printJson } from './output';
import { checkSlurmFlags, SLURM_USAGE, slurmTarget } from './slurm-flags';
import { submitTo, sweepScript } from '../cluster/submit';
import { cellKeys, pendingCells, runCell, type PendingCell } from './study-cells';

const USAGE = `usage: noisynn study reproduce [--quick|--standard] [--data-dir DIR] [--concurrency N] [--out DIR] [--json]
       noisynn study reproduce [--quick|--standard] ${SLURM_USAGE} [--backend B] [--dry-run]   # then: noisynn sync DIR, and the first form writes the report`;
const POLL_MS = 2000;

/** The flags that select a mode, for messages that say which command to run next. */
const modeFlags = (mode: StudyMode) => MODE_FLAGS[mode].map((f) => ` ${f}`).join('');

/**
 * The configs of the study's trained points that have no run yet, resolved and validated before anything is
 * written. Cells on reused weights are made by study-cells.ts once their weights exist.
 */
async function missingConfigs(store: Store, mode: StudyMode, sweepName: string): Promise<ResolvedConfig[]> {
  const byName = new Set(studyRuns(store, sweepName).map((r) => r.name));
  const points = modePoints(mode).filter((p) => !byName.has(p.key) && !reusesWeights(mode, p));
  const configs: ResolvedConfig[] = [];
  for (const p of points) {
    const r = await resolveRunConfig(store, pointConfig(p, mode));
    if (r.problems.length) throw new ConfigError(r.problems.map((x) => `${p.key}: ${x}`));
    configs.push(r);
  }
  return configs;
}

/** Creates the study's sweep and whichever of its runs do not exist yet; returns the sweep id. */
async function prepareStudy(
  store: Store,
  mode: StudyMode,
  sweepName: string,
): Promise<{ sweepId: number; created: number; foreign: Set<number> }> {
  const tag = studyTag(sweepName);
  const existing = studyRuns(store, sweepName);
  const plan = modePoints(mode);
  const configs = await missingConfigs(store, mode, sweepName);
  let sweepId = existing.find((r) => r.sweepId !== null)?.sweepId ?? null;
  if (sweepId === null)
    sweepId = store.createSweep(sweepName, { study: 'reproduce', mode, budget: STUDY_BUDGETS[mode], points: plan.length });
  createRuns(store, configs, { sweepId, tags: [tag] });
  // Runs cut short by an earlier interruption go back to the queue (they resume from their checkpoint).
  // Runs on a cluster are Slurm's to restart (scontrol requeue), not the local queue's; cells on reused
  // weights are never trained (study-cells.ts redoes their evaluations).
  const cells = cellKeys(mode);
  const local = studyRuns(store, sweepName).filter((r) => !store.clusterRun(r.id) && !cells.has(r.name ?? ''));
  for (const r of local) store.requeueFrom(r.id, ['crashed', 'cancelled'], 'the study was restarted');
  // Runs still 'running' under another process: an app training them, or trainers of a killed study
  // that have not finished exiting yet. The study waits for them and requeues any that end crashed.
  const foreign = new Set(local.filter((r) => r.status === 'running').map((r) => r.id));
  return { sweepId, created: configs.length, foreign };
}

function span(runs: { startedAt: string | null; endedAt: string | null }[]): number {
  const starts = runs.map((r) => Date.parse(r.startedAt ?? '')).filter(Number.isFinite);
  const ends = runs.map((r) => Date.parse(r.endedAt ?? '')).filter(Number.isFinite);
  return starts.length && ends.length ? Math.max(0, (Math.max(...ends) - Math.min(...starts)) / 1000) : 0;
}

/** The budget in words, for the report. */
function settingsOf(mode: StudyMode): string {
  const b = STUDY_BUDGETS[mode];
  if (mode === 'full') return "full: the presets' full settings (all data)";
  if (mode === 'standard')
    return "standard: 1 epoch, all 60,000 training images, all 10,000 test images, the presets' batch sizes (mnist-vit 32, mnist-cnn 64) and learning rates (3e-3, 2e-3), one replica";
  return `${mode}: ${b.epochs} epoch, ${b.limitTrain} training images (seeded subset), first ${b.limitTest} test images, batch ${b.batchSize}, mnist-vit lr 1e-3 (presets otherwise)`;
}

/** What the report says about a design beyond its budget: where the noise settings come from, reused weights. */
function designNotes(mode: StudyMode): string[] {
  const d = STUDY_DESIGNS[mode];
  if (!d.reuseForEval) return [];
  const sources = d.noises.filter((n) => n.source).map((n) => `${n.label}${n.models ? ` (${n.models.join(', ')})` : ''} [${n.source}]`);
  return [
    `Noise settings, one per family (the official or paper default): ${sources.join('; ')}. The CNN script's salt-and-pepper p = 1.0 replaces nearly every element and is not used.`,
    'Eval-only cells are not trained: each is a run whose weights are the final checkpoint of the noise-free run of the same dataset, model and seed (the same weights by construction; the run\'s note and its summary field weightsFromRun name that run), evaluated with the cell\'s noise through the evaluation path of `noisynn eval`. Their "noise-free" column is therefore the baseline itself.',
    ...(d.kSweep.length
      ? [
          `The k sweep (last section) evaluates the same noise-free weights with linear-optimal noise at test batch sizes k = ${d.kSweep.join(', ')}, in class-sorted and shuffled batches.`,
        ]
      : []),
    ...(mode === 'standard' ? [`Sizing: ${STANDARD_SIZING}`] : []),
  ];
}

function machine(): Pick<StudyMeta, 'os' | 'cpu' | 'cores' | 'node'> {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.versions.node,
  };
}

export async function studyCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals[0] !== 'reproduce' || a.positionals.length !== 1) throw new UsageError(USAGE);
  checkSlurmFlags(a);
  if (!a.flags.slurm && (a.flags['dry-run'] || a.flags.backend)) throw new UsageError(`--dry-run and --backend go with --slurm\n${USAGE}`);
  if (a.flags.quick && a.flags.standard) throw new UsageError(`--quick and --standard are two different studies: choose one\n${USAGE}`);
  // --smoke is a hidden pipeline check (200 training images): never results. With --standard: the standard design.
  const mode: StudyMode = a.flags.standard
    ? a.flags.smoke
      ? 'standard-smoke'
      : 'standard'
    : a.flags.smoke
      ? 'smoke'
      : a.flags.quick
        ? 'quick'
        : 'full';
  const concurrency = a.flags.concurrency === undefined ? 2 : Number(a.flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new UsageError(`--concurrency must be an integer from 1 to 16 (got ${String(a.flags.concurrency)})`);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const outDir = resolve(
    (a.flags.out as string | undefined) ?? (mode === 'quick' || mode === 'standard' ? 'docs' : join(dataDir, 'study')),
  );
  const sweepName = studySweepName(mode);
  const command = `noisynn ${process.argv.slice(2).join(' ')}`;
  const t0 = Date.now();
  const log = (s: string) => (a.flags.json ? process.stderr.write(`${s}\n`) : console.log(s));

  if (a.flags.slurm) return submitStudy(a, dataDir, mode, sweepName);
  const store = openStore(dataDir);
  let queue: RunQueue | undefined;
  const stop = () => {
    log('interrupted: running trainers stop at their next step and go back to the queue; run the same command to continue');
    void queue?.dispose().then(() => process.exit(130));
  };
  try {
    await ensureBuiltins(store);
    const { sweepId, created, foreign } = await prepareStudy(store, mode, sweepName);
    const all = studyRuns(store, sweepName);
    const before = all.filter((r) => r.status === 'completed').length;
    log(
      `study '${sweepName}' (sweep ${sweepId}) in ${dataDir}: ${all.length} runs, ${created} new, ${before} already completed; concurrency ${concurrency}`,
    );

    let finished = 0;
    const cells = cellKeys(mode);
    const todo = modePoints(mode).length - before;
    const progress = (what: string) => {
      finished += 1;
      const el = (Date.now() - t0) / 1000;
      const eta = ((todo - finished) * el) / finished;
      log(`[${finished}/${todo}] ${what}; ${Math.round(el)} s elapsed, ~${Math.round(eta / 60)} min left`);
    };
    queue = new RunQueue(
      store,
      dataDir,
      {
        onEvent: () => {},
        onExit: (runId, status, error) => {
          if (status === 'queued') return; // put back by an interruption: not finished
          const run = store.getRun(runId);
          const top1 = run?.summary?.testTop1;
          progress(
            `run ${runId} ${run?.name ?? ''}: ${status}${typeof top1 === 'number' ? ` top-1 ${(top1 * 100).toFixed(2)}%` : ''}${error ? ` (${error})` : ''}`,
          );
        },
        onChange: () => {},
      },
      { concurrency },
    );
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    queue.start();
    const onCluster = studyRuns(store, sweepName).filter(
      (r) => (r.status === 'queued' || r.status === 'running') && store.clusterRun(r.id),
    );
    if (onCluster.length)
      throw new Error(
        `${onCluster.length} runs of '${sweepName}' have not finished on the cluster yet: sync their bundles first (noisynn sync ${store.clusterRun(onCluster[0].id)!.bundlePath.replace(/\/runs\/\d+$/, '')})`,
      );
    // Cells on reused weights are evaluated one at a time as their noise-free runs complete, in one of the
    // trainers' slots; each is tried once per invocation (a failed one is retried by the next).
    let cell: Promise<void> | null = null;
    const tried = new Set<string>();
    const nextCell = () => pendingCells(store, mode, sweepName).find((c) => !tried.has(c.point.key));
    for (;;) {
      const next: PendingCell | undefined = cell ? undefined : nextCell();
      if (next) {
        tried.add(next.point.key);
        queue.setConcurrency(Math.max(1, concurrency - 1));
        cell = runCell(store, mode, sweepId, next, { quiet: true })
          .then((status) => {
            const run = studyRuns(store, sweepName).find((r) => r.name === next.point.key);
            const top1 = run?.summary?.testTop1;
            if (status !== 'skipped')
              progress(
                `run ${run?.id ?? '?'} ${next.point.key} (weights of run ${next.baseline.id}): ${status}${typeof top1 === 'number' ? ` top-1 ${(top1 * 100).toFixed(2)}%` : ''}${run?.error ? ` (${run.error})` : ''}`,
              );
          })
          .finally(() => {
            cell = null;
            queue?.setConcurrency(concurrency);
          });
      }
      store.recoverCrashedRuns();
      for (const id of foreign) {
        const status = store.getRun(id)?.status;
        if (status === 'running') continue;
        foreign.delete(id);
        if (status === 'crashed' || status === 'cancelled') store.requeueFrom(id, ['crashed', 'cancelled'], 'the study was restarted');
      }
      const open = studyRuns(store, sweepName).filter((r) => (r.status === 'queued' || r.status === 'running') && !cells.has(r.name ?? ''));
      if (open.length === 0 && queue.state().running.length === 0 && !cell && !nextCell()) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await queue.dispose();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);

    const runs = studyRuns(store, sweepName);
    const done = runs.filter((r) => r.status === 'completed');
    const total = modePoints(mode).length;
    const studyRows = runs.map((r) => toStudyRow(store, r));
    const rows = buildStudyTable(studyRows);
    const kSweep = kSweepTable(studyRows);
    const claims = studyClaims(rows);
    const meta: StudyMeta = {
      command,
      date: new Date().toISOString(),
      ...machine(),
      backend: [...new Set(done.map((r) => r.backend ?? 'unknown'))].join(', ') || 'none',
      versions: done[0]?.versions ?? packageVersions(),
      wallSeconds: (Date.now() - t0) / 1000,
      spanSeconds: span(runs),
      runs: { total, completed: done.length, failed: total - done.length, before },
      settings:
        `${settingsOf(mode)}; ` +
        'presets mnist-vit (4 blocks, dim 64, noise at block 3 on the attention input, class token untouched) and mnist-cnn (3-stage ResNet, noise at the input of stage 3 block 1); ' +
        `embedding-level noise; test batch 10; seeds ${[...new Set(runs.map((r) => r.seed))].sort((x, y) => x - y).join(', ')}; git ${gitCommit() ?? 'unknown'}`,
    };
    mkdirSync(outDir, { recursive: true });
    const base = mode === 'full' ? 'reproduction' : `reproduction-${mode}`;
    const mdFile = join(outDir, `${base}.md`);
    const csvFile = join(outDir, `${base}.csv`);
    writeFileSync(mdFile, renderMarkdown(meta, rows, claims, { notes: designNotes(mode), kSweep }));
    writeFileSync(csvFile, renderCsv(rows));
    if (kSweep.length) writeFileSync(join(outDir, `${base}${K_SWEEP_SUFFIX}.csv`), renderKSweepCsv(kSweep));
    log(`${done.length} of ${total} runs completed in ${Math.round(meta.wallSeconds)} s; wrote ${mdFile} and ${csvFile}`);
    for (const c of claims) log(`- ${c.claim}: ${c.verdict}`);
    if (a.flags.json)
      printJson({
        sweepId,
        sweepName,
        runs: total,
        completed: done.length,
        wallSeconds: meta.wallSeconds,
        markdown: mdFile,
        csv: csvFile,
        claims,
      });
    return done.length === total ? 0 : 1;
  } finally {
    store.close();
  }
}

/** The study's missing runs as one Slurm job array of bundles tagged with the study, so a sync makes them its runs. */
async function submitStudy(a: ParsedArgs, dataDir: string, mode: StudyMode, sweepName: string): Promise<number> {
  const target = slurmTarget(a, dataDir, a.flags.backend as string | undefined);
  const store = openStore(dataDir);
  try {
    await ensureBuiltins(store);
    const runs = (await missingConfigs(store, mode, sweepName)).map(({ config }) => ({
      config,
      dataset: store.datasetByName(config.dataset)!,
    }));
    if (runs.length === 0)
      throw new Error(
        `every run of '${sweepName}' is already in ${dataDir}; write the report with: noisynn study reproduce${modeFlags(mode)}`,
      );
    const sub = { name: sweepName, bundleDir: target.bundleDir, runs, slurm: target.slurm, env: target.env };
    if (a.flags['dry-run']) {
      process.stdout.write(sweepScript(sub));
      return 0;
    }
    const done = submitTo(target, { name: sweepName, runs, spec: { study: 'reproduce', mode }, tags: [studyTag(sweepName)] });
    const out = { sweepDir: done.sweepDir, jobId: done.jobId, runs: done.bundles.length };
    if (a.flags.json) printJson(out);
    else
      console.log(
        `submitted ${out.runs} runs of '${sweepName}' as Slurm job array ${out.jobId}\nthen: noisynn sync ${out.sweepDir} && noisynn study reproduce${modeFlags(mode)}   # writes the report`,
      );
    return 0;
  } finally {
    store.close();
  }
}
