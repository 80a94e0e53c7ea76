// A store that cannot be written (read-only media, another user's folder) is still read by the commands
// that only show (runs list/show/compare, export, doctor); a write names the path and the reason. A
// damaged store is called that, with its path, and doctor reports it instead of failing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dbPath } from '../../src-main/store';
import { cli, type CliResult, TINY_CNN_RUN } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'noisynn.mjs');
const asRoot = process.getuid?.() === 0;

/** The CLI as a user who may not write `dir`: root ignores file modes, so as root it runs as nobody. */
function cliWithoutWriteAccess(dir: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NOISYNN_HOME: '' },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(last) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

test('a read-only data dir: list, show, compare, export and doctor work; writes name the path and the reason', () => {
  const dir = tempDir();
  for (const seed of ['1', '2']) {
    const r = cli(dir, 'train', ...TINY_CNN_RUN, '--seed', seed, '--json');
    assert.equal(r.code, 0, r.stderr);
  }
  const before = readdirSync(dir).sort();
  chmodSync(dbPath(dir), 0o444);
  chmodSync(dir, 0o555);
  try {
    const list = cliWithoutWriteAccess(dir, 'runs', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (list.json?.runs as { id: number }[]).map((r) => r.id),
      [2, 1],
    );
    const show = cliWithoutWriteAccess(dir, 'runs', 'show', '1', '--json');
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.json?.status, 'completed');
    assert.equal(cliWithoutWriteAccess(dir, 'runs', 'compare', '1', '2', '--json').code, 0);
    const csv = cliWithoutWriteAccess(dir, 'export', '1', '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout.trim().split('\n').length, 1 + 2 * 3 + 6, 'header, 2 steps x 3 metrics, 6 epoch metrics');
    const doctor = cliWithoutWriteAccess(dir, 'doctor', '--json');
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.equal((doctor.json?.store as { integrity: string }).integrity, 'ok');

    const tag = cliWithoutWriteAccess(dir, 'runs', 'tag', '1', 'x');
    assert.equal(tag.code, 1);
    assert.match(
      tag.stderr,
      new RegExp(
        `the store at ${dbPath(dir).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be written \\(.*\\): this command needs write access`,
      ),
    );
    const train = cliWithoutWriteAccess(dir, 'train', '--epochs', '1', '--limit-train', '64');
    assert.equal(train.code, 1);
    assert.match(train.stderr, /cannot be written/);
    assert.doesNotMatch(tag.stderr + train.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    chmodSync(dir, 0o755);
    chmodSync(dbPath(dir), 0o644);
  }
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing was created beside the store');
});

test('a damaged store: commands say "the store at PATH is damaged", doctor reports it', () => {
  const dir = tempDir();
  const r = cli(dir, 'train', ...TINY_CNN_RUN, '--json');
  assert.equal(r.code, 0, r.stderr);
  const broken = tempDir();
  copyFileSync(dbPath(dir), dbPath(broken));
  // Every page after the first (the header and the schema) overwritten: the tables' b-trees are garbage.
  const pageSize = 4096;
  const size = statSync(dbPath(broken)).size;
  const fd = openSync(dbPath(broken), 'r+');
  try {
    for (let at = pageSize; at < size; at += pageSize) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, at);
  } finally {
    closeSync(fd);
  }
  for (const args of [
    ['runs', 'list'],
    ['runs', 'show', '1'],
    ['export', '1', '--format', 'csv'],
  ]) {
    const x = cli(broken, ...args);
    assert.equal(x.code, 1, `${args.join(' ')}: ${x.stdout}`);
    assert.ok(x.stderr.includes(`the store at ${dbPath(broken)} is damaged: `), `${args.join(' ')}: ${x.stderr}`);
    assert.doesNotMatch(x.stderr, /\n\s+at /, 'no stack trace');
  }
  const doctor = cli(broken, 'doctor', '--json');
  assert.equal(doctor.code, 0, doctor.stderr);
  const store = doctor.json?.store as { integrity: string; path: string };
  assert.equal(store.path, dbPath(broken));
  assert.notEqual(store.integrity, 'ok');
  assert.match(store.integrity, /malformed|damaged|corrupt|invalid|btree|page/i);
});
