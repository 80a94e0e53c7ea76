// Exact t-SNE (van der Maaten & Hinton 2008, JMLR 9: "Visualizing Data using t-SNE"), O(N^2) per
// iteration. t-SNE has no out-of-sample transform, so clean and noisy points are embedded JOINTLY
// in one map (the result says so); the pair costs restrict it to MAX_POINTS points in total.
import { Rng } from '../rng';

export const TSNE_MAX_POINTS = 3000;

export interface TsneOptions {
  seed: number;
  /** Effective number of neighbours (the paper's perplexity); default 30. */
  perplexity?: number;
  /** Default 1000. */
  iterations?: number;
  /** Default 200 (the paper's value). */
  learningRate?: number;
  onProgress?(done: number, total: number): void;
  shouldStop?(): boolean;
}

export interface TsneResult {
  /** Clean and noisy points are fitted together in one map. */
  joint: true;
  /** [n x 2] clean points, then `noisy` [m x 2] noisy points of the same joint map. */
  clean: Float32Array;
  noisy?: Float32Array;
  /** Final Kullback-Leibler divergence KL(P || Q). */
  kl: number;
  iterations: number;
}

const EXAGGERATION = 12;
const EXAGGERATION_ITERS = 250;

/** Row-wise Gaussian affinities p_{j|i} with a binary search on the precision to match the perplexity. */
function affinities(x: Float64Array, n: number, dim: number, perplexity: number): Float32Array {
  const d2 = new Float64Array(n);
  const p = new Float32Array(n * n);
  const target = Math.log(perplexity);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let a = 0; a < dim; a++) {
        const d = x[i * dim + a] - x[j * dim + a];
        s += d * d;
      }
      d2[j] = s;
    }
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let iter = 0; iter < 64; iter++) {
      let sum = 0;
      let dsum = 0;
      for (let j = 0; j < n; j++) {
        const v = j === i ? 0 : Math.exp(-beta * d2[j]);
        row[j] = v;
        sum += v;
        dsum += v * d2[j];
      }
      if (sum === 0) {
        hi = beta; // too sharp: every neighbour underflowed
        beta = (lo + hi) / 2;
        continue;
      }
      const h = Math.log(sum) + (beta * dsum) / sum; // Shannon entropy (nats) of p_{.|i}
      if (Math.abs(h - target) < 1e-5) break;
      if (h > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (lo + hi) / 2;
      } else {
        hi = beta;
        beta = (lo + hi) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j];
    for (let j = 0; j < n; j++) p[i * n + j] = sum > 0 ? row[j] / sum : 0;
  }
  // Symmetrise: p_ij = (p_{j|i} + p_{i|j}) / 2n.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((p[i * n + j] + p[j * n + i]) / (2 * n), 1e-12);
      p[i * n + j] = v;
      p[j * n + i] = v;
    }
    p[i * n + i] = 0;
  }
  return p;
}

/** Embeds clean [n x dim] and noisy [m x dim] jointly in 2-D. */
export async function fitTsne(
  clean: ArrayLike<number>,
  n: number,
  dim: number,
  noisy: ArrayLike<number> | null,
  m: number,
  o: TsneOptions,
): Promise<TsneResult> {
  const total = n + (noisy ? m : 0);
  if (total > TSNE_MAX_POINTS) {
    throw new Error(
      `exact t-SNE is limited to ${TSNE_MAX_POINTS} points (clean + noisy), got ${total}: take a sample (e.g. limit ${Math.floor(TSNE_MAX_POINTS / (noisy ? 2 : 1))} images) or use UMAP`,
    );
  }
  const perplexity = o.perplexity ?? 30;
  if (total < 4 || perplexity >= total - 1)
    throw new Error(`t-SNE needs more points than perplexity + 1 (${perplexity + 1}), got ${total}`);
  const iterations = o.iterations ?? 1000;
  const eta = o.learningRate ?? 200;
  const x = new Float64Array(total * dim);
  for (let i = 0; i < n * dim; i++) x[i] = clean[i];
  if (noisy) for (let i = 0; i < m * dim; i++) x[n * dim + i] = noisy[i];
  const p = affinities(x, total, dim, perplexity);

  const rng = new Rng(o.seed);
  const y = new Float64Array(total * 2);
  for (let i = 0; i < y.length; i++) y[i] = 1e-4 * rng.normal(); // the paper's N(0, 1e-4 I) start
  const update = new Float64Array(total * 2);
  const gains = new Float64Array(total * 2).fill(1);
  const grad = new Float64Array(total * 2);
  const num = new Float64Array(total * total);
  let kl = 0;
  for (let it = 0; it < iterations; it++) {
    if (o.shouldStop?.()) throw new Error('t-SNE cancelled');
    const exaggeration = it < EXAGGERATION_ITERS ? EXAGGERATION : 1;
    const momentum = it < EXAGGERATION_ITERS ? 0.5 : 0.8;
    // Student-t kernel q_ij = (1 + |y_i - y_j|^2)^-1 / Z.
    let z = 0;
    for (let i = 0; i < total; i++) {
      for (let j = i + 1; j < total; j++) {
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        const v = 1 / (1 + dx * dx + dy * dy);
        num[i * total + j] = v;
        num[j * total + i] = v;
        z += 2 * v;
      }
    }
    // dC/dy_i = 4 sum_j (p_ij - q_ij) (y_i - y_j) (1 + |y_i - y_j|^2)^-1
    grad.fill(0);
    for (let i = 0; i < total; i++) {
      let gx = 0;
      let gy = 0;
      for (let j = 0; j < total; j++) {
        if (j === i) continue;
        const v = num[i * total + j];
        const f = (exaggeration * p[i * total + j] - v / z) * v;
        gx += f * (y[2 * i] - y[2 * j]);
        gy += f * (y[2 * i + 1] - y[2 * j + 1]);
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }
    // Delta-bar-delta gains (Jacobs 1988), as in the paper's reference implementation.
    for (let i = 0; i < y.length; i++) {
      gains[i] = Math.sign(grad[i]) !== Math.sign(update[i]) ? gains[i] + 0.2 : Math.max(0.01, gains[i] * 0.8);
      update[i] = momentum * update[i] - eta * gains[i] * grad[i];
      y[i] += update[i];
    }
    // Keep the map centred.
    let mx = 0;
    let my = 0;
    for (let i = 0; i < total; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    for (let i = 0; i < total; i++) {
      y[2 * i] -= mx / total;
      y[2 * i + 1] -= my / total;
    }
    if (it === iterations - 1) {
      kl = 0;
      for (let i = 0; i < total; i++)
        for (let j = 0; j < total; j++) {
          if (i === j) continue;
          const pij = p[i * total + j];
          kl += pij * Math.log(pij / Math.max(num[i * total + j] / z, 1e-300));
        }
    }
    o.onProgress?.(it + 1, iterations);
    if (it % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  const out = Float32Array.from(y);
  return { joint: true, clean: out.slice(0, 2 * n), noisy: noisy ? out.slice(2 * n) : undefined, kl, iterations };
}
