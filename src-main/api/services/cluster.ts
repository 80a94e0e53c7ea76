// cluster.* services and the live view of cluster runs: every few seconds the bundles of runs that are not
// finished are synced (with Slurm's task states), and what changed is pushed as the same events local runs
// send, so the Runs and Train views follow a Slurm sweep as they follow the local queue.
import { isAbsolute } from 'node:path';
import { exportRunBundle } from '../../cluster/export-bundle';
import { readProfiles, slurmTargetOf } from '../../cluster/profile';
import { scancel, taskStates } from '../../cluster/slurm';
import { submitTo } from '../../cluster/submit';
import { syncAll, syncBundle } from '../../cluster/sync';
import { invalid } from '../../errors';
import { ensureBuiltins } from '../../runner/datasets';
import type { ResolvedConfig } from '../../runner/lifecycle';
import { expandSweep } from '../../runner/sweep';
import type { Store } from '../../store';
import type { ApiMethods, ClusterProfileDto, ClusterRunInfo, ClusterSyncResult, Emit, QueueState } from '../contract';

/** Folders typed in the app are paths on the server's machine: relative ones would depend on where it was started. */
function absolute(path: string, field: string): string {
  if (!isAbsolute(path)) throw invalid(`${field} must be an absolute folder path on this machine (got '${path}')`, field);
  return path;
}

const POLL_MS = 1000;
const OPEN = new Set(['queued', 'running']);

export class ClusterServices {
  private timer: NodeJS.Timeout | undefined;
  private readonly reported = new Map<number, string>();

  /** `queueState`: the local queue's state; cluster runs that run are added to it (the Train view's queue). */
  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
    private readonly emit: Emit,
    private readonly queueState?: () => QueueState,
  ) {}

  /** Cluster runs that Slurm is running now. */
  running(): number[] {
    return this.store
      .clusterRuns()
      .map((c) => c.runId)
      .filter((id) => this.store.getRun(id)?.status === 'running');
  }

  withRunning(q: QueueState): QueueState {
    return { ...q, running: [...q.running, ...this.running().filter((id) => !q.running.includes(id))] };
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** Re-syncs the bundles of unfinished cluster runs; emits status and epoch changes. */
  poll(): void {
    const open = this.store.clusterRuns().filter((c) => OPEN.has(this.store.getRun(c.runId)?.status ?? ''));
    if (open.length === 0) return;
    const states = taskStates(open.map((c) => c.slurmJob?.split('_')[0] ?? '').filter(Boolean));
    let changed = false;
    for (const c of open) {
      const before = this.store.getRun(c.runId)!;
      let synced;
      try {
        synced = syncBundle(this.store, c.bundlePath, states);
        this.reported.delete(c.runId);
      } catch (e) {
        const msg = (e as Error).message;
        if (this.reported.get(c.runId) !== msg) console.error(`cluster run ${c.runId}: ${msg}`);
        this.reported.set(c.runId, msg);
        continue;
      }
      const after = this.store.getRun(c.runId)!;
      if (after.backend && after.backend !== before.backend)
        this.emit('run.backend', { runId: c.runId, name: after.backend, reason: `on cluster node ${after.host ?? '?'}` });
      if (synced.lastStep) this.emit('run.step', { runId: c.runId, ...synced.lastStep });
      if (synced.lastEpoch) this.emit('run.epoch', { runId: c.runId, ...synced.lastEpoch });
      if (after.status !== before.status || after.error !== before.error) {
        this.emit('run.status', { runId: c.runId, status: after.status, error: after.error ?? undefined });
        changed = true;
      }
    }
    if (changed && this.queueState) this.emit('queue.changed', this.withRunning(this.queueState()));
  }

  async sync(r: ApiMethods['cluster.sync']['req']): Promise<{ results: ClusterSyncResult[] }> {
    await ensureBuiltins(this.store);
    const results = syncAll(this.store, r.paths).map((x) => ({
      dir: x.dir,
      runId: x.runId ?? null,
      status: x.status ?? null,
      created: x.created ?? false,
      error: x.error ?? null,
    }));
    for (const x of results) if (x.runId !== null && x.status) this.emit('run.status', { runId: x.runId, status: x.status });
    return { results };
  }

  /** `sweep submit --slurm` from the app: every point resolved as the app's local sweeps are, then submitted and imported. */
  async submit(
    r: ApiMethods['sweeps.submitSlurm']['req'],
    resolve: (c: unknown) => Promise<ResolvedConfig>,
  ): Promise<ApiMethods['sweeps.submitSlurm']['res']> {
    const bundleDir = absolute(r.bundleDir, 'bundleDir');
    await ensureBuiltins(this.store);
    // The sweep's name names its folder: the app's names ("mnist-cnn: seed") become "mnist-cnn-seed".
    const name = r.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'sweep';
    const configs = expandSweep(r);
    const resolved = await Promise.all(configs.map(resolve));
    const bad = resolved.findIndex((x) => x.problems.length);
    if (bad >= 0) throw invalid(`sweep point ${bad + 1} of ${configs.length} is invalid: ${resolved[bad].problems.join('; ')}`, 'axes');
    let target;
    try {
      target = slurmTargetOf(this.dataDir, { cluster: r.cluster || undefined, bundleDir });
    } catch (e) {
      throw invalid((e as Error).message, 'cluster');
    }
    // Runs keep the app's point names ("sweep · seed=2"), as its local sweeps do.
    const runs = resolved.map(({ config }, i) => ({
      config: { ...config, name: config.name ?? `${name}-${String(i).padStart(4, '0')}` },
      dataset: this.store.datasetByName(config.dataset)!,
    }));
    const done = submitTo(target, { name, runs, spec: { ...r, name, base: runs[0]?.config } });
    const results = syncAll(this.store, [done.sweepDir]);
    const failed = results.find((x) => x.error);
    if (failed)
      throw new Error(`submitted as Slurm job ${done.jobId}, but its bundle ${failed.dir} could not be imported: ${failed.error}`);
    for (const x of results) this.emit('run.status', { runId: x.runId!, status: x.status! });
    if (this.queueState) this.emit('queue.changed', this.withRunning(this.queueState()));
    return { sweepDir: done.sweepDir, jobId: done.jobId, runIds: results.map((x) => x.runId!) };
  }

  exportBundle(r: ApiMethods['runs.exportBundle']['req']): ApiMethods['runs.exportBundle']['res'] {
    const { dir, uuid, metrics, evaluations, checkpoints } = exportRunBundle(this.store, r.id, absolute(r.dir, 'dir'));
    return { dir, uuid, metrics, evaluations, checkpoints };
  }

  profiles(): ClusterProfileDto[] {
    return readProfiles(this.dataDir).map((p) => ({
      name: p.name,
      projectDir: p.projectDir,
      backend: p.backend ?? null,
      partition: p.slurm.partition ?? null,
    }));
  }

  info(runId: number): ClusterRunInfo | null {
    const c = this.store.clusterRun(runId);
    return c ? { slurmJob: c.slurmJob, slurmState: c.slurmState, bundlePath: c.bundlePath } : null;
  }

  isClusterRun(runId: number): boolean {
    return this.store.clusterRun(runId) !== undefined;
  }

  /** Cancel is Slurm's: scancel the task; the next poll shows the run cancelled. */
  cancel(runId: number): { ok: true } {
    const c = this.store.clusterRun(runId);
    if (!c?.slurmJob)
      throw new Error(`run ${runId} was imported from ${c?.bundlePath ?? 'a bundle'} without a Slurm job: there is nothing to cancel here`);
    scancel(c.slurmJob);
    this.poll();
    return { ok: true };
  }

  resume(runId: number): never {
    const c = this.store.clusterRun(runId);
    throw new Error(
      `run ${runId} runs on Slurm${c?.slurmJob ? ` as task ${c.slurmJob}` : ''}: requeue it there (scontrol requeue ${c?.slurmJob ?? 'JOB_INDEX'}); it resumes from its last checkpoint`,
    );
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
