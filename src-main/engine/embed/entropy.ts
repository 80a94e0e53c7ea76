// The task-entropy meter (docs/method.md#task-entropy): H(T; Z) = H(Y; Z) - H(Z) = H(Y | Z), estimated on
// clean and noisy embeddings of the same images, and dS = H(T; Z) - H(T; Z + e) (dS > 0: positive noise).
//
// Estimators (all in nats):
//  - 'gaussian' (the paper's Gaussian approximation): class-conditional Gaussians N(mu_y, Sigma_y) and a
//    single Gaussian for the whole set; H(N(mu, Sigma)) = 0.5 log det(2 pi e Sigma); H(Y|Z) = H(Y) + H(Z|Y) - H(Z).
//    A single Gaussian over-estimates H(Z) of a multi-modal set, so this value can be negative.
//  - 'gaussian-mixture-kl' / 'gaussian-mixture-bhattacharyya': the same class Gaussians, with H(Z) of their
//    mixture from the pairwise-distance estimators of Kolchinsky & Tracey (2017, Entropy 19(7):361):
//    H(Z) ~ H(Z|Y) - sum_i p_i log sum_j p_j exp(-D(i, j)); D = KL gives an upper bound on H(Z), hence a lower
//    bound on H(Y|Z); D = Bhattacharyya gives the matching upper bound. Both lie in [0, H(Y)].
//  - 'knn' (model-free): cross-validated k-nearest-neighbour cross-entropy, -log p(y_i | z_i) with
//    p = (neighbours of class y + alpha) / (k + C alpha) from the other folds. A held-out cross-entropy is an
//    upper bound on H(Y|Z) (up to sampling error), loosened by the smoothing alpha.
// Covariances: one Ledoit-Wolf shrinkage towards the scaled identity (Ledoit & Wolf 2004, J. Multivariate
// Anal. 88:365), fitted on the pooled within-class covariance and applied to every class and the whole set,
// or a fixed shrinkage weight. Log-determinants by Cholesky in float64.
// Spread: B paired bootstrap resamples of the images (the same rows for clean and noisy). The Gaussian
// estimators are refitted on each resample; the k-NN estimator resamples its per-image held-out losses
// (refitting k-NN on a resample would let duplicated images find themselves).
// Honesty rules (docs/task-entropy.md): H(Y|Z) lies in [0, H(Y)]; a value outside is flagged and is no
// estimate, and a dS built on one gets no verdict; a dS within 2 bootstrap std of 0 is "not significant".
// -log|det(I + Q)| is the paper's closed form for linear noise, not an estimate from the embeddings.
import { linearNoiseLogDet, type NoiseSpec } from '../noise';
import { deriveSeed, Rng } from '../rng';

export type Shrinkage = 'ledoit-wolf' | number;

export interface GaussianEstimate {
  hY: number;
  hZgivenY: number;
  hZ: number;
  /** H(Y|Z) = H(Y) + H(Z|Y) - H(Z) with the single-Gaussian H(Z). */
  hYgivenZ: number;
  /** H(Y|Z) with the mixture H(Z): [lower (KL), upper (Bhattacharyya)]. */
  mixture: { lower: number; upper: number };
  /** The common class shrinkage Sigma_y = (1 - weight) S_y + weight * target * I; the whole set's Gaussian is the
   * moment match of the shrunk class mixture, sum_y p_y Sigma_y + S_between. */
  shrinkage: { weight: number; target: number };
}

const LOG_2PI_E = Math.log(2 * Math.PI * Math.E);

/** In-place Cholesky A = L L^T of a symmetric PD [p x p] matrix (lower triangle of `a` becomes L). */
export function cholesky(a: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= l[j * p + k] ** 2;
    if (!(d > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j} = ${d})`);
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = s / ljj;
    }
  }
  return l;
}

/** log det A = 2 sum log diag(L). */
export function logDetFromCholesky(l: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += Math.log(l[i * p + i]);
  return 2 * s;
}

/** Solves L y = b (forward substitution) for one vector. */
function forwardSolve(l: Float64Array, p: number, b: Float64Array): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  return y;
}

/** ||L_a^-1 L_b||_F^2 = tr(Sigma_a^-1 Sigma_b), column by column of L_b. */
function traceInvProduct(la: Float64Array, lb: Float64Array, p: number): number {
  let s = 0;
  const col = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < p; i++) col[i] = i >= c ? lb[i * p + c] : 0;
    const y = forwardSolve(la, p, col);
    for (let i = 0; i < p; i++) s += y[i] * y[i];
  }
  return s;
}

function mahalanobis2(l: Float64Array, p: number, d: Float64Array): number {
  const y = forwardSolve(l, p, d);
  let s = 0;
  for (let i = 0; i < p; i++) s += y[i] * y[i];
  return s;
}

interface Moments {
  counts: Float64Array; // [C]
  means: Float64Array; // [C x p]
  scatter: Float64Array; // [C x p x p], sum of centred outer products
  fourth: Float64Array; // [C] sum ||x - mu_y||^4
  mean: Float64Array; // [p] global
  fourthAll: number; // sum ||x - mu||^4
  n: number;
}

/** Class means, class scatter matrices and fourth moments over the given rows (duplicates allowed). */
function moments(x: ArrayLike<number>, dim: number, labels: ArrayLike<number>, rows: Int32Array, classes: number): Moments {
  const p = dim;
  const counts = new Float64Array(classes);
  const means = new Float64Array(classes * p);
  for (const r of rows) {
    const y = labels[r];
    counts[y]++;
    for (let a = 0; a < p; a++) means[y * p + a] += x[r * p + a];
  }
  for (let y = 0; y < classes; y++) if (counts[y] > 0) for (let a = 0; a < p; a++) means[y * p + a] /= counts[y];
  const n = rows.length;
  const mean = new Float64Array(p);
  for (let y = 0; y < classes; y++) for (let a = 0; a < p; a++) mean[a] += (counts[y] / n) * means[y * p + a];
  const scatter = new Float64Array(classes * p * p);
  const fourth = new Float64Array(classes);
  let fourthAll = 0;
  const d = new Float64Array(p);
  for (const r of rows) {
    const y = labels[r];
    const base = y * p * p;
    let nc = 0;
    let ng = 0;
    for (let a = 0; a < p; a++) {
      const v = x[r * p + a];
      d[a] = v - means[y * p + a];
      nc += d[a] * d[a];
      ng += (v - mean[a]) ** 2;
    }
    fourth[y] += nc * nc;
    fourthAll += ng * ng;
    for (let a = 0; a < p; a++) {
      const da = d[a];
      if (da === 0) continue;
      const ra = base + a * p;
      for (let b = a; b < p; b++) scatter[ra + b] += da * d[b];
    }
  }
  for (let y = 0; y < classes; y++) {
    const base = y * p * p;
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) scatter[base + b * p + a] = scatter[base + a * p + b];
  }
  return { counts, means, scatter, fourth, mean, fourthAll, n };
}

/**
 * Shrinkage weight and target from the pooled WITHIN-class scatter (the sum of centred outer products
 * over `count` samples) and sum ||x - mu_y||^4. Ledoit-Wolf (2004): S = scatter / n, mu = tr(S) / p,
 * d2 = ||S - mu I||_F^2, b2 = min(d2, (1/n^2) sum_k ||x_k x_k^T - S||_F^2), where the sum equals
 * sum_k ||x_k||^4 - n ||S||_F^2 (so no second pass over the data); weight = b2 / d2.
 */
function shrinkageOf(
  scatter: Float64Array,
  p: number,
  count: number,
  fourth: number,
  shrink: Shrinkage,
): { weight: number; target: number } {
  let trace = 0;
  let frob = 0;
  for (let a = 0; a < p; a++) trace += scatter[a * p + a] / count;
  for (let i = 0; i < p * p; i++) frob += (scatter[i] / count) ** 2;
  const target = trace / p;
  if (shrink !== 'ledoit-wolf') return { weight: shrink, target };
  const d2 = frob - p * target * target;
  const b2 = Math.max(0, Math.min(d2, (fourth - count * frob) / (count * count)));
  return { weight: d2 > 0 ? b2 / d2 : 1, target };
}

/** (1 - w) scatter / count + (w target + jitter) I. */
function shrunk(scatter: Float64Array, offset: number, p: number, count: number, w: number, ridge: number): Float64Array {
  const s = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) s[i] = ((1 - w) * scatter[offset + i]) / count;
  for (let a = 0; a < p; a++) s[a * p + a] += ridge;
  return s;
}

/** Entropy of the empirical label distribution, in nats. */
export function labelEntropy(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  let h = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) h -= (counts[i] / n) * Math.log(counts[i] / n);
  return h;
}

/** Gaussian task-entropy estimates on the given rows (default: all) of x [n x dim]. */
export function gaussianTaskEntropy(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  classes: number,
  shrink: Shrinkage = 'ledoit-wolf',
  rows?: Int32Array,
): GaussianEstimate {
  if (typeof shrink === 'number' && !(shrink >= 0 && shrink <= 1)) throw new Error(`shrinkage weight must be in [0, 1], got ${shrink}`);
  const idx = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const p = dim;
  const m = moments(x, dim, labels, idx, classes);
  // Whole-set scatter = sum of class scatters + between-class scatter (no second pass over the data).
  const pooledScatter = new Float64Array(p * p);
  for (let y = 0; y < classes; y++) {
    if (m.counts[y] === 0) continue;
    const base = y * p * p;
    for (let i = 0; i < p * p; i++) pooledScatter[i] += m.scatter[base + i];
    for (let a = 0; a < p; a++) {
      const da = m.means[y * p + a] - m.mean[a];
      for (let b = 0; b < p; b++) pooledScatter[a * p + b] += m.counts[y] * da * (m.means[y * p + b] - m.mean[b]);
    }
  }
  let totalTrace = 0;
  for (let a = 0; a < p; a++) totalTrace += pooledScatter[a * p + a] / idx.length;
  if (!(totalTrace > 0)) throw new Error('task entropy: the embeddings are constant (zero variance)');
  // One shrinkage (weight w, target t I) for every class, fitted on the pooled within-class scatter, and the
  // whole set's covariance built from the shrunk classes: then Sigma_Z >= sum_y p_y Sigma_y and, by the
  // concavity of log det, the Gaussian H(Y|Z) never exceeds H(Y). (Separate per-class weights broke this on
  // near-degenerate embeddings, e.g. a freshly initialised ViT: H(Y|Z) of 20 nats for 10 classes.)
  const within = new Float64Array(p * p);
  let fourthWithin = 0;
  for (let y = 0; y < classes; y++) {
    if (m.counts[y] === 0) continue;
    const base = y * p * p;
    for (let i = 0; i < p * p; i++) within[i] += m.scatter[base + i];
    fourthWithin += m.fourth[y];
  }
  const { weight, target } = shrinkageOf(within, p, idx.length, fourthWithin, shrink);
  // A tiny ridge keeps a class with fewer samples than dimensions (or a degenerate one) positive definite.
  const ridge = weight * target + 1e-9 * (totalTrace / p);
  // The whole set's Gaussian is the moment match of the mixture of the shrunk class Gaussians:
  // Sigma_Z = sum_y p_y Sigma_y + S_between = (scatter_total - w scatter_within) / n + ridge I.
  const total = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) total[i] = pooledScatter[i] - weight * within[i];
  const lPooled = cholesky(shrunk(total, 0, p, idx.length, 0, ridge), p);
  const hZ = 0.5 * (p * LOG_2PI_E + logDetFromCholesky(lPooled, p));

  const present: number[] = [];
  const chol: Float64Array[] = [];
  const logDet: number[] = [];
  for (let y = 0; y < classes; y++) {
    if (m.counts[y] === 0) continue;
    const l = cholesky(shrunk(m.scatter, y * p * p, p, m.counts[y], weight, ridge), p);
    present.push(y);
    chol[y] = l;
    logDet[y] = logDetFromCholesky(l, p);
  }
  const prob = (y: number) => m.counts[y] / idx.length;
  let hZgivenY = 0;
  for (const y of present) hZgivenY += prob(y) * 0.5 * (p * LOG_2PI_E + logDet[y]);
  const hY = labelEntropy(m.counts);

  // Pairwise distances between the class Gaussians (Kolchinsky & Tracey 2017).
  const diff = new Float64Array(p);
  let lower = hY;
  let upper = hY;
  for (const i of present) {
    let sumKl = 0;
    let sumB = 0;
    for (const j of present) {
      if (i === j) {
        sumKl += prob(j);
        sumB += prob(j);
        continue;
      }
      for (let a = 0; a < p; a++) diff[a] = m.means[j * p + a] - m.means[i * p + a];
      // KL(N_i || N_j) = 0.5 [tr(S_j^-1 S_i) + d^T S_j^-1 d - p + log det S_j - log det S_i]
      const kl = 0.5 * (traceInvProduct(chol[j], chol[i], p) + mahalanobis2(chol[j], p, diff) - p + logDet[j] - logDet[i]);
      // Bhattacharyya: 1/8 d^T S^-1 d + 0.5 log(det S / sqrt(det S_i det S_j)), S = (S_i + S_j) / 2
      const avg = new Float64Array(p * p);
      for (let a = 0; a < p; a++)
        for (let b = 0; b <= a; b++) {
          let v = 0;
          for (let k = 0; k <= b; k++) v += chol[i][a * p + k] * chol[i][b * p + k] + chol[j][a * p + k] * chol[j][b * p + k];
          avg[a * p + b] = avg[b * p + a] = v / 2;
        }
      const lAvg = cholesky(avg, p);
      const bh = mahalanobis2(lAvg, p, diff) / 8 + 0.5 * (logDetFromCholesky(lAvg, p) - 0.5 * (logDet[i] + logDet[j]));
      sumKl += prob(j) * Math.exp(-Math.max(0, kl));
      sumB += prob(j) * Math.exp(-Math.max(0, bh));
    }
    lower += prob(i) * Math.log(sumKl);
    upper += prob(i) * Math.log(sumB);
  }
  return { hY, hZgivenY, hZ, hYgivenZ: hY + hZgivenY - hZ, mixture: { lower, upper }, shrinkage: { weight, target } };
}

export interface KnnOptions {
  k?: number;
  folds?: number;
  /** Additive smoothing per class, so a class absent among the neighbours costs -log(alpha / (k + C alpha)). */
  alpha?: number;
  seed: number;
}

/** Fold of each row: a seeded permutation dealt round-robin, so folds differ in size by at most 1. */
export function foldsOf(n: number, folds: number, seed: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  new Rng(deriveSeed(seed, 0xf01d)).shuffle(perm);
  const fold = new Int32Array(n);
  perm.forEach((r, i) => (fold[r] = i % folds));
  return fold;
}

/**
 * Per-image held-out k-NN loss -log p(y_i | z_i) in nats (Euclidean distance; neighbours from the
 * other folds only). Exact brute force in plain JS (measured here faster than tfjs matMul on wasm or cpu
 * for these shapes); each pair's distance is computed once and offered to both points' k best.
 */
export function knnLosses(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  classes: number,
  o: KnnOptions,
): Float64Array {
  const k = o.k ?? 10;
  const nFolds = o.folds ?? 5;
  const alpha = o.alpha ?? 0.05;
  if (!(nFolds >= 2)) throw new Error(`knn: folds must be >= 2, got ${nFolds}`);
  if (n - Math.ceil(n / nFolds) < k) throw new Error(`knn: ${n} points in ${nFolds} folds leave fewer than k = ${k} neighbours`);
  const fold = foldsOf(n, nFolds, o.seed);
  const xs = Float64Array.from(x as ArrayLike<number>);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < dim; a++) s += xs[i * dim + a] ** 2;
    sq[i] = s;
  }
  const bestD = new Float64Array(n * k);
  const bestY = new Int32Array(n * k);
  const filled = new Int32Array(n);
  /** Current k-th smallest distance of point q (Infinity until k are known): the cheap rejection test. */
  const worst = new Float64Array(n).fill(Infinity);
  const insert = (q: number, d: number, y: number) => {
    const base = q * k;
    let pos = filled[q] < k ? filled[q]++ : k - 1;
    while (pos > 0 && bestD[base + pos - 1] > d) {
      bestD[base + pos] = bestD[base + pos - 1];
      bestY[base + pos] = bestY[base + pos - 1];
      pos--;
    }
    bestD[base + pos] = d;
    bestY[base + pos] = y;
    if (filled[q] === k) worst[q] = bestD[base + k - 1];
  };
  for (let i = 0; i < n; i++) {
    const io = i * dim;
    const fi = fold[i];
    const yi = labels[i];
    for (let j = i + 1; j < n; j++) {
      if (fold[j] === fi) continue;
      const jo = j * dim;
      let s = 0;
      for (let a = 0; a < dim; a++) s += xs[io + a] * xs[jo + a];
      // |x_i - x_j|^2 = |x_i|^2 + |x_j|^2 - 2 x_i.x_j
      const d = sq[i] + sq[j] - 2 * s;
      if (d < worst[i]) insert(i, d, labels[j]);
      if (d < worst[j]) insert(j, d, yi);
    }
  }
  const losses = new Float64Array(n);
  const votes = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    for (let t = 0; t < k; t++) votes[bestY[i * k + t]]++;
    losses[i] = -Math.log((votes[labels[i]] + alpha) / (k + classes * alpha));
  }
  return losses;
}

export interface Spread {
  /** Estimate on all images. */
  value: number;
  /** Mean and standard deviation over the bootstrap resamples. */
  mean: number;
  std: number;
  /** Set when an H(Y|Z) value lies outside [0, H(Y)]: then it is not an estimate of H(Y|Z). */
  outOfRange?: 'below 0' | 'above H(Y)';
}

export type EstimatorName = 'gaussian' | 'gaussian-mixture-kl' | 'gaussian-mixture-bhattacharyya' | 'knn';
export const ESTIMATORS: readonly EstimatorName[] = ['gaussian', 'gaussian-mixture-kl', 'gaussian-mixture-bhattacharyya', 'knn'];

/** What each estimator measures, shown beside its numbers (the one wording for the view and the docs). */
export const ESTIMATOR_MEASURES: Record<EstimatorName, string> = {
  gaussian:
    "the paper's Gaussian approximation: H(Y) + H(Z|Y) - H(Z) with one Gaussian per class and ONE Gaussian for all of Z; that single Gaussian over-estimates H(Z) of a multi-modal Z, so the value can fall below 0 (then it is flagged)",
  'gaussian-mixture-kl':
    'the same class Gaussians, H(Z) of their mixture by the pairwise-KL bound (Kolchinsky & Tracey 2017): a lower bound on H(Y|Z) under the class-Gaussian model, within [0, H(Y)]',
  'gaussian-mixture-bhattacharyya':
    'the same class Gaussians, H(Z) of their mixture by the pairwise-Bhattacharyya bound: an upper bound on H(Y|Z) under the class-Gaussian model, within [0, H(Y)]',
  knn: 'model-free: the cross-validated k-nearest-neighbour cross-entropy -log p(y | z), an upper bound on H(Y|Z) up to sampling error, loosened by the smoothing alpha; can exceed H(Y) when neighbours mislead',
};

/** Slack for round-off at the bounds: 1e-6 nats. */
const RANGE_TOL = 1e-6;

export interface Verdict {
  /**
   * 'out of range': the clean or noisy H(Y|Z) is outside [0, H(Y)], so dS is no estimate;
   * 'not significant': |dS| <= 2 bootstrap std (or numerically 0); otherwise the sign of dS.
   */
  verdict: 'positive' | 'harmful' | 'not significant' | 'out of range';
  /** |dS| is more than two bootstrap standard deviations (and round-off) away from 0, on in-range values. */
  significant: boolean;
  text: string;
}

export interface EstimatorReport {
  measures: string;
  /** H(T; Z) = H(Y|Z) on the clean embeddings. */
  clean: Spread;
  /** H(T; Z + e) on the noisy embeddings. */
  noisy?: Spread;
  /** dS = clean - noisy (paired bootstrap). */
  dS?: Spread;
  verdict?: Verdict;
}

export interface TaskEntropyReport {
  n: number;
  dim: number;
  classes: number;
  hY: number;
  bootstrap: number;
  shrinkage: Shrinkage;
  knn: { k: number; folds: number; alpha: number };
  estimators: Record<EstimatorName, EstimatorReport>;
  /** The Gaussian estimate's parts on all images. */
  gaussian: { clean: GaussianEstimate; noisy?: GaussianEstimate };
  /** Theory for linear noise (docs/method.md#task-entropy): dS = -log|det(I + Q)| for the batch size; null otherwise.
   *  A closed form of the paper's Gaussian model, not an estimate from these embeddings, and not bounded by H(Y). */
  linear: { batchSize: number; dS: number } | null;
}

export interface TaskEntropyOptions {
  seed: number;
  /** Bootstrap resamples; default 10. */
  bootstrap?: number;
  shrinkage?: Shrinkage;
  knn?: Omit<KnnOptions, 'seed'>;
  /** For the linear-noise theory line. */
  noise?: NoiseSpec | null;
  batchSize?: number;
  onProgress?(done: number, total: number): void;
}

function spread(value: number, samples: number[]): Spread {
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  const v = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1);
  return { value, mean, std: samples.length > 1 ? Math.sqrt(v) : 0 };
}

/** An H(Y|Z) reading, flagged when it lies outside [0, H(Y)]. */
export function rangeChecked(s: Spread, hY: number): Spread {
  if (s.value < -RANGE_TOL) return { ...s, outOfRange: 'below 0' };
  if (s.value > hY + RANGE_TOL) return { ...s, outOfRange: 'above H(Y)' };
  return s;
}

/**
 * The reading of dS (docs/method.md#task-entropy: dS > 0 positive noise, dS <= 0 harmful), given only when
 * both H(Y|Z) values are in range and |dS| exceeds two bootstrap standard deviations and round-off.
 */
export function verdict(dS: Spread, clean?: Spread, noisy?: Spread): Verdict {
  const nums = `dS = ${dS.value.toFixed(4)} nats (bootstrap ${dS.mean.toFixed(4)} +/- ${dS.std.toFixed(4)})`;
  const bad = [clean?.outOfRange && `clean H(Y|Z) ${clean.outOfRange}`, noisy?.outOfRange && `noisy H(Y|Z) ${noisy.outOfRange}`].filter(
    Boolean,
  );
  if (bad.length)
    return {
      verdict: 'out of range',
      significant: false,
      text: `no reading: ${bad.join(', ')} (outside [0, H(Y)]), so ${nums} is not an estimate`,
    };
  if (!(Math.abs(dS.value) > Math.max(2 * dS.std, RANGE_TOL)))
    return { verdict: 'not significant', significant: false, text: `not significant: ${nums} is within 2 std of 0` };
  const v = dS.value > 0 ? 'positive' : 'harmful';
  return { verdict: v, significant: true, text: `${v} noise: ${nums}` };
}

function gaussianValues(g: GaussianEstimate): Record<Exclude<EstimatorName, 'knn'>, number> {
  return { gaussian: g.hYgivenZ, 'gaussian-mixture-kl': g.mixture.lower, 'gaussian-mixture-bhattacharyya': g.mixture.upper };
}

/** Task entropy of clean (and noisy) embeddings of the same images, with bootstrap spreads and dS. */
export function taskEntropy(
  e: { clean: Float32Array; noisy?: Float32Array; dim: number; labels: ArrayLike<number>; n: number },
  classes: number,
  o: TaskEntropyOptions,
): TaskEntropyReport {
  const { n, dim, labels } = e;
  const B = o.bootstrap ?? 10;
  const shrink = o.shrinkage ?? 'ledoit-wolf';
  const knn = { k: o.knn?.k ?? 10, folds: o.knn?.folds ?? 5, alpha: o.knn?.alpha ?? 0.05 };
  const sets = e.noisy ? [e.clean, e.noisy] : [e.clean];
  const steps = sets.length * (B + 2);
  let done = 0;
  const tick = () => o.onProgress?.(++done, steps);

  const full = sets.map((x) => gaussianTaskEntropy(x, n, dim, labels, classes, shrink));
  sets.forEach(tick);
  const losses = sets.map((x) => knnLosses(x, n, dim, labels, classes, { ...knn, seed: o.seed }));
  sets.forEach(tick);
  const mean = (l: Float64Array, rows?: Int32Array) => {
    let s = 0;
    if (rows) for (const r of rows) s += l[r];
    else for (let i = 0; i < l.length; i++) s += l[i];
    return s / (rows ? rows.length : l.length);
  };
  const fullValues = full.map((g, s) => ({ ...gaussianValues(g), knn: mean(losses[s]) }));
  const samples = sets.map(() => Object.fromEntries(ESTIMATORS.map((k) => [k, [] as number[]])) as Record<EstimatorName, number[]>);
  for (let b = 0; b < B; b++) {
    const rng = new Rng(deriveSeed(o.seed, 0xb007, b));
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    sets.forEach((x, s) => {
      const g = gaussianValues(gaussianTaskEntropy(x, n, dim, labels, classes, shrink, rows));
      for (const [k, v] of Object.entries(g)) samples[s][k as EstimatorName].push(v);
      samples[s].knn.push(mean(losses[s], rows));
      tick();
    });
  }
  const estimators = {} as Record<EstimatorName, EstimatorReport>;
  for (const name of ESTIMATORS) {
    const hY = full[0].hY;
    const r: EstimatorReport = {
      measures: ESTIMATOR_MEASURES[name],
      clean: rangeChecked(spread(fullValues[0][name], samples[0][name]), hY),
    };
    if (sets.length === 2) {
      r.noisy = rangeChecked(spread(fullValues[1][name], samples[1][name]), hY);
      r.dS = spread(
        fullValues[0][name] - fullValues[1][name],
        samples[0][name].map((c, i) => c - samples[1][name][i]),
      );
      r.verdict = verdict(r.dS, r.clean, r.noisy);
    }
    estimators[name] = r;
  }
  const lin = o.noise && o.batchSize ? linearNoiseLogDet(o.noise, o.batchSize) : null;
  return {
    n,
    dim,
    classes,
    hY: full[0].hY,
    bootstrap: B,
    shrinkage: shrink,
    knn,
    estimators,
    gaussian: { clean: full[0], noisy: full[1] },
    linear: lin === null || !o.batchSize ? null : { batchSize: o.batchSize, dS: lin },
  };
}
