// A process's identity is its pid plus its start time: after a reboot or a wrap-around the same pid
// can name another process, and a 'running' row must not stay owned by a stranger.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * An opaque start-time stamp of `pid`, or null when the process does not exist (or cannot be read).
 * On Linux a zombie (exited, not yet reaped: a killed CLI's trainers until init reaps them) counts as gone.
 */
export function processStart(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 3 is the state, field 22 the start time (clock ticks since boot); the command name
      // (field 2) may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') return null;
      return fields[19] ?? null;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return out || null;
  } catch {
    return null;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether the process recorded as (pid, start) still runs: same pid and, when a start was recorded, the same start. */
export function processAlive(pid: number, start: string | null): boolean {
  if (!pidExists(pid)) return false;
  const now = processStart(pid);
  if (process.platform === 'linux' && now === null) return false; // exited (a zombie) or gone since the check
  if (start === null) return true; // a row from before start times were recorded: the pid is all we know
  return now === null || now === start;
}
