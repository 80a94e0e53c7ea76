import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src-main/store/db';
import { openStore } from '../../src-main/store/index';
import { migrate, type Migration } from '../../src-main/store/migrate';
import { migrations } from '../../src-main/store/migrations/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'noisynn-store-migrate-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `d${++n}`);

const tables = (s: { db: import('better-sqlite3').Database }) =>
  (s.db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

test('an empty database migrates to the latest version with STRICT tables, WAL and foreign keys', () => {
  const s = openDatabase(freshDir());
  try {
    assert.equal(s.db.pragma('user_version', { simple: true }), migrations.length);
    assert.deepEqual(tables(s), [
      'checkpoints',
      'cluster_runs',
      'datasets',
      'evaluations',
      'metric_rollups',
      'metrics',
      'notes',
      'run_params',
      'runs',
      'sweeps',
      'tags',
    ]);
    for (const t of tables(s)) {
      assert.equal((s.db.prepare('SELECT strict FROM pragma_table_list WHERE name = ?').get(t) as { strict: number }).strict, 1, t);
    }
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(s.db.pragma('busy_timeout', { simple: true }), 10000);
    assert.throws(
      () => s.db.prepare(`INSERT INTO runs (status, config, seed, created_at) VALUES ('running', '{}', 'x', 'now')`).run(),
      /cannot store TEXT value in INTEGER column/,
    );
    assert.throws(
      () => s.db.prepare(`INSERT INTO runs (status, config, seed, created_at) VALUES ('bogus', '{}', 1, 'now')`).run(),
      /CHECK constraint/,
    );
  } finally {
    s.db.close();
  }
});

test('an existing database keeps its rows when a new migration is appended', () => {
  const dir = freshDir();
  const v1 = openDatabase(dir, migrations.slice(0, 1));
  v1.db.prepare(`INSERT INTO runs (status, config, seed, created_at) VALUES ('completed', '{"a":1}', 7, 'then')`).run();
  v1.db.close();

  const addColour: Migration = {
    version: 2,
    name: 'run colour',
    up: (db) => db.exec(`ALTER TABLE runs ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue'`),
  };
  const v2 = openDatabase(dir, [...migrations.slice(0, 1), addColour]);
  try {
    assert.equal(v2.db.pragma('user_version', { simple: true }), 2);
    assert.deepEqual(v2.db.prepare('SELECT seed, config, colour FROM runs').all(), [{ seed: 7, config: '{"a":1}', colour: 'blue' }]);
    // Running again is a no-op.
    assert.equal(migrate(v2.db, [...migrations.slice(0, 1), addColour], v2.file), 2);
  } finally {
    v2.db.close();
  }
});

test('a migration that throws rolls back completely and names the file', () => {
  const dir = freshDir();
  openDatabase(dir, migrations.slice(0, 1)).db.close();
  const broken: Migration = {
    version: 2,
    name: 'half done',
    up: (db) => {
      db.exec('CREATE TABLE half (x INTEGER) STRICT');
      throw new Error('boom');
    },
  };
  assert.throws(
    () => openDatabase(dir, [...migrations.slice(0, 1), broken]),
    (err: Error) => {
      assert.match(err.message, /noisynn\.db: migration 2 \(half done\) failed and was rolled back: boom/);
      return true;
    },
  );
  const s = openDatabase(dir, migrations.slice(0, 1));
  try {
    assert.equal(s.db.pragma('user_version', { simple: true }), 1);
    assert.ok(!tables(s).includes('half'));
  } finally {
    s.db.close();
  }
});

test('a malformed migration list is rejected', () => {
  const s = openDatabase(freshDir());
  try {
    assert.throws(() => migrate(s.db, [{ version: 2, name: 'gap', up() {} }], s.file), /migration list is malformed/);
  } finally {
    s.db.close();
  }
});

test('a database from a newer build is refused and left untouched', () => {
  const dir = freshDir();
  const s = openDatabase(dir);
  s.db.pragma('user_version = 999');
  s.db.close();
  const file = path.join(dir, 'noisynn.db');
  const before = fs.readFileSync(file);
  assert.throws(
    () => openStore(dir),
    (err: Error) => {
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, new RegExp(`version 999 is newer than this build supports \\(version ${migrations.length}\\)`));
      return true;
    },
  );
  assert.deepEqual(fs.readFileSync(file), before);
  assert.equal(before.readUInt32BE(60), 999); // user_version lives at header offset 60
});

test('a file that is not SQLite gives an error naming it and is not modified', () => {
  const dir = freshDir();
  fs.mkdirSync(dir);
  const file = path.join(dir, 'noisynn.db');
  const junk = Buffer.from('this is a CSV file, not a database\n'.repeat(64));
  fs.writeFileSync(file, junk);
  assert.throws(
    () => openStore(dir),
    (err: Error) => {
      assert.ok(err.message.startsWith(`the store at ${file} is damaged: `), err.message);
      return true;
    },
  );
  assert.deepEqual(fs.readFileSync(file), junk);
});
