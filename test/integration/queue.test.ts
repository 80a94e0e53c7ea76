// The app's run queue: sweeps become queued runs, several trainer processes share one store, and a
// server killed mid-sweep loses and duplicates nothing when it starts again.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createServices } from '../../src-main/api/services';
import type { QueueState } from '../../src-main/api/contract';
import { openStore } from '../../src-main/store';
import { startApp } from '../e2e/harness';
import { tempDir } from '../helpers/tmp';

const tiny = { preset: 'mnist-vit', limitTrain: 128, limitTest: 100, batchSize: 32, epochs: 1, replicas: 1 };

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

test('4 trainer processes write to one store at once and lose no metric rows', async () => {
  const dataDir = tempDir();
  const states: QueueState[] = [];
  const s = await createServices({
    dataDir,
    transport: 'http',
    emit: (e, p) => e === 'queue.changed' && states.push(p as QueueState),
    concurrency: 4,
  });
  try {
    const { runIds } = await s.handlers['sweeps.create']({
      name: '2x2',
      base: tiny,
      mode: 'grid',
      axes: [
        { path: 'noise.type', values: ['gaussian', 'salt-pepper'] },
        { path: 'seed', values: [1, 2] },
      ],
    });
    assert.equal(runIds.length, 4);
    const store = openStore(dataDir);
    try {
      await until('4 completed runs', () => store.listRuns().filter((r) => r.status === 'completed').length === 4);
      for (const id of runIds) {
        assert.equal(store.metrics(id, 'train/loss').length, 4, `run ${id}: every step recorded`);
        assert.equal(store.metrics(id).length, 4 * 3 + 6, `run ${id}: step and epoch metrics`);
        assert.equal(store.getRun(id)!.sweepId, store.getRun(runIds[0])!.sweepId);
      }
      assert.equal(store.integrityCheck(), 'ok');
    } finally {
      store.close();
    }
    assert.ok(
      states.some((q) => q.running.length === 4),
      'the four ran at the same time',
    );
  } finally {
    await s.dispose();
  }
});

test('an invalid sweep point queues nothing', async () => {
  const dataDir = tempDir();
  const s = await createServices({ dataDir, transport: 'http', emit: () => {} });
  try {
    await assert.rejects(
      s.handlers['sweeps.create']({
        name: 'bad',
        base: tiny,
        mode: 'grid',
        axes: [
          { path: 'noise.site.block', values: [1, 11] },
          { path: 'noise.type', values: ['gaussian'] },
        ],
      }),
      /sweep point 2 of 2 is invalid: .*block 11 does not exist/,
    );
    assert.deepEqual(await s.handlers['runs.list']({}), []);
  } finally {
    await s.dispose();
  }
});

test('server killed mid-sweep: after a restart the remaining runs continue, none lost or duplicated', async () => {
  const dataDir = tempDir();
  const call = async (app: { origin: string; token: string }, method: string, body: unknown) => {
    const r = await fetch(`${app.origin}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-noisynn-token': app.token },
      body: JSON.stringify(body),
    });
    const j = (await r.json()) as { value?: unknown; error?: { message: string } };
    if (j.error) throw new Error(j.error.message);
    return j.value;
  };
  const first = await startApp(dataDir);
  const base = { ...tiny, epochs: 2, limitTrain: 320 }; // 10 steps per epoch, a checkpoint after each
  await call(first, 'sweeps.create', { name: 'restart', base, mode: 'grid', axes: [{ path: 'seed', values: [1, 2, 3] }] });
  const store = openStore(dataDir);
  try {
    // Kill the server while run 2 is in its second epoch (run 1 done, run 3 still queued).
    await until(
      'run 2 in epoch 2',
      () => store.getRun(1)?.status === 'completed' && store.getRun(2)?.status === 'running' && (store.lastStep(2) ?? 0) >= 13,
    );
    first.server.kill('SIGKILL');
    await first.close();
    await until('run 2 requeued by its trainer', () => store.getRun(2)?.status === 'queued', 30_000);
    assert.equal(store.getRun(3)!.status, 'queued');

    const second = await startApp(dataDir);
    try {
      await until('all runs completed', () => [1, 2, 3].every((id) => store.getRun(id)?.status === 'completed'));
      assert.equal(store.listRuns().length, 3, 'no run duplicated');
      for (const id of [1, 2, 3]) {
        assert.deepEqual(
          store.metrics(id, 'train/loss').map((m) => m.step),
          Array.from({ length: 20 }, (_, i) => i + 1),
          `run ${id} steps`,
        );
        assert.equal(store.checkpoints(id).length, 2);
      }
      assert.equal(store.integrityCheck(), 'ok');
    } finally {
      await second.close();
    }
  } finally {
    store.close();
  }
});
