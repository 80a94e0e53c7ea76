// A trainer killed with SIGKILL mid-epoch (on its step-25 message): the run becomes crashed, the database stays sound, and
// resume finishes the run with exactly the weights of an uninterrupted one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildConfig } from '../../src-main/cli/config-flags';
import { launch } from '../../src-main/runner/launch';
import { createRuns, resolveRunConfig } from '../../src-main/runner/lifecycle';
import { openStore } from '../../src-main/store';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const args = [
  'train',
  '--preset',
  'mnist-vit',
  '--epochs',
  '2',
  '--limit-train',
  '640',
  '--limit-test',
  '200',
  '--batch-size',
  '32',
  '--noise',
  'gaussian',
  '--strength',
  '0.2',
  '--noise-block',
  '1',
  '--json',
];
/** The config flags of `args` as buildConfig takes them ('--epochs', '2' -> { epochs: '2' }). */
function flagsOf(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++)
    if (argv[i].startsWith('--') && argv[i] !== '--json' && argv[i] !== '--preset') out[argv[i].slice(2)] = argv[++i];
  return out;
}
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function lastCheckpoint(dir: string, runId: number) {
  const store = openStore(dir);
  try {
    return store.latestCheckpoint(runId)!;
  } finally {
    store.close();
  }
}

test('SIGKILL mid-epoch -> crashed, integrity ok, resume completes bit-for-bit', async () => {
  const dir = tempDir();
  // The run as `train` creates it (claimed by this process, its parent), then its trainer, killed on
  // the trainer's own message for step 25 (mid epoch 2 of 20 steps each), not after a time window.
  const store0 = openStore(dir);
  let runId: number;
  try {
    const resolved = await resolveRunConfig(store0, buildConfig({ flags: flagsOf(args) }));
    assert.deepEqual(resolved.problems, []);
    [runId] = createRuns(store0, [resolved], { claim: true });
  } finally {
    store0.close();
  }
  let killedAt = 0;
  const job = launch({ kind: 'train', runId, dataDir: dir, onCallerLoss: 'cancel' }, (m) => {
    if (m.type === 'step' && m.step.step === 25 && !killedAt) {
      killedAt = m.step.step;
      job.kill('SIGKILL');
    }
  });
  const exit = await job.done;
  assert.equal(killedAt, 25);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.done, undefined, 'no final report from a killed trainer');

  const store = openStore(dir);
  try {
    assert.equal(store.integrityCheck(), 'ok');
    const run = store.getRun(1)!;
    assert.equal(run.status, 'crashed');
    assert.match(run.error ?? '', /SIGKILL/);
    const last = store.lastStep(1) ?? 0;
    assert.ok(last >= 25 && last < 40, `metrics up to the last completed step remain (${last})`);
    assert.equal(store.latestCheckpoint(1)?.epoch, 1);
  } finally {
    store.close();
  }

  const resumed = cli(dir, 'resume', '1', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.json?.status, 'completed');
  const after = openStore(dir);
  try {
    assert.equal(after.getRun(1)!.status, 'completed');
    assert.equal(after.metrics(1, 'train/loss').length, 40, 'no duplicated or missing steps');
  } finally {
    after.close();
  }

  const straightDir = tempDir();
  const straight = cli(straightDir, ...args);
  assert.equal(straight.code, 0, straight.stderr);
  assert.equal(sha(lastCheckpoint(dir, 1).path), sha(lastCheckpoint(straightDir, 1).path));
  assert.equal(resumed.json?.testTop1, straight.json?.testTop1);
});
