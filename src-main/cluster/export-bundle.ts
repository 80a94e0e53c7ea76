// A stored run as a run bundle (`noisynn export RUN --format bundle`, the app's "Export as bundle"): the format a
// Slurm task writes, so `noisynn sync` in another data dir imports it like a cluster run. Written through
// bundle.ts (the one writer of the format); the store is only read.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { conflict, notFound } from '../errors';
import type { FinalStatus, Store } from '../store';
import {
  BUNDLE_FILES,
  CHECKPOINT_DIR,
  LineLog,
  createBundle,
  evalLine,
  metricLine,
  newStatus,
  writeStatus,
  type BundleCheckpoint,
  type BundleState,
} from './bundle';

export interface ExportedBundle {
  runId: number;
  dir: string;
  uuid: string;
  metrics: number;
  evaluations: number;
  checkpoints: number;
}

/**
 * The run's identity in bundles: an imported run keeps its bundle's UUID; a local run gets one derived from its
 * row (id, creation time, seed, config), so exporting it again and importing both gives one run, not two.
 */
export function runUuid(store: Store, runId: number): string {
  const known = store.clusterRun(runId);
  if (known) return known.uuid;
  const run = store.getRun(runId)!;
  const h = createHash('sha256')
    .update(JSON.stringify([run.id, run.createdAt, run.seed, run.config]))
    .digest('hex');
  // Laid out as an RFC 9562 version 8 (custom) UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// A bundle has no 'crashed' (that is what a reader concludes from a dead task): a crashed run travels as failed.
const bundleState = (s: FinalStatus): BundleState => (s === 'crashed' ? 'failed' : s);

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Writes run `runId` of `store` as a bundle in `dir` (which must not exist, or be empty). */
export function exportRunBundle(store: Store, runId: number, dir: string): ExportedBundle {
  const out = resolve(dir);
  const run = store.getRun(runId);
  if (!run) throw notFound(`run ${runId} not found in ${store.path}`);
  if (run.status === 'queued' || run.status === 'running')
    throw conflict(`run ${runId} is ${run.status}: export it when it has ended (or cancel it first)`);
  if (existsSync(out) && readdirSync(out).length > 0) throw conflict(`${out} is not empty: a bundle needs a folder of its own`);
  const dataset = run.datasetId === null ? undefined : store.datasetById(run.datasetId);
  if (!dataset) throw conflict(`run ${runId} has no registered dataset in ${store.path}: a bundle must name the data the run trained on`);
  const checkpoints = store.checkpoints(runId);
  for (const c of checkpoints) {
    if (!existsSync(c.path)) throw conflict(`run ${runId}: checkpoint ${c.path} is missing, so the bundle would be incomplete`);
  }
  const uuid = runUuid(store, runId);
  const existed = existsSync(out);
  try {
    createBundle(
      out,
      {
        name: run.name,
        config: run.config as Record<string, unknown>,
        seed: run.seed,
        dataset: {
          name: dataset.name,
          kind: dataset.kind,
          path: dataset.path,
          shape: dataset.shape as [number, number, number],
          contentHash: run.datasetHash ?? dataset.contentHash,
        },
        versions: run.versions ?? {},
        gitCommit: run.gitCommit,
        ...(run.tags.length && { tags: run.tags }),
      },
      { uuid, createdAt: run.createdAt },
    );
    // Training order (step, then key), as a task appends them.
    const metrics = store.metrics(runId).sort((a, b) => a.step - b.step || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const evaluations = store.evaluations(runId);
    const lines: BundleCheckpoint[] = checkpoints.map((c) => {
      const file = basename(c.path);
      const to = join(out, CHECKPOINT_DIR, file);
      copyFileSync(c.path, to);
      if (sha256(to) !== c.sha256) throw conflict(`run ${runId}: checkpoint ${c.path} does not match its recorded sha256`);
      return { epoch: c.epoch, step: c.step, file, sha256: c.sha256, bytes: c.bytes };
    });
    const write = (file: string, values: unknown[]) => {
      const log = new LineLog(join(out, file));
      log.append(values);
      log.sync();
      log.close();
    };
    write(
      BUNDLE_FILES.metrics,
      metrics.map(({ runId: _, ...m }) => metricLine(m)),
    );
    write(
      BUNDLE_FILES.evaluations,
      evaluations.map(({ runId: _, createdAt, ...e }) => evalLine(e, Date.parse(createdAt ?? run.createdAt) / 1000)),
    );
    write(BUNDLE_FILES.checkpoints, lines);
    writeStatus(out, {
      ...newStatus(),
      state: bundleState(run.status as FinalStatus),
      attempt: 1,
      host: run.host,
      backend: run.backend,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      error: run.status === 'crashed' ? `crashed: ${run.error ?? 'the trainer died'}` : run.error,
      epochsDone: run.epochsDone,
      stepsDone: run.stepsDone,
      imagesPerSecond: run.imagesPerSecond,
      summary: run.summary,
      lines: { metrics: metrics.length, evaluations: evaluations.length, checkpoints: lines.length },
    });
    return { runId, dir: out, uuid, metrics: metrics.length, evaluations: evaluations.length, checkpoints: lines.length };
  } catch (e) {
    // Half a bundle would import as a truncated one: leave nothing.
    if (existed) for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });
    else rmSync(out, { recursive: true, force: true });
    throw e;
  }
}
