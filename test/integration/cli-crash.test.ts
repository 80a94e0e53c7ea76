// A trainer killed with SIGKILL mid-epoch: the run becomes crashed, the database stays sound, and
// resume finishes the run with exactly the weights of an uninterrupted one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openStore } from '../../src-main/store';
import { cli, cliAsync } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const args = ['train', '--preset', 'mnist-vit', '--epochs', '2', '--limit-train', '640', '--limit-test', '200', '--batch-size', '32', '--noise', 'gaussian', '--strength', '0.2', '--noise-block', '1', '--json'];
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
  const training = cliAsync(dir, ...args);
  // Wait (on the store, not on time) until the trainer is in the middle of epoch 2 (20 steps per epoch).
  let pid = 0;
  for (let i = 0; i < 600 && !pid; i++) {
    await sleep(100);
    const store = openStore(dir);
    try {
      const run = store.getRun(1);
      if (run?.status === 'running' && (store.lastStep(1) ?? 0) >= 25) pid = run.pid!;
    } finally {
      store.close();
    }
  }
  assert.ok(pid > 0, 'trainer reached epoch 2');
  process.kill(pid, 'SIGKILL');
  const r = await training;
  assert.equal(r.code, 1);
  assert.equal(r.json?.status, 'crashed');

  const store = openStore(dir);
  try {
    assert.equal(store.integrityCheck(), 'ok');
    const run = store.getRun(1)!;
    assert.equal(run.status, 'crashed');
    assert.match(run.error ?? '', /SIGKILL/);
    assert.ok((store.lastStep(1) ?? 0) >= 25, 'metrics up to the last completed step remain');
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
