// SIMD kernels for BatchNorm (per channel, NHWC rows) and LayerNorm (per row), run on tfjs-wasm's own
// memory. tfjs composes each of these from 10-20 kernels, each a pass over the tensor plus an
// allocation; here a forward or a backward is 2-3 passes with no temporaries.
// Every pointer is a byte address; `rb` is the bytes in one row (channels * 4, a multiple of 16),
// and the per-channel or per-feature vectors are rb bytes long. The formulas are those of
// ../../ops/batchNorm.ts and ../../ops/layerNorm.ts, in the same order of operations per element.
import { type Code, f32, f32x4, Fn, i32, v128 } from './emit';

const ZERO = f32x4.splat(f32.const(0));
const ROWS = ['rows', 'rb'] as const;

/** Shared loop shapes: every row p of `base`, and every 16-byte column offset j of a row. */
function loops(f: Fn) {
  const g = f.get;
  return {
    at: (base: string, ...off: string[]): Code => off.reduce((a, o) => i32.add(a, g(o)), g(base)),
    rows: (base: string, ...body: Code[]): Code => f.for('p', g(base), i32.add(g(base), i32.mul(g('rows'), g('rb'))), g('rb'), ...body),
    cols: (...body: Code[]): Code => f.for('j', i32.const(0), g('rb'), 16, ...body),
    zero: (...vecs: string[]): Code => f.for('j', i32.const(0), g('rb'), 16, ...vecs.map((v) => v128.store(i32.add(g(v), g('j')), ZERO))),
  };
}

/** out[c] = sum over rows of x[r, c]. */
function colSum() {
  const f = new Fn('col_sum', ['x', ...ROWS, 'out']).locals({ p: 'i32', j: 'i32' });
  const { at, rows, cols, zero } = loops(f);
  return {
    fn: f,
    body: [...zero('out'), ...rows('x', cols(v128.store(at('out', 'j'), f32x4.add(v128.load(at('out', 'j')), v128.load(at('p', 'j'))))))],
  };
}

/** out[c] = sum over rows of (x[r, c] - mean[c])^2. */
function colSquaredDeviation() {
  const f = new Fn('col_sq_dev', ['x', ...ROWS, 'mean', 'out']).locals({ p: 'i32', j: 'i32', t: 'v128' });
  const { at, rows, cols, zero } = loops(f);
  const t = f.get('t');
  return {
    fn: f,
    body: [
      ...zero('out'),
      ...rows(
        'x',
        cols(
          f.set('t', f32x4.sub(v128.load(at('p', 'j')), v128.load(at('mean', 'j')))),
          v128.store(at('out', 'j'), f32x4.add(v128.load(at('out', 'j')), f32x4.mul(t, t))),
        ),
      ),
    ],
  };
}

/** y = (x - mean[c]) * scale[c] + beta[c], then max(y, 0) when fused with a ReLU. */
function bnApply(relu: boolean) {
  const f = new Fn(relu ? 'bn_apply_relu' : 'bn_apply', ['x', ...ROWS, 'mean', 'scale', 'beta', 'y']).locals({
    p: 'i32',
    j: 'i32',
    yoff: 'i32',
  });
  const { at, rows, cols } = loops(f);
  const v = f32x4.add(
    f32x4.mul(f32x4.sub(v128.load(at('p', 'j')), v128.load(at('mean', 'j'))), v128.load(at('scale', 'j'))),
    v128.load(at('beta', 'j')),
  );
  return {
    fn: f,
    body: [
      ...f.set('yoff', i32.sub(f.get('y'), f.get('x'))),
      ...rows('x', cols(v128.store(at('p', 'yoff', 'j'), relu ? f32x4.max(v, ZERO) : v))),
    ],
  };
}

/** dy where the fused ReLU passed its input (y > 0), zero elsewhere; plain dy without one. */
function upstream(f: Fn, relu: boolean, at: (b: string, ...o: string[]) => Code): Code {
  const dy = v128.load(at('p', 'j'));
  return relu ? v128.and(dy, f32x4.gt(v128.load(at('p', 'yoff', 'j')), ZERO)) : dy;
}

const GRAD = ['dy', 'x', 'y', ...ROWS, 'mean'] as const;

/** sumG[c] = sum of g, sumGX[c] = sum of g * (x - mean[c]), with g the upstream gradient. */
function bnGradSums(relu: boolean) {
  const f = new Fn(relu ? 'bn_grad_sums_relu' : 'bn_grad_sums', [...GRAD, 'sumG', 'sumGX']).locals({
    p: 'i32',
    j: 'i32',
    xoff: 'i32',
    yoff: 'i32',
    g: 'v128',
  });
  const { at, rows, cols, zero } = loops(f);
  const g = f.get('g');
  return {
    fn: f,
    body: [
      ...zero('sumG', 'sumGX'),
      ...f.set('xoff', i32.sub(f.get('x'), f.get('dy'))),
      ...f.set('yoff', i32.sub(f.get('y'), f.get('dy'))),
      ...rows(
        'dy',
        cols(
          f.set('g', upstream(f, relu, at)),
          v128.store(at('sumG', 'j'), f32x4.add(v128.load(at('sumG', 'j')), g)),
          v128.store(
            at('sumGX', 'j'),
            f32x4.add(v128.load(at('sumGX', 'j')), f32x4.mul(g, f32x4.sub(v128.load(at('p', 'xoff', 'j')), v128.load(at('mean', 'j'))))),
          ),
        ),
      ),
    ],
  };
}

/** dx = a[c] * g - b[c] - k[c] * (x - mean[c]): the batch-statistics backward, coefficients from JS. */
function bnGradInput(relu: boolean) {
  const f = new Fn(relu ? 'bn_grad_dx_relu' : 'bn_grad_dx', [...GRAD, 'a', 'b', 'k', 'dx']).locals({
    p: 'i32',
    j: 'i32',
    xoff: 'i32',
    yoff: 'i32',
    dxoff: 'i32',
  });
  const { at, rows, cols } = loops(f);
  const ag = f32x4.mul(v128.load(at('a', 'j')), upstream(f, relu, at));
  const kx = f32x4.mul(v128.load(at('k', 'j')), f32x4.sub(v128.load(at('p', 'xoff', 'j')), v128.load(at('mean', 'j'))));
  return {
    fn: f,
    body: [
      ...f.set('xoff', i32.sub(f.get('x'), f.get('dy'))),
      ...f.set('yoff', i32.sub(f.get('y'), f.get('dy'))),
      ...f.set('dxoff', i32.sub(f.get('dx'), f.get('dy'))),
      ...rows('dy', cols(v128.store(at('p', 'dxoff', 'j'), f32x4.sub(f32x4.sub(ag, v128.load(at('b', 'j'))), kx)))),
    ],
  };
}

/** Per row: mean, rstd = 1 / sqrt(var + eps), y = (x - mean) * rstd * gamma + beta. */
function lnForward() {
  const f = new Fn('ln_forward', ['x', ...ROWS, ['d', 'f32'], 'gamma', 'beta', ['eps', 'f32'], 'y', 'mean', 'rstd']).locals({
    p: 'i32',
    j: 'i32',
    q: 'i32',
    yoff: 'i32',
    m: 'f32',
    rs: 'f32',
    acc: 'v128',
    t: 'v128',
    mv: 'v128',
    rv: 'v128',
  });
  const { at, rows, cols } = loops(f);
  const g = f.get;
  const xhat = f32x4.mul(f32x4.sub(v128.load(at('p', 'j')), g('mv')), g('rv'));
  return {
    fn: f,
    body: [
      ...f.set('yoff', i32.sub(g('y'), g('x'))),
      ...f.set('q', i32.const(0)),
      ...rows(
        'x',
        f.set('acc', ZERO),
        cols(f.set('acc', f32x4.add(g('acc'), v128.load(at('p', 'j'))))),
        f.set('m', f32.div(f32x4.hsum(g('acc')), g('d'))),
        f.set('mv', f32x4.splat(g('m'))),
        f.set('acc', ZERO),
        cols(f.set('t', f32x4.sub(v128.load(at('p', 'j')), g('mv'))), f.set('acc', f32x4.add(g('acc'), f32x4.mul(g('t'), g('t'))))),
        f.set('rs', f32.div(f32.const(1), f32.sqrt(f32.add(f32.div(f32x4.hsum(g('acc')), g('d')), g('eps'))))),
        f.set('rv', f32x4.splat(g('rs'))),
        f32.store(at('mean', 'q'), g('m')),
        f32.store(at('rstd', 'q'), g('rs')),
        f.set('q', i32.add(g('q'), i32.const(4))),
        cols(v128.store(at('p', 'yoff', 'j'), f32x4.add(f32x4.mul(xhat, v128.load(at('gamma', 'j'))), v128.load(at('beta', 'j'))))),
      ),
    ],
  };
}

/**
 * Per row, with xhat = (x - mean) * rstd and gy = dy * gamma:
 * dx = (gy - mean(gy) - xhat * mean(gy * xhat)) * rstd; dgamma += dy * xhat; dbeta += dy.
 */
function lnBackward() {
  const f = new Fn('ln_backward', ['dy', 'x', ...ROWS, ['d', 'f32'], 'gamma', 'mean', 'rstd', 'dx', 'dgamma', 'dbeta']).locals({
    p: 'i32',
    j: 'i32',
    q: 'i32',
    xoff: 'i32',
    dxoff: 'i32',
    mv: 'v128',
    rv: 'v128',
    s1: 'v128',
    s2: 'v128',
    g: 'v128',
    xh: 'v128',
    gy: 'v128',
  });
  const { at, rows, cols, zero } = loops(f);
  const g = f.get;
  const loadRow = [
    f.set('g', v128.load(at('p', 'j'))),
    f.set('xh', f32x4.mul(f32x4.sub(v128.load(at('p', 'xoff', 'j')), g('mv')), g('rv'))),
    f.set('gy', f32x4.mul(g('g'), v128.load(at('gamma', 'j')))),
  ];
  const meanOf = (s: string) => f32x4.splat(f32.div(f32x4.hsum(g(s)), g('d')));
  return {
    fn: f,
    body: [
      ...zero('dgamma', 'dbeta'),
      ...f.set('xoff', i32.sub(g('x'), g('dy'))),
      ...f.set('dxoff', i32.sub(g('dx'), g('dy'))),
      ...f.set('q', i32.const(0)),
      ...rows(
        'dy',
        f.set('mv', f32x4.splat(f32.load(at('mean', 'q')))),
        f.set('rv', f32x4.splat(f32.load(at('rstd', 'q')))),
        f.set('s1', ZERO),
        f.set('s2', ZERO),
        cols(
          ...loadRow,
          f.set('s1', f32x4.add(g('s1'), g('gy'))),
          f.set('s2', f32x4.add(g('s2'), f32x4.mul(g('gy'), g('xh')))),
          v128.store(at('dgamma', 'j'), f32x4.add(v128.load(at('dgamma', 'j')), f32x4.mul(g('g'), g('xh')))),
          v128.store(at('dbeta', 'j'), f32x4.add(v128.load(at('dbeta', 'j')), g('g'))),
        ),
        f.set('s1', meanOf('s1')),
        f.set('s2', meanOf('s2')),
        cols(
          ...loadRow,
          v128.store(at('p', 'dxoff', 'j'), f32x4.mul(f32x4.sub(f32x4.sub(g('gy'), g('s1')), f32x4.mul(g('xh'), g('s2'))), g('rv'))),
        ),
        f.set('q', i32.add(g('q'), i32.const(4))),
      ),
    ],
  };
}

export const normKernels = () => [
  colSum(),
  colSquaredDeviation(),
  bnApply(false),
  bnApply(true),
  bnGradSums(false),
  bnGradSums(true),
  bnGradInput(false),
  bnGradInput(true),
  lnForward(),
  lnBackward(),
];
