// The leaf every store module builds on: the connection type, the write transaction, the argument checks
// and a per-connection statement cache. It imports no other store module, so the rest form no circle.
import type Database from 'better-sqlite3';
import { invalid } from '../errors';
import { retryBusy } from './guard';

/** An open database plus the file name every error message carries. */
export interface StoreDb {
  db: Database.Database;
  file: string;
  /** Run after closing (a read-only snapshot's temporary copy is removed). */
  onClose?: () => void;
}

export const nowIso = (): string => new Date().toISOString();

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The connection's prepared statement for `sql`, compiled once: hot paths (a trainer's metric rows, the
 * rollup upserts) would otherwise parse the same SQL on every call. Only for SQL from a fixed set of
 * strings; text built from unbounded input would grow the cache without end.
 */
export function prepare(s: StoreDb, sql: string): Database.Statement {
  let cache = statements.get(s.db);
  if (!cache) statements.set(s.db, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = s.db.prepare(sql)));
  return st;
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction. A deferred one that reads before
 * writing fails at once with SQLITE_BUSY (busy_timeout cannot help) when another
 * process writes in between; taking the write lock up front makes it wait instead.
 */
export function writeTx<T>(s: StoreDb, fn: () => T): T {
  const tx = s.db.transaction(fn);
  return retryBusy(s.db, s.file, () => tx.immediate());
}

export function fail(s: StoreDb, problem: string): never {
  throw invalid(`${s.file}: ${problem}`);
}

export function checkInt(s: StoreDb, what: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail(s, `${what} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, got ${String(v)}`);
  }
  return v;
}

export function checkNumber(s: StoreDb, what: string, v: unknown): number {
  if (typeof v !== 'number') fail(s, `${what} must be a number, got ${typeof v}`);
  return v;
}

export function checkText(s: StoreDb, what: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') fail(s, `${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}
