// The shared-memory handshake between rank 0 and a replica, both ends driven from this thread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CMD_STEP, SharedBlock } from '../../src-main/engine/train/replica-shared';

test('an order and its answer cross the shared block: loss, hits, gradients and BatchNorm statistics', () => {
  const rank0 = SharedBlock.create(6, 8);
  const replica = SharedBlock.attach(rank0.buffers);
  rank0.idx.set([5, 6, 7]);
  rank0.kick(CMD_STEP, 3, 0xdeadbeef);
  const order = replica.next();
  assert.deepEqual(order, { cmd: CMD_STEP, count: 3, seed: 0xdeadbeef });
  assert.deepEqual([...replica.idx.subarray(0, 3)], [5, 6, 7]);
  replica.finish(
    0.5,
    2,
    [Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6)],
    [{ mean: Float32Array.of(0.25), variance: Float32Array.of(2), count: 48 }],
  );
  const r = rank0.await('replica 1');
  assert.equal(r.loss, 0.5);
  assert.equal(r.hits, 2);
  assert.equal(r.count, 3);
  assert.deepEqual([...rank0.grads], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    r.bn.map((b) => [[...b.mean], [...b.variance], b.count]),
    [[[0.25], [2], 48]],
  );
});

test("a replica's failure reaches rank 0 as an error naming it; silence times out instead of hanging", () => {
  const rank0 = SharedBlock.create(4, 4);
  const replica = SharedBlock.attach(rank0.buffers);
  rank0.kick(CMD_STEP, 1, 1);
  replica.next();
  replica.fail('batch of 1 images failed: out of memory');
  assert.throws(() => rank0.await('replica 1'), /^Error: replica 1: batch of 1 images failed: out of memory$/);
  rank0.kick(CMD_STEP, 1, 2); // nobody answers this one
  const t0 = performance.now();
  assert.throws(() => rank0.await('replica 1', 50), /replica 1 did not answer within 0.05 s/);
  assert.ok(performance.now() - t0 < 2000);
});

test('thousands of round trips with a real thread never sleep through an answer', async () => {
  // A wait that re-read DONE after checking it could miss an answer and sleep until its timeout (seen
  // once in ~600 steps before the fix). With a 20 s timeout per wait, one such miss fails this test.
  const { Worker } = await import('node:worker_threads');
  const { pathToFileURL } = await import('node:url');
  const rank0 = SharedBlock.create(4, 4);
  const entry = pathToFileURL(new URL('../../src-main/engine/train/replica-shared.ts', import.meta.url).pathname).href;
  const echo = `import('tsx/esm/api').then(async (t) => { t.register();
    const { SharedBlock, CMD_STOP } = await import(${JSON.stringify(entry)});
    const block = SharedBlock.attach(require('node:worker_threads').workerData);
    for (;;) { const o = block.next(); if (o.cmd === CMD_STOP) break; block.finish(o.seed, 0, [], []); }
  })`;
  const worker = new Worker(echo, { eval: true, workerData: rank0.buffers });
  const trips = 20_000;
  const t0 = performance.now();
  for (let i = 1; i <= trips; i++) {
    rank0.kick(CMD_STEP, 1, i);
    assert.equal(rank0.await('echo', 20_000).loss, i);
  }
  const seconds = (performance.now() - t0) / 1000;
  rank0.kick(2, 0, 0);
  await worker.terminate();
  assert.ok(seconds < 15, `${trips} round trips took ${seconds.toFixed(1)} s`);
});
