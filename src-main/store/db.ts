import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, retryingStatements } from './busy';
import { assertNotNewer, migrate, type Migration } from './migrate';
import { migrations as allMigrations } from './migrations/index';
import { dbPath } from './paths';
import { recoverCrashedRuns } from './runs';

/** An open database plus the file name every error message carries. */
export interface StoreDb {
  db: Database.Database;
  file: string;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens (creating if needed) `<dataDir>/noisynn.db`, migrates it and marks runs
 * of this host whose trainer died as crashed. The version check happens before
 * any pragma that writes, so a database from a newer build is left byte-for-byte alone.
 */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = allMigrations): StoreDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = dbPath(dataDir);
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
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new Error(`${file}: not a SQLite database (or it is corrupt): ${describe(err)}`, { cause: err });
    }
    throw err;
  }
  return { db, file };
}
