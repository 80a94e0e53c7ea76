// `noisynn cluster add|list|remove`: cluster profiles, kept in the data dir (cluster/profile.ts).
import { resolve } from 'node:path';
import { profilesPath, readProfiles, removeProfile, saveProfile, type ClusterProfile } from '../cluster/profile';
import { resolveDataDir } from '../store';
import { UsageError, type ParsedArgs } from './args';
import { printJson, printTable } from './output';

const USAGE = `usage: noisynn cluster add NAME [--project-dir DIR] [--node PATH] [--backend B] [--module M ...] [--setup LINE ...]
         [--partition P] [--time T] [--cpus-per-task N] [--gres G] [--account A] [--array-parallel K] [--sbatch-arg ARG ...]
       noisynn cluster list | remove NAME`;

export async function clusterCommand(a: ParsedArgs): Promise<number> {
  const [sub, name, ...rest] = a.positionals;
  if (rest.length) throw new UsageError(USAGE);
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  const int = (flag: string) => {
    const v = a.flags[flag];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer (got ${String(v)})`);
    return n;
  };
  if (sub === 'add' && name) {
    const p: ClusterProfile = {
      name,
      projectDir: resolve((a.flags['project-dir'] as string | undefined) ?? resolve(import.meta.dirname, '..', '..')),
      node: (a.flags.node as string | undefined) ?? process.execPath,
      ...(a.flags.backend !== undefined && { backend: a.flags.backend as string }),
      modules: a.lists.module ?? [],
      setup: a.lists.setup ?? [],
      slurm: {
        ...(a.flags.partition !== undefined && { partition: a.flags.partition as string }),
        ...(a.flags.time !== undefined && { time: a.flags.time as string }),
        ...(a.flags['cpus-per-task'] !== undefined && { cpusPerTask: int('cpus-per-task') }),
        ...(a.flags.gres !== undefined && { gres: a.flags.gres as string }),
        ...(a.flags.account !== undefined && { account: a.flags.account as string }),
        ...(a.flags['array-parallel'] !== undefined && { arrayParallel: int('array-parallel') }),
        sbatchArgs: a.lists['sbatch-arg'] ?? [],
      },
    };
    saveProfile(dataDir, p);
    if (a.flags.json) printJson({ profile: p, file: profilesPath(dataDir) });
    else console.log(`cluster '${name}' saved in ${profilesPath(dataDir)}`);
    return 0;
  }
  if (sub === 'list' && !name) {
    const all = readProfiles(dataDir);
    if (a.flags.json) printJson({ clusters: all });
    else
      printTable(
        all.map((p) => ({
          name: p.name,
          project: p.projectDir,
          node: p.node,
          backend: p.backend ?? '',
          partition: p.slurm.partition ?? '',
        })),
      );
    return 0;
  }
  if (sub === 'remove' && name) {
    if (!removeProfile(dataDir, name)) throw new Error(`no cluster profile '${name}' in ${profilesPath(dataDir)}`);
    if (a.flags.json) printJson({ removed: name });
    return 0;
  }
  throw new UsageError(USAGE);
}
