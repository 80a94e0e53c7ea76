// embeddings.* services: analyses run in their own process (extraction, projection, entropy can take
// a minute on 10,000 images); progress and completion are pushed as events, results fetched by id.
// At most MAX_RUNNING run at once (each holds a model and a split in memory); the rest wait in one
// queue of at most MAX_WAITING, in the order asked.
import { conflict, invalid, notFound } from '../../errors';
import { randomUUID } from 'node:crypto';
import { launch, type RunningJob } from '../../runner/launch';
import type { FromWorker, Job } from '../../runner/messages';
import type { ApiMethods, Emit, EmbeddingAnalysis, EntropyTableRow } from '../contract';

type Req<M extends keyof ApiMethods> = ApiMethods[M]['req'];

interface Entry {
  /** Absent while the analysis waits for a free slot. */
  job?: RunningJob;
  analysis?: EmbeddingAnalysis;
  table?: EntropyTableRow[];
  error?: string;
  finished: boolean;
}

const KEEP = 20; // finished analyses kept in memory (each holds a few MB at most)
export const MAX_RUNNING = 2;
export const MAX_WAITING = 8;

export class EmbeddingServices {
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting: { jobId: string; job: Job }[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly emit: Emit,
  ) {}

  start(request: Req<'embeddings.start'>): { jobId: string } {
    const jobId = randomUUID();
    return this.launch({ kind: 'analyse', jobId, dataDir: this.dataDir, request }, jobId);
  }

  entropyTable(request: Req<'embeddings.entropyTable'>): { jobId: string } {
    if (!Array.isArray(request.noises) || request.noises.length === 0 || request.noises.length > 32)
      throw invalid('the entropy table needs 1 to 32 noise specs', 'noises');
    const jobId = randomUUID();
    return this.launch({ kind: 'entropy-table', jobId, dataDir: this.dataDir, request }, jobId);
  }

  /** How many analyses run and wait now. */
  load(): { running: number; waiting: number } {
    // A job holds its slot until its process has exited, not only until it reported.
    return { running: [...this.jobs.values()].filter((e) => e.job).length, waiting: this.waiting.length };
  }

  private launch(job: Job, jobId: string): { jobId: string } {
    if (this.waiting.length >= MAX_WAITING)
      throw conflict(`${MAX_RUNNING} analyses are running and ${MAX_WAITING} are waiting: try again when one has finished`);
    const entry: Entry = { finished: false };
    this.jobs.set(jobId, entry);
    this.waiting.push({ jobId, job });
    this.next();
    this.trim();
    return { jobId };
  }

  /** Starts waiting analyses while a slot is free. */
  private next(): void {
    while (this.waiting.length && this.load().running < MAX_RUNNING) {
      const { jobId, job } = this.waiting.shift()!;
      const entry = this.jobs.get(jobId);
      if (entry && !entry.finished) this.run(entry, job, jobId);
    }
  }

  private run(entry: Entry, job: Job, jobId: string): void {
    entry.job = launch(job, (m: FromWorker) => {
      if (m.type === 'analysis-progress') this.emit('embeddings.progress', { jobId, phase: m.phase, done: m.done, total: m.total });
      else if (m.type === 'analysis-done') {
        Object.assign(entry, { analysis: m.analysis, table: m.table, error: m.error, finished: true });
        this.emit('embeddings.done', { jobId, error: m.error });
      }
    });
    void entry.job.done.then((exit) => {
      if (!entry.finished) {
        entry.finished = true;
        entry.error = `the analysis process ended ${exit.signal ? `by ${exit.signal}` : `with exit code ${exit.code}`} before finishing`;
        this.emit('embeddings.done', { jobId, error: entry.error });
      }
      entry.job = undefined; // its slot is free
      this.next();
    });
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
    if (e.job) e.job.cancel();
    else if (!e.finished) {
      const i = this.waiting.findIndex((w) => w.jobId === jobId);
      if (i >= 0) this.waiting.splice(i, 1);
      Object.assign(e, { finished: true, error: 'cancelled before it started' });
      this.emit('embeddings.done', { jobId, error: e.error });
    }
    return { ok: true };
  }

  private trim(): void {
    const done = [...this.jobs].filter(([, e]) => e.finished);
    for (const [id] of done.slice(0, Math.max(0, done.length - KEEP))) this.jobs.delete(id);
  }

  async dispose(): Promise<void> {
    this.waiting.length = 0;
    const running = [...this.jobs.values()].flatMap((e) => (e.job ? [e.job] : []));
    for (const j of running) j.kill('SIGTERM');
    await Promise.all(running.map((j) => j.done));
  }
}
