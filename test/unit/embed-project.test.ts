import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src-main/engine/rng';
import { fitUmap } from '../../src-main/engine/embed/umap';
import { fitTsne, TSNE_MAX_POINTS } from '../../src-main/engine/embed/tsne';

/** `per` points around each of `c` well-separated centres in `dim` dimensions. */
function clusters(c: number, per: number, dim: number, seed: number): { x: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: c }, () => Array.from({ length: dim }, () => rng.normal() * 10));
  const x = new Float32Array(c * per * dim);
  const labels: number[] = [];
  for (let i = 0; i < c * per; i++) {
    const y = i % c;
    labels.push(y);
    for (let a = 0; a < dim; a++) x[i * dim + a] = centres[y][a] + rng.normal();
  }
  return { x, labels };
}

/** Fraction of points whose nearest other point in the 2-D map has the same label. */
function neighbourAgreement(map: Float32Array, labels: number[]): number {
  const n = labels.length;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    if (labels[best] === labels[i]) ok++;
  }
  return ok / n;
}

test('UMAP on 500 points: clusters stay together, transform places the fitted points near their own embedding, seeded', async () => {
  const n = 500;
  const { x, labels } = clusters(5, n / 5, 16, 1);
  let epochs = 0;
  const r = await fitUmap(x, n, 16, x, n, {
    seed: 3,
    nEpochs: 200 /* rounded to 201 */,
    onProgress: (phase, done) => {
      if (phase === 'optimise') epochs = done;
    },
  });
  assert.equal(epochs, 201, 'epochs rounded to a multiple of 3 (umap-js transform runs a third)');
  assert.equal(r.embedding.length, n * 2);
  assert.equal(r.transformed?.length, n * 2);
  assert.ok(neighbourAgreement(r.embedding, labels) > 0.98);
  // Each transformed point lands closer to its own fitted position than to any other cluster's centroid.
  const centroid = Array.from({ length: 5 }, (_, y) => {
    const idx = labels.map((l, i) => (l === y ? i : -1)).filter((i) => i >= 0);
    return [0, 1].map((a) => idx.reduce((s, i) => s + r.embedding[2 * i + a], 0) / idx.length);
  });
  let nearest = 0;
  const spread = Math.max(...centroid.flatMap((c) => centroid.map((d) => Math.hypot(c[0] - d[0], c[1] - d[1]))));
  const moves: number[] = [];
  for (let i = 0; i < n; i++) {
    const tx = r.transformed![2 * i];
    const ty = r.transformed![2 * i + 1];
    moves.push(Math.hypot(tx - r.embedding[2 * i], ty - r.embedding[2 * i + 1]));
    const d = centroid.map((c) => Math.hypot(tx - c[0], ty - c[1]));
    if (d.indexOf(Math.min(...d)) === labels[i]) nearest++;
  }
  assert.ok(nearest / n > 0.98, `transformed points in their own cluster: ${nearest / n}`);
  moves.sort((a, b) => a - b);
  assert.ok(moves[n >> 1] < 0.1 * spread, `median move ${moves[n >> 1]} vs map spread ${spread}`);
  const again = await fitUmap(x, n, 16, null, 0, { seed: 3, nEpochs: 200 });
  assert.deepEqual(Array.from(again.embedding), Array.from(r.embedding), 'same seed, same map');
  assert.equal(again.transformed, undefined);
});

test('exact t-SNE: joint map of clean and noisy points separates clusters; refuses more than the limit', async () => {
  const { x, labels } = clusters(3, 50, 8, 2);
  const rng = new Rng(4);
  const noisy = x.map((v) => v + 0.1 * rng.normal());
  const r = await fitTsne(x, 150, 8, noisy, 150, { seed: 1, iterations: 1000, perplexity: 20 });
  assert.equal(r.joint, true);
  assert.equal(r.clean.length, 300);
  assert.equal(r.noisy?.length, 300);
  const joint = new Float32Array([...r.clean, ...r.noisy!]);
  assert.ok(neighbourAgreement(joint, [...labels, ...labels]) > 0.98);
  assert.ok(Number.isFinite(r.kl) && r.kl > 0 && r.kl < 1, `KL ${r.kl}`);
  await assert.rejects(
    () => fitTsne(new Float32Array((TSNE_MAX_POINTS + 1) * 2), TSNE_MAX_POINTS + 1, 2, null, 0, { seed: 1 }),
    /limited to 3000 points.*sample/,
  );
});
