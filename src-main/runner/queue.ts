// The app's persistent run queue: runs wait in the store as 'queued' and are executed by up to
// `concurrency` trainer processes, oldest first. Nothing lives only in memory: after a restart the
// queue picks up where it was, and runs interrupted by the stop are requeued and resumed from their
// last checkpoint. Claiming a run is atomic in SQLite, so two app instances never run the same one.
import type { FromWorker } from './messages';
import { launch, type RunningJob } from './launch';
import type { Store } from '../store';

export interface QueueEvents {
  onEvent(runId: number, m: FromWorker): void;
  onExit(runId: number, status: string, error?: string): void;
  onChange(): void;
}

export interface QueueState {
  concurrency: number;
  running: number[];
  queued: number[];
}

const POLL_MS = 2000;

export class RunQueue {
  private readonly jobs = new Map<number, RunningJob>();
  private concurrency: number;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, private readonly dataDir: string, private readonly events: QueueEvents, o: { concurrency?: number } = {}) {
    this.concurrency = Math.max(1, o.concurrency ?? 1);
  }

  /** Starts executing queued runs, and keeps looking for new ones (another process may queue them). */
  start(): void {
    this.pump();
    this.timer = setInterval(() => this.pump(), POLL_MS);
    this.timer.unref();
  }

  setConcurrency(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`concurrency must be an integer from 1 to 16 (got ${n})`);
    this.concurrency = n;
    this.pump();
    this.events.onChange();
  }

  state(): QueueState {
    const queued = this.store.listRuns({ status: ['queued'] }).map((r) => r.id).sort((a, b) => a - b);
    return { concurrency: this.concurrency, running: [...this.jobs.keys()], queued };
  }

  pump(): void {
    if (this.stopping) return;
    const queued = this.store.listRuns({ status: ['queued'] }).sort((a, b) => a.id - b.id);
    for (const run of queued) {
      if (this.jobs.size >= this.concurrency) break;
      if (this.store.clusterRun(run.id)) continue; // Slurm runs it; it waits in the store only as a mirror of its bundle
      if (!this.store.claimQueuedRun(run.id, process.pid)) continue;
      const checkpoint = this.store.latestCheckpoint(run.id);
      if (!checkpoint) this.store.deleteMetricsAfter(run.id, 0); // a fresh start, even if a killed attempt left steps
      this.launch(run.id, checkpoint ? 'resume' : 'train');
    }
  }

  private launch(runId: number, kind: 'train' | 'resume'): void {
    const job = launch({ kind, runId, dataDir: this.dataDir, onCallerLoss: 'requeue' }, (m) => this.events.onEvent(runId, m));
    this.jobs.set(runId, job);
    this.events.onChange();
    void job.done.then((exit) => {
      this.jobs.delete(runId);
      const status = this.store.getRun(runId)?.status ?? exit.done?.status ?? 'crashed';
      this.events.onExit(runId, status, exit.done?.error);
      this.events.onChange();
      this.pump();
    });
  }

  /** A queued run is cancelled at once; a running one at its next step. */
  cancel(runId: number): void {
    const job = this.jobs.get(runId);
    if (job) return job.cancel();
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`run ${runId} not found`);
    if (run.status !== 'queued') throw new Error(`run ${runId} is ${run.status}, not queued or running here`);
    this.store.finishRun(runId, 'cancelled', { error: 'cancelled before it started' });
    this.events.onChange();
  }

  isRunning(runId: number): boolean {
    return this.jobs.has(runId);
  }

  /** App shutdown: running trainers stop at their next step and go back to the queue. */
  async dispose(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const job of this.jobs.values()) job.stop();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}
