// Talking to Slurm: the job-array script, sbatch, and the task states from squeue (and sacct where the
// cluster keeps accounting). Slurm schedules; the workbench only submits, reads states and cancels.
import { execFileSync, spawnSync } from 'node:child_process';

export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  gres?: string;
  account?: string;
  /** At most this many array tasks at once (`--array=0-N%K`). */
  arrayParallel?: number;
  /** Extra `#SBATCH` arguments, verbatim (e.g. `--mem=4G`). */
  sbatchArgs?: string[];
}

/** What a task needs on the node: set once per cluster profile (`noisynn cluster add`). */
export interface TaskEnvironment {
  /** The workbench checkout on the cluster's filesystem (holds bin/noisynn.mjs and node_modules). */
  projectDir: string;
  /** The node binary on the nodes. */
  node: string;
  backend?: string;
  /** `module load` lines. */
  modules?: string[];
  /** Shell lines run before training (e.g. `source /opt/env.sh`). */
  setup?: string[];
}

const quote = (s: string): string => (/^[A-Za-z0-9_\-./:=%@+,]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The sbatch script of a sweep: one array task per run bundle `<runsDir>/NNNN`. */
export function sbatchScript(o: {
  name: string;
  count: number;
  runsDir: string;
  logsDir: string;
  slurm: SlurmOptions;
  env: TaskEnvironment;
}): string {
  const s = o.slurm;
  const array = `0-${o.count - 1}${s.arrayParallel ? `%${s.arrayParallel}` : ''}`;
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${quote(`noisynn-${o.name}`)}`,
    `#SBATCH --array=${array}`,
    `#SBATCH --output=${quote(`${o.logsDir}/task-%a.out`)}`,
    '#SBATCH --open-mode=append',
    // Slurm may run a task again (node failure, preemption, scontrol requeue): it resumes from its checkpoint.
    '#SBATCH --requeue',
    '#SBATCH --ntasks=1',
  ];
  if (s.partition) lines.push(`#SBATCH --partition=${quote(s.partition)}`);
  if (s.time) lines.push(`#SBATCH --time=${quote(s.time)}`);
  if (s.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${s.cpusPerTask}`);
  if (s.gres) lines.push(`#SBATCH --gres=${quote(s.gres)}`);
  if (s.account) lines.push(`#SBATCH --account=${quote(s.account)}`);
  for (const a of s.sbatchArgs ?? []) lines.push(`#SBATCH ${a}`);
  lines.push('set -euo pipefail');
  for (const m of o.env.modules ?? []) lines.push(`module load ${m}`);
  for (const l of o.env.setup ?? []) lines.push(l);
  if (o.env.backend) lines.push(`export NOISYNN_BACKEND=${quote(o.env.backend)}`);
  lines.push(`cd ${quote(o.env.projectDir)}`);
  lines.push(`bundle=${quote(o.runsDir)}/$(printf %04d "$SLURM_ARRAY_TASK_ID")`);
  // exec: Slurm's SIGTERM reaches the trainer itself, which stops after its step and keeps its checkpoint.
  lines.push(`exec ${quote(o.env.node)} ${quote(`${o.env.projectDir}/bin/noisynn.mjs`)} train --bundle "$bundle"`);
  return `${lines.join('\n')}\n`;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(
      `${cmd} cannot be run: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH (is this a Slurm login node?)' : r.error.message}`,
    );
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Submits a script; returns the job id. */
export function sbatch(scriptPath: string): string {
  const out = run('sbatch', ['--parsable', scriptPath]).trim();
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed '${out}', not a job id`);
  return id;
}

export function scancel(jobId: string): void {
  run('scancel', [jobId]);
}

export interface TaskState {
  /** Slurm's state name: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, ... */
  state: string;
  reason: string | null;
}

// The app's backend asks every second: a slow controller must not stall it for long (no answer = no word).
const QUERY_TIMEOUT_MS = 5000;

export const ACTIVE_STATES = new Set([
  'PENDING',
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESIZING',
  'SUSPENDED',
  'SIGNALING',
  'STAGE_OUT',
]);

/** States of array tasks keyed `JOB_INDEX`; tasks Slurm no longer reports are absent. Never throws. */
export function taskStates(jobIds: string[]): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  const ids = [...new Set(jobIds)].filter((j) => /^\d+$/.test(j));
  if (ids.length === 0) return out;
  // sacct first (it remembers finished jobs), then squeue (authoritative for live ones, and all there is without accounting).
  try {
    const text = execFileSync('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: QUERY_TIMEOUT_MS,
    });
    for (const line of text.split('\n')) {
      const [id, state] = line.split('|');
      if (id && state && /^\d+_\d+$/.test(id)) out.set(id, { state: state.split(' ')[0], reason: null });
    }
  } catch {
    /* no accounting on this cluster */
  }
  try {
    const text = execFileSync('squeue', ['-h', '-r', '--states=all', '-j', ids.join(','), '-o', '%i|%T|%r'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: QUERY_TIMEOUT_MS,
    });
    for (const line of text.split('\n')) {
      const [id, state, reason] = line.split('|');
      if (id && state && /^\d+_\d+$/.test(id)) out.set(id, { state, reason: reason && reason !== 'None' ? reason : null });
    }
  } catch {
    /* the job is gone from the controller */
  }
  return out;
}
