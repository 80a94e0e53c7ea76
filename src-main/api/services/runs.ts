// runs.*, sweeps.* and queue.* services: the run table, details, downsampled curves, and the
// persistent queue whose trainer processes report back as events.
import { configProblems, mergeConfig, runPreset, type RunConfig } from '../../engine/config';
import { fitRun } from '../../weights/fit';
import { openDataset } from '../../runner/datasets';
import type { FromWorker } from '../../runner/messages';
import { gitCommit, packageVersions } from '../../runner/provenance';
import { RunQueue } from '../../runner/queue';
import { expandSweep } from '../../runner/sweep';
import type { RunRow, Store } from '../../store';
import type { ApiMethods, Emit, QueueState, RunDetail, RunStatus, RunSummary, Series } from '../contract';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];

export function runSummary(r: RunRow): RunSummary {
  const c = r.config as Partial<RunConfig>;
  return {
    id: r.id, name: r.name, status: r.status, preset: c.preset ?? null, noise: c.noise as RunSummary['noise'], seed: r.seed, backend: r.backend,
    epochsDone: r.epochsDone, epochs: c.epochs ?? 0, imagesPerSecond: r.imagesPerSecond, summary: r.summary, tags: r.tags, createdAt: r.createdAt, error: r.error,
  };
}

export class RunServices {
  readonly queue: RunQueue;
  private readonly totals = new Map<number, number>();

  constructor(private readonly store: Store, private readonly dataDir: string, private readonly emit: Emit, o: { concurrency?: number } = {}) {
    this.queue = new RunQueue(store, dataDir, {
      onEvent: (runId, m) => this.relay(runId, m),
      onExit: (runId, status, error) => this.emit('run.status', { runId, status: status as RunStatus, error }),
      onChange: () => this.emit('queue.changed', this.queue.state()),
    }, o);
    this.queue.start();
  }

  list(r: Req<'runs.list'>): RunSummary[] {
    return this.store.listRuns(r).map(runSummary);
  }

  get(id: number): RunDetail {
    const r = this.store.getRun(id);
    if (!r) throw new Error(`run ${id} not found`);
    return {
      ...runSummary(r), config: r.config, params: this.store.params(id), evaluations: this.store.evaluations(id),
      checkpoints: this.store.checkpoints(id), metricKeys: this.store.metricKeys(id), notes: this.store.notes(id), versions: r.versions, gitCommit: r.gitCommit,
    };
  }

  metrics(r: Req<'runs.metrics'>): Series[] {
    if (!this.store.getRun(r.id)) throw new Error(`run ${r.id} not found`);
    return r.keys.map((key) => ({ key, ...this.store.metricSeries(r.id, key, r.width ?? 1000) }));
  }

  /** The CLI's resolution: preset < given fields, fitted to the dataset; problems instead of a throw. */
  async resolve(given: unknown): Promise<{ config: RunConfig; problems: string[]; datasetId?: number }> {
    const g = (given ?? {}) as Partial<RunConfig>;
    let config: RunConfig;
    try {
      config = mergeConfig(runPreset(g.preset ?? 'mnist-vit'), g);
    } catch (e) {
      return { config: g as RunConfig, problems: [(e as Error).message] };
    }
    try {
      const { data, id } = await openDataset(this.store, config.dataset);
      config = fitRun(config, data.info, this.dataDir);
      return { config, problems: configProblems(config), datasetId: id };
    } catch (e) {
      return { config, problems: [(e as Error).message] };
    }
  }

  async validate(given: unknown): Promise<{ problems: string[]; config: unknown }> {
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
    if (bad >= 0) throw new Error(`sweep point ${bad + 1} of ${configs.length} is invalid: ${resolved[bad].problems.join('; ')}`);
    const sweepId = this.store.createSweep(r.name || 'sweep', r);
    const runIds = await this.enqueueAll(configs, sweepId);
    return { sweepId, runIds };
  }

  private async enqueueAll(configs: unknown[], sweepId?: number): Promise<number[]> {
    const resolved = await Promise.all(configs.map((c) => this.resolve(c)));
    for (const x of resolved) if (x.problems.length) throw new Error(`invalid run config: ${x.problems.join('; ')}`);
    const versions = packageVersions();
    const commit = gitCommit();
    const ids = resolved.map(({ config, datasetId }) =>
      this.store.createRun({ name: config.name, config, seed: config.seed, datasetId, sweepId, versions, gitCommit: commit, status: 'queued' }),
    );
    this.emit('queue.changed', this.queue.state());
    this.queue.pump();
    return ids;
  }

  resume(id: number): { ok: true } {
    const run = this.store.getRun(id);
    if (!run) throw new Error(`run ${id} not found`);
    if (!['crashed', 'cancelled', 'failed', 'diverged'].includes(run.status)) throw new Error(`run ${id} is ${run.status}; only crashed, cancelled, failed or diverged runs can be resumed`);
    this.store.requeueRun(id);
    this.queue.pump();
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
      this.emit('run.epoch', { runId, epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, testTop1: e.test.top1, testTop5: e.test.top5, testLoss: e.test.loss });
    }
  }

  dispose(): Promise<void> {
    return this.queue.dispose();
  }
}
