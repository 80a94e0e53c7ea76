import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import path from 'node:path';
import { BUSY_TIMEOUT_MS, described, retryingStatements } from './guard';
import { assertNotNewer, migrate, schemaVersion, type Migration } from './migrate';
import { migrations as allMigrations } from './migrations/index';
import { dbPath } from './paths';
import { recoverCrashedRuns } from './runs';
import type { StoreDb } from './sql';

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens (creating if needed) `<dataDir>/noisynn.db`, migrates it and marks runs
 * of this host whose trainer died as crashed. The version check happens before
 * any pragma that writes, so a database from a newer build is left byte-for-byte alone.
 */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = allMigrations, o: { readOnly?: boolean } = {}): StoreDb {
  if (o.readOnly) return openReadOnly(dataDir, migrations);
  const file = dbPath(dataDir);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new Error(`the store at ${file} cannot be created: ${describe(err)}`, { cause: err });
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new Error(`${file}: cannot open database: ${describe(err)}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    retryingStatements(db, file);
    assertNotNewer(db, migrations, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, file);
    // Recovery reads this build's schema; a partial migration list (tests of old versions) has not got it.
    if (migrations === allMigrations) recoverCrashedRuns({ db, file }, os.hostname());
  } catch (err) {
    db.close();
    throw described(err, file);
  }
  return { db, file };
}

/**
 * For commands that only read (runs list/show, export, doctor): no migration, no crash recovery, no
 * write at all, so a store on read-only media or in someone else's folder can still be read. SQLite
 * cannot read a WAL database in a folder where it may not create its shared-memory file, so there the
 * store is read from a temporary copy (database and WAL), removed on close.
 */
function openReadOnly(dataDir: string, migrations: readonly Migration[]): StoreDb {
  const file = dbPath(dataDir);
  if (!fs.existsSync(file)) return openDatabase(dataDir, migrations); // a new data dir: an empty store, as before
  const attempt = (at: string): Database.Database => {
    const db = new Database(at, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      assertNotNewer(db, migrations, file);
      const version = schemaVersion(db);
      if (version < migrations.length) {
        throw new Error(
          `the store at ${file} has schema version ${version} (this build: ${migrations.length}); open it once with write access to upgrade it`,
        );
      }
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  };
  try {
    const db = attempt(file);
    retryingStatements(db, file);
    return { db, file };
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (!code.startsWith('SQLITE_READONLY') && code !== 'SQLITE_CANTOPEN') throw described(err, file);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-readonly-'));
  const copy = path.join(tmp, path.basename(file));
  try {
    fs.copyFileSync(file, copy);
    if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = attempt(copy);
    retryingStatements(db, file);
    return { db, file, onClose: () => fs.rmSync(tmp, { recursive: true, force: true }) };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw described(err, file);
  }
}
