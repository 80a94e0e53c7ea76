// What every statement goes through. Another process may hold the write lock for longer than SQLite's
// busy_timeout (a long export, a stalled app, a study writing a big transaction): a write outside a
// transaction, or a whole BEGIN IMMEDIATE transaction, is then retried with a growing pause instead of
// failing the caller (a trainer mid-run, the queue pump); only after BUSY_LIMIT_MS does it give up.
// A damaged file, one this process may not write, or a full disk is named as such, with its path.
import type Database from 'better-sqlite3';

export const BUSY_TIMEOUT_MS = 10_000;
export const BUSY_LIMIT_MS = 120_000;

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(pause, 0, 0, ms);

const codeOf = (e: unknown): string => String((e as { code?: unknown }).code ?? '');
const isBusy = (e: unknown) => codeOf(e).startsWith('SQLITE_BUSY') || codeOf(e).startsWith('SQLITE_LOCKED');

/** The store's own words for a damaged or unwritable file; other errors as they are. */
export function described(e: unknown, file: string): unknown {
  const code = codeOf(e);
  const message = (e as Error).message;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new Error(
      `the store at ${file} is damaged: ${message} ('noisynn doctor' checks it; restore a backup or use another --data-dir)`,
      { cause: e },
    );
  }
  if (code === 'SQLITE_FULL') {
    // The code stays on the error: a run's final status meeting it falls back on the disk reserve (reserve.ts).
    return Object.assign(new Error(`disk full writing the store at ${file}: ${message}`, { cause: e }), { code });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new Error(`the store at ${file} cannot be written (${message}): this command needs write access to it and its folder`, {
      cause: e,
    });
  }
  return e;
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
      if (!isBusy(e)) throw described(e, file);
      if (waited > BUSY_LIMIT_MS) {
        throw new Error(
          `${file}: the database stayed locked by another process for ${Math.round(waited / 1000)} s: ${(e as Error).message}`,
          { cause: e },
        );
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
    let prepared: ReturnType<typeof prepare>;
    try {
      prepared = prepare(sql); // reads the schema: a damaged file can fail here already
    } catch (e) {
      throw described(e, file);
    }
    const st = prepared as unknown as Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;
    for (const m of ['run', 'get', 'all'] as const) {
      const f = st[m].bind(st);
      st[m] = (...a: unknown[]) => retryBusy(db, file, () => f(...a));
    }
    return st;
  }) as typeof db.prepare;
}
