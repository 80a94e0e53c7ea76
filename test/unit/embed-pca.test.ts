import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src-main/engine/rng';
import { fitPca, transformPca } from '../../src-main/engine/embed/pca';

/** Sylvester Hadamard matrix of order 2^m: entries +-1, columns orthogonal, columns 1.. have zero mean. */
function hadamard(order: number): number[][] {
  let h = [[1]];
  while (h.length < order) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h;
}

/** `count` random orthonormal directions in `dim` dimensions (Gram-Schmidt on seeded normals). */
function directions(count: number, dim: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const u: number[][] = [];
  while (u.length < count) {
    const v = Array.from({ length: dim }, () => rng.normal());
    for (const w of u) {
      const d = v.reduce((s, x, i) => s + x * w[i], 0);
      for (let i = 0; i < dim; i++) v[i] -= d * w[i];
    }
    const norm = Math.hypot(...v);
    u.push(v.map((x) => x / norm));
  }
  return u;
}

/**
 * n = order rows x_i = mean + sum_j s_j H[i][j + 1] u_j. The Hadamard columns are orthogonal with zero mean,
 * so the sample covariance is exactly sum_j s_j^2 n / (n - 1) u_j u_j^T: eigenvalues and vectors are known.
 */
function known(order: number, dim: number, scales: number[], seed: number) {
  const h = hadamard(order);
  const u = directions(scales.length, dim, seed);
  const mean = Array.from({ length: dim }, (_, a) => a * 0.5 - 3);
  const x = new Float64Array(order * dim);
  for (let i = 0; i < order; i++)
    for (let a = 0; a < dim; a++) {
      let v = mean[a];
      scales.forEach((s, j) => (v += s * h[i][j + 1] * u[j][a]));
      x[i * dim + a] = v;
    }
  return { x, u, h, mean, variances: scales.map((s) => (s * s * order) / (order - 1)) };
}

for (const [label, order, dim] of [
  ['Jacobi', 32, 12],
  ['subspace iteration', 256, 200],
] as const) {
  test(`PCA recovers known orthogonal directions and variances (${label}, dim ${dim})`, () => {
    const scales = [5, 3, 2, 1, 0.5];
    const { x, u, h, variances } = known(order, dim, scales, 7);
    const k = 3;
    const pca = fitPca(x, order, dim, k);
    for (let j = 0; j < k; j++) {
      assert.ok(
        Math.abs(pca.explainedVariance[j] - variances[j]) < 1e-8 * variances[0],
        `variance ${j}: ${pca.explainedVariance[j]} vs ${variances[j]}`,
      );
      const dot = u[j].reduce((s, v, a) => s + v * pca.components[j * dim + a], 0);
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `component ${j} . u_${j} = ${dot}`);
    }
    const total = variances.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(pca.totalVariance - total) < 1e-9 * total);
    assert.ok(Math.abs(pca.explainedVarianceRatio[0] - variances[0] / total) < 1e-9);
    // Projections are the known coefficients s_j H[i][j + 1] (up to each component's sign).
    const y = transformPca(pca, x, order);
    for (let j = 0; j < k; j++) {
      const sign = Math.sign(u[j].reduce((s, v, a) => s + v * pca.components[j * dim + a], 0));
      for (let i = 0; i < order; i++) assert.ok(Math.abs(y[i * k + j] - sign * scales[j] * h[i][j + 1]) < 1e-5, `row ${i} axis ${j}`);
    }
  });
}

test('transform places new points in the fitted space: a shift along component 1 moves only axis 1', () => {
  const rng = new Rng(3);
  const n = 500;
  const dim = 8;
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) x[i * dim + a] = rng.normal() * (a + 1);
  const k = 4;
  const pca = fitPca(x, n, dim, k);
  const fitted = transformPca(pca, x, n);
  // Mean zero and variance = explained variance on the fitting data.
  for (let j = 0; j < k; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      s += fitted[i * k + j];
      s2 += fitted[i * k + j] ** 2;
    }
    assert.ok(Math.abs(s / n) < 1e-4, `axis ${j} mean ${s / n}`);
    assert.ok(Math.abs(s2 / (n - 1) - pca.explainedVariance[j]) < 1e-3 * pca.explainedVariance[j]);
  }
  // Component vectors are orthonormal.
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const d = Array.from({ length: dim }, (_, a) => pca.components[i * dim + a] * pca.components[j * dim + a]).reduce((p, q) => p + q, 0);
      assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-10);
    }
  const delta = 2.5;
  const moved = x.slice(0, dim).map((v, a) => v + delta * pca.components[a]);
  const p0 = transformPca(pca, x.slice(0, dim), 1);
  const p1 = transformPca(pca, moved, 1);
  assert.ok(Math.abs(p1[0] - p0[0] - delta) < 1e-5, `axis 1 moved ${p1[0] - p0[0]}`);
  for (let j = 1; j < k; j++) assert.ok(Math.abs(p1[j] - p0[j]) < 1e-5, `axis ${j + 1} moved ${p1[j] - p0[j]}`);
  assert.deepEqual(Array.from(p0), Array.from(fitted.slice(0, k)));
});

test('fitPca rejects bad shapes', () => {
  assert.throws(() => fitPca(new Float32Array(10), 5, 3, 2), /10 values for 5 x 3/);
  assert.throws(() => fitPca(new Float32Array(15), 5, 3, 4), /k must be in \[1, 3\]/);
});
