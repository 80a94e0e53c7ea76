// State of the embedding inspector. It lives outside the view so the choices, a running analysis and
// its result survive switching tabs (an analysis of 10,000 images takes a while). Analyses run on the
// main side; this class only starts them, follows their progress events and fetches the result.
import type { EmbeddingAnalysis, EmbeddingRequest, EntropyTableRow, NoiseSpecDto, ProjectionMethod, SplitName } from '@api/contract';
import { errorMessage, host } from '../host';
import { base64ToFloat32, base64ToInt32 } from '../lib/decode';
import { readPoint } from '../lib/projection';
import { cleanSpec, defaultSpec, SKIP_CLASS_TOKEN } from '../lib/noise-params';
import type { ModelChoice } from './noise-lab.svelte';

/** The service's exact t-SNE refuses more than this many points (clean + noisy together). */
export const TSNE_MAX_POINTS = 3000;
/** Default sample of the dS table: it extracts once per noise spec. */
export const TABLE_SAMPLE = 2000;

/** Every noise type at a few strengths, for the dS table. */
export const TABLE_NOISES: NoiseSpecDto[] = [
  ...[0.1, 0.5, 1].map((strength) => ({ ...cleanSpec({ ...defaultSpec('gaussian', 'embedding'), strength }), at: 'eval' as const })),
  ...[0.05, 0.2].map((prob) => ({ ...cleanSpec({ ...defaultSpec('salt-pepper', 'embedding'), prob }), at: 'eval' as const })),
  ...[0.1, 0.3].map((alpha) => ({ ...cleanSpec({ ...defaultSpec('linear-shift', 'embedding'), alpha }), at: 'eval' as const })),
  { ...cleanSpec(defaultSpec('linear-optimal', 'embedding')), at: 'eval' as const },
];

/** The analysis decoded once: typed arrays the chart and the grid read many times. */
export interface Decoded {
  analysis: EmbeddingAnalysis;
  labels: Int32Array;
  order: Int32Array;
  predClean: Int32Array;
  predNoisy: Int32Array | null;
  clean: Float32Array | null;
  noisy: Float32Array | null;
  /** The dataset and split the rows' `order` indices refer to (for thumbnails). */
  dataset: string;
  split: SplitName;
  noise: NoiseSpecDto | null;
  /** Where in the model Z was read, in words. */
  point: string;
}

/** Which points the scatter draws. */
export type Show = 'clean' | 'noisy' | 'both';

export interface Job {
  id: string;
  kind: 'analysis' | 'table';
  method: ProjectionMethod;
  phase: string;
  done: number;
  total: number;
  startedAt: number;
}

function decode(a: EmbeddingAnalysis, req: EmbeddingRequest): Decoded {
  return {
    analysis: a,
    labels: base64ToInt32(a.labels),
    order: base64ToInt32(a.order),
    predClean: base64ToInt32(a.predClean),
    predNoisy: a.predNoisy ? base64ToInt32(a.predNoisy) : null,
    clean: a.projection ? base64ToFloat32(a.projection.clean) : null,
    noisy: a.projection?.noisy ? base64ToFloat32(a.projection.noisy) : null,
    dataset: req.dataset,
    split: req.split,
    noise: req.noise,
    point: readPoint(req.site),
  };
}

export class EmbeddingsState {
  // --- the form ---
  model = $state<ModelChoice>({ kind: 'preset', preset: 'mnist-vit', initSeed: 42 });
  dataset = $state('mnist');
  split = $state<SplitName>('test');
  site = $state<{ block: number; stage?: number }>({ block: 3 });
  pool = $state<'cls' | 'mean-patch'>('cls');
  /** Where Z is read: the block / stage output, or the tensor the noise acts on (the paper's latent). */
  at = $state<'output' | 'noise-site'>('output');
  /** ViT blocks: leave the class token untouched (the official default, as in the Train form and the noise lab). */
  skipClassToken = $state(SKIP_CLASS_TOKEN);
  spec = $state<NoiseSpecDto>(defaultSpec('gaussian', 'embedding'));
  protocol = $state<'sorted' | 'shuffled'>('sorted');
  /** 10 = the official test batch (docs/method.md#evaluation-protocols). */
  batchSize = $state(10);
  seed = $state(42);
  /** 0 = every image of the split. */
  limit = $state(0);
  tableLimit = $state(TABLE_SAMPLE);

  // --- jobs and results ---
  job = $state.raw<Job | null>(null);
  result = $state.raw<Decoded | null>(null);
  error = $state('');
  table = $state.raw<EntropyTableRow[] | null>(null);
  tableJob = $state.raw<Job | null>(null);
  tableError = $state('');
  /** Wall time of the last finished job per method, in ms (shown next to the result). */
  wall = $state<Record<string, number>>({});

  #pending = new Map<string, EmbeddingRequest>();
  #subscribed = false;
  #finishing = new Set<string>();
  #lastEvent = 0;

  /** Subscribes to the progress events once, on first use (not at import: tests import this file). */
  #subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    host.on('embeddings.progress', (p) => {
      this.#lastEvent = performance.now();
      for (const key of ['job', 'tableJob'] as const) {
        const j = this[key];
        if (j && j.id === p.jobId) this[key] = { ...j, phase: p.phase, done: p.done, total: p.total };
      }
    });
    host.on('embeddings.done', (d) => void this.#finish(d.jobId, d.error));
    // Events sent while the event stream reconnects are lost: ask now and then whether a job ended.
    setInterval(() => void this.#check(), 15_000);
  }

  async #check(): Promise<void> {
    // Only when the stream has been quiet: a running job reports progress every few seconds.
    if (performance.now() - this.#lastEvent < 20_000) return;
    for (const j of [this.job, this.tableJob]) {
      if (!j) continue;
      try {
        await host.invoke(j.kind === 'analysis' ? 'embeddings.result' : 'embeddings.tableResult', { jobId: j.id });
        await this.#finish(j.id);
      } catch (e) {
        if (!/still running/.test(errorMessage(e))) await this.#finish(j.id, errorMessage(e));
      }
    }
  }

  async #finish(jobId: string, error?: string): Promise<void> {
    // The done event and the poll can both report one job: handle it once.
    if (this.#finishing.has(jobId)) return;
    this.#finishing.add(jobId);
    if (this.job?.id === jobId) {
      const job = this.job;
      const req = this.#pending.get(jobId);
      this.#pending.delete(jobId);
      try {
        if (error) throw new Error(error);
        const a = await host.invoke('embeddings.result', { jobId });
        if (this.job?.id !== jobId || !req) return;
        this.result = decode(a, req);
        this.wall = { ...this.wall, [job.method]: performance.now() - job.startedAt };
        this.error = '';
      } catch (e) {
        if (this.job?.id === jobId) this.error = errorMessage(e);
      } finally {
        if (this.job?.id === jobId) this.job = null;
      }
    } else if (this.tableJob?.id === jobId) {
      try {
        if (error) throw new Error(error);
        const rows = await host.invoke('embeddings.tableResult', { jobId });
        if (this.tableJob?.id !== jobId) return;
        this.table = rows;
        this.tableError = '';
      } catch (e) {
        if (this.tableJob?.id === jobId) this.tableError = errorMessage(e);
      } finally {
        if (this.tableJob?.id === jobId) this.tableJob = null;
      }
    }
  }

  async start(req: EmbeddingRequest): Promise<void> {
    this.#subscribe();
    this.error = '';
    try {
      const { jobId } = await host.invoke('embeddings.start', req);
      this.#pending.set(jobId, req);
      this.job = {
        id: jobId,
        kind: 'analysis',
        method: req.projection,
        phase: 'starting',
        done: 0,
        total: 0,
        startedAt: performance.now(),
      };
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async startTable(req: ApiTableRequest): Promise<void> {
    this.#subscribe();
    this.tableError = '';
    try {
      const { jobId } = await host.invoke('embeddings.entropyTable', req);
      this.tableJob = {
        id: jobId,
        kind: 'table',
        method: 'none',
        phase: 'starting',
        done: 0,
        total: req.noises.length,
        startedAt: performance.now(),
      };
    } catch (e) {
      this.tableError = errorMessage(e);
    }
  }

  async cancel(kind: 'analysis' | 'table'): Promise<void> {
    const j = kind === 'analysis' ? this.job : this.tableJob;
    if (!j) return;
    if (kind === 'analysis') this.job = null;
    else this.tableJob = null;
    try {
      await host.invoke('embeddings.cancel', { jobId: j.id });
    } catch {
      // Already finished: nothing left to cancel.
    }
  }
}

export type ApiTableRequest = Omit<EmbeddingRequest, 'noise' | 'projection' | 'entropy'> & { noises: NoiseSpecDto[] };

export const embeddings = new EmbeddingsState();
