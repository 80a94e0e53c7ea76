// PCA fitted on the clean embeddings, so the noisy ones are placed in the same space.
// Covariance C = (1/(n-1)) sum (x - mean)(x - mean)^T in float64; its eigenvectors are the components
// and its eigenvalues the explained variances (Jolliffe, "Principal Component Analysis", ch. 1).
// Eigendecomposition: cyclic Jacobi (Golub & Van Loan, "Matrix Computations", 4th ed., sec. 8.5) for
// dim <= JACOBI_MAX_DIM; above that, subspace iteration with Rayleigh-Ritz (ibid. sec. 8.2.4) for the top k.

export interface PcaModel {
  dim: number;
  k: number;
  /** [dim] mean of the fitting data. */
  mean: Float64Array;
  /** [k x dim] row-major unit-norm components, by decreasing variance; sign: largest |coordinate| positive. */
  components: Float64Array;
  /** [k] variance along each component (the covariance's eigenvalues). */
  explainedVariance: Float64Array;
  /** [k] explainedVariance / total variance (the covariance's trace). */
  explainedVarianceRatio: Float64Array;
  totalVariance: number;
}

const JACOBI_MAX_DIM = 160;

/** Upper-triangle accumulation of the centred scatter matrix, mirrored; float64 throughout. */
export function covariance(x: ArrayLike<number>, n: number, dim: number, mean: Float64Array): Float64Array {
  const c = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    for (let a = 0; a < dim; a++) row[a] = x[off + a] - mean[a];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const base = a * dim;
      for (let b = a; b < dim; b++) c[base + b] += ra * row[b];
    }
  }
  const scale = 1 / Math.max(1, n - 1);
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = c[a * dim + b] * scale;
      c[a * dim + b] = v;
      c[b * dim + a] = v;
    }
  }
  return c;
}

/**
 * All eigenpairs of a symmetric matrix (row-major, copied): cyclic Jacobi rotations until the
 * off-diagonal mass is below 1e-22 of the total. Returns values descending and vectors as rows.
 */
export function symmetricEigen(m: Float64Array, dim: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;
  let total = 0;
  for (let i = 0; i < dim * dim; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < dim; p++) for (let q = p + 1; q < dim; q++) off += a[p * dim + q] ** 2;
    if (off <= 1e-22 * total || off === 0) break;
    for (let p = 0; p < dim - 1; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.5.1, sym.schur2).
        const tau = (a[q * dim + q] - a[p * dim + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          // columns p, q of A
          const akp = a[k * dim + p];
          const akq = a[k * dim + q];
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          // rows p, q of A
          const apk = a[p * dim + k];
          const aqk = a[q * dim + k];
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          // V = V J: eigenvectors accumulate in V's columns
          const vkp = v[k * dim + p];
          const vkq = v[k * dim + q];
          v[k * dim + p] = c * vkp - s * vkq;
          v[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const idx = Array.from({ length: dim }, (_, i) => i).sort((i, j) => a[j * dim + j] - a[i * dim + i]);
  const values = new Float64Array(dim);
  const vectors = new Float64Array(dim * dim);
  idx.forEach((col, r) => {
    values[r] = a[col * dim + col];
    for (let k = 0; k < dim; k++) vectors[r * dim + k] = v[k * dim + col];
  });
  return { values, vectors };
}

/** Modified Gram-Schmidt on the rows of q [r x dim], in place. */
function orthonormaliseRows(q: Float64Array, r: number, dim: number): void {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let k = 0; k < dim; k++) d += q[i * dim + k] * q[j * dim + k];
      for (let k = 0; k < dim; k++) q[i * dim + k] -= d * q[j * dim + k];
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += q[i * dim + k] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < dim; k++) q[i * dim + k] /= norm;
  }
}

/** Top-k eigenpairs of a symmetric PSD matrix by subspace iteration with Rayleigh-Ritz (k + 8 vectors). */
function topEigen(m: Float64Array, dim: number, k: number): { values: Float64Array; vectors: Float64Array } {
  const r = Math.min(dim, k + 8);
  const q = new Float64Array(r * dim);
  // Deterministic start: a fixed pseudo-random basis (the result does not depend on it beyond sign).
  let s = 0x12345678;
  for (let i = 0; i < q.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    q[i] = s / 4294967296 - 0.5;
  }
  orthonormaliseRows(q, r, dim);
  const z = new Float64Array(r * dim);
  let prev = new Float64Array(r);
  let ritz: { values: Float64Array; vectors: Float64Array } = { values: new Float64Array(r), vectors: new Float64Array(r * r) };
  for (let iter = 0; iter < 300; iter++) {
    // Z = Q M (rows), then Rayleigh-Ritz on the span.
    z.fill(0);
    for (let i = 0; i < r; i++) {
      for (let a = 0; a < dim; a++) {
        const qa = q[i * dim + a];
        if (qa === 0) continue;
        const base = a * dim;
        for (let b = 0; b < dim; b++) z[i * dim + b] += qa * m[base + b];
      }
    }
    q.set(z);
    orthonormaliseRows(q, r, dim);
    // H = Q M Q^T (r x r)
    const h = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      for (let a = 0; a < dim; a++) {
        let mq = 0;
        const base = a * dim;
        for (let b = 0; b < dim; b++) mq += m[base + b] * q[i * dim + b];
        for (let j = 0; j < r; j++) h[j * r + i] += q[j * dim + a] * mq;
      }
    }
    ritz = symmetricEigen(h, r);
    const rotated = new Float64Array(r * dim);
    for (let i = 0; i < r; i++)
      for (let j = 0; j < r; j++) {
        const w = ritz.vectors[i * r + j];
        for (let b = 0; b < dim; b++) rotated[i * dim + b] += w * q[j * dim + b];
      }
    q.set(rotated);
    let change = 0;
    for (let i = 0; i < k; i++) change = Math.max(change, Math.abs(ritz.values[i] - prev[i]) / (Math.abs(ritz.values[i]) || 1));
    prev = Float64Array.from(ritz.values);
    if (iter > 2 && change < 1e-12) break;
  }
  return { values: ritz.values.slice(0, k), vectors: q.slice(0, k * dim) };
}

/** Fits PCA with k components on x [n x dim] (row-major). */
export function fitPca(x: ArrayLike<number>, n: number, dim: number, k: number): PcaModel {
  if (!Number.isInteger(n) || n < 2) throw new Error(`fitPca: need at least 2 rows, got ${String(n)}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`fitPca: dim must be a positive integer, got ${String(dim)}`);
  if (x.length !== n * dim) throw new Error(`fitPca: ${x.length} values for ${n} x ${dim}`);
  if (!Number.isInteger(k) || k < 1 || k > dim) throw new Error(`fitPca: k must be in [1, ${dim}], got ${String(k)}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) mean[a] += x[i * dim + a];
  for (let a = 0; a < dim; a++) mean[a] /= n;
  const cov = covariance(x, n, dim, mean);
  let totalVariance = 0;
  for (let a = 0; a < dim; a++) totalVariance += cov[a * dim + a];
  const eig = dim <= JACOBI_MAX_DIM ? symmetricEigen(cov, dim) : topEigen(cov, dim, k);
  const components = eig.vectors.slice(0, k * dim);
  for (let i = 0; i < k; i++) {
    let big = 0;
    for (let a = 0; a < dim; a++) if (Math.abs(components[i * dim + a]) > Math.abs(components[i * dim + big])) big = a;
    if (components[i * dim + big] < 0) for (let a = 0; a < dim; a++) components[i * dim + a] = -components[i * dim + a];
  }
  const explainedVariance = Float64Array.from(eig.values.slice(0, k), (v) => Math.max(0, v));
  const explainedVarianceRatio = explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0));
  return { dim, k, mean, components, explainedVariance, explainedVarianceRatio, totalVariance };
}

/** Projects x [n x dim] onto a fitted PCA: ((x - mean) components^T) -> [n x k]. */
export function transformPca(model: PcaModel, x: ArrayLike<number>, n: number): Float32Array {
  const { dim, k, mean, components } = model;
  if (x.length !== n * dim) throw new Error(`transformPca: ${x.length} values for ${n} x ${dim}`);
  const out = new Float32Array(n * k);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) row[a] = x[i * dim + a] - mean[a];
    for (let j = 0; j < k; j++) {
      let s = 0;
      const base = j * dim;
      for (let a = 0; a < dim; a++) s += row[a] * components[base + a];
      out[i * k + j] = s;
    }
  }
  return out;
}
