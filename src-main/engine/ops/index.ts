// Differentiable ops used by the models: backend-agnostic, with hand-written backwards that stay fast on wasm.
export { layerNorm } from './layerNorm';
export { gelu } from './gelu';
export { conv2d, convGeometry } from './conv2d';
export type { ConvPad, ConvGeometry } from './conv2d';
export { batchNorm } from './batchNorm';
export type { BatchNormResult } from './batchNorm';
export { globalAvgPool } from './pool';
export { selfAttention } from './attention';
export { addRelu } from './residual';
