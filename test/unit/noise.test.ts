import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../src-main/engine/rng';
import { applyNoise, linearNoiseLogDet, validateNoiseSpec, NOISE_DEFAULTS, type NoiseSpec } from '../../src-main/engine/noise/index';

await tf.setBackend('cpu');

const emb = (s: Partial<NoiseSpec> & Pick<NoiseSpec, 'type'>): NoiseSpec => ({ level: 'embedding', at: 'both', ...s });
const train = { seed: 1, training: true };

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function assertClose(actual: number[], expected: number[], tol = 1e-6, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Row i of a [k, m] flattening, as plain arrays, for hand computations. */
function rows(flat: number[], k: number): number[][] {
  const m = flat.length / k;
  return Array.from({ length: k }, (_, i) => flat.slice(i * m, (i + 1) * m));
}

const X_SHAPE: [number, number, number] = [3, 2, 2];
const X_VALUES = [1, 2, 3, 4, 10, 20, 30, 40, -5, 0.5, 7, -2];
const W_VALUES = Array.from(new Rng(99).fillNormal(new Float32Array(12)));

function gradOf(spec: NoiseSpec, xValues = X_VALUES, shape: number[] = X_SHAPE, wValues = W_VALUES): number[] {
  return tf.tidy(() => {
    const w = tf.tensor(wValues, shape);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(w, applyNoise(x, spec, train))))(tf.tensor(xValues, shape));
    return values(g);
  });
}

test('linear-shift forward: P[i] (1 - a) + a P[(i + 1) mod k]', () => {
  const a = 0.3;
  const y = tf.tidy(() => values(applyNoise(tf.tensor(X_VALUES, X_SHAPE), emb({ type: 'linear-shift', alpha: a }), train)));
  const p = rows(X_VALUES, 3);
  const expected = p.flatMap((row, i) => row.map((v, j) => (1 - a) * v + a * p[(i + 1) % 3][j]));
  assertClose(y, expected);
  assert.equal(NOISE_DEFAULTS.alpha, 0.3);
  const yDefault = tf.tidy(() => values(applyNoise(tf.tensor(X_VALUES, X_SHAPE), emb({ type: 'linear-shift' }), train)));
  assert.deepEqual(yDefault, y, 'default alpha');
});

test('linear-shift gradient: w (identity, official) when detached, (1 - a) w + a roll(w, +1) otherwise', () => {
  const a = 0.4;
  const w = rows(W_VALUES, 3);
  const detached = gradOf(emb({ type: 'linear-shift', alpha: a }));
  assertClose(detached, W_VALUES, 1e-6, 'detach (the default)');
  const full = gradOf(emb({ type: 'linear-shift', alpha: a, detach: false }));
  const expected = w.flatMap((row, i) => row.map((v, j) => (1 - a) * v + a * w[(i + 2) % 3][j]));
  assertClose(full, expected, 1e-6, 'no detach');
});

test('linear-optimal forward (P + sum_batch P) / (k + 1) and gradient (w + sum_batch w) / (k + 1)', () => {
  const spec = emb({ type: 'linear-optimal' });
  const y = tf.tidy(() => values(applyNoise(tf.tensor(X_VALUES, X_SHAPE), spec, train)));
  const colSum = (r: number[][]) => r[0].map((_, j) => r.reduce((s, row) => s + row[j], 0));
  const p = rows(X_VALUES, 3);
  const sp = colSum(p);
  assertClose(
    y,
    p.flatMap((row) => row.map((v, j) => (v + sp[j]) / 4)),
  );
  const w = rows(W_VALUES, 3);
  const sw = colSum(w);
  assertClose(
    gradOf(spec),
    w.flatMap((row) => row.map((v, j) => (v + sw[j]) / 4)),
    1e-6,
    'grad',
  );
});

test('batch of one: linear-optimal is exactly the identity, linear-shift is the identity', () => {
  const x1 = [0.1, -3.7, 1e-8, 12345.678];
  const opt = tf.tidy(() => values(applyNoise(tf.tensor(x1, [1, 2, 2]), emb({ type: 'linear-optimal' }), train)));
  assert.deepEqual(opt, Array.from(new Float32Array(x1)));
  const shift = tf.tidy(() => values(applyNoise(tf.tensor(x1, [1, 2, 2]), emb({ type: 'linear-shift', alpha: 0.3 }), train)));
  assertClose(shift, Array.from(new Float32Array(x1)));
});

test('skipFirstToken keeps token 0 bit-identical and noises the rest as if alone', () => {
  const shape = [3, 4, 2];
  const x = Array.from(new Rng(3).fillNormal(new Float32Array(24)));
  for (const type of ['linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper'] as const) {
    const spec = emb({ type, skipFirstToken: true, prob: 0.5, strength: 1 });
    const [y, alone, xr] = tf.tidy(() => {
      const xt = tf.tensor(x, shape);
      const rest = tf.slice(xt, [0, 1, 0], [3, 3, 2]);
      return [values(applyNoise(xt, spec, train)), values(applyNoise(rest, { ...spec, skipFirstToken: false }, train)), values(rest)];
    });
    const yr = rows(y, 3);
    const xrows = rows(Array.from(new Float32Array(x)), 3);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(yr[i].slice(0, 2), xrows[i].slice(0, 2), `${type}: token 0 of sample ${i}`);
    }
    const noisedPart = yr.flatMap((r) => r.slice(2));
    assertClose(noisedPart, alone, 1e-6, type);
    assert.notDeepEqual(noisedPart, xr, `${type}: tokens 1.. are noised`);
  }
  assert.throws(() => applyNoise(tf.zeros([3, 4]), emb({ type: 'gaussian', skipFirstToken: true }), train), /rank >= 3/);
});

test('at / training gating returns the same tensor object when inactive', () => {
  const x = tf.tensor(X_VALUES, X_SHAPE);
  const cases: [NoiseSpec['at'], boolean, boolean][] = [
    ['train', true, true],
    ['train', false, false],
    ['eval', true, false],
    ['eval', false, true],
    ['both', true, true],
    ['both', false, true],
  ];
  for (const type of ['linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper'] as const) {
    for (const [at, training, active] of cases) {
      const y = applyNoise(x, { type, at, level: 'embedding', prob: 1 }, { seed: 5, training });
      if (active) {
        assert.notEqual(y, x, `${type} at=${at} training=${training} should be active`);
        assert.notDeepEqual(values(y), values(x));
        y.dispose();
      } else {
        assert.equal(y, x, `${type} at=${at} training=${training} should be inactive`);
      }
    }
  }
  assert.equal(applyNoise(x, emb({ type: 'none' }), train), x);
  x.dispose();
});

test('applyNoise leaks no tensors, also under tf.grad', () => {
  const x = tf.tensor(X_VALUES, X_SHAPE);
  const before = tf.memory().numTensors;
  for (const type of ['linear-shift', 'linear-optimal', 'gaussian', 'salt-pepper'] as const) {
    for (const skipFirstToken of [false, true]) {
      const y = applyNoise(x, emb({ type, skipFirstToken }), train);
      assert.equal(tf.memory().numTensors, before + 1, `${type} skip=${skipFirstToken}`);
      y.dispose();
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.sum(applyNoise(t, emb({ type, detach: true, skipFirstToken }), train)))(x);
      });
      assert.equal(tf.memory().numTensors, before, `${type} grad`);
    }
  }
  x.dispose();
});

test("gaussian: seeded, with (P' - P) / s distributed as N(mean, std), identity gradient", () => {
  const shape = [8, 100, 125];
  const spec = emb({ type: 'gaussian', strength: 0.1, mean: 0.5, std: 2 });
  const x = tf.tidy(() => tf.tensor(new Rng(11).fillNormal(new Float32Array(100000)), shape));
  const [a, b, c] = tf.tidy(() => [
    values(applyNoise(x, spec, { seed: 7, training: true })),
    values(applyNoise(x, spec, { seed: 7, training: true })),
    values(applyNoise(x, spec, { seed: 8, training: true })),
  ]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const xv = values(x);
  const d = a.map((v, i) => (v - xv[i]) / 0.1);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
  assert.ok(Math.abs(mean - 0.5) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(std - 2) < 0.03, `std ${std}`);
  x.dispose();
  assertClose(gradOf(emb({ type: 'gaussian', strength: 3 })), W_VALUES, 0, 'grad');
  assert.deepEqual(
    [NOISE_DEFAULTS.strength, NOISE_DEFAULTS.mean, NOISE_DEFAULTS.std, NOISE_DEFAULTS.prob],
    [0.1, 0, 1, 0.1], // prob: the official parsers' default
  );
});

test('salt-pepper: p/2 become max, p/2 become min, the rest untouched; gradient only on untouched', () => {
  const n = 100000;
  const shape = [10, 100, 100];
  const xv = Array.from(new Rng(12).fillNormal(new Float32Array(n)));
  const max = Math.max(...xv);
  const min = Math.min(...xv);
  const p = 0.2;
  const y = tf.tidy(() => values(applyNoise(tf.tensor(xv, shape), emb({ type: 'salt-pepper', prob: p }), train)));
  let salt = 0;
  let pepper = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] === xv[i]) continue;
    if (y[i] === max) salt++;
    else if (y[i] === min) pepper++;
    else assert.fail(`element ${i} changed to ${y[i]}, neither max nor min nor original`);
  }
  assert.ok(Math.abs(salt / n - p / 2) < 0.005, `salt fraction ${salt / n}`);
  assert.ok(Math.abs(pepper / n - p / 2) < 0.005, `pepper fraction ${pepper / n}`);

  const same = tf.tidy(() => values(applyNoise(tf.tensor(xv, shape), emb({ type: 'salt-pepper', prob: p }), train)));
  assert.deepEqual(same, y);

  const none = tf.tidy(() => values(applyNoise(tf.tensor(xv, shape), emb({ type: 'salt-pepper', prob: 0 }), train)));
  assert.deepEqual(
    none,
    y.map((_, i) => xv[i]),
  );
  const all = tf.tidy(() => values(applyNoise(tf.tensor(xv, shape), emb({ type: 'salt-pepper', prob: 1 }), train)));
  const nMax = all.filter((v) => v === max).length;
  assert.equal(nMax + all.filter((v) => v === min).length, n);
  assert.ok(Math.abs(nMax / n - 0.5) < 0.01, `max fraction at p = 1: ${nMax / n}`);

  // The replaced set is {u < p} for the uniforms of new Rng(seed); put the extremes on untouched
  // elements so that a gradient leaking through max/min would show up there.
  const p2 = 0.5;
  const replacedMask = Array.from(new Rng(train.seed).fillUniform(new Float32Array(12))).map((u) => u < p2);
  const untouched = replacedMask.flatMap((r, i) => (r ? [] : [i]));
  assert.ok(untouched.length >= 2 && untouched.length < 12, `untouched ${untouched.length} of 12`);
  const small = Array.from(new Rng(13).fillNormal(new Float32Array(12)));
  small[untouched[0]] = 100;
  small[untouched[1]] = -100;
  const spec = emb({ type: 'salt-pepper', prob: p2 });
  const ys = tf.tidy(() => values(applyNoise(tf.tensor(small, X_SHAPE), spec, train)));
  assert.deepEqual(
    ys.map((v, i) => (replacedMask[i] ? v === 100 || v === -100 : v === Math.fround(small[i]))),
    new Array(12).fill(true),
  );
  const g = gradOf(spec, small).map((v) => v + 0); // -0 and 0 are the same gradient
  assert.deepEqual(
    g,
    W_VALUES.map((w, i) => (replacedMask[i] ? 0 : w)),
  );
});

test('image level acts on [k, H, W, C] batches', () => {
  const shape = [2, 3, 3, 2];
  const x = Array.from(new Rng(4).fillNormal(new Float32Array(36)));
  const y = tf.tidy(() => values(applyNoise(tf.tensor(x, shape), { type: 'linear-optimal', level: 'image', at: 'both' }, train)));
  const p = rows(Array.from(new Float32Array(x)), 2);
  assertClose(
    y,
    p.flatMap((row, i) => row.map((v, j) => (2 * v + p[1 - i][j]) / 3)),
  );
});

test('validateNoiseSpec rejects bad values naming the field', () => {
  const ok: NoiseSpec = { type: 'gaussian', level: 'embedding', at: 'train', strength: 0.1, mean: 0, std: 1 };
  validateNoiseSpec(ok);
  validateNoiseSpec({ type: 'none', level: 'image', at: 'eval' });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ alpha: 1.5 }, /"alpha".*\[0, 1\].*1\.5/],
    [{ alpha: -0.1 }, /"alpha"/],
    [{ alpha: Infinity }, /"alpha".*finite/],
    [{ prob: 2 }, /"prob"/],
    [{ prob: NaN }, /"prob".*finite/],
    [{ strength: -1 }, /"strength".*>= 0/],
    [{ std: -0.5 }, /"std"/],
    [{ mean: NaN }, /"mean"/],
    [{ mean: '1' }, /"mean"/],
    [{ type: 'uniform' }, /"type".*uniform/],
    [{ level: undefined }, /"level"/],
    [{ level: 'pixel' }, /"level"/],
    [{ at: undefined }, /"at"/],
    [{ at: 'always' }, /"at"/],
    [{ detach: 'yes' }, /"detach"/],
    [{ level: 'image', skipFirstToken: true }, /"skipFirstToken"/],
  ];
  for (const [patch, re] of bad) {
    assert.throws(() => validateNoiseSpec({ ...ok, ...patch } as NoiseSpec), re, JSON.stringify(patch));
  }
  assert.throws(() => applyNoise(tf.zeros([2, 2]), { ...ok, prob: 3 }, train), /"prob"/);
});

/** Determinant by Gaussian elimination with partial pivoting, in float64. */
function det(m: number[][]): number {
  const a = m.map((r) => [...r]);
  const n = a.length;
  let d = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (a[piv][c] === 0) return 0;
    if (piv !== c) {
      [a[piv], a[c]] = [a[c], a[piv]];
      d = -d;
    }
    d *= a[c][c];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let j = c; j < n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return d;
}

function shiftMatrix(k: number, a: number): number[][] {
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  for (let i = 0; i < k; i++) {
    m[i][i] += 1 - a;
    m[i][(i + 1) % k] += a;
  }
  return m;
}

function optimalMatrix(k: number): number[][] {
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => ((i === j ? 1 : 0) + 1) / (k + 1)));
}

test('linearNoiseLogDet equals -log|det(I + Q)| of the explicit matrix, which is what applyNoise applies', () => {
  for (let k = 1; k <= 6; k++) {
    const cases: [NoiseSpec, number[][]][] = [
      [emb({ type: 'linear-optimal' }), optimalMatrix(k)],
      ...[0, 0.1, 0.3, 0.4, 0.7, 1].map((a): [NoiseSpec, number[][]] => [emb({ type: 'linear-shift', alpha: a }), shiftMatrix(k, a)]),
    ];
    if (k % 2 === 1) cases.push([emb({ type: 'linear-shift', alpha: 0.5 }), shiftMatrix(k, 0.5)]);
    for (const [spec, m] of cases) {
      const what = `${spec.type} a=${spec.alpha} k=${k}`;
      const applied = tf.tidy(() => values(applyNoise(tf.eye(k), spec, train)));
      assertClose(applied, m.flat(), 1e-6, `${what} operator matrix`);
      const logdet = linearNoiseLogDet(spec, k);
      assert.ok(logdet !== null);
      assert.ok(Math.abs(logdet - -Math.log(Math.abs(det(m)))) < 1e-9, `${what}: ${logdet}`);
    }
  }
  for (const k of [2, 4, 6, 1000]) assert.equal(linearNoiseLogDet(emb({ type: 'linear-shift', alpha: 0.5 }), k), Infinity);
  assert.ok(Math.abs(det(shiftMatrix(4, 0.5))) < 1e-12);
  const big = linearNoiseLogDet(emb({ type: 'linear-shift', alpha: 0.3 }), 5000);
  assert.ok(big !== null && Math.abs(big - -5000 * Math.log(0.7)) < 1e-6, `large k: ${big}`);
  assert.ok(Math.abs(linearNoiseLogDet(emb({ type: 'linear-optimal' }), 10000)! - 9999 * Math.log(10001)) < 1e-6);
  assert.ok(Math.abs(linearNoiseLogDet(emb({ type: 'linear-shift' }), 2)! - -Math.log(0.7 ** 2 - 0.3 ** 2)) < 1e-12, 'default alpha');
  assert.equal(linearNoiseLogDet(emb({ type: 'gaussian' }), 4), null);
  assert.equal(linearNoiseLogDet(emb({ type: 'none' }), 4), null);
  assert.throws(() => linearNoiseLogDet(emb({ type: 'linear-optimal' }), 0), /batch size k/);
});

test('cpu and wasm backends give the same noise for the same seed', async () => {
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(`${wasmDir}/`);
  const shape = [4, 5, 6];
  const xv = new Rng(21).fillNormal(new Float32Array(120));
  const specs: NoiseSpec[] = [
    emb({ type: 'linear-shift', alpha: 0.3 }),
    emb({ type: 'linear-optimal' }),
    emb({ type: 'gaussian', strength: 0.5, mean: 0.1, std: 2 }),
    emb({ type: 'salt-pepper', prob: 0.3 }),
    emb({ type: 'gaussian', skipFirstToken: true }),
  ];
  const run = () => specs.map((s) => tf.tidy(() => values(applyNoise(tf.tensor(xv, shape), s, { seed: 77, training: true }))));
  const previous = tf.getBackend();
  const onCpu = run();
  try {
    assert.ok(await tf.setBackend('wasm'), 'wasm backend failed to initialise');
    const onWasm = run();
    specs.forEach((s, i) => assertClose(onWasm[i], onCpu[i], 1e-6, `${s.type} wasm vs cpu`));
  } finally {
    await tf.setBackend(previous);
  }
  assert.equal(tf.getBackend(), previous);
});
