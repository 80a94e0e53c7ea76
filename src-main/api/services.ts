// The main side's implementation of the contract, once, for the loopback HTTP transport and for tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../engine/backend';
import { MODEL_PRESETS, RUN_PRESETS } from '../engine/config';
import { openStore } from '../store';
import type { Emit, Handlers, QueueState } from './contract';
import { withRequestChecks } from './request-shape';
import { ClusterServices } from './services/cluster';
import { DatasetServices } from './services/datasets';
import { EmbeddingServices } from './services/embeddings';
import { NoiseLab } from './services/lab';
import { RunServices } from './services/runs';
import { StudyServices } from './services/study';
import { studyResults } from '../study/results';
import { deleteWeights, getWeights, importWeights, listWeights } from '../weights/library';

export type { Emit, Handlers };
export interface Services {
  handlers: Handlers;
  dispose(): Promise<void>;
}

/** The checkout or installed app: package.json, bin/noisynn.mjs, docs/. */
const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;

export async function createServices(o: { dataDir: string; transport: 'http'; emit: Emit; concurrency?: number }): Promise<Services> {
  // The backend this process reports; noise previews run in a worker thread on the same one (services/lab.ts),
  // training in trainer processes.
  const backend = await initBackend();
  const store = openStore(o.dataDir);
  const datasets = new DatasetServices(store);
  const embeddings = new EmbeddingServices(o.dataDir, o.emit);
  const lab = new NoiseLab(o.dataDir, backend.name);
  // Cluster runs that Slurm is running are shown in the queue beside the local trainers (the local queue may
  // report while RunServices is being constructed: a restart resumes queued runs at once).
  const cluster: ClusterServices = new ClusterServices(store, o.dataDir, o.emit, () => runs.queueState());
  const emit: Emit = (event, payload) =>
    o.emit(event, event === 'queue.changed' ? (cluster.withRunning(payload as QueueState) as typeof payload) : payload);
  const runs = new RunServices(store, o.dataDir, emit, { concurrency: o.concurrency ?? Number(process.env.NOISYNN_CONCURRENCY ?? 1) });
  cluster.start();
  const study = new StudyServices(store, o.dataDir, appRoot);
  const presets = [
    ...Object.entries(RUN_PRESETS).map(([name, config]) => ({ name, kind: 'run' as const, config })),
    ...Object.entries(MODEL_PRESETS).map(([name, config]) => ({ name, kind: 'model' as const, config })),
  ];
  const handlers: Handlers = {
    'app.info': async () => ({
      version,
      transport: o.transport,
      dataDir: o.dataDir,
      backend: { name: backend.name, reason: backend.reason },
      presets,
    }),
    'datasets.list': () => datasets.list(),
    'datasets.add': (r) => datasets.add(r),
    'datasets.remove': async (r) => ({ ok: true as const, runs: store.removeDataset(r.name, r.force === true) }),
    'datasets.images': (r) => datasets.images(r),
    'datasets.image': (r) => datasets.image(r),
    'datasets.thumbnails': (r) => datasets.thumbnails(r),
    'weights.list': async () => listWeights(o.dataDir),
    'weights.get': async (r) => getWeights(o.dataDir, r.name),
    'weights.import': async (r) => importWeights(o.dataDir, r.path, { name: r.name || undefined, model: r.model || undefined }),
    'weights.delete': async (r) => {
      deleteWeights(o.dataDir, r.name);
      return { ok: true };
    },
    'noise.preview': (r) => lab.call('noise.preview', r),
    'noise.embedding': (r) => lab.call('noise.embedding', r),
    'runs.list': async (r) => runs.list(r ?? {}).map((x) => ({ ...x, cluster: cluster.info(x.id) })),
    'runs.get': async (r) => ({ ...runs.get(r.id), cluster: cluster.info(r.id) }),
    'runs.metrics': async (r) => runs.metrics(r),
    'runs.start': (r) => runs.start(r.config),
    'runs.validate': (r) => runs.validate(r.config),
    'sweeps.create': (r) => runs.sweep(r),
    'sweeps.submitSlurm': (r) => cluster.submit(r, (c) => runs.resolve(c)),
    'queue.state': async () => cluster.withRunning(runs.queueState()),
    'queue.configure': async (r) => cluster.withRunning(runs.configure(r.concurrency)),
    'runs.cancel': async (r) => (cluster.isClusterRun(r.id) ? cluster.cancel(r.id) : runs.cancel(r.id)),
    'runs.resume': async (r) => (cluster.isClusterRun(r.id) ? cluster.resume(r.id) : runs.resume(r.id)),
    'runs.tag': async (r) => {
      if (r.remove) store.removeTag(r.id, r.tag);
      else store.addTag(r.id, r.tag);
      return { ok: true };
    },
    'embeddings.start': async (r) => embeddings.start(r),
    'embeddings.cancel': async (r) => embeddings.cancel(r.jobId),
    'embeddings.result': async (r) => embeddings.result(r.jobId),
    'embeddings.entropyTable': async (r) => embeddings.entropyTable(r),
    'embeddings.tableResult': async (r) => embeddings.tableResult(r.jobId),
    'study.results': async (r) => studyResults(store, r.name),
    'study.start': async (r) => study.start(r),
    'study.progress': async (r) => study.progress(r),
    'study.tables': async () => study.tables(),
    'runs.note': async (r) => {
      if (r.noteId === undefined) return { ok: true, noteId: store.addNote(r.id, r.body) };
      store.updateNote(r.id, r.noteId, r.body);
      return { ok: true, noteId: r.noteId };
    },
    'runs.delete': async (r) => runs.delete(r.id),
    'runs.exportBundle': async (r) => cluster.exportBundle(r),
    'cluster.sync': (r) => cluster.sync(r),
    'cluster.profiles': async () => cluster.profiles(),
  };
  return {
    // Every transport (IPC, loopback HTTP, tests) routes here, so the shapes are checked once for all.
    handlers: withRequestChecks(handlers),
    dispose: async () => {
      cluster.dispose();
      await Promise.all([runs.dispose(), embeddings.dispose(), lab.dispose(), study.dispose()]);
      store.close();
    },
  };
}
