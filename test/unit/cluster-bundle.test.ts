// The run bundle on its own (no Slurm): non-finite numbers survive, a line being written is left for the next
// read, a growing bundle syncs incrementally, and the sbatch script asks for what the options say.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBundle, LineLog, metricLine, readMetricLines, readStatus, writeStatus, BUNDLE_FILES } from '../../src-main/cluster/bundle';
import { sbatchScript } from '../../src-main/cluster/slurm';
import { runStatus, syncBundle } from '../../src-main/cluster/sync';
import { ensureBuiltins } from '../../src-main/runner/datasets';
import { openStore } from '../../src-main/store';
import { smallConfig } from '../helpers/configs';
import { tempDir } from '../helpers/tmp';

function bundle(): string {
  const dir = join(tempDir(), 'run');
  const config = smallConfig('mnist-cnn');
  createBundle(dir, {
    name: 'b',
    config: config as unknown as Record<string, unknown>,
    seed: config.seed,
    versions: {},
    gitCommit: null,
    dataset: { name: 'mnist', kind: 'mnist', path: '', shape: [28, 28, 1], contentHash: 'x' },
  });
  return dir;
}

test('NaN and infinities round-trip through metrics.jsonl; a cut-off last line waits for the next read', () => {
  const dir = bundle();
  const log = new LineLog(join(dir, BUNDLE_FILES.metrics));
  const values = [0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 5e-324];
  log.append(values.map((v, i) => metricLine({ key: 'train/loss', step: i + 1, epoch: 0, value: v, time: 1 })));
  log.close();
  appendFileSync(join(dir, BUNDLE_FILES.metrics), '{"k":"train/loss","s":7,');
  const r = readMetricLines(dir);
  assert.deepEqual(
    r.items.map((m) => ('value' in m ? m.value : null)),
    values,
  );
  assert.equal(r.lines, values.length);
  assert.equal(r.partial, '{"k":"train/loss","s":7,'.length);
  appendFileSync(join(dir, BUNDLE_FILES.metrics), '"e":0,"v":1,"t":1}\n');
  const next = readMetricLines(dir, { offset: r.offset, lines: r.lines });
  assert.deepEqual(next.items, [{ key: 'train/loss', step: 7, epoch: 0, value: 1, time: 1 }]);
  assert.equal(next.partial, 0);
});

test('a growing bundle synced line by line ends with the same rows as one sync; a truncate marker drops redone steps', async () => {
  const dir = bundle();
  const a = openStore(tempDir());
  const b = openStore(tempDir());
  try {
    await ensureBuiltins(a);
    await ensureBuiltins(b);
    const lines = [
      ...[1, 2, 3].map((s) => ({ k: 'train/loss', s, e: 0, v: s / 10, t: s })),
      { truncate: 1 },
      ...[2, 3, 4].map((s) => ({ k: 'train/loss', s, e: 0, v: s / 100, t: 10 + s })),
    ];
    for (const l of lines) {
      appendFileSync(join(dir, BUNDLE_FILES.metrics), `${JSON.stringify(l)}\n`);
      syncBundle(a, dir);
    }
    syncBundle(b, dir);
    const rows = (s: typeof a) => s.metrics(s.listRuns()[0].id).map((m) => [m.step, m.value, m.time]);
    assert.deepEqual(rows(a), [
      [1, 0.1, 1],
      [2, 0.02, 12],
      [3, 0.03, 13],
      [4, 0.04, 14],
    ]);
    assert.deepEqual(rows(b), rows(a));
    assert.equal(a.listRuns()[0].status, 'queued');
    assert.equal(a.listRuns()[0].pid, null);
  } finally {
    a.close();
    b.close();
  }
});

test('a running bundle without word from Slurm is crashed only once its heartbeat is stale', () => {
  const dir = bundle();
  writeStatus(dir, { ...readStatus(dir), state: 'running', heartbeat: new Date(1_000_000).toISOString() });
  const s = readStatus(dir);
  assert.equal(runStatus(s, undefined, null, 1_000_000 + 60_000).status, 'running');
  assert.match(runStatus(s, undefined, '9_0', 1_000_000 + 301_000).error ?? '', /no heartbeat since .* and Slurm no longer knows task 9_0/);
  assert.equal(runStatus(s, { state: 'RUNNING', reason: null }, '9_0', 1_000_000 + 900_000).status, 'running');
  assert.deepEqual(runStatus({ ...s, state: 'pending' }, { state: 'PENDING', reason: 'Resources' }, '9_0'), {
    status: 'queued',
    error: 'Slurm 9_0: PENDING (Resources)',
  });
  assert.equal(runStatus(s, { state: 'NODE_FAIL', reason: null }, '9_0').status, 'crashed');
});

test('the sbatch script: one array task per bundle, requeue, appended per-task logs, the options given, a quoted project path', () => {
  const script = sbatchScript({
    name: 'g',
    count: 4,
    runsDir: '/shared/b/g/runs',
    logsDir: '/shared/b/g/logs',
    slurm: {
      partition: 'gpu',
      time: '01:00:00',
      cpusPerTask: 4,
      gres: 'gpu:1',
      account: 'lab',
      arrayParallel: 2,
      sbatchArgs: ['--mem=4G'],
    },
    env: {
      projectDir: "/opt/my lab's/noisynn",
      node: '/usr/bin/node',
      backend: 'wasm',
      modules: ['cuda/12'],
      setup: ['source /etc/profile'],
    },
  });
  for (const line of [
    '#SBATCH --array=0-3%2',
    '#SBATCH --output=/shared/b/g/logs/task-%a.out',
    '#SBATCH --open-mode=append',
    '#SBATCH --requeue',
    '#SBATCH --partition=gpu',
    '#SBATCH --time=01:00:00',
    '#SBATCH --cpus-per-task=4',
    '#SBATCH --gres=gpu:1',
    '#SBATCH --account=lab',
    '#SBATCH --mem=4G',
    'module load cuda/12',
    'source /etc/profile',
    'export NOISYNN_BACKEND=wasm',
    `cd '/opt/my lab'\\''s/noisynn'`,
  ]) {
    assert.ok(script.split('\n').includes(line), `missing: ${line}\n${script}`);
  }
  assert.match(script, /exec \/usr\/bin\/node '\/opt\/my lab'\\''s\/noisynn\/bin\/noisynn.mjs' train --bundle "\$bundle"\n$/);
});
