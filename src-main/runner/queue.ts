// The app's persistent run queue: runs wait in the store as 'queued' and are executed by up to
// `concurrency` trainer processes, oldest first. Nothing lives only in memory: after a restart the
// queue picks up where it was, and runs interrupted by the stop are requeued and resumed from their
// last checkpoint. Claiming goes through runner/lifecycle.ts, so no other process trains the same run.
import { invalid } from '../errors';
import type { FromWorker } from './messages';
import type { RunningJob } from './launch';
import { cancelRun, claimQueued, launchClaimed } from './lifecycle';
import type { Store } from '../store';

export interface QueueEvents {
  onEvent(runId: number, m: FromWorker): void;
  onExit(runId: number, status: string, error?: string): void;
  onChange(): void;
  /** A pump that failed (locked or full database, ...): logged, and the queue tries again at the next tick. */
  onError?(e: unknown): void;
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
  private diskFull = false;

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly events: QueueEvents,
    o: { concurrency?: number } = {},
  ) {
    this.concurrency = Math.max(1, o.concurrency ?? 1);
  }

  /** Starts executing queued runs, and keeps looking for new ones (another process may queue them). */
  start(): void {
    this.pump();
    this.timer = setInterval(() => this.pump(), POLL_MS);
    this.timer.unref();
  }

  setConcurrency(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 16) throw invalid(`concurrency must be an integer from 1 to 16 (got ${n})`, 'concurrency');
    this.concurrency = n;
    this.pump();
    this.events.onChange();
  }

  state(): QueueState {
    const queued = this.store
      .listRuns({ status: ['queued'] })
      .map((r) => r.id)
      .sort((a, b) => a - b);
    return { concurrency: this.concurrency, running: [...this.jobs.keys()], queued };
  }

  /** Never throws: the pump runs from timers and exit handlers, where a throw would end the process. */
  pump(): void {
    if (this.stopping) return;
    try {
      const queued = this.store.listRuns({ status: ['queued'] }).sort((a, b) => a.id - b.id);
      if (queued.length && this.jobs.size < this.concurrency && !this.roomOnDisk()) return;
      for (const run of queued) {
        if (this.jobs.size >= this.concurrency) break;
        if (this.store.clusterRun(run.id)) continue; // Slurm runs it; it waits in the store only as a mirror of its bundle
        if (!claimQueued(this.store, run.id)) continue;
        try {
          this.launch(run.id);
        } catch (e) {
          this.store.requeueRun(run.id, `could not start its trainer: ${(e as Error).message}`);
          throw e;
        }
      }
    } catch (e) {
      if (this.events.onError) this.events.onError(e);
      else console.error(`run queue: ${(e as Error).message ?? String(e)} (retrying in ${POLL_MS / 1000} s)`);
    }
  }

  /** A trainer started on a full disk would fail with no room to record it (store/reserve.ts): the queue waits. */
  private roomOnDisk(): boolean {
    const room = this.store.diskReserve();
    if (room === this.diskFull)
      console.error(
        room
          ? 'run queue: the disk has room again; starting queued runs'
          : `run queue: the disk holding ${this.store.path} is full; queued runs wait until there is room`,
      );
    this.diskFull = !room;
    return room;
  }

  private launch(runId: number): void {
    const { job } = launchClaimed(this.store, runId, { onCallerLoss: 'requeue', onEvent: (m) => this.events.onEvent(runId, m) });
    this.jobs.set(runId, job);
    this.events.onChange();
    void job.done.then((exit) => {
      this.jobs.delete(runId);
      try {
        const status = this.store.getRun(runId)?.status ?? exit.done?.status ?? 'crashed';
        this.events.onExit(runId, status, exit.done?.error);
        this.events.onChange();
      } catch (e) {
        this.events.onError?.(e);
      }
      this.pump();
    });
  }

  /** Through the store, so it works whichever process owns the run; the owner stops at its next step. */
  cancel(runId: number): void {
    const outcome = cancelRun(this.store, runId);
    if (outcome === 'requested') this.jobs.get(runId)?.cancel(); // ours: tell it at once as well
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
