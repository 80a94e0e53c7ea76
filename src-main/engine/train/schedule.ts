// Learning rate at a step: linear warm-up from 0, then cosine decay to minLr (pure; no tensors).
import type { OptimizerConfig, ScheduleConfig } from '../config/types';

export function learningRate(step: number, totalSteps: number, stepsPerEpoch: number, opt: OptimizerConfig, s: ScheduleConfig): number {
  const warmup = Math.round(s.warmupEpochs * stepsPerEpoch);
  if (step < warmup) return (opt.lr * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return s.minLr + 0.5 * (opt.lr - s.minLr) * (1 + Math.cos(Math.PI * progress));
}
