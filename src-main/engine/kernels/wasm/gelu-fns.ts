// SIMD exact-form GELU, y = x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, and its derivative
// Phi(x) + x * phi(x). erf is Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7, the approximation tfjs's
// cpu Erf uses): erf(a) = 1 - (a1 t + ... + a5 t^5) exp(-a^2), t = 1 / (1 + p a), for a >= 0, odd.
// Its exp(-x^2 / 2) is also phi(x) * sqrt(2 pi), so forward and backward need one exp each (./exp.ts).
import { type Code, f32, f32x4, Fn, i32, i32x4, type Kernel, type Param, v128 } from './emit';
import { EXP, horner } from './exp';

const CONSTANTS = {
  half: 0.5,
  one: 1,
  invSqrt2: Math.SQRT1_2,
  invSqrt2Pi: 1 / Math.sqrt(2 * Math.PI),
  p: 0.3275911,
  a1: 0.254829592,
  a2: -0.284496736,
  a3: 1.421413741,
  a4: -1.453152027,
  a5: 1.061405429,
  minExp: EXP.min,
  log2e: EXP.log2e,
  ln2Hi: EXP.ln2Hi,
  ln2Lo: EXP.ln2Lo,
  ...Object.fromEntries(EXP.taylor.map((c, i) => [`c${i}`, c])),
};
type Name = keyof typeof CONSTANTS & string;

/** Declares the constants as splatted v128 locals (set once per call) and the working locals. */
function setup(f: Fn): { k: (n: Name) => Code; init: Code } {
  f.locals(Object.fromEntries(Object.keys(CONSTANTS).map((n) => [`k_${n}`, 'v128' as const])));
  f.locals({ p: 'i32', end: 'i32', off: 'i32', x: 'v128', z: 'v128', t: 'v128', e: 'v128', r: 'v128', n: 'v128', cdf: 'v128' });
  const init = Object.entries(CONSTANTS).flatMap(([n, v]) => f.set(`k_${n}`, f32x4.splat(f32.const(v))));
  return { k: (n) => f.get(`k_${n}`), init };
}

/** Sets e = exp(-x^2 / 2) and cdf = Phi(x) from the local x. */
function cdfAndGaussian(f: Fn, k: (n: Name) => Code): Code[] {
  const g = f.get;
  const poly = (v: Code, names: string[]): Code =>
    horner(
      v,
      names.map((n) => k(n as Name)),
      f32x4.add,
      f32x4.mul,
    );
  return [
    f.set('z', f32x4.mul(g('x'), k('invSqrt2'))),
    // e = exp(q), q = -z^2 = -x^2 / 2
    f.set('r', f32x4.max(f32x4.neg(f32x4.mul(g('z'), g('z'))), k('minExp'))),
    f.set('n', f32x4.nearest(f32x4.mul(g('r'), k('log2e')))),
    f.set('r', f32x4.sub(f32x4.sub(g('r'), f32x4.mul(g('n'), k('ln2Hi'))), f32x4.mul(g('n'), k('ln2Lo')))),
    f.set(
      'e',
      f32x4.mul(
        poly(
          g('r'),
          EXP.taylor.map((_, i) => `c${i}`),
        ),
        i32x4.shl(i32x4.add(i32x4.fromF32(g('n')), i32x4.splat(i32.const(127))), i32.const(23)),
      ),
    ),
    f.set('t', f32x4.div(k('one'), f32x4.add(k('one'), f32x4.mul(k('p'), f32x4.abs(g('z')))))),
    // |erf(z)| = 1 - t (a1 + t (a2 + ...)) e
    f.set('cdf', f32x4.sub(k('one'), f32x4.mul(f32x4.mul(g('t'), poly(g('t'), ['a1', 'a2', 'a3', 'a4', 'a5'])), g('e')))),
    f.set('cdf', v128.select(f32x4.neg(g('cdf')), g('cdf'), f32x4.lt(g('z'), f32x4.splat(f32.const(0))))),
    f.set('cdf', f32x4.add(k('half'), f32x4.mul(k('half'), g('cdf')))),
  ];
}

/**
 * One pass over `bytes` bytes (a multiple of 16) of x at `src`, writing `result` per vector to `dst`.
 * The backward pass also reads dy, at the same offset from `dy` as x is from `src`.
 */
function geluPass<const N extends string, const P extends readonly Param[]>(
  name: N,
  params: P,
  backward: boolean,
  result: (f: Fn, k: (n: Name) => Code) => Code,
): Kernel<N, P> {
  const f = new Fn(name, params);
  const { k, init } = setup(f);
  f.locals({ dyoff: 'i32' });
  const g = f.get;
  return {
    fn: f,
    body: [
      ...init,
      ...f.set('off', i32.sub(g('dst'), g('src'))),
      ...(backward ? f.set('dyoff', i32.sub(g('dy'), g('src'))) : []),
      ...f.set('end', i32.add(g('src'), g('bytes'))),
      ...f.for(
        'p',
        g('src'),
        g('end'),
        16,
        f.set('x', v128.load(g('p'))),
        ...cdfAndGaussian(f, k),
        v128.store(i32.add(g('p'), g('off')), result(f, k)),
      ),
    ],
  };
}

/** y = x * Phi(x). */
const geluForward = () => geluPass('gelu_forward', ['src', 'bytes', 'dst'], false, (f) => f32x4.mul(f.get('x'), f.get('cdf')));

/** dx = dy * (Phi(x) + x * phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
const geluBackward = () =>
  geluPass('gelu_backward', ['dy', 'src', 'bytes', 'dst'], true, (f, k) =>
    f32x4.mul(
      v128.load(i32.add(f.get('p'), f.get('dyoff'))),
      f32x4.add(f.get('cdf'), f32x4.mul(f.get('x'), f32x4.mul(f.get('e'), k('invSqrt2Pi')))),
    ),
  );

export const geluKernels = () => [geluForward(), geluBackward()];
