// The deterministic ResNet weights of bench/reference/pretrained_models.py (formula_state), rebuilt here so the
// resnet18 fixture needs no 45 MB weights file: value[i] = base + amp * sin(0.7311 i + phase) in PyTorch's layout.
import type { ModelConfig } from '../../src-main/engine/config/index';
import { torchLayout } from '../../src-main/engine/pretrained/index';
import type { NamedArray } from '../../src-main/engine/train/safetensors';

export const RESNET_FIXTURE = { size: 34, classes: 6 };

function params(name: string, shape: number[]): [number, number] {
  if (name.endsWith('running_var')) return [1.25, 0.5];
  if (name.endsWith('running_mean') || name.endsWith('.bias')) return [0, 0.1];
  if (shape.length === 4) return [0, 1 / Math.sqrt(shape[1] * shape[2] * shape[3])];
  if (shape.length === 2) return [0, 1 / Math.sqrt(shape[1])];
  return [1, 0.2];
}

export function formulaState(c: ModelConfig): Record<string, NamedArray> {
  const { entries, counters } = torchLayout(c);
  const out: Record<string, NamedArray> = {};
  for (const e of entries) {
    const [base, amp] = params(e.torch, e.shape);
    let sum = 0;
    for (const ch of e.torch) sum += ch.charCodeAt(0);
    const phase = (sum % 100) * 0.05;
    const data = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = base + amp * Math.sin(0.7311 * i + phase);
    out[e.torch] = { dtype: 'F32', shape: e.shape, data };
  }
  for (const n of counters) out[n] = { dtype: 'I64', shape: [], data: BigInt64Array.of(7n) };
  return out;
}
