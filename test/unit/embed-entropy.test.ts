import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src-main/engine/rng';
import {
  foldsOf,
  gaussianTaskEntropy,
  knnLosses,
  rangeChecked,
  taskEntropy,
  verdict,
  labelEntropy,
} from '../../src-main/engine/embed/entropy';

await tf.setBackend('cpu');

/** n samples of N(mean, L L^T) appended to out (row-major), with label y. */
function sample(rng: Rng, n: number, mean: number[], l: number[][], y: number, out: number[], labels: number[]): void {
  const p = mean.length;
  for (let i = 0; i < n; i++) {
    const g = Array.from({ length: p }, () => rng.normal());
    for (let a = 0; a < p; a++) {
      let v = mean[a];
      for (let b = 0; b <= a; b++) v += l[a][b] * g[b];
      out.push(v);
    }
    labels.push(y);
  }
}

/** 0.5 log det(2 pi e L L^T) for a lower-triangular L. */
function gaussEntropy(l: number[][]): number {
  const p = l.length;
  return 0.5 * (p * Math.log(2 * Math.PI * Math.E) + 2 * l.reduce((s, row, i) => s + Math.log(row[i]), 0));
}

const L0 = [
  [1, 0, 0, 0],
  [0, Math.SQRT2, 0, 0],
  [0, 0, Math.SQRT1_2, 0],
  [0, 0, 0, Math.sqrt(3)],
];
const L1 = [
  [2, 0, 0, 0],
  [0.8, 0.6, 0, 0],
  [-0.5, 0.3, 1.2, 0],
  [0.1, 0.4, -0.2, 0.5],
];

test('gaussian H(Z|Y) matches the closed form of two known class Gaussians (within 0.02 nats)', () => {
  const rng = new Rng(1);
  const x: number[] = [];
  const labels: number[] = [];
  sample(rng, 30000, [0, 0, 0, 0], L0, 0, x, labels);
  sample(rng, 10000, [1, -1, 0.5, 2], L1, 1, x, labels);
  const n = labels.length;
  const expected = 0.75 * gaussEntropy(L0) + 0.25 * gaussEntropy(L1);
  for (const shrink of ['ledoit-wolf', 0] as const) {
    const g = gaussianTaskEntropy(Float32Array.from(x), n, 4, labels, 2, shrink);
    assert.ok(Math.abs(g.hZgivenY - expected) < 0.02, `${shrink}: H(Z|Y) ${g.hZgivenY} vs closed form ${expected}`);
    assert.ok(Math.abs(g.hY - labelEntropy([3, 1])) < 1e-12);
    assert.ok(Math.abs(g.hYgivenZ - (g.hY + g.hZgivenY - g.hZ)) < 1e-12);
    // The KL bound is below the Bhattacharyya bound, and both lie in [0, H(Y)].
    assert.ok(
      g.mixture.lower <= g.mixture.upper + 1e-12 && g.mixture.lower >= -1e-12 && g.mixture.upper <= g.hY + 1e-12,
      JSON.stringify(g.mixture),
    );
  }
  // Ledoit-Wolf shrinks little with 10,000+ samples in 4 dimensions.
  const lw = gaussianTaskEntropy(Float32Array.from(x), n, 4, labels, 2);
  assert.ok(lw.shrinkage.weight >= 0 && lw.shrinkage.weight < 0.01, JSON.stringify(lw.shrinkage));
});

test('gaussian estimate without shrinkage is invariant under an invertible linear map of Z', () => {
  const rng = new Rng(2);
  const x: number[] = [];
  const labels: number[] = [];
  sample(rng, 500, [0, 0, 0, 0], L0, 0, x, labels);
  sample(rng, 500, [1, 1, 0, 0], L1, 1, x, labels);
  sample(rng, 500, [-1, 0, 1, 0], L0, 2, x, labels);
  const n = labels.length;
  const a = [
    [2, 1, 0, 0],
    [0, 1, 3, 0],
    [0, 0, 1, 0.5],
    [1, 0, 0, 1],
  ]; // det != 0
  const y = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) for (let r = 0; r < 4; r++) y[i * 4 + r] = a[r].reduce((s, v, c) => s + v * x[i * 4 + c], 0);
  const gx = gaussianTaskEntropy(Float32Array.from(x), n, 4, labels, 3, 0);
  const gy = gaussianTaskEntropy(y, n, 4, labels, 3, 0);
  assert.ok(Math.abs(gx.hYgivenZ - gy.hYgivenZ) < 1e-4, `${gx.hYgivenZ} vs ${gy.hYgivenZ}`);
  assert.ok(Math.abs(gx.mixture.lower - gy.mixture.lower) < 1e-4);
  assert.ok(Math.abs(gy.hZ - gx.hZ) > 0.5, 'H(Z) itself does change');
});

function separated(gap: number, n: number, seed: number, dim = 3): { x: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const x: number[] = [];
  const labels: number[] = [];
  const eye = Array.from({ length: dim }, (_, i) => Array.from({ length: dim }, (_, j) => (i === j ? 1 : 0)));
  sample(
    rng,
    n,
    Array.from({ length: dim }, (_, i) => (i === 0 ? -gap / 2 : 0)),
    eye,
    0,
    x,
    labels,
  );
  sample(
    rng,
    n,
    Array.from({ length: dim }, (_, i) => (i === 0 ? gap / 2 : 0)),
    eye,
    1,
    x,
    labels,
  );
  return { x: Float32Array.from(x), labels };
}

test('perfectly separated classes: H(Y|Z) ~ 0 for the mixture and k-NN estimators; the single Gaussian goes negative', () => {
  const { x, labels } = separated(100, 500, 3);
  const g = gaussianTaskEntropy(x, 1000, 3, labels, 2);
  assert.ok(Math.abs(g.mixture.lower) < 1e-9 && Math.abs(g.mixture.upper) < 1e-9, JSON.stringify(g.mixture));
  const knn = knnLosses(x, 1000, 3, labels, 2, { seed: 1 });
  const mean = knn.reduce((a, b) => a + b, 0) / knn.length;
  // Every neighbour agrees: -log((10 + 0.05) / (10 + 2 * 0.05)) = 0.00496.
  assert.ok(Math.abs(mean - -Math.log(10.05 / 10.1)) < 1e-9, `knn ${mean}`);
  assert.ok(g.hYgivenZ < -1, `a single Gaussian over-estimates H(Z) of two far clusters: ${g.hYgivenZ}`);
});

test('identical class distributions: H(Y|Z) ~ H(Y) = log 2; the k-NN cross-entropy stays above it', () => {
  const { x, labels } = separated(0, 2000, 4);
  const g = gaussianTaskEntropy(x, 4000, 3, labels, 2);
  assert.ok(Math.abs(g.hYgivenZ - Math.LN2) < 0.01, `gaussian ${g.hYgivenZ}`);
  assert.ok(Math.abs(g.mixture.lower - Math.LN2) < 0.01 && Math.abs(g.mixture.upper - Math.LN2) < 0.01, JSON.stringify(g.mixture));
  const knn = knnLosses(x, 4000, 3, labels, 2, { seed: 1 });
  const mean = knn.reduce((a, b) => a + b, 0) / knn.length;
  assert.ok(mean > Math.LN2 - 0.02 && mean < 1.2, `knn ${mean}`);
});

test('k-NN uses only other folds: a duplicated point does not find itself', () => {
  // Two copies of each point with opposite labels: if a point saw its own copy (distance 0) at least once
  // per neighbourhood, losses would differ from the fold-respecting computation below.
  const rng = new Rng(5);
  const n = 200;
  const x = new Float32Array(n * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    x[i * 2] = rng.normal() * 10;
    x[i * 2 + 1] = rng.normal() * 10;
    labels.push(i % 2);
  }
  const losses = knnLosses(x, n, 2, labels, 2, { seed: 9, k: 1, folds: 2, alpha: 0.5 });
  // Brute force with the same folds.
  const fold = foldsOf(n, 2, 9);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (fold[j] === fold[i]) continue;
      const d = (x[i * 2] - x[j * 2]) ** 2 + (x[i * 2 + 1] - x[j * 2 + 1]) ** 2;
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    const expected = -Math.log(((labels[best] === labels[i] ? 1 : 0) + 0.5) / 2);
    assert.ok(Math.abs(losses[i] - expected) < 1e-9, `row ${i}: ${losses[i]} vs ${expected}`);
  }
});

test('noise that merges the classes gives dS < 0 (harmful, significant) for every in-range estimator', () => {
  const { x, labels } = separated(6, 1000, 6, 2);
  const rng = new Rng(7);
  const noisy = x.map((v) => v + 3 * rng.normal());
  const r = taskEntropy({ clean: x, noisy, dim: 2, labels, n: 2000 }, 2, {
    seed: 1,
    bootstrap: 10,
    noise: { type: 'gaussian', level: 'embedding', at: 'both' },
    batchSize: 10,
  });
  // Two well-separated Gaussians: the single-Gaussian H(Z) makes the clean 'gaussian' H(Y|Z) negative.
  assert.equal(r.estimators.gaussian.clean.outOfRange, 'below 0');
  assert.equal(r.estimators.gaussian.verdict?.verdict, 'out of range');
  for (const [name, e] of Object.entries(r.estimators).filter(([n]) => n !== 'gaussian')) {
    assert.ok(e.dS && e.dS.value < 0 && e.dS.mean < 0, `${name}: ${JSON.stringify(e.dS)}`);
    assert.equal(e.verdict?.verdict, 'harmful', name);
    assert.ok(e.verdict?.significant, `${name}: ${e.verdict?.text}`);
    assert.ok(e.dS.std > 0, `${name}: bootstrap spread`);
    assert.ok(Math.abs(e.dS.value - (e.clean.value - e.noisy!.value)) < 1e-12);
  }
  assert.equal(r.linear, null, 'gaussian noise has no linear-theory dS');
});

test('linear noise theory line: -log|det(I+Q)| for the batch size; no noisy set gives no dS', () => {
  const { x, labels } = separated(4, 200, 8, 2);
  const r = taskEntropy({ clean: x, dim: 2, labels, n: 400 }, 2, {
    seed: 1,
    bootstrap: 3,
    noise: { type: 'linear-optimal', level: 'embedding', at: 'both' },
    batchSize: 10,
  });
  assert.ok(r.linear && Math.abs(r.linear.dS - 9 * Math.log(11)) < 1e-12);
  assert.equal(r.estimators.gaussian.dS, undefined);
  assert.ok(r.estimators.knn.clean.std > 0);
});

test('verdict: positive / harmful only beyond 2 standard deviations; otherwise not significant, whatever the sign', () => {
  assert.deepEqual(
    [verdict({ value: 0.5, mean: 0.5, std: 0.1 }).verdict, verdict({ value: 0.5, mean: 0.5, std: 0.1 }).significant],
    ['positive', true],
  );
  assert.deepEqual(
    [verdict({ value: -0.5, mean: -0.5, std: 0.1 }).verdict, verdict({ value: -0.5, mean: -0.5, std: 0.1 }).significant],
    ['harmful', true],
  );
  assert.deepEqual(
    [verdict({ value: -0.01, mean: 0, std: 0.1 }).verdict, verdict({ value: -0.01, mean: 0, std: 0.1 }).significant],
    ['not significant', false],
  );
  assert.equal(verdict({ value: 0.19, mean: 0.19, std: 0.1 }).verdict, 'not significant', '|dS| < 2 sd');
  assert.equal(verdict({ value: 0, mean: 0, std: 0 }).verdict, 'not significant', '-0.000 +/- 0.000 is no evidence of harm');
  assert.equal(verdict({ value: -1e-9, mean: 0, std: 0 }).verdict, 'not significant', 'round-off');
  const below = rangeChecked({ value: -14.3, mean: -14, std: 0.5 }, Math.log(10));
  assert.equal(below.outOfRange, 'below 0');
  const v = verdict({ value: -3, mean: -3, std: 0.1 }, below, { value: 1, mean: 1, std: 0.1 });
  assert.equal(v.verdict, 'out of range');
  assert.match(v.text, /clean H\(Y\|Z\) below 0/);
  assert.equal(rangeChecked({ value: 2.4, mean: 2.4, std: 0 }, Math.log(10)).outOfRange, 'above H(Y)');
  assert.equal(rangeChecked({ value: Math.log(10), mean: 0, std: 0 }, Math.log(10)).outOfRange, undefined, 'H(Y) itself is in range');
});

test('constructed: separated classes (true H(Y|Z) = 0): the single Gaussian is flagged below 0 and gets no reading; the bounds read 0', () => {
  const { x, labels } = separated(100, 300, 5);
  const r = taskEntropy({ clean: x, noisy: x.slice(), dim: 3, labels, n: 600 }, 2, { seed: 1, bootstrap: 4 });
  assert.equal(r.estimators.gaussian.clean.outOfRange, 'below 0');
  assert.equal(r.estimators.gaussian.verdict?.verdict, 'out of range');
  for (const name of ['gaussian-mixture-kl', 'gaussian-mixture-bhattacharyya', 'knn'] as const) {
    const e = r.estimators[name];
    assert.equal(e.clean.outOfRange, undefined, name);
    assert.ok(Math.abs(e.clean.value) < 0.01, `${name}: ${e.clean.value}`);
  }
});

test('constructed: labels independent of Z (true H(Y|Z) = H(Y)): k-NN cross-entropy above H(Y) is flagged', () => {
  const rng = new Rng(21);
  const n = 400;
  const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const r = taskEntropy({ clean: x, dim: 2, labels, n }, 2, { seed: 1, bootstrap: 2 });
  assert.ok(Math.abs(r.hY - Math.log(2)) < 1e-12);
  assert.ok(r.estimators.knn.clean.value > r.hY, `k-NN ${r.estimators.knn.clean.value} vs H(Y) ${r.hY}`);
  assert.equal(r.estimators.knn.clean.outOfRange, 'above H(Y)');
  for (const name of ['gaussian-mixture-kl', 'gaussian-mixture-bhattacharyya'] as const) {
    assert.ok(Math.abs(r.estimators[name].clean.value - r.hY) < 0.02, `${name} reads ~H(Y): ${r.estimators[name].clean.value}`);
  }
});

test('constructed: noise that changes nothing (noisy = clean, dS = 0 +/- 0) is "not significant" for every estimator', () => {
  const { x, labels } = separated(2, 300, 9);
  const r = taskEntropy({ clean: x, noisy: x.slice(), dim: 3, labels, n: 600 }, 2, { seed: 1, bootstrap: 4 });
  for (const [name, e] of Object.entries(r.estimators)) {
    assert.equal(e.dS!.value, 0, name);
    assert.equal(e.verdict?.verdict, 'not significant', name);
    assert.ok(e.measures.length > 40, `${name} says what it measures`);
  }
});

test('gaussian H(Y|Z) stays within [.., H(Y)] on near-degenerate embeddings (few samples, tiny variances)', () => {
  const rng = new Rng(11);
  const classes = 5;
  const per = 20;
  const dim = 30;
  const x = new Float32Array(classes * per * dim);
  const labels: number[] = [];
  for (let i = 0; i < classes * per; i++) {
    labels.push(i % classes);
    for (let a = 0; a < dim; a++) x[i * dim + a] = 0.01 * (i % classes) * (a % 3) + rng.normal() * 10 ** (-a / 5);
  }
  const g = gaussianTaskEntropy(x, classes * per, dim, labels, classes);
  assert.ok(g.hYgivenZ <= g.hY + 1e-9, `${g.hYgivenZ} > H(Y) ${g.hY}`);
  assert.ok(g.shrinkage.weight > 0 && g.shrinkage.weight <= 1);
});
