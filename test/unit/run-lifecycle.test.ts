// The run lifecycle on a real SQLite file: claims, process identity (pid + start time), cancel
// through the store, and the trainer's refusal of a run its parent did not claim.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { claimForResume, claimQueued, createRuns, requeueForResume, resolveRunConfig } from '../../src-main/runner/lifecycle';
import { Store } from '../../src-main/store';
import { openDatabase } from '../../src-main/store/db';
import { processAlive, processStart } from '../../src-main/store/process-identity';
import { tempDir } from '../helpers/tmp';

function open() {
  const dir = tempDir();
  const s = openDatabase(dir);
  return { s, store: new Store(s, dir) };
}

test('process identity: a live pid with another start time is not the recorded process', async () => {
  const mine = processStart(process.pid);
  assert.ok(mine, 'start time readable');
  assert.equal(processAlive(process.pid, mine), true);
  assert.equal(processAlive(process.pid, `${mine}0`), false, 'same pid, different start: a stranger');
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  assert.equal(processAlive(pid, null), false, 'a pid that is gone');
});

test('a running row whose pid now belongs to another process is recovered as crashed, then cancelled or resumed', () => {
  const { s, store } = open();
  try {
    const a = store.createRun({ config: {}, seed: 1 });
    const b = store.createRun({ config: {}, seed: 2 });
    for (const id of [a, b]) {
      assert.ok(store.claimRun(id, process.pid));
      // The recorded owner started at another time: this pid was reused by the current process.
      s.db.prepare(`UPDATE runs SET pid_start = 'another-process' WHERE id = ?`).run(id);
    }
    // Cancel from any instance: the owner is gone, so the run ends now instead of waiting for it.
    assert.equal(store.requestCancel(a), 'cancelled');
    assert.match(store.getRun(a)!.error ?? '', /already gone/);
    assert.deepEqual(store.recoverCrashedRuns(), [b]);
    assert.equal(store.getRun(b)!.status, 'crashed');
    claimForResume(store, b);
    assert.equal(store.getRun(b)!.status, 'running');
    assert.equal(store.getRun(b)!.pid, process.pid);
  } finally {
    store.close();
  }
});

test('cancel through the store: a queued run ends at once, a running one gets a request its owner reads', () => {
  const { store } = open();
  try {
    const queued = store.createRun({ config: {}, seed: 1 });
    assert.equal(store.requestCancel(queued), 'cancelled');
    assert.equal(store.getRun(queued)!.status, 'cancelled');
    assert.throws(
      () => store.requestCancel(queued),
      (e: Error & { code?: string }) => e.code === 'conflict' && /is cancelled; only queued or running/.test(e.message),
    );

    const running = store.createRun({ config: {}, seed: 2 });
    assert.ok(claimQueued(store, running));
    assert.equal(store.requestCancel(running), 'requested', 'its owner (this process) is alive');
    assert.equal(store.cancelRequested(running), true);
    assert.equal(store.getRun(running)!.status, 'running', 'the owner ends it, at its next step');
    store.finishRun(running, 'cancelled');
    assert.equal(store.cancelRequested(running), false);
  } finally {
    store.close();
  }
});

test('a claim is atomic and exclusive; a trainer refuses a run its parent did not claim', () => {
  const { store } = open();
  try {
    const id = store.createRun({ config: {}, seed: 1 });
    assert.throws(
      () => store.startRun(id, { pid: process.pid, backend: 'cpu', claimedBy: process.ppid }),
      (e: Error & { code?: string }) => e.code === 'conflict' && /run \d+ is queued, not claimed by process/.test(e.message),
    );
    assert.equal(claimQueued(store, id), true);
    assert.equal(claimQueued(store, id), false, 'a second claim (another app instance) fails');
    assert.throws(() => store.startRun(id, { pid: 4242, backend: 'cpu', claimedBy: process.pid + 1 }), /not claimed by process/);
    assert.equal(store.requestCancel(id), 'requested', 'asked between the claim and the trainer start');
    store.startRun(id, { pid: process.pid, backend: 'cpu', claimedBy: process.pid });
    assert.equal(store.getRun(id)!.pid, process.pid);
    assert.equal(store.cancelRequested(id), true, 'the trainer still sees it');
    assert.throws(() => requeueForResume(store, id), /run \d+ is running; only crashed, cancelled, failed, diverged runs can be resumed/);
  } finally {
    store.close();
  }
});

test('the CLI creates its run claimed at birth: a queue never sees it queued', async () => {
  const { store } = open();
  try {
    const resolved = await resolveRunConfig(store, { preset: 'mnist-cnn', epochs: 1 });
    assert.deepEqual(resolved.problems, []);
    const [id] = createRuns(store, [resolved], { claim: true, tags: ['t'] });
    const run = store.getRun(id)!;
    assert.equal(run.status, 'running');
    assert.equal(run.pid, process.pid);
    assert.deepEqual(run.tags, ['t']);
    assert.ok(run.versions?.['@tensorflow/tfjs-core'], 'provenance recorded');
    assert.equal(claimQueued(store, id), false);
    assert.deepEqual(store.listRuns({ status: ['queued'] }), []);
    assert.throws(
      () => createRuns(store, [{ ...resolved, problems: ['epochs must be a positive integer'] }]),
      (e: Error & { code?: string }) => e.code === 'invalid',
    );
  } finally {
    store.close();
  }
});
