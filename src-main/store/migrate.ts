import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function latestVersion(migrations: readonly Migration[], file: string): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`${file}: migration list is malformed: entry ${i} ("${m.name}") has version ${m.version}, expected ${i + 1}`);
    }
  });
  return migrations.length;
}

/** Refuse a database written by a newer build: migrating it down is impossible and writing to it could corrupt it. */
export function assertNotNewer(db: Database.Database, migrations: readonly Migration[], file: string): void {
  const latest = latestVersion(migrations, file);
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `${file}: database schema version ${current} is newer than this build supports (version ${latest}); ` +
        'upgrade NoisyNN Workbench or choose another data directory',
    );
  }
}

/**
 * Brings the database up to the last migration. Each migration runs in its own
 * IMMEDIATE transaction together with its user_version bump, so a failure leaves
 * the previous version intact, and a second process opening the same fresh file
 * waits for the write lock and then sees the work already done.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file: string): number {
  assertNotNewer(db, migrations, file);
  for (const m of migrations) {
    if (schemaVersion(db) >= m.version) continue;
    const step = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`${file}: migration ${m.version} (${m.name}) failed and was rolled back: ${msg}`, { cause: err });
    }
  }
  return schemaVersion(db);
}
