// Trainable NHWC conv2d. tfjs-backend-wasm has no Conv2DBackpropFilter kernel and a slow
// Conv2DBackpropInput, so both gradients are rewritten as forward convolutions (fast on wasm).
import * as tf from '@tensorflow/tfjs';
import { gemmConv, gemmConvFilterGrad, gemmConvFits, NO_PADS, padInput } from '../kernels/conv';
import { interleavePhases, layoutKernelsAvailable, permutePadCut } from '../kernels/layout';
import { syncReadable } from '../readback';
import { checkFloat, checkRank } from './check';

export type ConvPad = 'same' | 'valid' | number;

export interface ConvGeometry {
  ho: number;
  wo: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Output size and padding exactly as tfjs computes them for conv2d (TensorFlow 'same' semantics). */
export function convGeometry(h: number, w: number, kh: number, kw: number, stride: number, pad: ConvPad): ConvGeometry {
  if (pad === 'valid' || pad === 0) {
    return { ho: Math.floor((h - kh) / stride) + 1, wo: Math.floor((w - kw) / stride) + 1, top: 0, bottom: 0, left: 0, right: 0 };
  }
  if (pad === 'same') {
    const ho = Math.ceil(h / stride);
    const wo = Math.ceil(w / stride);
    const ph = Math.max(0, (ho - 1) * stride + kh - h);
    const pw = Math.max(0, (wo - 1) * stride + kw - w);
    const top = Math.floor(ph / 2);
    const left = Math.floor(pw / 2);
    return { ho, wo, top, bottom: ph - top, left, right: pw - left };
  }
  const p = pad;
  return {
    ho: Math.floor((h + 2 * p - kh) / stride) + 1,
    wo: Math.floor((w + 2 * p - kw) / stride) + 1,
    top: p,
    bottom: p,
    left: p,
    right: p,
  };
}

type Explicit = [[number, number], [number, number], [number, number], [number, number]];

const explicit = (g: ConvGeometry): Explicit => [
  [0, 0],
  [g.top, g.bottom],
  [g.left, g.right],
  [0, 0],
];

/** x correlated with w at stride s over x padded by `pads`: the workbench's GEMM kernel on wasm when it fits. */
function correlate(x: tf.Tensor4D, w: tf.Tensor4D, s: number, pads: Explicit): tf.Tensor4D {
  return gemmConvFits(w.shape[3]) ? gemmConv(x, w, s, pads) : tf.conv2d(x, w, s, pads);
}

/**
 * Gradient w.r.t. the input as forward convolutions: the stock Conv2D kernel is fast on wasm while
 * Conv2DBackpropInput is a slow loop there (~5-10x, bench/ops.ts). Stride 1: one correlation of dy with
 * the flipped, in/out-swapped filter. Stride s > 1: see `stridedInputGradient`.
 */
function inputGradient(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: number[], stride: number, g: ConvGeometry): tf.Tensor4D {
  if (stride > 1) return stridedInputGradient(dy, w, xShape, stride, g);
  const [n, h, wd] = xShape;
  const [kh, kw, , cout] = w.shape;
  const [, ho, wo] = dy.shape;
  // Leading/trailing pads of dy so the correlation yields exactly h x wd; a negative pad means those
  // dy rows only reach padding and are cut off.
  const pt = kh - 1 - g.top,
    pb = h + kh - 1 - ho - pt;
  const pl = kw - 1 - g.left,
    pr = wd + kw - 1 - wo - pl;
  let d = dy;
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0) {
    const t0 = Math.max(0, -pt),
      l0 = Math.max(0, -pl);
    d = tf.slice(d, [0, t0, l0, 0], [n, ho - t0 - Math.max(0, -pb), wo - l0 - Math.max(0, -pr), cout]);
  }
  const pad: Explicit = [
    [0, 0],
    [Math.max(0, pt), Math.max(0, pb)],
    [Math.max(0, pl), Math.max(0, pr)],
    [0, 0],
  ];
  return correlate(d, flippedFilter(w), 1, pad);
}

/**
 * Strided input gradient by phases (sub-pixel decomposition). With xp the padded input,
 * dxp[s m + f] = sum_t dy[m - t] w[s t + f] for each phase f in [0, s) per axis: a "full" correlation of
 * the undilated dy with the taps of that phase, flipped. The s*s phase outputs are interleaved and the
 * padding cut off in one pass (kernels/layout.ts on wasm, else JavaScript; wasm's DepthToSpace took ~4 ms
 * for [32,8,8,64]). Correlating
 * a zero-dilated dy instead spends (s^2 - 1)/s^2 of its multiply-adds on zeros (75% at stride 2).
 */
function stridedInputGradient(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: number[], s: number, g: ConvGeometry): tf.Tensor4D {
  const [n, h, wd, cin] = xShape;
  const [kh, kw] = w.shape;
  const [, ho, wo] = dy.shape;
  const my = Math.ceil((h + g.top) / s); // phase outputs cover padded rows 0 .. s*my - 1 >= top + h - 1
  const mx = Math.ceil((wd + g.left) / s);
  const taps = (k: number, f: number) => Math.max(0, Math.ceil((k - f) / s));
  const weights = w.dataSync() as Float32Array;
  const phases: (tf.Tensor4D | null)[] = [];
  for (let fy = 0; fy < s; fy++) {
    for (let fx = 0; fx < s; fx++) {
      const ty = taps(kh, fy),
        tx = taps(kw, fx);
      if (ty === 0 || tx === 0) {
        phases.push(null); // no tap of this phase: those input positions get no gradient
        continue;
      }
      // Output row m reads dy rows m - ty + 1 .. m: ty - 1 zeros before, my - ho after (cut if negative).
      let d = dy;
      const bottom = my - ho,
        right = mx - wo;
      if (bottom < 0 || right < 0) d = tf.slice(d, [0, 0, 0, 0], [n, Math.min(ho, my), Math.min(wo, mx), d.shape[3]]);
      const pad: Explicit = [
        [0, 0],
        [ty - 1, Math.max(0, bottom)],
        [tx - 1, Math.max(0, right)],
        [0, 0],
      ];
      phases.push(correlate(d, phaseFilter(weights, w.shape, s, fy, fx, ty, tx), 1, pad)); // [n, my, mx, cin]
    }
  }
  if (layoutKernelsAvailable()) return interleavePhases(phases, s, [n, h, wd, cin], g.top, g.left);
  const data = phases.map((p) => (p ? (p.dataSync() as Float32Array) : null));
  return tf.tensor4d(interleave(data, s, [n, h, wd, cin], my, mx, g.top, g.left), [n, h, wd, cin]);
}

/** dx[b, p, q] = phase[(p + top) % s, (q + left) % s][b, (p + top) / s, (q + left) / s] (integer division). */
function interleave(
  phases: (Float32Array | null)[],
  s: number,
  [n, h, wd, cin]: number[],
  my: number,
  mx: number,
  top: number,
  left: number,
): Float32Array {
  const out = new Float32Array(n * h * wd * cin);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < h; p++) {
      const py = p + top;
      for (let q = 0; q < wd; q++) {
        const px = q + left;
        const src = phases[(py % s) * s + (px % s)];
        if (!src) continue;
        const from = ((b * my + Math.floor(py / s)) * mx + Math.floor(px / s)) * cin;
        const to = ((b * h + p) * wd + q) * cin;
        for (let c = 0; c < cin; c++) out[to + c] = src[from + c];
      }
    }
  }
  return out;
}

/** The taps w[s t + fy, s u + fx] of one phase, flipped and in/out-swapped: [ty, tx, cout, cin]. */
function phaseFilter(
  src: Float32Array,
  [, kw, cin, cout]: number[],
  s: number,
  fy: number,
  fx: number,
  ty: number,
  tx: number,
): tf.Tensor4D {
  const out = new Float32Array(ty * tx * cin * cout);
  for (let i = 0; i < ty; i++) {
    for (let j = 0; j < tx; j++) {
      const from = ((s * (ty - 1 - i) + fy) * kw + (s * (tx - 1 - j) + fx)) * cin * cout;
      const to = (i * tx + j) * cout * cin;
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) out[to + co * cin + ci] = src[from + ci * cout + co];
    }
  }
  return tf.tensor4d(out, [ty, tx, cout, cin]);
}

/**
 * w [kh, kw, cin, cout] rotated 180 degrees with in/out swapped: [kh, kw, cout, cin]. A JavaScript loop:
 * wasm's Reverse kernel took ~1 ms for a [3,3,64,64] filter (bench/profile-step.ts), this ~0.05 ms.
 */
function flippedFilter(w: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, cin, cout] = w.shape;
  const src = w.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * cin * cout;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * cout * cin;
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) out[to + co * cin + ci] = src[from + ci * cout + co];
    }
  }
  return tf.tensor4d(out, [kh, kw, cout, cin]);
}

/**
 * Gradient w.r.t. the filter as one conv: batch <-> channel roles swapped (cin as batch, N as
 * channels) and dy as a filter dilated by the stride. Same FLOPs as im2col^T @ dy, but im2col via
 * (strided) slices is ~10x slower on wasm.
 */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number, stride: number, g: ConvGeometry): tf.Tensor4D {
  const cin = x.shape[3];
  const cout = dy.shape[3];
  if (layoutKernelsAvailable()) {
    // The same steps with each pad/transpose/slice as one strided copy (kernels/layout.ts).
    const xt = permutePadCut(
      x,
      [3, 1, 2, 0],
      [
        [0, 0],
        [g.top, g.bottom],
        [g.left, g.right],
        [0, 0],
      ],
    );
    const r = tf.conv2d(xt, permutePadCut(dy, [1, 2, 0, 3]), 1, 'valid', 'NHWC', stride);
    return permutePadCut(r, [1, 2, 0, 3], undefined, [kh, kw, cin, cout]);
  }
  const padded =
    g.top || g.bottom || g.left || g.right
      ? tf.pad(x, [
          [0, 0],
          [g.top, g.bottom],
          [g.left, g.right],
          [0, 0],
        ])
      : x;
  const xt = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
  const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const r = tf.conv2d(xt, f, 1, 'valid', 'NHWC', stride);
  const cut = r.shape[1] === kh && r.shape[2] === kw ? r : tf.slice(r, [0, 0, 0, 0], [cin, kh, kw, cout]);
  return tf.transpose(cut, [1, 2, 0, 3]);
}

/** `inputGrad` false: the gradient w.r.t. x is returned as zeros (x is data, e.g. the image into a stem). */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: ConvPad, inputGrad = true): tf.Tensor4D {
  checkRank('conv2d', 'x', x, 4);
  checkRank('conv2d', 'w', w, 4);
  checkFloat('conv2d', 'x', x);
  checkFloat('conv2d', 'w', w);
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, wcin, cout] = w.shape;
  if (wcin !== cin) throw new Error(`conv2d: filter expects ${wcin} input channels, x has ${cin} (x [${x.shape}], w [${w.shape}])`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`conv2d: stride must be a positive integer, got ${stride}`);
  if (typeof pad === 'number' ? !Number.isInteger(pad) || pad < 0 : pad !== 'same' && pad !== 'valid') {
    throw new Error(`conv2d: pad must be 'same', 'valid' or a non-negative integer, got ${String(pad)}`);
  }
  const g = convGeometry(h, wd, kh, kw, stride, pad);
  if (g.ho < 1 || g.wo < 1) throw new Error(`conv2d: ${kh}x${kw} filter does not fit input ${h}x${wd} with pad ${pad}`);
  // webgpu has GPU kernels for both gradients (Conv2DBackpropInput/Filter); the rewrites below exist for
  // wasm and read the filter synchronously, which webgpu cannot do in Node. The stem's input gradient is
  // never computed there: the tape only follows variables.
  if (!syncReadable()) return tf.conv2d(x, w, stride, explicit(g));
  // On wasm with cout a multiple of 8, the workbench's GEMM kernels; the padded input is made once and
  // kept for the filter gradient.
  const gemm = gemmConvFits(cout);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const xs = gemm ? padInput(xi, explicit(g)) : xi;
    save([xs, wi]);
    return {
      value: gemm ? gemmConv(xs, wi, stride, NO_PADS) : tf.conv2d(xi, wi, stride, explicit(g)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor4D[];
        const dy4 = dy as tf.Tensor4D;
        // With a single input channel the flipped filter has one output channel, a shape the
        // stock conv handles poorly; the backprop kernel is faster there (bench/ops.ts).
        const dx = !inputGrad
          ? tf.zeros([n, h, wd, cin])
          : cin < 4
            ? tf.conv2dTranspose(dy4, sw, [n, h, wd, cin], stride, pad)
            : inputGradient(dy4, sw, [n, h, wd, cin], stride, g);
        return [dx, gemm ? gemmConvFilterGrad(sx, dy4, kh, kw, stride, NO_PADS) : filterGrad(sx, dy4, kh, kw, stride, g)];
      },
    };
  });
  return op(x, w);
}
