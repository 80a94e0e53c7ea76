// `study reproduce --standard` on its smoke-sized design (mnist-cnn, MNIST, one seed; none, linear-optimal
// and gaussian; k = 1, 5), killed with SIGKILL (the CLI and its trainers, as a power cut would) while a
// cell on reused weights is being evaluated, then run again: completed trainings are kept, interrupted
// ones resume, the interrupted cell is evaluated again, and every cell ends once in the table.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, type RunRow } from '../../src-main/store';
import { cli, cliGroup } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const TAG = 'study:reproduce-standard-smoke';
const ARGS = ['study', 'reproduce', '--standard', '--smoke', '--concurrency', '2', '--json'];

function runs(dir: string): RunRow[] {
  if (!existsSync(join(dir, 'noisynn.db'))) return [];
  const store = openStore(dir, { readOnly: true });
  try {
    return store.listRuns({ tag: TAG }).sort((a, b) => a.id - b.id);
  } finally {
    store.close();
  }
}

test('standard study: interrupted while a reused-weights cell evaluates, continued by the same command', { timeout: 600_000 }, async () => {
  const dir = tempDir();
  const out = tempDir();
  const first = cliGroup(dir, ...ARGS, '--out', out);
  // Poll the store until a cell on reused weights is being evaluated, then kill the whole process group.
  let killed = false;
  const deadline = Date.now() + 300_000;
  while (!killed && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    let rows: RunRow[] = [];
    try {
      rows = runs(dir);
    } catch {
      continue; // the database is being created
    }
    if (rows.some((r) => /\/eval\//.test(r.name ?? '') && r.status === 'running')) {
      first.signal('SIGKILL');
      killed = true;
    }
  }
  await first.done;
  assert.ok(killed, 'a cell on reused weights was seen running');
  const before = runs(dir);
  const doneBefore = before.filter((r) => r.status === 'completed' && !/\/eval\//.test(r.name ?? ''));
  assert.ok(doneBefore.length >= 1, 'the noise-free training completed before the kill');

  const again = cli(dir, ...ARGS, '--out', out);
  assert.equal(again.code, 0, again.stderr);
  const j = again.json as { runs: number; completed: number; markdown: string; csv: string };
  assert.equal(j.runs, 7, '5 trainings + 2 cells on reused weights');
  assert.equal(j.completed, 7);
  const after = runs(dir);
  assert.equal(after.length, 7, 'no duplicate runs');
  assert.equal(new Set(after.map((r) => r.name)).size, 7);
  assert.ok(after.every((r) => r.status === 'completed'));
  // Completed trainings were kept, not trained again.
  for (const r of doneBefore) {
    const now = after.find((x) => x.id === r.id)!;
    assert.equal(now.startedAt, r.startedAt, `${r.name} was not started again`);
    assert.equal(now.endedAt, r.endedAt, `${r.name} was not trained again`);
  }

  const store = openStore(dir, { readOnly: true });
  try {
    const baseline = after.find((r) => r.name === 'mnist/mnist-cnn/none/-/seed 42')!;
    const baseCkpt = store.checkpoints(baseline.id).at(-1)!;
    const baseClean = store.evaluations(baseline.id).find((e) => e.protocol === 'standard' && !e.noiseActive)!.top1!;
    for (const name of ['mnist/mnist-cnn/linear-optimal/eval/seed 42', 'mnist/mnist-cnn/gaussian s=1/eval/seed 42']) {
      const cell = after.find((r) => r.name === name)!;
      // The cell's weights are the baseline's final checkpoint, byte for byte, and it says so.
      const ckpts = store.checkpoints(cell.id);
      assert.equal(ckpts.length, 1);
      assert.equal(ckpts[0].sha256, baseCkpt.sha256);
      assert.equal(cell.summary?.weightsFromRun, baseline.id);
      assert.ok(store.notes(cell.id).some((n) => n.body.includes(`weights reused from run ${baseline.id}`)));
      assert.equal(store.metrics(cell.id).length, 0, 'never trained');
      // Its noise-free evaluation is the baseline's.
      const ev = store.evaluations(cell.id);
      assert.equal(ev.filter((e) => e.protocol === 'standard' && !e.noiseActive).at(-1)!.top1, baseClean);
      assert.ok(ev.some((e) => e.protocol === 'standard' && e.noiseActive));
    }
    // The k sweep: at k = 1 linear-optimal is the identity, so sorted and shuffled equal the noise-free model.
    const lo = after.find((r) => r.name === 'mnist/mnist-cnn/linear-optimal/eval/seed 42')!;
    const ev = store.evaluations(lo.id);
    for (const protocol of ['sorted', 'shuffled'] as const) {
      for (const k of [1, 5])
        assert.ok(
          ev.some((e) => e.protocol === protocol && e.noiseActive && e.batchSize === k),
          `${protocol} at k=${k}`,
        );
      assert.equal(ev.filter((e) => e.protocol === protocol && e.batchSize === 1).at(-1)!.top1, baseClean);
    }
  } finally {
    store.close();
  }

  const csv = readFileSync(j.csv, 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 7, 'one row per cell');
  const k = readFileSync(join(out, 'reproduction-standard-smoke-ksweep.csv'), 'utf8');
  assert.match(k, /^mnist,mnist-cnn,sorted,1,1,/m);
  assert.match(k, /^mnist,mnist-cnn,shuffled,5,1,/m);
  const md = readFileSync(j.markdown, 'utf8');
  assert.match(md, /## The k sweep/);
  assert.match(md, /Eval-only cells are not trained/);
  assert.match(md, /Command: `noisynn study reproduce --standard --smoke/);
  assert.match(md, /git [0-9a-f]{40}/);
});

test('--quick and --standard together are refused with the usage, before anything is written', () => {
  const dir = tempDir();
  const r = cli(dir, 'study', 'reproduce', '--quick', '--standard');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--quick and --standard are two different studies: choose one/);
  assert.equal(existsSync(join(dir, 'noisynn.db')), false);
});
