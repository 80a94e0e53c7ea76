// Every CLI command that had no test of its own, called as a user would, on real runs: runs show /
// compare / tag / note, datasets list / show, doctor, and study reproduce on its smallest plan.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { migrations } from '../../src-main/store/migrations/index';
import { cli, TINY_CNN_RUN } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
const tiny = [...TINY_CNN_RUN, '--json'];

before(() => {
  for (const strength of ['0.1', '0.5']) {
    const r = cli(dir, 'train', ...tiny, '--noise', 'gaussian', '--strength', strength, '--name', `g${strength}`);
    assert.equal(r.code, 0, r.stderr);
  }
});

test('runs tag / note / show: the tag and the note come back with the run', () => {
  assert.equal(cli(dir, 'runs', 'tag', '1', 'baseline', 'gaussian').code, 0);
  assert.equal(cli(dir, 'runs', 'note', '1', 'first', 'try').code, 0);
  const show = cli(dir, 'runs', 'show', '1', '--json');
  assert.equal(show.code, 0, show.stderr);
  const j = show.json as {
    id: number;
    name: string;
    status: string;
    tags: string[];
    notes: { body: string }[];
    params: Record<string, unknown>;
    evaluations: unknown[];
    checkpoints: unknown[];
  };
  assert.equal(j.id, 1);
  assert.equal(j.name, 'g0.1');
  assert.equal(j.status, 'completed');
  assert.deepEqual(j.tags, ['baseline', 'gaussian']);
  assert.deepEqual(
    j.notes.map((n) => n.body),
    ['first try'],
  );
  assert.equal(j.params['noise.strength'], 0.1);
  assert.ok((j.evaluations as { protocol: string }[]).some((e) => e.protocol === 'standard'));
  assert.equal(j.checkpoints.length, 1);
  const text = cli(dir, 'runs', 'show', '1');
  assert.match(text.stdout, /note \(.*\): first try/);
  const listed = cli(dir, 'runs', 'list', '--tag', 'baseline', '--json');
  assert.deepEqual(
    (listed.json?.runs as { id: number }[]).map((r) => r.id),
    [1],
  );
  const missing = cli(dir, 'runs', 'show', '99');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /run 99 not found/);
});

test('runs compare: the differing params and both results', () => {
  const r = cli(dir, 'runs', 'compare', '1', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = r.json as { runs: number[]; differing: Record<string, unknown[]>; summary: Record<string, unknown[]> };
  assert.deepEqual(j.runs, [1, 2]);
  assert.deepEqual(j.differing['noise.strength'], [0.1, 0.5]);
  assert.deepEqual(j.differing.name, ['g0.1', 'g0.5']);
  assert.equal(j.differing.seed, undefined, 'equal params are not listed');
  assert.equal(j.summary.testTop1.length, 2);
  assert.ok(j.summary.testTop1.every((v) => typeof v === 'number'));
  assert.equal(cli(dir, 'runs', 'compare', '1').code, 2, 'one run is a usage error');
});

test('datasets list / show: the built-in MNIST with its classes', () => {
  const list = cli(dir, 'datasets', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  const names = (list.json?.datasets as { name: string }[]).map((d) => d.name);
  assert.ok(names.includes('mnist') && names.includes('fashion-mnist'), names.join(', '));
  const show = cli(dir, 'datasets', 'show', 'mnist', '--json');
  assert.equal(show.code, 0, show.stderr);
  assert.equal((show.json?.classNames as string[]).length, 10);
  assert.deepEqual(show.json?.counts, { train: 60000, test: 10000 });
  const none = cli(dir, 'datasets', 'show', 'nope');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /dataset 'nope' is not registered/);
});

test('doctor: a backend, the store healthy at the latest schema with its runs', () => {
  const r = cli(dir, 'doctor', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = r.json as { backend: { name: string }; store: { integrity: string; schemaVersion: number; runs: number } };
  assert.ok(j.backend.name);
  assert.deepEqual(j.store, { ...j.store, integrity: 'ok', schemaVersion: migrations.length, runs: 2 });
});

test('study reproduce (the smallest plan): every run completes, report and table written, a re-run adds nothing', () => {
  const studyDir = tempDir();
  const out = tempDir();
  const r = cli(studyDir, 'study', 'reproduce', '--smoke', '--concurrency', '2', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = r.json as { runs: number; completed: number; markdown: string; csv: string; claims: unknown[] };
  assert.equal(j.runs, 16);
  assert.equal(j.completed, 16);
  assert.equal(j.markdown, join(out, 'reproduction-smoke.md'));
  assert.ok(existsSync(j.csv));
  assert.equal(readFileSync(j.csv, 'utf8').trim().split('\n').length > 1, true);
  const again = cli(studyDir, 'study', 'reproduce', '--smoke', '--out', out, '--json');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /16 runs, 0 new, 16 already completed/);
});

test('noisynn ... | head: a closed pipe ends the command quietly (no EPIPE stack)', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'noisynn.mjs');
  for (const cmd of ['datasets list', 'train --help', 'runs list']) {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" ${cmd} --data-dir "${dir}" | head -1`], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, cmd);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/, cmd);
  }
});
