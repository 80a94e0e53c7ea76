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
  replica.finish(0.5, 2, [Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6)], [{ mean: Float32Array.of(0.25), variance: Float32Array.of(2), count: 48 }]);
  const r = rank0.await('replica 1');
  assert.equal(r.loss, 0.5);
  assert.equal(r.hits, 2);
  assert.equal(r.count, 3);
  assert.deepEqual([...rank0.grads], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.bn.map((b) => [[...b.mean], [...b.variance], b.count]), [[[0.25], [2], 48]]);
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
