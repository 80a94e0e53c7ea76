// Another process may hold the write lock for longer than SQLite's busy_timeout (a long export, a
// stalled app, a study writing a big transaction). A write outside a transaction, or a whole
// BEGIN IMMEDIATE transaction, is then retried with a growing pause instead of failing the caller
// (a trainer mid-run, the queue pump); only after BUSY_LIMIT_MS does it give up, with a clear message.
import type Database from 'better-sqlite3';

export const BUSY_TIMEOUT_MS = 10_000;
export const BUSY_LIMIT_MS = 120_000;

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(pause, 0, 0, ms);

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Runs `fn`, retrying while the database is locked by another process (never inside a transaction: its owner retries it whole). */
export function retryBusy<T>(db: Database.Database, file: string, fn: () => T): T {
  if (db.inTransaction) return fn();
  const start = Date.now();
  let wait = 50;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      const waited = Date.now() - start;
      if (!isBusy(e)) throw e;
      if (waited > BUSY_LIMIT_MS) {
        throw new Error(`${file}: the database stayed locked by another process for ${Math.round(waited / 1000)} s: ${(e as Error).message}`, { cause: e });
      }
      sleepSync(wait);
      wait = Math.min(wait * 2, 2000);
    }
  }
}

/** Every statement this connection prepares retries its run/get/all while another process holds the lock. */
export function retryingStatements(db: Database.Database, file: string): void {
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const st = prepare(sql) as unknown as Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;
    for (const m of ['run', 'get', 'all'] as const) {
      const f = st[m].bind(st);
      st[m] = (...a: unknown[]) => retryBusy(db, file, () => f(...a));
    }
    return st;
  }) as typeof db.prepare;
}
