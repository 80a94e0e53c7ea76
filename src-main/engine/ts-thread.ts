// Worker threads that run TypeScript entries: threads ignore `--import tsx`, so a one-line bootstrap registers
// tsx in the thread before importing the entry (the workbench always runs its threads from the sources).
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A worker thread running the TypeScript module at `entryPath` (absolute) with `workerData`. */
export function tsWorker(entryPath: string, workerData: unknown): Worker {
  const entry = pathToFileURL(entryPath).href;
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
