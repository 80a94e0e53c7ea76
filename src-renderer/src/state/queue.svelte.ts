// The live side of training, shared by every view: the queue (queue.state + queue.changed) and,
// per run, what the trainer has streamed so far (status, step, speed, backend, curves, epochs).
// Events are the fast path; runs.get / runs.metrics fill in what a late subscriber missed, so a
// reload during a run still shows its whole curve.
import { SvelteMap } from 'svelte/reactivity';
import { FINAL_STATUSES, RESUMABLE_STATUSES, type ApiEvents, type QueueState, type RunStatus } from '@api/contract';
import { errorMessage, host } from '../host';
import { resumeSteps } from '../lib/resume-marks';

export const FINISHED: readonly RunStatus[] = FINAL_STATUSES;
export const RESUMABLE: readonly RunStatus[] = RESUMABLE_STATUSES;

/** Per-step points kept per run; beyond it every other point is dropped (the chart stays readable). */
const MAX_POINTS = 4000;

export interface EpochPoint {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAcc: number;
  testTop1: number;
  testTop5: number;
  testLoss: number;
}

export class LiveRun {
  readonly id: number;
  name = $state<string | null>(null);
  /** What tells sweep points apart at a glance: preset, noise type and seed. */
  label = $state('');
  status = $state<RunStatus | null>(null);
  error = $state<string | null>(null);
  step = $state(0);
  totalSteps = $state(0);
  epoch = $state(0);
  epochs = $state(0);
  batchSize = $state(0);
  imagesPerSecond = $state(0);
  backend = $state<{ name: string; reason: string } | null>(null);
  epochRows = $state.raw<EpochPoint[]>([]);
  /**
   * Curves as plain arrays (cheap to append hundreds of times a second); `version` is the reactive
   * signal that they changed, so charts can redraw at their own pace.
   */
  readonly steps: number[] = [];
  readonly loss: number[] = [];
  readonly acc: number[] = [];
  version = $state(0);
  /** Checkpoint steps the run was resumed from (the steps after each were re-run and replaced). */
  resumedFrom = $state.raw<number[]>([]);
  /** Set once runs.get has filled in config-derived fields. */
  loaded = $state(false);

  constructor(id: number) {
    this.id = id;
  }

  get finished(): boolean {
    return this.status !== null && FINISHED.includes(this.status);
  }

  get stepsPerEpoch(): number {
    return this.epochs > 0 ? this.totalSteps / this.epochs : 0;
  }

  /** Seconds left at the current speed, or null when unknown. */
  get etaSeconds(): number | null {
    if (!this.imagesPerSecond || !this.batchSize || !this.totalSteps || this.finished) return null;
    return ((this.totalSteps - this.step) * this.batchSize) / this.imagesPerSecond;
  }

  addPoint(step: number, loss: number, acc: number): void {
    // A resumed run restarts from its checkpoint: forget the steps after it, and mark where (the
    // store records the same step in the run's summary; refresh() reads it after a reload).
    const last = this.steps.at(-1);
    if (last !== undefined && step <= last && !this.resumedFrom.includes(step - 1)) this.resumedFrom = [...this.resumedFrom, step - 1];
    while (this.steps.length && this.steps[this.steps.length - 1] >= step) {
      this.steps.pop();
      this.loss.pop();
      this.acc.pop();
    }
    this.steps.push(step);
    this.loss.push(loss);
    this.acc.push(acc);
    if (this.steps.length > MAX_POINTS) {
      for (const a of [this.steps, this.loss, this.acc]) {
        const kept = a.filter((_, i) => i % 2 === 0 || i === a.length - 1);
        a.length = 0;
        a.push(...kept);
      }
    }
  }
}

type Status = ApiEvents['run.status'];

export class QueueStore {
  state = $state.raw<QueueState>({ concurrency: 1, running: [], queued: [] });
  error = $state<string | null>(null);
  readonly runs = new SvelteMap<number, LiveRun>();
  #connected = false;
  #backfilled = new Set<number>();

  /** Subscribes to the events once for the app's lifetime (idempotent). */
  connect(): void {
    if (this.#connected) return;
    this.#connected = true;
    host.on('queue.changed', (q) => this.#setQueue(q));
    host.on('run.status', (e) => this.#onStatus(e));
    host.on('run.backend', (e) => (this.run(e.runId).backend = { name: e.name, reason: e.reason }));
    host.on('run.step', (e) => {
      const r = this.run(e.runId);
      r.addPoint(e.step, e.loss, e.acc);
      r.step = e.step;
      r.epoch = e.epoch;
      if (e.totalSteps) r.totalSteps = e.totalSteps;
      r.imagesPerSecond = e.imagesPerSecond;
      if (r.status !== 'running') r.status = 'running';
      r.version++;
    });
    host.on('run.epoch', (e) => {
      const r = this.run(e.runId);
      const row: EpochPoint = { ...e, step: r.step };
      r.epochRows = [...r.epochRows.filter((x) => x.epoch < e.epoch), row];
      r.version++;
    });
    void this.refreshQueue();
  }

  async refreshQueue(): Promise<void> {
    try {
      this.#setQueue(await host.invoke('queue.state', {}));
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async configure(concurrency: number): Promise<void> {
    try {
      this.#setQueue(await host.invoke('queue.configure', { concurrency }));
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  /**
   * The live record of a run, created (and filled from the store in the background) on first use.
   * It writes state: call it from handlers and effects; templates read `runs.get(id)`.
   */
  run(id: number): LiveRun {
    let r = this.runs.get(id);
    if (!r) {
      r = new LiveRun(id);
      this.runs.set(id, r);
      void this.refresh(id);
    }
    return r;
  }

  /** Re-reads a run's stored summary: its status, name and the config fields the progress needs. */
  async refresh(id: number): Promise<void> {
    const r = this.runs.get(id) ?? this.run(id);
    try {
      const d = await host.invoke('runs.get', { id });
      const c = (d.config ?? {}) as { batchSize?: number; epochs?: number };
      r.name = d.name;
      r.label = [d.preset, d.noise?.type && d.noise.type !== 'none' ? `${d.noise.type} @${d.noise.at}` : 'no noise', `seed ${d.seed}`]
        .filter(Boolean)
        .join(' · ');
      // An event may already have moved the run on; the store is authoritative only once it has finished.
      if (r.status === null || FINISHED.includes(d.status)) r.status = d.status;
      r.error = d.error;
      r.epochs = c.epochs ?? d.epochs;
      r.batchSize = c.batchSize ?? 0;
      if (d.backend && !r.backend) r.backend = { name: d.backend, reason: '' };
      if (!r.imagesPerSecond && d.imagesPerSecond) r.imagesPerSecond = d.imagesPerSecond;
      const stored = resumeSteps(d.summary);
      if (stored.some((x) => !r.resumedFrom.includes(x))) r.resumedFrom = [...new Set([...r.resumedFrom, ...stored])].sort((a, b) => a - b);
      if (r.epochRows.length === 0 && d.evaluations.length) {
        // A resumed run can hold an epoch's evaluation twice (the old attempt's and the re-run's): the newest wins.
        const byEpoch = new Map<number, EpochPoint>();
        for (const ev of d.evaluations) {
          if (ev.protocol === 'standard')
            byEpoch.set(ev.epoch, {
              epoch: ev.epoch,
              step: 0,
              trainLoss: NaN,
              trainAcc: NaN,
              testTop1: ev.top1,
              testTop5: ev.top5,
              testLoss: ev.loss,
            });
        }
        r.epochRows = [...byEpoch.values()];
      }
      r.loaded = true;
      r.version++;
    } catch (e) {
      r.error = errorMessage(e);
    }
  }

  /**
   * Fills the curves with the steps stored before this window subscribed (a reload during a run,
   * or a finished run opened later). Live points after the stored ones are kept.
   */
  async backfill(id: number): Promise<void> {
    if (this.#backfilled.has(id)) return;
    this.#backfilled.add(id);
    const r = this.run(id);
    try {
      const [loss, acc] = await host.invoke('runs.metrics', { id, keys: ['train/loss', 'train/acc'], width: MAX_POINTS });
      const live = r.steps.map((s, i) => [s, r.loss[i], r.acc[i]] as const);
      const firstLive = live.length ? live[0][0] : Infinity;
      r.steps.length = r.loss.length = r.acc.length = 0;
      loss.step.forEach((s, i) => {
        if (s < firstLive && acc.step[i] === s) r.addPoint(s, loss.value[i], acc.value[i]);
      });
      for (const [s, l, a] of live) r.addPoint(s, l, a);
      if (r.steps.length) r.step = Math.max(r.step, r.steps[r.steps.length - 1]);
      r.version++;
    } catch (e) {
      this.#backfilled.delete(id);
      r.error = errorMessage(e);
    }
  }

  #onStatus(e: Status): void {
    const r = this.run(e.runId);
    r.status = e.status;
    if (e.error !== undefined) r.error = e.error ?? null;
    if (FINISHED.includes(e.status)) void this.refresh(e.runId);
  }

  #setQueue(q: QueueState): void {
    const before = new Set([...this.state.running, ...this.state.queued]);
    this.state = q;
    for (const id of q.running) {
      const r = this.run(id);
      if (r.status !== 'running') r.status = 'running';
    }
    for (const id of q.queued) {
      const r = this.run(id);
      // Queued again after a resume: the run's old error no longer applies.
      if (r.status !== 'queued') {
        r.status = 'queued';
        r.error = null;
      }
    }
    // A run that left the queue without a status event (e.g. cancelled while queued): ask the store.
    for (const id of before) if (!q.running.includes(id) && !q.queued.includes(id)) void this.refresh(id);
  }
}

export const queue = new QueueStore();
