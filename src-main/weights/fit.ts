// A run config meets its dataset: without `init` the dataset decides the input size and classes; with it the
// imported weights decide the architecture, input size and normalisation, and the dataset only the classes.
import type { DatasetInfo } from '../data/types';
import { fitToDataset, type RunConfig } from '../engine/config';
import { fitWeightsModel } from '../engine/pretrained';
import { getWeights } from './library';

export function fitRun(
  config: RunConfig,
  info: Pick<DatasetInfo, 'shape' | 'classNames'>,
  dataDir: string,
  o: { imageSize?: number } = {},
): RunConfig {
  if (!config.init) return fitToDataset(config, info);
  const entry = getWeights(dataDir, config.init.weights);
  const { model, adapted } = fitWeightsModel(
    entry.model,
    { numClasses: info.classNames.length, channels: info.shape[2], imageSize: o.imageSize, newHead: config.init.newHead },
    entry.name,
  );
  return {
    ...config,
    model,
    input: { ...entry.input, size: model.imageSize },
    init: {
      weights: entry.name,
      sha256: entry.sha256,
      freeze: config.init.freeze ?? 0,
      ...(config.init.newHead ? { newHead: true } : {}),
      adapted,
    },
  };
}
