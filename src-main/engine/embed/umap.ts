// UMAP (McInnes, Healy & Melville 2018, arXiv 1802.03426) through umap-js: fitted on the clean
// embeddings, noisy embeddings placed into that fitted map with `transform`. Seeded with our Rng.
import { UMAP } from 'umap-js';
import { Rng } from '../rng';

export interface UmapOptions {
  seed: number;
  /** umap-js default 15. */
  nNeighbors?: number;
  /** umap-js default 0.1. */
  minDist?: number;
  /** Optimisation epochs of the fit, rounded to a multiple of 3; umap-js's default depends on n (200 above
   * 7,500 points). The transform runs a third of them (umap-js: 100 or 30 when left to its default). */
  nEpochs?: number;
  nComponents?: number;
  onProgress?(phase: 'neighbours' | 'optimise' | 'transform', done: number, total: number): void;
  shouldStop?(): boolean;
}

export interface UmapResult {
  /** [n x nComponents] map of the fitting (clean) points. */
  embedding: Float32Array;
  /** [m x nComponents] placement of the transformed (noisy) points, when any were given. */
  transformed?: Float32Array;
  nComponents: number;
  nEpochs: number;
  ms: { fit: number; transform: number };
}

function rows(x: ArrayLike<number>, n: number, dim: number, start = 0, end = n): number[][] {
  const out: number[][] = [];
  for (let i = start; i < end; i++) out.push(Array.from({ length: dim }, (_, a) => x[i * dim + a]));
  return out;
}

function flat(v: number[][], d: number, out: Float32Array, offset = 0): void {
  v.forEach((r, i) => {
    for (let a = 0; a < d; a++) out[(offset + i) * d + a] = r[a];
  });
}

/**
 * Fits UMAP on x [n x dim] and transforms y [m x dim] into the fitted map.
 * umap-js's transform also moves the fitted points when the batch being transformed has as many rows
 * as the fitted set (its optimiser's `moveOther` is decided by equal lengths), so y is transformed in
 * chunks that are never n rows long, and the fitted map is returned from a copy taken before.
 */
export async function fitUmap(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  y: ArrayLike<number> | null,
  m: number,
  o: UmapOptions,
): Promise<UmapResult> {
  const nNeighbors = o.nNeighbors ?? 15;
  if (n <= nNeighbors) throw new Error(`UMAP needs more than nNeighbors (${nNeighbors}) points, got ${n}`);
  const nComponents = o.nComponents ?? 2;
  // umap-js's transform runs nEpochs / 3 epochs and stops only when its epoch counter EQUALS that
  // number, so an nEpochs that is not a multiple of 3 never finishes: round it to one.
  const epochs = o.nEpochs === undefined ? undefined : Math.max(3, 3 * Math.round(o.nEpochs / 3));
  const rng = new Rng(o.seed);
  const umap = new UMAP({
    nNeighbors,
    minDist: o.minDist ?? 0.1,
    nComponents,
    nEpochs: epochs,
    random: () => rng.next(),
  });
  const t0 = performance.now();
  o.onProgress?.('neighbours', 0, 1);
  const data = rows(x, n, dim);
  const nEpochs = umap.initializeFit(data);
  o.onProgress?.('neighbours', 1, 1);
  // Epoch-by-epoch, yielding to the event loop like fitAsync, with progress and cancellation.
  for (let e = 0; e < nEpochs; e++) {
    if (o.shouldStop?.()) throw new Error('UMAP cancelled');
    umap.step();
    o.onProgress?.('optimise', e + 1, nEpochs);
    if (e % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  const embedding = new Float32Array(n * nComponents);
  flat(umap.getEmbedding(), nComponents, embedding);
  const fit = performance.now() - t0;
  let transformed: Float32Array | undefined;
  const t1 = performance.now();
  if (y && m > 0) {
    transformed = new Float32Array(m * nComponents);
    // Chunks of at most ceil(n / 2) rows: never equal to n (n > nNeighbors >= 2), see above.
    const chunk = Math.max(1, Math.min(m, Math.ceil(n / 2), 2000));
    for (let start = 0; start < m; start += chunk) {
      if (o.shouldStop?.()) throw new Error('UMAP cancelled');
      const end = Math.min(m, start + chunk);
      flat(umap.transform(rows(y, m, dim, start, end)), nComponents, transformed, start);
      o.onProgress?.('transform', end, m);
      await new Promise((r) => setImmediate(r));
    }
  }
  return { embedding, transformed, nComponents, nEpochs, ms: { fit, transform: performance.now() - t1 } };
}
