// exp(q) for q <= 0, shared by the kernels: q = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite split of ln2),
// exp(r) by its degree-6 Taylor polynomial (relative error < 2e-7), 2^n built in the exponent bits.
// q is clamped at -87, where exp is ~1.6e-38, still a normal float.
import { type Code, f32, Fn, i32 } from './emit';

export const EXP = {
  min: -87,
  log2e: Math.LOG2E,
  ln2Hi: 0.693359375,
  ln2Lo: -2.1219444e-4,
  /** Taylor coefficients 1/k!, k = 0..6. */
  taylor: [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720],
};

/** Horner's rule: c0 + v (c1 + v (c2 + ...)), with the given add and multiply. */
export function horner(v: Code, coeffs: Code[], add: (a: Code, b: Code) => Code, mul: (a: Code, b: Code) => Code): Code {
  return coeffs.slice(0, -1).reduceRight((acc, c) => add(c, mul(v, acc)), coeffs[coeffs.length - 1]);
}

/** Scalar exp of `q` (q <= 0) into local `out`, using f32 locals `r` and `n` of `f`. */
export function expScalar(f: Fn, q: Code, out: string, r: string, n: string): Code[] {
  const g = f.get;
  return [
    f.set(r, f32.max(q, f32.const(EXP.min))),
    f.set(n, f32.nearest(f32.mul(g(r), f32.const(EXP.log2e)))),
    f.set(r, f32.sub(f32.sub(g(r), f32.mul(g(n), f32.const(EXP.ln2Hi))), f32.mul(g(n), f32.const(EXP.ln2Lo)))),
    f.set(
      out,
      f32.mul(
        horner(
          g(r),
          EXP.taylor.map((c) => f32.const(c)),
          f32.add,
          f32.mul,
        ),
        f32.fromBits(i32.shl(i32.add(i32.fromF32(g(n)), i32.const(127)), i32.const(23))),
      ),
    ),
  ];
}
