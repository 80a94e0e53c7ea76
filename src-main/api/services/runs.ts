// runs.*, sweeps.* and queue.* services: the run table, details, downsampled curves, and the
// persistent queue whose trainer processes report back as events.
import { MODEL_PRESETS, type RunConfig } from '../../engine/config';
import { conflict, invalid, notFound } from '../../errors';
import { createRuns, requeueForResume, resolveRunConfig, type ResolvedConfig } from '../../runner/lifecycle';
import type { FromWorker } from '../../runner/messages';
import { RunQueue } from '../../runner/queue';
import { expandSweep } from '../../runner/sweep';
import { rmSync } from 'node:fs';
import { runDir, type RunRow, type Store } from '../../store';
import type { ApiMethods, Emit, QueueState, RunDetail, RunStatus, RunSummary, Series } from '../contract';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];

/** The model preset a config's model equals, or its kind: what the runs table shows as "model". */
function modelName(m: RunConfig['model'] | undefined): string | null {
  if (!m) return null;
  const key = JSON.stringify(m);
  return Object.entries(MODEL_PRESETS).find(([, p]) => JSON.stringify(p) === key)?.[0] ?? m.kind;
}

export function runSummary(r: RunRow): RunSummary {
  const c = r.config as Partial<RunConfig>;
  const end = r.endedAt ? Date.parse(r.endedAt) : r.status === 'running' ? Date.now() : null;
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    preset: c.preset ?? null,
    noise: c.noise as RunSummary['noise'],
    seed: r.seed,
    backend: r.backend,
    epochsDone: r.epochsDone,
    epochs: c.epochs ?? 0,
    imagesPerSecond: r.imagesPerSecond,
    summary: r.summary,
    tags: r.tags,
    createdAt: r.createdAt,
    error: r.error,
    dataset: c.dataset ?? null,
    model: modelName(c.model),
    lr: c.optimizer?.lr ?? null,
    batchSize: c.batchSize ?? null,
    durationS: r.startedAt && end !== null ? Math.max(0, (end - Date.parse(r.startedAt)) / 1000) : null,
  };
}

export class RunServices {
  readonly queue: RunQueue;
  private readonly totals = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly emit: Emit,
    o: { concurrency?: number } = {},
  ) {
    this.queue = new RunQueue(
      store,
      dataDir,
      {
        onEvent: (runId, m) => this.relay(runId, m),
        onExit: (runId, status, error) => this.emit('run.status', { runId, status: status as RunStatus, error }),
        onChange: () => this.emit('queue.changed', this.queue.state()),
      },
      o,
    );
    this.queue.start();
  }

  list(r: Req<'runs.list'>): RunSummary[] {
    return this.store.listRuns(r).map(runSummary);
  }

  get(id: number): RunDetail {
    const r = this.store.getRun(id);
    if (!r) throw notFound(`run ${id} not found`);
    return {
      ...runSummary(r),
      config: r.config as RunConfig,
      params: this.store.params(id),
      evaluations: this.store.evaluations(id),
      checkpoints: this.store.checkpoints(id),
      metricKeys: this.store.metricKeys(id),
      notes: this.store.notes(id),
      versions: r.versions,
      gitCommit: r.gitCommit,
    };
  }

  metrics(r: Req<'runs.metrics'>): Series[] {
    if (!this.store.getRun(r.id)) throw notFound(`run ${r.id} not found`);
    return r.keys.map((key) => ({ key, ...this.store.metricSeries(r.id, key, r.width ?? 1000) }));
  }

  resolve(given: unknown): Promise<ResolvedConfig> {
    return resolveRunConfig(this.store, given);
  }

  async validate(given: unknown): Promise<{ problems: string[]; config: RunConfig }> {
    const { config, problems } = await this.resolve(given);
    return { problems, config };
  }

  async start(given: unknown): Promise<{ runId: number }> {
    const [runId] = await this.enqueueAll([given]);
    return { runId };
  }

  async sweep(r: Req<'sweeps.create'>): Promise<{ sweepId: number; runIds: number[] }> {
    const configs = expandSweep(r);
    // All points are checked before anything is written: a sweep is queued whole or not at all.
    const resolved = await Promise.all(configs.map((c) => this.resolve(c)));
    const bad = resolved.findIndex((x) => x.problems.length);
    if (bad >= 0) throw invalid(`sweep point ${bad + 1} of ${configs.length} is invalid: ${resolved[bad].problems.join('; ')}`, 'axes');
    const sweepId = this.store.createSweep(r.name || 'sweep', r);
    const runIds = await this.enqueueAll(configs, sweepId);
    return { sweepId, runIds };
  }

  private async enqueueAll(configs: unknown[], sweepId?: number): Promise<number[]> {
    const resolved = await Promise.all(configs.map((c) => this.resolve(c)));
    const ids = createRuns(this.store, resolved, { sweepId });
    this.emit('queue.changed', this.queue.state());
    this.queue.pump();
    return ids;
  }

  resume(id: number): { ok: true } {
    requeueForResume(this.store, id);
    this.queue.pump();
    return { ok: true };
  }

  /** A running run must be cancelled first: its trainer still writes to it. */
  delete(id: number): { ok: true } {
    const run = this.store.getRun(id);
    if (!run) throw notFound(`run ${id} not found`);
    if (run.status === 'running') throw conflict(`run ${id} is running: cancel it first, then delete it`);
    this.store.deleteRun(id);
    rmSync(runDir(this.dataDir, id), { recursive: true, force: true });
    this.emit('queue.changed', this.queue.state());
    return { ok: true };
  }

  cancel(id: number): { ok: true } {
    this.queue.cancel(id);
    return { ok: true };
  }

  queueState(): QueueState {
    return this.queue.state();
  }

  configure(concurrency: number): QueueState {
    this.queue.setConcurrency(concurrency);
    return this.queue.state();
  }

  private relay(runId: number, m: FromWorker): void {
    if (m.type === 'backend') this.emit('run.backend', { runId, ...m.backend });
    else if (m.type === 'start') {
      this.totals.set(runId, m.start.totalSteps);
      this.emit('run.status', { runId, status: 'running' });
    } else if (m.type === 'step') this.emit('run.step', { runId, totalSteps: this.totals.get(runId) ?? 0, ...m.step });
    else if (m.type === 'epoch') {
      const e = m.epoch;
      this.emit('run.epoch', {
        runId,
        epoch: e.epoch,
        trainLoss: e.trainLoss,
        trainAcc: e.trainAcc,
        testTop1: e.test.top1,
        testTop5: e.test.top5,
        testLoss: e.test.loss,
      });
    }
  }

  dispose(): Promise<void> {
    return this.queue.dispose();
  }
}
