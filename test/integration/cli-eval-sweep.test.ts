// `noisynn eval --test-batch-size 1,2,...`: the k sweep of batch-mixing noise at evaluation, with the
// official running-average accuracy beside correct / total.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

test('k sweep: sorted and shuffled at each k, the noise-free line; k = 1 equals the noise-free model for linear-optimal', () => {
  const dir = tempDir();
  const t = cli(
    dir,
    'train',
    '--preset',
    'mnist-vit',
    '--epochs',
    '1',
    '--limit-train',
    '320',
    '--limit-test',
    '200',
    '--batch-size',
    '32',
    '--noise',
    'linear-optimal',
    '--noise-at',
    'eval',
    '--noise-block',
    '3',
    '--json',
  );
  assert.equal(t.code, 0, t.stderr);
  const e = cli(dir, 'eval', String(t.json!.runId), '--protocol', 'sorted,shuffled', '--test-batch-size', '1,10,50', '--json');
  assert.equal(e.code, 0, e.stderr);
  type Row = { protocol: string; noise: string; batch: number; top1: number; top1RunningAvg: number; n: number };
  const rows = e.json!.evaluations as Row[];
  assert.deepEqual(
    rows.map((r) => `${r.protocol}/${r.noise}/${r.batch}`),
    ['sorted/on/1', 'shuffled/on/1', 'standard/off/250', 'sorted/on/10', 'shuffled/on/10', 'sorted/on/50', 'shuffled/on/50'],
  );
  const sweep = e.json!.kSweep as { k: number[]; noiseFree: number; top1: Record<string, number[]> };
  assert.deepEqual(sweep.k, [1, 10, 50]);
  assert.equal(sweep.top1.sorted.length, 3);
  assert.equal(sweep.top1.sorted[0], sweep.noiseFree, 'k = 1: the optimal mix is the identity');
  assert.equal(sweep.top1.shuffled[0], sweep.noiseFree);
  for (const r of rows) assert.ok(r.top1RunningAvg >= 0 && r.top1RunningAvg <= 1 && r.n === 200, JSON.stringify(r));
  // Class-sorted batches at k = 50 mix only images of one or two classes: not what shuffled batches give.
  assert.notEqual(sweep.top1.sorted[2], sweep.top1.shuffled[2]);

  const bad = cli(dir, 'eval', String(t.json!.runId), '--test-batch-size', '1,zero');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--test-batch-size: '1,zero' must be one integer >= 1 or a comma list/);
  const badP = cli(dir, 'eval', String(t.json!.runId), '--protocol', 'sorted,nope');
  assert.match(badP.stderr, /--protocol: 'nope' is not a protocol/);
  const official = cli(dir, 'eval', String(t.json!.runId), '--protocol', 'official');
  assert.notEqual(official.code, 0);
  assert.match(official.stderr, /the official code has no loader for mnist datasets/);
  assert.match(
    cli(dir, 'eval', String(t.json!.runId), '--protocol', 'official', '--test-batch-size', '5').stderr,
    /decides the test batch size itself/,
  );
});
