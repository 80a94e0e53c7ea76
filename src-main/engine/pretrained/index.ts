export { fromTorch, toTorch, torchLayout, type LayoutEntry, type TorchLayout } from './layout';
export { defaultInput, describeTimmConfig, timmConfig, type PretrainedDescription } from './timm-config';
export { resampleBicubic, resamplePosEmbed } from './resample';
export { fitWeightsModel, frozenParams, initFromWeights } from './init';
