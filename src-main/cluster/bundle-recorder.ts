// The recorder a cluster task trains through: everything goes to the run's bundle (cluster/bundle.ts).
import { basename, join } from 'node:path';
import type { RunConfig } from '../engine/config/types';
import { validateConfig } from '../engine/config';
import { loadDataset } from '../data/registry';
import { resumeMark, verifyCheckpoint, type RunRecorder } from '../runner/recorder';
import { resolveDataDir } from '../store';
import { loadWeights } from '../weights/library';
import {
  BUNDLE_FILES,
  BundleError,
  CHECKPOINT_DIR,
  LineLog,
  checkpointFile,
  evalLine,
  metricLine,
  readCheckpointLines,
  readEvalLines,
  readMetricLines,
  readRun,
  readStatus,
  writeStatus,
  type BundleCheckpoint,
  type BundleRun,
  type BundleStatus,
} from './bundle';

export interface BundleRecorder extends RunRecorder {
  readonly run: BundleRun;
  /** The last recorded checkpoint, if any (a restarted task resumes from it). */
  lastCheckpoint(): BundleCheckpoint | undefined;
  /** Marks the task alive (status.json heartbeat). */
  heartbeat(): void;
  planned(totalSteps: number): void;
  close(): void;
}

export function bundleRecorder(dir: string): BundleRecorder {
  const run = readRun(dir);
  const config = run.config as unknown as RunConfig;
  try {
    validateConfig(config);
  } catch (e) {
    throw new BundleError(dir, `run.json config is invalid: ${(e as Error).message}`);
  }
  let status: BundleStatus = readStatus(dir);
  const checkpoints = readCheckpointLines(dir).items;
  const lines = { metrics: readMetricLines(dir).lines, evaluations: readEvalLines(dir).lines, checkpoints: checkpoints.length };
  const metrics = new LineLog(join(dir, BUNDLE_FILES.metrics));
  const evals = new LineLog(join(dir, BUNDLE_FILES.evaluations));
  const ckpts = new LineLog(join(dir, BUNDLE_FILES.checkpoints));
  const now = () => new Date().toISOString();
  const save = (change: Partial<BundleStatus>) => {
    status = { ...status, ...change, heartbeat: now() };
    writeStatus(dir, status);
  };
  const syncAll = () => [metrics, evals, ckpts].forEach((l) => l.sync());
  return {
    run,
    config: () => config,
    openData: async () => {
      const d = run.dataset;
      const [h, w, c] = d.shape;
      const data = await loadDataset({ kind: d.kind, path: d.path, name: d.name, imageSize: [h, w], channels: c === 1 ? 1 : 3 });
      if (data.info.contentHash !== d.contentHash) {
        throw new BundleError(
          dir,
          `dataset '${d.name}' at ${d.path} is not the data the run was submitted with (content hash ${data.info.contentHash.slice(0, 12)} != ${d.contentHash.slice(0, 12)})`,
        );
      }
      return data;
    },
    // A cluster task's weights library is its own data dir's (NOISYNN_HOME on the node).
    initialWeights: (init) => {
      const { entry, arrays } = loadWeights(resolveDataDir(undefined), init.weights, init.sha256);
      return { label: entry.name, model: entry.model, arrays };
    },
    checkpointDir: () => join(dir, CHECKPOINT_DIR),
    lastCheckpoint: () => checkpoints[checkpoints.length - 1],
    resumePoint: () => {
      const last = checkpoints[checkpoints.length - 1];
      if (!last) throw new BundleError(dir, 'has no checkpoint to resume from');
      verifyCheckpoint({ path: checkpointFile(dir, last), sha256: last.sha256 }, `bundle ${dir}`);
      // The interrupted attempt may have written steps and evaluations after this checkpoint: they are redone.
      metrics.append([{ truncate: last.step }]);
      evals.append([{ truncate: last.epoch }]);
      lines.metrics++;
      lines.evaluations++;
      syncAll();
      save({ summary: { ...status.summary, ...resumeMark(status.summary, last.step) } });
      return { epoch: last.epoch, step: last.step, path: checkpointFile(dir, last), sha256: last.sha256, bytes: last.bytes };
    },
    start: (r) =>
      save({
        state: 'running',
        attempt: status.attempt + 1,
        host: r.host,
        pid: r.pid,
        backend: r.backend,
        startedAt: status.startedAt ?? now(),
        endedAt: null,
        error: null,
      }),
    metrics: (rows) => {
      metrics.append(rows.map(metricLine));
      lines.metrics += rows.length;
    },
    progress: (p) => {
      const epochEnd = p.epochsDone !== undefined;
      if (epochEnd) syncAll();
      save({
        epochsDone: p.epochsDone ?? status.epochsDone,
        stepsDone: p.stepsDone ?? status.stepsDone,
        imagesPerSecond: p.imagesPerSecond ?? status.imagesPerSecond,
      });
    },
    checkpoint: (c) => {
      const line: BundleCheckpoint = { epoch: c.epoch, step: c.step, file: basename(c.path), sha256: c.sha256, bytes: c.bytes };
      ckpts.append([line]);
      checkpoints.push(line);
      lines.checkpoints++;
      ckpts.sync();
    },
    evaluation: (e) => {
      evals.append([evalLine(e, Date.now() / 1000)]);
      lines.evaluations++;
    },
    finish: (state, r) => {
      syncAll();
      // 'crashed' is what a reader concludes from a dead task; a task that reports its own end never writes it.
      const s = state === 'crashed' ? 'failed' : state;
      save({
        state: s,
        endedAt: now(),
        error: r.error ?? null,
        summary: { ...status.summary, ...r.summary },
        imagesPerSecond: r.imagesPerSecond ?? status.imagesPerSecond,
        lines: { ...lines },
      });
    },
    requeue: (reason, _r) => {
      syncAll();
      save({ state: 'pending', error: reason });
    },
    heartbeat: () => save({}),
    planned: (totalSteps) => save({ totalSteps }),
    close: () => [metrics, evals, ckpts].forEach((l) => l.close()),
  };
}
