// A real single-node Slurm for a test file: scripts/slurm-local.sh in a private folder, stopped when the file ends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from './tmp';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'slurm-local.sh');
const dir = tempDir('noisynn-slurm-');
// The CLI and servers the test starts inherit it: they all talk to this cluster.
process.env.SLURM_CONF = join(dir, 'slurm.conf');
const env = { ...process.env, NOISYNN_SLURM_DIR: dir };

export function startSlurm(): void {
  const r = spawnSync('bash', [script, 'start'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, `the local Slurm cluster did not start: ${r.stderr}${r.stdout}`);
}

/** Cancels every job and stops the daemons. */
export function stopSlurm(): void {
  spawnSync('bash', [script, 'stop'], { encoding: 'utf8', env });
}

export function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export const tryRun = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { env }).status === 0;

/** Array tasks of a job that Slurm still lists as pending or running. */
export const activeTasks = (jobId: string): string[] => sh('squeue', '-h', '-r', '-j', jobId, '-o', '%i').split('\n').filter(Boolean);

export async function waitFor(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 120_000, everyMs = 200): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
