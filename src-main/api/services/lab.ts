// noise.preview and noise.embedding, answered by a worker thread (lab-thread.ts) started on the first
// request: the tfjs work of a preview runs off the thread that serves the other requests. Requests are
// answered in order; a thread that dies fails its pending requests and the next request starts a new one.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { BackendName } from '../../engine/backend';
import { tsWorker } from '../../engine/ts-thread';
import { WorkbenchError, type ErrorCode } from '../../errors';
import type { ApiMethods } from '../contract';

export type LabMethod = 'noise.preview' | 'noise.embedding';
export type LabRequest = { [M in LabMethod]: { id: number; method: M; req: ApiMethods[M]['req'] } }[LabMethod];
export type LabReply =
  { id: number; ok: true; res: unknown } | { id: number; ok: false; error: { message: string; code?: ErrorCode; field?: string } };

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'lab-thread.ts');

export class NoiseLab {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /** `entry`: the thread's module (a test passes a stand-in). */
  constructor(
    private readonly dataDir: string,
    private readonly backend: BackendName | 'auto',
    private readonly entry = ENTRY,
  ) {}

  call<M extends LabMethod>(method: M, req: ApiMethods[M]['req']): Promise<ApiMethods[M]['res']> {
    const w = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref(); // an idle lab thread must not keep the process alive; a busy one must
      w.postMessage({ id, method, req } as LabRequest);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = tsWorker(this.entry, { dataDir: this.dataDir, backend: this.backend });
    w.on('message', (m: LabReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.ok) p.resolve(m.res);
      else p.reject(m.error.code ? new WorkbenchError(m.error.code, m.error.message, m.error.field) : new Error(m.error.message));
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', (e) => fail(new Error(`the noise lab thread failed: ${e.message}`)));
    w.on('exit', (code) => fail(new Error(`the noise lab thread ended (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
