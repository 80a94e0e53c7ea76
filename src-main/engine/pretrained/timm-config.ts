// timm hub config.json <-> the workbench's model config and input spec. A hub folder holds
// `config.json` (architecture, optional model_args, num_classes, pretrained_cfg with input_size, mean, std,
// crop_pct) and `model.safetensors`; the export writes the same shape of file.
import { MODEL_PRESETS } from '../config/presets';
import type { InputSpec, ModelConfig, ResNetConfig, VitConfig } from '../config/types';

export interface PretrainedDescription {
  architecture: string;
  model: ModelConfig;
  input: InputSpec;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const VIT_SIZES: Record<string, { dim: number; heads: number; depth: number }> = {
  tiny: { dim: 192, heads: 3, depth: 12 },
  small: { dim: 384, heads: 6, depth: 12 },
  base: { dim: 768, heads: 12, depth: 12 },
  large: { dim: 1024, heads: 16, depth: 24 },
};
// model_args a timm ViT takes that this workbench's ViT builds as given; any other key must keep its default.
const VIT_ARGS = ['img_size', 'patch_size', 'in_chans', 'embed_dim', 'depth', 'num_heads', 'mlp_ratio', 'global_pool', 'num_classes'];
const VIT_DEFAULTS: Record<string, unknown> = {
  qkv_bias: true,
  class_token: true,
  no_embed_class: false,
  reg_tokens: 0,
  pre_norm: false,
  fc_norm: null,
  init_values: null,
  qk_norm: false,
};

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function vitFromArchitecture(arch: string): VitConfig | undefined {
  const m = /^vit_(tiny|small|base|large)_patch(\d+)_(\d+)$/.exec(arch);
  if (!m) return undefined;
  const s = VIT_SIZES[m[1]];
  return {
    kind: 'vit',
    imageSize: Number(m[3]),
    channels: 3,
    patchSize: Number(m[2]),
    dim: s.dim,
    depth: s.depth,
    heads: s.heads,
    mlpRatio: 4,
    numClasses: 1000,
    globalPool: 'token',
  };
}

function applyVitArgs(base: VitConfig, args: Json, file: string): VitConfig {
  const v: VitConfig = { ...base };
  for (const [k, val] of Object.entries(args)) {
    if (k in VIT_DEFAULTS) {
      if (JSON.stringify(val) !== JSON.stringify(VIT_DEFAULTS[k]))
        throw new Error(
          `${file}: model_args.${k} = ${JSON.stringify(val)} is not supported (this workbench's ViT has ${k} = ${JSON.stringify(VIT_DEFAULTS[k])})`,
        );
      continue;
    }
    if (!VIT_ARGS.includes(k)) throw new Error(`${file}: model_args.${k} is not supported (supported: ${VIT_ARGS.join(', ')})`);
    const num = () => {
      const n = Array.isArray(val) ? val[0] : val; // timm accepts img_size / patch_size as a pair
      if (Array.isArray(val) && val[0] !== val[1])
        throw new Error(`${file}: model_args.${k} ${JSON.stringify(val)}: only square sizes are supported`);
      if (typeof n !== 'number' || !(n > 0))
        throw new Error(`${file}: model_args.${k} must be a positive number (got ${JSON.stringify(val)})`);
      return n;
    };
    if (k === 'img_size') v.imageSize = num();
    else if (k === 'patch_size') v.patchSize = num();
    else if (k === 'in_chans') v.channels = num();
    else if (k === 'embed_dim') v.dim = num();
    else if (k === 'depth') v.depth = num();
    else if (k === 'num_heads') v.heads = num();
    else if (k === 'mlp_ratio') v.mlpRatio = num();
    else if (k === 'num_classes') v.numClasses = num();
    else if (k === 'global_pool') {
      if (val !== 'token' && val !== 'avg')
        throw new Error(`${file}: model_args.global_pool must be 'token' or 'avg' (got ${JSON.stringify(val)})`);
      v.globalPool = val;
    }
  }
  return v;
}

function resnetFromArchitecture(arch: string): ResNetConfig | undefined {
  const m = MODEL_PRESETS[arch];
  return m?.kind === 'resnet' && ['resnet18', 'resnet34', 'resnet50'].includes(arch) ? structuredClone(m) : undefined;
}

function numbers(v: unknown, n: number): number[] | undefined {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : undefined;
}

/** Defaults when a file carries no pretrained_cfg: timm's for ViT (0.5 / 0.5, crop 0.9), ImageNet's for ResNet. */
export function defaultInput(model: ModelConfig): InputSpec {
  const c = model.channels;
  const stats = model.kind === 'resnet' && c === 3 ? IMAGENET : { mean: new Array(c).fill(0.5), std: new Array(c).fill(0.5) };
  return { size: model.imageSize, ...stats, cropPct: model.kind === 'vit' ? 0.9 : 0.875 };
}

function inputFrom(cfg: Json, model: ModelConfig, file: string): InputSpec {
  const pc = isObj(cfg.pretrained_cfg) ? cfg.pretrained_cfg : {};
  const d = defaultInput(model);
  const size = pc.input_size;
  if (size !== undefined) {
    const s = numbers(size, 3);
    if (!s || s[1] !== s[2])
      throw new Error(`${file}: pretrained_cfg.input_size must be [channels, size, size] (got ${JSON.stringify(size)})`);
    if (s[0] !== model.channels || s[1] !== model.imageSize) {
      throw new Error(
        `${file}: pretrained_cfg.input_size ${JSON.stringify(s)} does not match the model (${model.channels} channels, ${model.imageSize} pixels)`,
      );
    }
  }
  const stat = (k: 'mean' | 'std') => {
    if (pc[k] === undefined) return d[k];
    const v = numbers(pc[k], model.channels);
    if (!v || (k === 'std' && !v.every((x) => x > 0)))
      throw new Error(
        `${file}: pretrained_cfg.${k} must give ${model.channels} ${k === 'std' ? 'positive ' : ''}numbers (got ${JSON.stringify(pc[k])})`,
      );
    return v;
  };
  const crop = pc.crop_pct === undefined ? d.cropPct : pc.crop_pct;
  if (typeof crop !== 'number' || !(crop > 0 && crop <= 1))
    throw new Error(`${file}: pretrained_cfg.crop_pct must be in (0, 1] (got ${JSON.stringify(crop)})`);
  if (pc.interpolation !== undefined && pc.interpolation !== 'bicubic') {
    // timm's ViTs and ResNets publish 'bicubic' or 'bilinear'; the workbench resizes bicubic only.
    if (pc.interpolation !== 'bilinear')
      throw new Error(`${file}: pretrained_cfg.interpolation ${JSON.stringify(pc.interpolation)} is not supported`);
  }
  return { size: model.imageSize, mean: stat('mean'), std: stat('std'), cropPct: crop };
}

/** Reads a timm-style config.json object (already parsed) into a model config and input spec. */
export function describeTimmConfig(cfg: unknown, file: string): PretrainedDescription {
  if (!isObj(cfg)) throw new Error(`${file}: config.json is not a JSON object`);
  const arch = cfg.architecture;
  if (typeof arch !== 'string' || !arch) throw new Error(`${file}: config.json has no "architecture"`);
  const args = isObj(cfg.model_args) ? cfg.model_args : {};
  let model: ModelConfig | undefined;
  if (isObj(cfg.noisynn) && isObj(cfg.noisynn.model)) {
    // Written by this workbench's export: its exact model (e.g. the small-stem MNIST ResNet timm has no name for).
    model = structuredClone(cfg.noisynn.model) as unknown as ModelConfig;
  } else if (arch.startsWith('vit_')) {
    const base = vitFromArchitecture(arch) ?? (Object.keys(args).length ? vitFromArchitecture('vit_base_patch16_224') : undefined);
    if (!base)
      throw new Error(
        `${file}: architecture '${arch}' is not a supported ViT (vit_{tiny,small,base,large}_patch16_{224,384}, or any with model_args)`,
      );
    const pool = cfg.global_pool ?? args.global_pool;
    model = applyVitArgs(base, { ...args, ...(pool === undefined ? {} : { global_pool: pool }) }, file);
  } else {
    model = resnetFromArchitecture(arch);
    if (!model)
      throw new Error(
        `${file}: architecture '${arch}' is not supported (ViT: vit_{tiny,small,base,large}_patch*_*; ResNet: resnet18, resnet34, resnet50)`,
      );
    if (typeof args.in_chans === 'number') model.channels = args.in_chans;
  }
  const classes = cfg.num_classes ?? args.num_classes;
  if (classes !== undefined) {
    if (!Number.isInteger(classes) || (classes as number) < 1)
      throw new Error(`${file}: num_classes must be a positive integer (got ${JSON.stringify(classes)})`);
    model.numClasses = classes as number;
  }
  const pcSize = isObj(cfg.pretrained_cfg) ? numbers(cfg.pretrained_cfg.input_size, 3) : undefined;
  if (pcSize && model.kind === 'resnet') {
    model.imageSize = pcSize[1];
    model.channels = pcSize[0];
  }
  return { architecture: arch, model, input: inputFrom(cfg, model, file) };
}

/** timm's architecture name for a model, with model_args that rebuild it exactly. */
export function timmConfig(model: ModelConfig, input: InputSpec, extra: Json): Json {
  let architecture: string;
  let modelArgs: Json = {};
  if (model.kind === 'vit') {
    // A name timm registers; model_args rebuild the exact model from it (timm.create_model(name, **model_args)).
    const size = Object.entries(VIT_SIZES).find(
      ([, s]) => s.dim === model.dim && s.heads === model.heads && s.depth === model.depth && model.mlpRatio === 4,
    );
    const named =
      size && model.patchSize === 16 && [224, 384].includes(model.imageSize) ? `vit_${size[0]}_patch16_${model.imageSize}` : undefined;
    architecture = named ?? 'vit_base_patch16_224';
    modelArgs = {
      img_size: model.imageSize,
      patch_size: model.patchSize,
      in_chans: model.channels,
      embed_dim: model.dim,
      depth: model.depth,
      num_heads: model.heads,
      mlp_ratio: model.mlpRatio,
      global_pool: model.globalPool ?? 'token',
    };
  } else {
    const named = ['resnet18', 'resnet34', 'resnet50'].find(
      (n) =>
        JSON.stringify({ ...MODEL_PRESETS[n], numClasses: 0, imageSize: 0, channels: 0 }) ===
        JSON.stringify({ ...model, numClasses: 0, imageSize: 0, channels: 0 }),
    );
    // Not a torchvision ResNet (e.g. the small-stem mnist-cnn): only this workbench rebuilds it, from `noisynn.model`.
    architecture = named ?? 'noisynn_resnet';
    if (named && model.channels !== 3) modelArgs = { in_chans: model.channels };
  }
  return {
    architecture,
    num_classes: model.numClasses,
    ...(Object.keys(modelArgs).length ? { model_args: modelArgs } : {}),
    pretrained_cfg: {
      input_size: [model.channels, model.imageSize, model.imageSize],
      interpolation: 'bicubic',
      crop_pct: input.cropPct,
      crop_mode: 'center',
      mean: input.mean,
      std: input.std,
      num_classes: model.numClasses,
      first_conv: model.kind === 'vit' ? 'patch_embed.proj' : 'conv1',
      classifier: model.kind === 'vit' ? 'head' : 'fc',
    },
    noisynn: { model, ...extra },
  };
}
