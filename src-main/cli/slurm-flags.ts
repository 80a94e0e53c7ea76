// The `--slurm` flags that `sweep submit` and `study reproduce` share: options over a cluster profile's defaults.
import { slurmTargetOf, type SlurmTarget } from '../cluster/profile';
import type { SlurmOptions } from '../cluster/slurm';
import { UsageError, type ParsedArgs } from './args';
import type { OptionSpec } from './program';

export const SLURM_OPTIONS: OptionSpec[] = [
  { flag: 'slurm', help: 'submit to Slurm as one job array of run bundles instead of running here' },
  { flag: 'bundle-dir', value: 'DIR', help: 'with --slurm: the folder for the bundles, on a filesystem the nodes share' },
  { flag: 'cluster', value: 'NAME', help: 'with --slurm: a cluster profile (noisynn cluster add) for the defaults below' },
  { flag: 'partition', value: 'P', help: 'with --slurm: sbatch --partition' },
  { flag: 'time', value: 'T', help: 'with --slurm: sbatch --time per task' },
  { flag: 'cpus-per-task', value: 'N', help: 'with --slurm: sbatch --cpus-per-task' },
  { flag: 'gres', value: 'G', help: 'with --slurm: sbatch --gres (e.g. gpu:1)' },
  { flag: 'account', value: 'A', help: 'with --slurm: sbatch --account' },
  { flag: 'array-parallel', value: 'K', help: 'with --slurm: at most K tasks of the array at once' },
  { flag: 'sbatch-arg', value: 'ARG', help: 'with --slurm: any other sbatch argument (repeatable)', repeatable: true },
];
const SLURM_VALUES = SLURM_OPTIONS.filter((o) => o.value).map((o) => o.flag);
export const SLURM_USAGE =
  '--slurm --bundle-dir DIR [--cluster NAME] [--partition P] [--time T] [--cpus-per-task N] [--gres G] [--account A] [--array-parallel K] [--sbatch-arg ARG ...]';

export const posInt = (flag: string, v: unknown): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer (got ${String(v)})`);
  return n;
};

/** Refuses Slurm options without --slurm (they would be silently ignored). */
export function checkSlurmFlags(a: ParsedArgs): void {
  if (a.flags.slurm === true) return;
  const given = SLURM_VALUES.find((f) => a.flags[f] !== undefined || a.lists[f]?.length);
  if (given) throw new UsageError(`--${given} needs --slurm`);
}

export function slurmTarget(a: ParsedArgs, dataDir: string, backend: string | undefined): SlurmTarget {
  const bundleDir = a.flags['bundle-dir'] as string | undefined;
  if (!bundleDir) throw new UsageError('--slurm needs --bundle-dir DIR (a folder on the filesystem the nodes share)');
  const options: SlurmOptions = {
    ...(a.flags.partition !== undefined && { partition: a.flags.partition as string }),
    ...(a.flags.time !== undefined && { time: a.flags.time as string }),
    ...(a.flags['cpus-per-task'] !== undefined && { cpusPerTask: posInt('cpus-per-task', a.flags['cpus-per-task']) }),
    ...(a.flags.gres !== undefined && { gres: a.flags.gres as string }),
    ...(a.flags.account !== undefined && { account: a.flags.account as string }),
    ...(a.flags['array-parallel'] !== undefined && { arrayParallel: posInt('array-parallel', a.flags['array-parallel']) }),
    sbatchArgs: a.lists['sbatch-arg'] ?? [],
  };
  return slurmTargetOf(dataDir, { cluster: a.flags.cluster as string | undefined, bundleDir, options, backend });
}
