// runs.* services: the run table, details, downsampled curves, and launching trainer processes whose
// events are relayed to the UI.
import { fitToDataset, mergeConfig, runPreset, validateConfig, type RunConfig } from '../../engine/config';
import { openDataset } from '../../runner/datasets';
import { launch, type RunningJob } from '../../runner/launch';
import type { FromWorker } from '../../runner/messages';
import { gitCommit, packageVersions } from '../../runner/provenance';
import type { RunRow, Store } from '../../store';
import type { ApiEvents, ApiMethods, RunDetail, RunSummary, Series } from '../contract';
import { downsample } from './downsample';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];
export type Emit = <E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]) => void;

export function runSummary(r: RunRow): RunSummary {
  const c = r.config as Partial<RunConfig>;
  return {
    id: r.id, name: r.name, status: r.status, preset: c.preset ?? null, noise: c.noise as RunSummary['noise'], seed: r.seed, backend: r.backend,
    epochsDone: r.epochsDone, epochs: c.epochs ?? 0, imagesPerSecond: r.imagesPerSecond, summary: r.summary, tags: r.tags, createdAt: r.createdAt, error: r.error,
  };
}

export class RunServices {
  private readonly jobs = new Map<number, RunningJob>();

  constructor(private readonly store: Store, private readonly dataDir: string, private readonly emit: Emit) {}

  list(r: Req<'runs.list'>): RunSummary[] {
    return this.store.listRuns(r).map(runSummary);
  }

  get(id: number): RunDetail {
    const r = this.store.getRun(id);
    if (!r) throw new Error(`run ${id} not found`);
    return {
      ...runSummary(r), config: r.config, params: this.store.params(id), evaluations: this.store.evaluations(id),
      checkpoints: this.store.checkpoints(id), metricKeys: this.store.metricKeys(id), versions: r.versions, gitCommit: r.gitCommit,
    };
  }

  metrics(r: Req<'runs.metrics'>): Series[] {
    return r.keys.map((key) => {
      const rows = this.store.metrics(r.id, key);
      const d = downsample(rows.map((m) => m.step), rows.map((m) => m.value), r.width ?? 1000);
      return { key, ...d };
    });
  }

  async start(r: Req<'runs.start'>): Promise<{ runId: number }> {
    const given = (r.config ?? {}) as Partial<RunConfig>;
    let config = mergeConfig(runPreset(given.preset ?? 'mnist-vit'), given);
    const { data, id } = await openDataset(this.store, config.dataset);
    config = fitToDataset(config, data.info);
    validateConfig(config);
    const runId = this.store.createRun({ name: config.name, config, seed: config.seed, datasetId: id, versions: packageVersions(), gitCommit: gitCommit(), status: 'queued' });
    this.follow(runId, 'train');
    return { runId };
  }

  resume(id: number): { ok: true } {
    const run = this.store.getRun(id);
    if (!run) throw new Error(`run ${id} not found`);
    if (!['crashed', 'cancelled', 'failed', 'diverged'].includes(run.status)) throw new Error(`run ${id} is ${run.status}; only crashed, cancelled, failed or diverged runs can be resumed`);
    const kind = this.store.latestCheckpoint(id) ? 'resume' : 'train';
    if (kind === 'train') this.store.deleteMetricsAfter(id, 0);
    this.follow(id, kind);
    return { ok: true };
  }

  cancel(id: number): { ok: true } {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`run ${id} is not running in this session`);
    job.cancel();
    return { ok: true };
  }

  private follow(runId: number, kind: 'train' | 'resume'): void {
    let totalSteps = 0;
    const job = launch({ kind, runId, dataDir: this.dataDir }, (m: FromWorker) => {
      if (m.type === 'backend') this.emit('run.backend', { runId, ...m.backend });
      else if (m.type === 'start') {
        totalSteps = m.start.totalSteps;
        this.emit('run.status', { runId, status: 'running' });
      } else if (m.type === 'step') this.emit('run.step', { runId, totalSteps, ...m.step });
      else if (m.type === 'epoch') {
        const e = m.epoch;
        this.emit('run.epoch', { runId, epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, testTop1: e.test.top1, testTop5: e.test.top5, testLoss: e.test.loss });
      }
    });
    this.jobs.set(runId, job);
    void job.done.then((exit) => {
      this.jobs.delete(runId);
      const status = exit.done?.status ?? 'crashed';
      this.emit('run.status', { runId, status, error: exit.done?.error });
    });
  }

  async dispose(): Promise<void> {
    for (const job of this.jobs.values()) job.cancel();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}
