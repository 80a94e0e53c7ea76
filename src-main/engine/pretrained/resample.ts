// Bicubic resampling with antialiasing as PIL's BICUBIC and PyTorch's interpolate(mode='bicubic',
// antialias=True, align_corners=False) compute it: the cubic kernel with a = -0.5, stretched by the scale
// when shrinking, taps outside the image dropped and the weights renormalised. timm resizes images with PIL
// bicubic and resamples position embeddings with the torch call, so one function serves both.

const A = -0.5;

function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  width: number;
}

/** For each output index, the first input index, the number of taps and their normalised weights. */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? 2 * scale : 2;
  const inv = scale >= 1 ? 1 / scale : 1;
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) total += weights[i * width + j] = cubic((j + lo - center + 0.5) * inv);
    if (total !== 0) for (let j = 0; j < n; j++) weights[i * width + j] /= total;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, width };
}

const clip8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Resamples an [h, w, c] grid (channels last) to [outH, outW, c]: along rows, then along columns.
 * `uint8`: round and clip to 0..255 after each pass, as PIL does for 8-bit images.
 */
export function resampleBicubic(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
  uint8 = false,
): Float64Array {
  const tx = taps(w, outW);
  const ty = taps(h, outH);
  const mid = new Float64Array(h * outW * c); // horizontal pass
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const s = tx.start[x];
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let j = 0; j < tx.count[x]; j++) acc += tx.weights[x * tx.width + j] * src[(y * w + s + j) * c + ch];
        mid[(y * outW + x) * c + ch] = uint8 ? clip8(acc) : acc;
      }
    }
  }
  const out = new Float64Array(outH * outW * c); // vertical pass
  for (let y = 0; y < outH; y++) {
    const s = ty.start[y];
    for (let x = 0; x < outW; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let j = 0; j < ty.count[y]; j++) acc += ty.weights[y * ty.width + j] * mid[((s + j) * outW + x) * c + ch];
        out[(y * outW + x) * c + ch] = uint8 ? clip8(acc) : acc;
      }
    }
  }
  return out;
}

/**
 * timm's resample_abs_pos_embed: the position embeddings of the patch grid [1, prefix + g*g, D] resampled
 * to a new grid, the prefix (class token) rows kept as they are.
 */
export function resamplePosEmbed(pos: Float32Array, dim: number, newGrid: number, prefix = 1): Float32Array {
  const tokens = pos.length / dim - prefix;
  const old = Math.round(Math.sqrt(tokens));
  if (old * old !== tokens) throw new Error(`pos_embed has ${tokens} patch positions, not a square grid`);
  const out = new Float32Array((prefix + newGrid * newGrid) * dim);
  out.set(pos.subarray(0, prefix * dim));
  out.set(Float32Array.from(resampleBicubic(pos.subarray(prefix * dim), old, old, dim, newGrid, newGrid)), prefix * dim);
  return out;
}
