import { noiseOperator } from './operators';
import type { NoiseSpec } from './types';

/**
 * dS = -log|det(I + Q)| of the linear noise for batch size k (docs/method.md#task-entropy), or null
 * for operators that are not linear transforms. +Infinity when I + Q is singular. The closed forms
 * are the operators' (operators.ts).
 */
export function linearNoiseLogDet(spec: NoiseSpec, k: number): number | null {
  if (!Number.isInteger(k) || k < 1) throw new Error(`linearNoiseLogDet: batch size k must be an integer >= 1, got ${String(k)}`);
  const logDet = noiseOperator(spec.type).logDet;
  return logDet ? logDet(spec as unknown as Record<string, unknown>, k) : null;
}

/** Row `selected` of I + Q for batch size k: how much of each batch member flows into the selected one; null for non-mixing operators. */
export function mixingRow(spec: NoiseSpec, k: number, selected: number): number[] | null {
  if (!Number.isInteger(k) || k < 1) throw new Error(`mixingRow: batch size k must be an integer >= 1, got ${String(k)}`);
  if (!Number.isInteger(selected) || selected < 0 || selected >= k)
    throw new Error(`mixingRow: selected ${String(selected)} is not in the batch of ${k}`);
  const row = noiseOperator(spec.type).mixingRow;
  return row ? row(spec as unknown as Record<string, unknown>, k, selected) : null;
}
