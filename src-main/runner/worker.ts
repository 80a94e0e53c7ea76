// Entry of a trainer process (forked by launch.ts; the Electron main process forks the same file).
// One job per process: the caller's event loop never runs training, and a crash here cannot take it down.
import { initBackend } from '../engine/backend';
import { openStore } from '../store';
import { runAnalysis, runEntropyTable } from './analysis';
import { evalJob, trainJob } from './jobs';
import type { FromWorker, Job, ToWorker } from './messages';

let cancelled = false;
let requeue = false;
let current: Job | undefined;

// The last send must be flushed before disconnecting, or a large message (an analysis result) is dropped.
let flushed: Promise<void> = Promise.resolve();

function send(m: FromWorker): void {
  // With a callback, a send on a broken channel (the caller was killed) does not emit an 'error' that kills us.
  if (process.connected) flushed = new Promise((resolve) => process.send?.(m, undefined, undefined, () => resolve()));
}

// Any instance may cancel a run through the store (runs.cancel in another app, a stale owner's row):
// the trainer looks at most every STORE_POLL_MS, between steps.
const STORE_POLL_MS = 200;
let lastPoll = 0;
function cancelRequestedInStore(store: ReturnType<typeof openStore>, job: Job): boolean {
  if (job.kind !== 'train' && job.kind !== 'resume') return false;
  const now = Date.now();
  if (now - lastPoll < STORE_POLL_MS) return false;
  lastPoll = now;
  if (!store.cancelRequested(job.runId)) return false;
  cancelled = true;
  requeue = false;
  return true;
}

async function run(job: Job): Promise<void> {
  const store = openStore(job.dataDir);
  try {
    const backend = await initBackend();
    // Stored with the run: '+fma' marks wasm runs whose GEMMs used fused multiply-adds (last-bit numerics).
    const name = backend.fma ? `${backend.name}+fma` : backend.name;
    send({ type: 'backend', backend: { name, reason: backend.reason } });
    const ctx = {
      store,
      backend: name,
      send,
      shouldStop: () => cancelled || cancelRequestedInStore(store, job),
      requeueOnStop: () => requeue,
    };
    if (job.kind === 'analyse' || job.kind === 'entropy-table') {
      await analysisJob(job, store);
      return;
    }
    try {
      send(job.kind === 'eval' ? await evalJob(job, ctx) : await trainJob(job, ctx));
    } catch (e) {
      const error = (e as Error).message;
      // Only a run this trainer owns: a refused claim must not end another process's run.
      const run = job.kind === 'eval' ? undefined : store.getRun(job.runId);
      if (run?.status === 'running' && run.pid === process.pid) store.finishRun(job.runId, 'failed', { error });
      send({ type: 'done', status: 'failed', runId: job.runId, error, evaluations: [], imagesPerSecond: 0, epochs: 0 });
    }
  } finally {
    store.close();
  }
}

async function analysisJob(job: Extract<Job, { kind: 'analyse' | 'entropy-table' }>, store: ReturnType<typeof openStore>): Promise<void> {
  const ctx = {
    store,
    dataDir: job.dataDir,
    progress: (phase: string, done: number, total: number) => send({ type: 'analysis-progress', phase, done, total }),
    shouldStop: () => cancelled,
  };
  try {
    if (job.kind === 'analyse') send({ type: 'analysis-done', analysis: await runAnalysis(job.jobId, job.request, ctx) });
    else send({ type: 'analysis-done', table: await runEntropyTable(job.request, ctx) });
  } catch (e) {
    send({ type: 'analysis-done', error: (e as Error).message });
  }
}

// Signals belong to the parent: Ctrl-C in a terminal reaches the whole process group, and the parent
// decides what it means (the CLI cancels the run, the app puts it back in the queue) and tells us.
process.on('SIGINT', () => {});

process.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') {
    cancelled = true;
    requeue = m.requeue === true;
  } else if (m.type === 'start') {
    current = m.job;
    run(m.job).then(
      async () => {
        await flushed;
        if (process.connected) process.disconnect();
      },
      (e: Error) => {
        console.error(e);
        process.exit(1);
      },
    );
  }
});
process.on('disconnect', () => {
  // The caller went away: finish the current step, then cancel or requeue the run as the job asked.
  cancelled = true;
  if (current && (current.kind === 'train' || current.kind === 'resume')) requeue = current.onCallerLoss === 'requeue';
});
