// `noisynn sweep submit`: a grid or random sweep over a base config, run locally through the run queue, or on
// Slurm as one job array of run bundles (`--slurm`).
import { fitToDataset, mergeConfig, validateConfig, type RunConfig } from '../engine/config';
import { submitTo, sweepScript } from '../cluster/submit';
import { ensureBuiltins, openDataset } from '../runner/datasets';
import { gitCommit, packageVersions } from '../runner/provenance';
import { RunQueue } from '../runner/queue';
import { expandSweep, type SweepAxis, type SweepSpec } from '../runner/sweep';
import { openStore, resolveDataDir, type Store, type StoredDataset } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { buildConfig } from './config-flags';
import { printJson } from './output';
import { checkSlurmFlags, posInt, SLURM_USAGE, slurmTarget } from './slurm-flags';

const USAGE = `usage: noisynn sweep submit --name N [train flags: the base config] --grid PATH=V1,V2 ... | --random PATH=V1,V2|LO:HI ... --samples S
       [${SLURM_USAGE}] [--concurrency N] [--backend B] [--dry-run] [--json]`;

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function axes(flag: string, specs: string[]): SweepAxis[] {
  return specs.map((s) => {
    const eq = s.indexOf('=');
    if (eq < 1 || eq === s.length - 1)
      throw new UsageError(`--${flag} expects PATH=V1,V2,...${flag === 'random' ? ' or PATH=LO:HI' : ''} (got '${s}')`);
    const path = s.slice(0, eq);
    const rest = s.slice(eq + 1);
    const range = /^([^:,]+):([^:,]+)$/.exec(rest);
    if (flag === 'random' && range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new UsageError(`--random ${path}: LO:HI must be numbers (got '${rest}')`);
      return { path, values: [], range: [lo, hi] };
    }
    return { path, values: rest.split(',').map(parseValue) };
  });
}

/** Every point's config, fitted to its dataset and validated, before anything is written. */
async function resolvePoints(store: Store, base: RunConfig, spec: SweepSpec): Promise<{ config: RunConfig; dataset: StoredDataset }[]> {
  await ensureBuiltins(store);
  return Promise.all(
    expandSweep(spec).map(async (over, i) => {
      const merged = mergeConfig(base, over);
      const { data } = await openDataset(store, merged.dataset);
      const config = fitToDataset(merged, data.info);
      config.name = `${spec.name}-${String(i).padStart(4, '0')}`;
      try {
        validateConfig(config);
      } catch (e) {
        throw new Error(`sweep point ${i} (${JSON.stringify(over)}): ${(e as Error).message}`);
      }
      return { config, dataset: store.datasetByName(config.dataset)! };
    }),
  );
}

export async function sweepCommand(a: ParsedArgs): Promise<number> {
  if (a.positionals[0] !== 'submit' || a.positionals.length !== 1) throw new UsageError(USAGE);
  const name = a.flags.name as string | undefined;
  if (!name) throw new UsageError(`--name is required\n${USAGE}`);
  const grid = axes('grid', a.lists.grid ?? []);
  const random = axes('random', a.lists.random ?? []);
  if (grid.length && random.length) throw new UsageError('use --grid or --random, not both');
  if (!grid.length && !random.length) throw new UsageError(`a sweep needs at least one --grid or --random axis\n${USAGE}`);
  const spec: SweepSpec = {
    name,
    base: {},
    mode: grid.length ? 'grid' : 'random',
    axes: grid.length ? grid : random,
    samples: posInt('samples', a.flags.samples),
    seed: a.flags['sweep-seed'] === undefined ? undefined : Number(a.flags['sweep-seed']),
  };
  const slurmMode = a.flags.slurm === true;
  checkSlurmFlags(a);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const base = buildConfig({
    preset: a.flags.preset as string,
    model: a.flags.model as string,
    configFile: a.flags.config as string,
    flags: a.flags,
    sets: a.lists.set,
  });
  const backend = a.flags.backend as string | undefined;
  const store = openStore(dataDir);
  try {
    const points = await resolvePoints(store, base, spec);
    if (slurmMode) return submitToSlurm(a, dataDir, name, points, backend, spec);
    if (a.flags['dry-run']) {
      for (const p of points) console.log(JSON.stringify(p.config));
      return 0;
    }
    return await runLocally(store, dataDir, spec, points, {
      backend,
      concurrency: posInt('concurrency', a.flags.concurrency) ?? 1,
      json: a.flags.json === true,
    });
  } finally {
    store.close();
  }
}

function submitToSlurm(
  a: ParsedArgs,
  dataDir: string,
  name: string,
  points: { config: RunConfig; dataset: StoredDataset }[],
  backend: string | undefined,
  spec: SweepSpec,
): number {
  const target = slurmTarget(a, dataDir, backend);
  if (a.flags['dry-run']) {
    process.stdout.write(sweepScript({ name, bundleDir: target.bundleDir, runs: points, slurm: target.slurm, env: target.env }));
    return 0;
  }
  const done = submitTo(target, { name, runs: points, spec: { ...spec, base: points[0]?.config } });
  const out = { sweepDir: done.sweepDir, jobId: done.jobId, runs: done.bundles.length, script: done.scriptPath };
  if (a.flags.json) printJson(out);
  else
    console.log(
      `submitted ${out.runs} runs as Slurm job array ${out.jobId}; bundles in ${out.sweepDir}\nfollow with: noisynn sync ${out.sweepDir}`,
    );
  return 0;
}

async function runLocally(
  store: Store,
  dataDir: string,
  spec: SweepSpec,
  points: { config: RunConfig; dataset: StoredDataset }[],
  o: { backend?: string; concurrency: number; json: boolean },
): Promise<number> {
  // The trainers inherit this environment: a pinned backend applies to every run of the sweep.
  if (o.backend) process.env.NOISYNN_BACKEND = o.backend;
  const sweepId = store.createSweep(spec.name, { ...spec, base: points[0]?.config });
  const versions = packageVersions();
  const commit = gitCommit();
  const ids = points.map((p) =>
    store.createRun({
      name: p.config.name,
      config: p.config,
      seed: p.config.seed,
      datasetId: p.dataset.id,
      sweepId,
      versions,
      gitCommit: commit,
      status: 'queued',
    }),
  );
  const log = (s: string) => (o.json ? process.stderr.write(`${s}\n`) : console.log(s));
  log(`sweep '${spec.name}' (${sweepId}): ${ids.length} runs, ${o.concurrency} at a time`);
  const queue = new RunQueue(
    store,
    dataDir,
    {
      onEvent: () => {},
      onExit: (runId, status, error) => log(`run ${runId}: ${status}${error ? ` (${error})` : ''}`),
      onChange: () => {},
    },
    { concurrency: o.concurrency },
  );
  queue.start();
  try {
    for (;;) {
      const open = ids.filter((id) => ['queued', 'running'].includes(store.getRun(id)!.status));
      if (open.length === 0 && queue.state().running.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await queue.dispose();
  }
  const runs = ids.map((id) => ({ runId: id, status: store.getRun(id)!.status }));
  if (o.json) printJson({ sweepId, runs });
  return runs.every((r) => r.status === 'completed') ? 0 : 1;
}
