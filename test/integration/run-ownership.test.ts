// One owner per run, with real processes on one data dir: a CLI `train` beside a running `serve`,
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) to either, and a cancel from
// another instance. Every wait is on a store row (a step recorded, a status), never on a time window.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openStore, type Store } from '../../src-main/store';
import { startApp, type App } from '../e2e/harness';
import { cli, cliAsync, cliGroup } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const tinyFlags = ['--preset', 'mnist-vit', '--limit-train', '320', '--limit-test', '100', '--batch-size', '32', '--replicas', '1'];
// 20 steps per epoch: long enough to be interrupted after a recorded step and before the end.
const longer = { preset: 'mnist-vit', limitTrain: 640, limitTest: 100, batchSize: 32, epochs: 2, replicas: 1 };

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function call(app: App, method: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${app.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as { value?: unknown; error?: { message: string } };
  if (j.error) throw new Error(j.error.message);
  return j.value;
}

function exited(app: App): Promise<number | null> {
  return new Promise((resolve) =>
    app.server.exitCode !== null ? resolve(app.server.exitCode) : app.server.once('exit', (code) => resolve(code)),
  );
}

/** A step recorded by a trainer: the run is mid-training. */
const stepped = (store: Store, id: number, step = 2) => store.getRun(id)?.status === 'running' && (store.lastStep(id) ?? 0) >= step;

test('CLI train beside a running serve on the same data dir trains the run exactly once', async () => {
  const dataDir = tempDir();
  const app = await startApp(dataDir);
  try {
    const r = await cliAsync(dataDir, 'train', ...tinyFlags, '--epochs', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.status, 'completed');
    // The server's pump polls every 2 s: give it a few chances to take the finished run too.
    await sleep(4500);
    const store = openStore(dataDir);
    try {
      const run = store.getRun(1)!;
      assert.equal(run.status, 'completed');
      assert.equal(store.evaluations(1).length, 1, 'one trainer evaluated it (two would record two evaluations)');
      assert.equal(store.checkpoints(1).length, 1, 'one trainer wrote its checkpoint');
      assert.deepEqual(
        store.metrics(1, 'train/loss').map((m) => m.step),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
    } finally {
      store.close();
    }
    const q = (await call(app, 'queue.state', {})) as { running: number[]; queued: number[] };
    assert.deepEqual(q, { concurrency: 1, running: [], queued: [] });
  } finally {
    await app.close();
  }
});

test('Ctrl-C to a CLI train (the whole process group) cancels the run; resume finishes it', async () => {
  const dataDir = tempDir();
  const t = cliGroup(dataDir, 'train', ...tinyFlags, '--limit-train', '640', '--epochs', '2', '--json');
  const store = openStore(dataDir);
  try {
    await until('a recorded step', () => stepped(store, 1));
    t.signal('SIGINT');
    const r = await t.done;
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json?.status, 'cancelled', r.stdout);
    const run = store.getRun(1)!;
    assert.equal(run.status, 'cancelled', `not crashed: ${run.error}`);
    assert.doesNotMatch(run.error ?? '', /SIGINT/);
    assert.equal(store.integrityCheck(), 'ok');
  } finally {
    store.close();
  }
  const resumed = cli(dataDir, 'resume', '1', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.json?.status, 'completed');
});

test('Ctrl-C to serve puts its running run back in the queue; the next serve finishes it', async () => {
  const dataDir = tempDir();
  const app = await startApp(dataDir, { ownGroup: true });
  const store = openStore(dataDir);
  try {
    const { runId } = (await call(app, 'runs.start', { config: longer })) as { runId: number };
    await until('a recorded step', () => stepped(store, runId));
    process.kill(-app.server.pid!, 'SIGINT');
    assert.equal(await exited(app), 0);
    const run = store.getRun(runId)!;
    assert.equal(run.status, 'queued', `requeued, not ${run.status}: ${run.error}`);
    assert.match(run.error ?? '', /interrupted/);
    const again = await startApp(dataDir);
    try {
      await until('the run completed by the next server', () => store.getRun(runId)?.status === 'completed');
      assert.equal(store.metrics(runId, 'train/loss').length, 40, 'no step lost or repeated');
    } finally {
      await again.close();
    }
  } finally {
    store.close();
    await app.close();
  }
});

test('any instance cancels a run another process trains: `runs cancel` beside serve', async () => {
  const dataDir = tempDir();
  const app = await startApp(dataDir);
  const store = openStore(dataDir);
  try {
    const { runId } = (await call(app, 'runs.start', { config: longer })) as { runId: number };
    await until('a recorded step', () => stepped(store, runId));
    const c = cli(dataDir, 'runs', 'cancel', String(runId), '--json');
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.json?.outcome, 'requested');
    await until('the owner stopped', () => store.getRun(runId)?.status !== 'running' && store.getRun(runId));
    assert.equal(store.getRun(runId)!.status, 'cancelled');
    assert.ok((store.lastStep(runId) ?? 0) < 40, 'stopped before the end');
    // The trainer writes 'cancelled', then exits; the server lets go of it when it has.
    for (let i = 0; i < 300; i++) {
      if (((await call(app, 'queue.state', {})) as { running: number[] }).running.length === 0) break;
      await sleep(100);
    }
    assert.deepEqual(((await call(app, 'queue.state', {})) as { running: number[] }).running, [], 'the server let go of it');
    assert.equal(store.getRun(runId)!.status, 'cancelled', 'and did not requeue it');
  } finally {
    store.close();
    await app.close();
  }
});
