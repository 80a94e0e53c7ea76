import { fitToDataset, runPreset, type RunConfig } from '../../src-main/engine/config';
import { loadMnist } from '../../src-main/data/mnist';

/**
 * A real-MNIST config small enough for a test: a seeded subset of the training set, one replica
 * (replicas.test.ts covers the data-parallel threads).
 */
export function smallConfig(preset: 'mnist-vit' | 'mnist-cnn', over: Partial<RunConfig> = {}): RunConfig {
  const base = fitToDataset(runPreset(preset), loadMnist().info);
  return { ...base, limitTrain: 256, limitTest: 200, batchSize: 32, testBatchSize: 10, replicas: 1, ...over };
}
