export * from './types';
export { MODEL_PRESETS, RUN_PRESETS, runPreset } from './presets';
export { ConfigError, configProblems, validateConfig, validateModel, validateModelNoise } from './validate';
export { mergeConfig, setPath, fitToDataset } from './merge';
export { checkConfigPath, configFields } from './fields';
export { SKIP_CLASS_TOKEN_DEFAULT, withClassTokenDefault } from './class-token';
