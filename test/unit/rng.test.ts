import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from '../../src-main/engine/rng';

function draw(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => r.nextU32());
}

test('same seed gives the same sequence, different seeds differ', () => {
  assert.deepEqual(draw(new Rng(42), 50), draw(new Rng(42), 50));
  assert.notDeepEqual(draw(new Rng(42), 50), draw(new Rng(43), 50));
  const xs = draw(new Rng(7), 1000);
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff));
  assert.ok(new Set(xs).size > 990);
});

test('seed 0 works and is not degenerate', () => {
  const xs = draw(new Rng(0), 100);
  assert.ok(new Set(xs).size > 95);
});

test('next is in [0,1), int is in range and roughly uniform', () => {
  const r = new Rng(1);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    counts[r.int(7)]++;
  }
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `bucket count ${c}`);
  assert.throws(() => r.int(0), /n must be an integer/);
  assert.throws(() => new Rng(1.5), /seed must be an integer/);
});

test('getState/setState continue the identical sequence, including a pending normal spare', () => {
  const a = new Rng(123);
  a.normal(); // leaves a spare pending
  const state = JSON.parse(JSON.stringify(a.getState())) as number[];
  assert.equal(state[4], 1);
  const expected = [a.normal(), a.normal(), a.next(), a.nextU32(), a.normal()];
  const b = Rng.fromState(state);
  assert.deepEqual([b.normal(), b.normal(), b.next(), b.nextU32(), b.normal()], expected);
  const c = new Rng(999);
  c.setState(state);
  assert.equal(c.normal(), expected[0]);
  assert.throws(() => c.setState([0, 0, 0, 0, 0, 0]), /all-zero/);
  assert.throws(() => c.setState([1, 2, 3]), /expected an array of 6/);
});

test('normal has mean 0 and std 1; fillNormal applies mean and std', () => {
  const r = new Rng(5);
  const n = 100000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  const mean = s / n;
  const std = Math.sqrt(s2 / n - mean * mean);
  assert.ok(Math.abs(mean) < 0.015, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.015, `std ${std}`);

  const out = new Rng(6).fillNormal(new Float32Array(n), 3, 0.5);
  const m = out.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(out.reduce((a, b) => a + (b - m) ** 2, 0) / n);
  assert.ok(Math.abs(m - 3) < 0.01, `mean ${m}`);
  assert.ok(Math.abs(sd - 0.5) < 0.01, `std ${sd}`);
});

test('fillUniform stays in [0,1) with mean 1/2', () => {
  const u = new Rng(8).fillUniform(new Float32Array(100000));
  assert.ok(u.every((x) => x >= 0 && x < 1));
  const m = u.reduce((a, b) => a + b, 0) / u.length;
  assert.ok(Math.abs(m - 0.5) < 0.01, `mean ${m}`);
});

test('shuffle is a seed-dependent permutation', () => {
  const base = Array.from({ length: 100 }, (_, i) => i);
  const a = [...base];
  new Rng(1).shuffle(a);
  const b = [...base];
  new Rng(1).shuffle(b);
  const c = Int32Array.from(base);
  new Rng(2).shuffle(c);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, base);
  assert.notDeepEqual(a, Array.from(c));
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    base,
  );
  assert.deepEqual(
    Array.from(c).sort((x, y) => x - y),
    base,
  );
});

test('deriveSeed is deterministic, u32, and differs across parts and their order', () => {
  assert.equal(deriveSeed(42, 1, 2), deriveSeed(42, 1, 2));
  const seeds = new Set<number>();
  for (let step = 0; step < 100; step++) for (let site = 0; site < 10; site++) seeds.add(deriveSeed(42, step, site));
  assert.equal(seeds.size, 1000);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s <= 0xffffffff);
  assert.notEqual(deriveSeed(42, 1, 2), deriveSeed(42, 2, 1));
  assert.notEqual(deriveSeed(42), deriveSeed(43));
  assert.notEqual(deriveSeed(42, 0), deriveSeed(42));
  assert.notEqual(deriveSeed(42, 1), deriveSeed(42, 1 + 2 ** 32));
  assert.throws(() => deriveSeed(42, 0.5), /part 0 must be an integer/);
});
