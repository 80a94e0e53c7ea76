// The order and batch size in which a test split is evaluated (docs/method.md#evaluation-protocols).
// Batch-mixing noise at evaluation makes accuracy depend on batch composition, so such runs are
// evaluated under all three: class-sorted batches (the official protocol), seeded shuffled batches,
// and batch size 1 (equal to the noise-free model for linear-optimal).
import type { EvalProtocol } from '../config/types';
import { range } from '../batches';
import { deriveSeed, Rng } from '../rng';

export const MIXING_PROTOCOLS: EvalProtocol[] = ['sorted', 'shuffled', 'single'];

export function protocolOrder(protocol: EvalProtocol, labels: ArrayLike<number>, n: number, seed: number): Int32Array {
  const idx = range(n);
  if (protocol === 'sorted') {
    // Stable: within a class the images keep their file order, as an ImageFolder loader reads them.
    return Int32Array.from([...idx].sort((a, b) => labels[a] - labels[b] || a - b));
  }
  if (protocol === 'shuffled') new Rng(deriveSeed(seed, 0x5eed)).shuffle(idx);
  return idx;
}

export function protocolBatchSize(protocol: EvalProtocol, testBatchSize: number): number {
  return protocol === 'single' ? 1 : testBatchSize;
}
