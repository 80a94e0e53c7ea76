// A sweep on Slurm: one bundle per run under <bundle-dir>/<sweep>/runs/NNNN, one sbatch job array over them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig } from '../engine/config/types';
import { gitCommit, packageVersions } from '../runner/provenance';
import type { StoredDataset } from '../store';
import { createBundle, setBundleSlurm, type BundleRun } from './bundle';
import type { SlurmTarget } from './profile';
import { sbatch, sbatchScript, type SlurmOptions, type TaskEnvironment } from './slurm';

export interface SweepSubmission {
  name: string;
  bundleDir: string;
  runs: { config: RunConfig; dataset: StoredDataset }[];
  slurm: SlurmOptions;
  env: TaskEnvironment;
  cluster?: string;
  versions: Record<string, string>;
  gitCommit: string | null;
  spec: unknown;
  tags?: string[];
}

export interface Submitted {
  sweepDir: string;
  script: string;
  scriptPath: string;
  jobId: string | null;
  bundles: { dir: string; uuid: string }[];
}

export const sweepDirOf = (bundleDir: string, name: string): string => join(resolve(bundleDir), name);

/** The script alone, for --dry-run: nothing is written. */
export function sweepScript(s: Pick<SweepSubmission, 'name' | 'bundleDir' | 'runs' | 'slurm' | 'env'>): string {
  const dir = sweepDirOf(s.bundleDir, s.name);
  return sbatchScript({
    name: s.name,
    count: s.runs.length,
    runsDir: join(dir, 'runs'),
    logsDir: join(dir, 'logs'),
    slurm: s.slurm,
    env: s.env,
  });
}

/** Writes the bundles and the script, submits the array, and records the job id in every bundle. */
export function submitSweep(s: SweepSubmission): Submitted {
  if (!/^[A-Za-z0-9_.-]+$/.test(s.name))
    throw new Error(`sweep name '${s.name}' may hold only letters, digits, '_', '.', '-' (it names a folder)`);
  if (s.runs.length === 0) throw new Error('the sweep has no runs');
  const sweepDir = sweepDirOf(s.bundleDir, s.name);
  if (existsSync(sweepDir)) throw new Error(`${sweepDir} already exists: choose another --name or --bundle-dir`);
  mkdirSync(join(sweepDir, 'logs'), { recursive: true });
  const bundles = s.runs.map((r, index) => {
    const dir = join(sweepDir, 'runs', String(index).padStart(4, '0'));
    const d = r.dataset;
    const run: BundleRun = createBundle(dir, {
      name: r.config.name ?? null,
      config: r.config as unknown as Record<string, unknown>,
      seed: r.config.seed,
      dataset: { name: d.name, kind: d.kind, path: d.path, shape: d.shape as [number, number, number], contentHash: d.contentHash },
      versions: s.versions,
      gitCommit: s.gitCommit,
      sweep: { name: s.name, index },
      ...(s.tags?.length && { tags: s.tags }),
    });
    return { dir, uuid: run.uuid };
  });
  writeFileSync(
    join(sweepDir, 'sweep.json'),
    `${JSON.stringify({ name: s.name, cluster: s.cluster ?? null, spec: s.spec, runs: bundles.length }, null, 2)}\n`,
  );
  const script = sweepScript(s);
  const scriptPath = join(sweepDir, 'submit.sbatch');
  writeFileSync(scriptPath, script, { mode: 0o755 });
  const jobId = sbatch(scriptPath);
  bundles.forEach((b, arrayIndex) => setBundleSlurm(b.dir, { jobId, arrayIndex, cluster: s.cluster }));
  return { sweepDir, script, scriptPath, jobId, bundles };
}

/** A sweep on a Slurm target with this checkout's provenance: `sweep submit --slurm`, `study reproduce --slurm`, the app. */
export function submitTo(target: SlurmTarget, s: Pick<SweepSubmission, 'name' | 'runs' | 'spec' | 'tags'>): Submitted {
  return submitSweep({
    ...s,
    bundleDir: target.bundleDir,
    slurm: target.slurm,
    env: target.env,
    cluster: target.profile?.name,
    versions: packageVersions(),
    gitCommit: gitCommit(),
  });
}
