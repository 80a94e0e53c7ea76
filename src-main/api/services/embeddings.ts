// embeddings.* services: analyses run in their own process (extraction, projection, entropy can take
// a minute on 10,000 images); progress and completion are pushed as events, results fetched by id.
import { conflict, invalid, notFound } from '../../errors';
import { randomUUID } from 'node:crypto';
import { launch, type RunningJob } from '../../runner/launch';
import type { FromWorker, Job } from '../../runner/messages';
import type { ApiMethods, Emit, EmbeddingAnalysis, EntropyTableRow } from '../contract';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];

interface Entry {
  job: RunningJob;
  analysis?: EmbeddingAnalysis;
  table?: EntropyTableRow[];
  error?: string;
  finished: boolean;
}

const KEEP = 20; // finished analyses kept in memory (each holds a few MB at most)

export class EmbeddingServices {
  private readonly jobs = new Map<string, Entry>();

  constructor(private readonly dataDir: string, private readonly emit: Emit) {}

  start(request: Req<'embeddings.start'>): { jobId: string } {
    const jobId = randomUUID();
    return this.launch({ kind: 'analyse', jobId, dataDir: this.dataDir, request }, jobId);
  }

  entropyTable(request: Req<'embeddings.entropyTable'>): { jobId: string } {
    if (!Array.isArray(request.noises) || request.noises.length === 0 || request.noises.length > 32) throw invalid('the entropy table needs 1 to 32 noise specs', 'noises');
    const jobId = randomUUID();
    return this.launch({ kind: 'entropy-table', jobId, dataDir: this.dataDir, request }, jobId);
  }

  private launch(job: Job, jobId: string): { jobId: string } {
    const entry: Entry = { finished: false } as Entry;
    entry.job = launch(job, (m: FromWorker) => {
      if (m.type === 'analysis-progress') this.emit('embeddings.progress', { jobId, phase: m.phase, done: m.done, total: m.total });
      else if (m.type === 'analysis-done') {
        Object.assign(entry, { analysis: m.analysis, table: m.table, error: m.error, finished: true });
        this.emit('embeddings.done', { jobId, error: m.error });
      }
    });
    void entry.job.done.then((exit) => {
      if (entry.finished) return;
      entry.finished = true;
      entry.error = `the analysis process ended ${exit.signal ? `by ${exit.signal}` : `with exit code ${exit.code}`} before finishing`;
      this.emit('embeddings.done', { jobId, error: entry.error });
    });
    this.jobs.set(jobId, entry);
    this.trim();
    return { jobId };
  }

  private entry(jobId: string): Entry {
    const e = this.jobs.get(jobId);
    if (!e) throw notFound(`no embedding analysis ${jobId} (finished analyses are kept for the last ${KEEP})`);
    if (!e.finished) throw conflict(`embedding analysis ${jobId} is still running`);
    if (e.error) throw new Error(e.error);
    return e;
  }

  result(jobId: string): EmbeddingAnalysis {
    const e = this.entry(jobId);
    if (!e.analysis) throw invalid(`${jobId} is an entropy table, not an analysis`, 'jobId');
    return e.analysis;
  }

  tableResult(jobId: string): EntropyTableRow[] {
    const e = this.entry(jobId);
    if (!e.table) throw invalid(`${jobId} is an analysis, not an entropy table`, 'jobId');
    return e.table;
  }

  cancel(jobId: string): { ok: true } {
    const e = this.jobs.get(jobId);
    if (!e) throw notFound(`no embedding analysis ${jobId}`);
    e.job.cancel();
    return { ok: true };
  }

  private trim(): void {
    const done = [...this.jobs].filter(([, e]) => e.finished);
    for (const [id] of done.slice(0, Math.max(0, done.length - KEEP))) this.jobs.delete(id);
  }

  async dispose(): Promise<void> {
    for (const e of this.jobs.values()) if (!e.finished) e.job.kill('SIGTERM');
    await Promise.all([...this.jobs.values()].map((e) => e.job.done));
  }
}
