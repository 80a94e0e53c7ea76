import type { NoiseSpec } from './types';
import { DEFAULT_ALPHA } from './linear-shift';

/**
 * dS = -log|det(I + Q)| of the linear noise for batch size k (docs/method.md#task-entropy), or null
 * for operators that are not linear transforms. +Infinity when I + Q is singular. Worked in log
 * space so large k neither underflows nor overflows.
 */
export function linearNoiseLogDet(spec: NoiseSpec, k: number): number | null {
  if (!Number.isInteger(k) || k < 1) throw new Error(`linearNoiseLogDet: batch size k must be an integer >= 1, got ${String(k)}`);
  if (spec.type === 'linear-optimal') {
    // det((I + 11^T) / (k + 1)) = (k + 1) / (k + 1)^k
    return (k - 1) * Math.log(k + 1);
  }
  if (spec.type !== 'linear-shift') return null;
  const a = spec.alpha ?? DEFAULT_ALPHA;
  if (!Number.isFinite(a) || a < 0 || a > 1) throw new Error(`linearNoiseLogDet: alpha must be in [0, 1], got ${String(a)}`);
  // det(I + Q) = (1 - a)^k - (-a)^k = big^k * (1 -/+ r^k), r = small / big <= 1.
  const big = Math.max(1 - a, a);
  const small = Math.min(1 - a, a);
  const kLogR = small === 0 ? -Infinity : k * Math.log(small / big);
  const logAbsDet =
    k % 2 === 1
      ? k * Math.log(big) + Math.log1p(Math.exp(kLogR))
      : k * Math.log(big) + Math.log(-Math.expm1(kLogR));
  const result = -logAbsDet;
  return result === 0 ? 0 : result; // no -0
}
