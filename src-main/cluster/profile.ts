// Cluster profiles: what a task needs on a cluster (project path, node, backend, modules, default sbatch
// options), configured once with `noisynn cluster add` and kept in the data dir as clusters.json.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SlurmOptions, TaskEnvironment } from './slurm';

export interface ClusterProfile extends TaskEnvironment {
  name: string;
  slurm: SlurmOptions;
}

const FILE = 'clusters.json';

export function profilesPath(dataDir: string): string {
  return join(dataDir, FILE);
}

export function readProfiles(dataDir: string): ClusterProfile[] {
  const path = profilesPath(dataDir);
  if (!existsSync(path)) return [];
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(v)) throw new Error(`${path}: expected a list of cluster profiles`);
  v.forEach((p, i) => {
    if (!p || typeof p.name !== 'string' || typeof p.projectDir !== 'string' || typeof p.node !== 'string') {
      throw new Error(`${path}: profile ${i} needs name, projectDir and node`);
    }
  });
  return v as ClusterProfile[];
}

export function profile(dataDir: string, name: string): ClusterProfile {
  const all = readProfiles(dataDir);
  const p = all.find((x) => x.name === name);
  if (!p)
    throw new Error(
      `no cluster profile '${name}' in ${profilesPath(dataDir)} (known: ${all.map((x) => x.name).join(', ') || 'none'}); add one with: noisynn cluster add ${name} ...`,
    );
  return p;
}

/** Adds or replaces a profile by name. */
export function saveProfile(dataDir: string, p: ClusterProfile): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(p.name)) throw new Error(`cluster name '${p.name}' may hold only letters, digits, '_', '.', '-'`);
  const all = readProfiles(dataDir).filter((x) => x.name !== p.name);
  all.push(p);
  const path = profilesPath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeProfile(dataDir: string, name: string): boolean {
  const all = readProfiles(dataDir);
  const rest = all.filter((x) => x.name !== name);
  if (rest.length === all.length) return false;
  writeFileSync(profilesPath(dataDir), `${JSON.stringify(rest, null, 2)}\n`);
  return true;
}

/** Where and how a sweep runs on Slurm: the bundle folder, sbatch options, and the tasks' environment. */
export interface SlurmTarget {
  bundleDir: string;
  slurm: SlurmOptions;
  env: TaskEnvironment;
  profile?: ClusterProfile;
}

/**
 * A profile's defaults under the given options (`sweep submit --slurm` flags, the app's sweep form). Without a
 * profile the task runs this checkout with this node (a cluster whose nodes see this filesystem).
 */
export function slurmTargetOf(
  dataDir: string,
  o: { cluster?: string; bundleDir: string; options?: SlurmOptions; backend?: string },
): SlurmTarget {
  const prof = o.cluster ? profile(dataDir, o.cluster) : undefined;
  const slurm: SlurmOptions = {
    ...prof?.slurm,
    ...o.options,
    sbatchArgs: [...(prof?.slurm.sbatchArgs ?? []), ...(o.options?.sbatchArgs ?? [])],
  };
  const env: TaskEnvironment = prof
    ? { ...prof, backend: o.backend ?? prof.backend }
    : { projectDir: resolve(import.meta.dirname, '..', '..'), node: process.execPath, backend: o.backend };
  return { bundleDir: o.bundleDir, slurm, env, profile: prof };
}
