// Starts a trainer process for one job and follows it. If the process dies without reporting an end
// (SIGKILL, OOM, native crash), its run is marked 'crashed' here; the store's own pid check covers the
// case where the caller died too.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../store';
import type { FromWorker, Job, RunJob, ToWorker } from './messages';

const here = dirname(fileURLToPath(import.meta.url));

export interface WorkerExit {
  /** The job's final report; absent when the process died without one. */
  done?: Extract<FromWorker, { type: 'done' }>;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningJob {
  pid: number;
  done: Promise<WorkerExit>;
  cancel(): void;
  /** Stop at the next step and put the run back in the queue (app shutdown). */
  stop(): void;
  kill(signal?: NodeJS.Signals): void;
}

export function launch(job: Job, onEvent: (m: FromWorker) => void = () => {}, env: NodeJS.ProcessEnv = process.env): RunningJob {
  // tsx runs the TypeScript entry without a build step; trainers always run under Node (the backend host's
  // or the CLI's), never under Electron (docs/architecture.md, "Processes").
  const entry = join(here, 'worker.ts');
  const execArgv = ['--import', 'tsx'];
  const child = fork(entry, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let done: WorkerExit['done'];
  child.on('message', (m: FromWorker) => {
    if (m.type === 'done') done = m;
    onEvent(m);
  });
  const finished = new Promise<WorkerExit>((resolve) => {
    child.on('exit', (code, signal) => {
      if (!done && (job.kind === 'train' || job.kind === 'resume')) markCrashed(job, code, signal);
      resolve({ done, code, signal });
    });
  });
  child.send({ type: 'start', job } satisfies ToWorker);
  return {
    pid: child.pid!,
    done: finished,
    cancel: () => child.connected && child.send({ type: 'cancel' } satisfies ToWorker),
    stop: () => child.connected && child.send({ type: 'cancel', requeue: true } satisfies ToWorker),
    kill: (signal = 'SIGKILL') => child.kill(signal),
  };
}

function markCrashed(job: RunJob, code: number | null, signal: NodeJS.Signals | null): void {
  // Runs in the child's exit handler, in the caller's process (the server): a store that cannot be
  // opened or written now (full disk, a lock) is logged, and the next open's pid check marks the run.
  try {
    markCrashedIn(job, code, signal);
  } catch (e) {
    console.error(`run ${job.runId}: could not record that its trainer ended: ${(e as Error).message}`);
  }
}

function markCrashedIn(job: RunJob, code: number | null, signal: NodeJS.Signals | null): void {
  const store = openStore(job.dataDir); // opening also applies the pid-based crash recovery
  try {
    const run = store.getRun(job.runId);
    // Opening may already have marked it crashed ("process is gone"); the exit signal says more.
    if (run && (run.status === 'running' || run.status === 'crashed')) {
      store.finishRun(job.runId, 'crashed', {
        error: `trainer process ended ${signal ? `by ${signal}` : `with exit code ${code}`} before finishing`,
      });
    }
  } finally {
    store.close();
  }
}
