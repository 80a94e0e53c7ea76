import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandSweep } from '../../src-main/runner/sweep';

test('a grid is the cartesian product, last axis fastest', () => {
  const c = expandSweep({
    name: 's',
    base: { preset: 'mnist-vit', noise: { level: 'embedding' } },
    mode: 'grid',
    axes: [
      { path: 'noise.type', values: ['gaussian', 'salt-pepper'] },
      { path: 'seed', values: [1, 2, 3] },
    ],
  });
  assert.equal(c.length, 6);
  assert.deepEqual(
    c.map((x) => [(x.noise as { type: string }).type, x.seed]),
    [
      ['gaussian', 1],
      ['gaussian', 2],
      ['gaussian', 3],
      ['salt-pepper', 1],
      ['salt-pepper', 2],
      ['salt-pepper', 3],
    ],
  );
  assert.equal((c[0].noise as { level: string }).level, 'embedding', 'base fields are kept');
  assert.equal(c[0].preset, 'mnist-vit');
});

test('random search is seeded and bounded', () => {
  const spec = {
    name: 'r',
    base: {},
    mode: 'random' as const,
    samples: 5,
    seed: 9,
    axes: [{ path: 'optimizer.lr', values: [1e-3, 2e-3, 3e-3] }],
  };
  assert.deepEqual(expandSweep(spec), expandSweep(spec));
  assert.equal(expandSweep(spec).length, 5);
  assert.throws(() => expandSweep({ ...spec, samples: 0 }), /samples/);
  assert.throws(
    () =>
      expandSweep({
        ...spec,
        mode: 'grid',
        axes: [
          'seed',
          'epochs',
          'batchSize',
          'testBatchSize',
          'labelSmoothing',
          'limitTrain',
          'limitTest',
          'replicas',
          'optimizer.lr',
          'optimizer.eps',
          'optimizer.beta1',
        ].map((path) => ({ path, values: [1, 2] })),
      }),
    /2048 points/,
  );
  assert.throws(() => expandSweep({ ...spec, axes: [] }), /at least one axis/);
});

test('every sweep point is named after the sweep and its swept values, unless the base names it', () => {
  const c = expandSweep({
    name: 'strength-sweep',
    base: { preset: 'mnist-vit' },
    mode: 'grid',
    axes: [
      { path: 'noise.strength', values: [0.5, 1] },
      { path: 'seed', values: [2] },
      { path: 'noise.type', values: ['gaussian'] },
    ],
  });
  assert.deepEqual(
    c.map((x) => x.name),
    ['strength-sweep · strength=0.5 · seed=2 · type=gaussian', 'strength-sweep · strength=1 · seed=2 · type=gaussian'],
  );
  const named = expandSweep({ name: 's', base: { name: 'mine' }, mode: 'grid', axes: [{ path: 'seed', values: [1, 2] }] });
  assert.deepEqual(
    named.map((x) => x.name),
    ['mine', 'mine'],
  );
});

test('random search over a LO:HI range samples uniformly inside it, seeded', () => {
  const spec = {
    name: 'r',
    base: {},
    mode: 'random' as const,
    samples: 50,
    seed: 3,
    axes: [{ path: 'noise.strength', values: [], range: [0.1, 0.5] as [number, number] }],
  };
  const a = expandSweep(spec).map((c) => (c as { noise: { strength: number } }).noise.strength);
  assert.deepEqual(
    expandSweep(spec).map((c) => (c as { noise: { strength: number } }).noise.strength),
    a,
  );
  assert.ok(
    a.every((v) => v >= 0.1 && v < 0.5),
    String(a),
  );
  assert.ok(new Set(a).size === 50 && Math.min(...a) < 0.2 && Math.max(...a) > 0.4, 'spread over the range');
  assert.throws(() => expandSweep({ ...spec, mode: 'grid' }), /a range \(0\.1:0\.5\) needs random mode/);
  assert.throws(() => expandSweep({ ...spec, axes: [{ path: 'x', values: [], range: [1, 1] }] }), /LO < HI/);
});
