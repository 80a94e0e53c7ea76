// Thumbnail pixels for the grid, fetched in batches (`datasets.thumbnails`): a few requests in
// flight, newest wanted first (after a fast scroll the
// cells now on screen load before the ones that scrolled past), requests for cells that left the
// screen dropped before they are sent, and an LRU of decoded images so scrolling back is free.
import type { SplitName } from '@api/contract';
import { host } from '../host';
import { pixelsToRgba, type Rgba } from '../lib/decode';

interface Job {
  key: string;
  dataset: string;
  split: SplitName;
  index: number;
  wanted: number;
  started: boolean;
  resolve: (img: Rgba) => void;
  reject: (e: unknown) => void;
  promise: Promise<Rgba>;
}

export interface ThumbRequest {
  promise: Promise<Rgba>;
  cancel(): void;
}

export class ThumbLoader {
  readonly #cache = new Map<string, Rgba>();
  readonly #jobs = new Map<string, Job>();
  #queue: Job[] = [];
  #inflight = 0;
  /** Requests sent so far (a number the tests and the status bar can show). */
  requests = 0;

  constructor(
    readonly capacity = 4000,
    readonly concurrency = 4,
    readonly batch = 96,
  ) {}

  static key(dataset: string, split: SplitName, index: number): string {
    return `${dataset}\u0000${split}\u0000${index}`;
  }

  /** Cached pixels, without a request (and marks them recently used). */
  peek(dataset: string, split: SplitName, index: number): Rgba | undefined {
    const key = ThumbLoader.key(dataset, split, index);
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
    }
    return hit;
  }

  request(dataset: string, split: SplitName, index: number): ThumbRequest {
    const hit = this.peek(dataset, split, index);
    if (hit) return { promise: Promise.resolve(hit), cancel: () => {} };
    const key = ThumbLoader.key(dataset, split, index);
    let job = this.#jobs.get(key);
    if (!job) {
      let resolve!: (img: Rgba) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<Rgba>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => {}); // a dropped job's rejection is expected, not unhandled
      job = { key, dataset, split, index, wanted: 0, started: false, resolve, reject, promise };
      this.#jobs.set(key, job);
      this.#queue.push(job);
    }
    job.wanted++;
    const j = job;
    queueMicrotask(() => this.#pump());
    let cancelled = false;
    return {
      promise: j.promise,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        j.wanted--;
        if (j.wanted <= 0 && !j.started) {
          this.#jobs.delete(j.key);
          this.#queue = this.#queue.filter((q) => q !== j);
          j.reject(new DOMException('thumbnail no longer visible', 'AbortError'));
        }
      },
    };
  }

  clear(): void {
    this.#cache.clear();
  }

  #pump(): void {
    while (this.#inflight < this.concurrency && this.#queue.length > 0) {
      // Newest first, one dataset per request.
      const dataset = this.#queue[this.#queue.length - 1].dataset;
      const jobs: Job[] = [];
      for (let i = this.#queue.length - 1; i >= 0 && jobs.length < this.batch; i--) {
        if (this.#queue[i].dataset === dataset) jobs.push(this.#queue[i]);
      }
      this.#queue = this.#queue.filter((j) => !jobs.includes(j));
      for (const j of jobs) j.started = true;
      this.#inflight++;
      this.requests++;
      host
        .invoke('datasets.thumbnails', { dataset, refs: jobs.map((j) => ({ split: j.split, index: j.index })) })
        .then(
          (all) =>
            all.forEach((px, i) => {
              const img = pixelsToRgba(px);
              this.#remember(jobs[i].key, img);
              jobs[i].resolve(img);
            }),
          (e) => jobs.forEach((j) => j.reject(e)),
        )
        .finally(() => {
          for (const j of jobs) this.#jobs.delete(j.key);
          this.#inflight--;
          this.#pump();
        });
    }
  }

  #remember(key: string, img: Rgba): void {
    this.#cache.set(key, img);
    while (this.#cache.size > this.capacity) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}

export const thumbs = new ThumbLoader();
