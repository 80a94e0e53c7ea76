// `noisynn study reproduce`: the small-scale reproduction study (method page sections 5-8) as one
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
import { MODE_POINTS, STUDY_BUDGETS, pointConfig, studyPoints, studySweepName, studyTag, type StudyMode } from '../study/plan';
import { renderCsv, renderMarkdown, type StudyMeta } from '../study/report';
import { studyResults, studyRuns } from '../study/results';
import { studyClaims } from '../study/table';
import { UsageError, type ParsedArgs } from './args';
import { printJson } from './output';
import { checkSlurmFlags, SLURM_USAGE, slurmTarget } from './slurm-flags';
import { submitSweep, sweepScript } from '../cluster/submit';

const USAGE = `usage: noisynn study reproduce [--quick] [--data-dir DIR] [--concurrency N] [--out DIR] [--json]
       noisynn study reproduce [--quick] ${SLURM_USAGE} [--backend B] [--dry-run]   # then: noisynn sync DIR, and the first form writes the report`;
const POLL_MS = 2000;

/** The configs of the study's points that have no run yet, resolved and validated before anything is written. */
async function missingConfigs(store: Store, mode: StudyMode, sweepName: string): Promise<ResolvedConfig[]> {
  const byName = new Set(studyRuns(store, sweepName).map((r) => r.name));
  const points = studyPoints(MODE_POINTS[mode]).filter((p) => !byName.has(p.key));
  const configs: ResolvedConfig[] = [];
  for (const p of points) {
    const r = await resolveRunConfig(store, pointConfig(p, mode));
    if (r.problems.length) throw new ConfigError(r.problems.map((x) => `${p.key}: ${x}`));
    configs.push(r);
  }
  return configs;
}

/** Creates the study's sweep and whichever of its runs do not exist yet; returns the sweep id. */
async function prepareStudy(store: Store, mode: StudyMode, sweepName: string): Promise<{ sweepId: number; created: number }> {
  const tag = studyTag(sweepName);
  const existing = studyRuns(store, sweepName);
  const plan = studyPoints(MODE_POINTS[mode]);
  const configs = await missingConfigs(store, mode, sweepName);
  let sweepId = existing.find((r) => r.sweepId !== null)?.sweepId ?? null;
  if (sweepId === null) sweepId = store.createSweep(sweepName, { study: 'reproduce', mode, budget: STUDY_BUDGETS[mode], points: plan.length });
  createRuns(store, configs, { sweepId, tags: [tag] });
  // Runs cut short by an earlier interruption go back to the queue (they resume from their checkpoint).
  // Runs on a cluster are Slurm's to restart (scontrol requeue), not the local queue's.
  for (const r of studyRuns(store, sweepName)) {
    if (!store.clusterRun(r.id)) store.requeueFrom(r.id, ['crashed', 'cancelled'], 'the study was restarted');
  }
  return { sweepId, created: configs.length };
}

function span(runs: { startedAt: string | null; endedAt: string | null }[]): number {
  const starts = runs.map((r) => Date.parse(r.startedAt ?? '')).filter(Number.isFinite);
  const ends = runs.map((r) => Date.parse(r.endedAt ?? '')).filter(Number.isFinite);
  return starts.length && ends.length ? Math.max(0, (Math.max(...ends) - Math.min(...starts)) / 1000) : 0;
}

function machine(): Pick<StudyMeta, 'os' | 'cpu' | 'cores' | 'node'> {
  const cpus = os.cpus();
  return { os: `${os.type()} ${os.release()} (${os.arch()})`, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.versions.node };
}

export async function studyCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals[0] !== 'reproduce' || a.positionals.length !== 1) throw new UsageError(USAGE);
  checkSlurmFlags(a);
  if (!a.flags.slurm && (a.flags['dry-run'] || a.flags.backend)) throw new UsageError(`--dry-run and --backend go with --slurm\n${USAGE}`);
  // --smoke is a hidden pipeline check (200 training images): never results.
  const mode: StudyMode = a.flags.smoke ? 'smoke' : a.flags.quick ? 'quick' : 'full';
  const concurrency = a.flags.concurrency === undefined ? 2 : Number(a.flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new UsageError(`--concurrency must be an integer from 1 to 16 (got ${String(a.flags.concurrency)})`);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const outDir = resolve((a.flags.out as string | undefined) ?? (mode === 'quick' ? 'docs' : join(dataDir, 'study')));
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
    const { sweepId, created } = await prepareStudy(store, mode, sweepName);
    const all = studyRuns(store, sweepName);
    const before = all.filter((r) => r.status === 'completed').length;
    log(`study '${sweepName}' (sweep ${sweepId}) in ${dataDir}: ${all.length} runs, ${created} new, ${before} already completed; concurrency ${concurrency}`);

    let finished = 0;
    const todo = all.length - before;
    queue = new RunQueue(store, dataDir, {
      onEvent: () => {},
      onExit: (runId, status, error) => {
        if (status === 'queued') return; // put back by an interruption: not finished
        finished += 1;
        const run = store.getRun(runId);
        const el = (Date.now() - t0) / 1000;
        const eta = finished > 0 ? ((todo - finished) * el) / finished : 0;
        const top1 = run?.summary?.testTop1;
        log(`[${finished}/${todo}] run ${runId} ${run?.name ?? ''}: ${status}${typeof top1 === 'number' ? ` top-1 ${(top1 * 100).toFixed(2)}%` : ''}${error ? ` (${error})` : ''}; ${Math.round(el)} s elapsed, ~${Math.round(eta / 60)} min left`);
      },
      onChange: () => {},
    }, { concurrency });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    queue.start();
    const onCluster = studyRuns(store, sweepName).filter((r) => (r.status === 'queued' || r.status === 'running') && store.clusterRun(r.id));
    if (onCluster.length) throw new Error(`${onCluster.length} runs of '${sweepName}' have not finished on the cluster yet: sync their bundles first (noisynn sync ${store.clusterRun(onCluster[0].id)!.bundlePath.replace(/\/runs\/\d+$/, '')})`);
    for (;;) {
      const open = studyRuns(store, sweepName).filter((r) => r.status === 'queued' || r.status === 'running');
      if (open.length === 0 && queue.state().running.length === 0) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await queue.dispose();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);

    const runs = studyRuns(store, sweepName);
    const done = runs.filter((r) => r.status === 'completed');
    const rows = studyResults(store, sweepName);
    const claims = studyClaims(rows);
    const budget = STUDY_BUDGETS[mode];
    const meta: StudyMeta = {
      command, date: new Date().toISOString(), ...machine(),
      backend: [...new Set(done.map((r) => r.backend ?? 'unknown'))].join(', ') || 'none',
      versions: done[0]?.versions ?? packageVersions(),
      wallSeconds: (Date.now() - t0) / 1000,
      spanSeconds: span(runs),
      runs: { total: runs.length, completed: done.length, failed: runs.length - done.length, before },
      settings: `${mode}: ${budget.epochs ? `${budget.epochs} epoch, ${budget.limitTrain} training images (seeded subset), first ${budget.limitTest} test images, batch ${budget.batchSize}, mnist-vit lr 1e-3 (presets otherwise)` : 'the presets\' full settings (all data)'}; ` +
        'presets mnist-vit (4 blocks, dim 64, noise at block 3 on the attention input, class token untouched) and mnist-cnn (3-stage ResNet, noise at the input of stage 3 block 1); ' +
        `embedding-level noise; test batch 10; seeds ${[...new Set(runs.map((r) => r.seed))].sort((x, y) => x - y).join(', ')}; git ${gitCommit() ?? 'unknown'}`,
    };
    mkdirSync(outDir, { recursive: true });
    const base = mode === 'full' ? 'reproduction' : `reproduction-${mode}`;
    const mdFile = join(outDir, `${base}.md`);
    const csvFile = join(outDir, `${base}.csv`);
    writeFileSync(mdFile, renderMarkdown(meta, rows, claims));
    writeFileSync(csvFile, renderCsv(rows));
    log(`${done.length} of ${runs.length} runs completed in ${Math.round(meta.wallSeconds)} s; wrote ${mdFile} and ${csvFile}`);
    for (const c of claims) log(`- ${c.claim}: ${c.verdict}`);
    if (a.flags.json) printJson({ sweepId, sweepName, runs: runs.length, completed: done.length, wallSeconds: meta.wallSeconds, markdown: mdFile, csv: csvFile, claims });
    return done.length === runs.length ? 0 : 1;
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
    const runs = (await missingConfigs(store, mode, sweepName)).map(({ config }) => ({ config, dataset: store.datasetByName(config.dataset)! }));
    if (runs.length === 0) throw new Error(`every run of '${sweepName}' is already in ${dataDir}; write the report with: noisynn study reproduce${mode === 'full' ? '' : ` --${mode}`}`);
    const sub = { name: sweepName, bundleDir: target.bundleDir, runs, slurm: target.slurm, env: target.env };
    if (a.flags['dry-run']) {
      process.stdout.write(sweepScript(sub));
      return 0;
    }
    const done = submitSweep({ ...sub, cluster: target.profile?.name, versions: packageVersions(), gitCommit: gitCommit(), spec: { study: 'reproduce', mode }, tags: [studyTag(sweepName)] });
    const out = { sweepDir: done.sweepDir, jobId: done.jobId, runs: done.bundles.length };
    if (a.flags.json) printJson(out);
    else console.log(`submitted ${out.runs} runs of '${sweepName}' as Slurm job array ${out.jobId}\nthen: noisynn sync ${out.sweepDir} && noisynn study reproduce${mode === 'full' ? '' : ` --${mode}`}   # writes the report`);
    return 0;
  } finally {
    store.close();
  }
}
