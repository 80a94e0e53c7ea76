// The one place that knows PyTorch's names and layouts for the workbench's models, both directions:
// timm's VisionTransformer and torchvision's ResNet. Conv weights are OIHW there and HWIO here, linear
// weights [out, in] there and [in, out] here; the ViT patch embedding is a conv there and a linear over
// (row, col, channel)-ordered patch pixels here, which is the conv's HWIO weight reshaped.
import type { ModelConfig, ResNetConfig, VitConfig } from '../config/types';
import type { NamedArray } from '../train/safetensors';

type Convert = 'same' | 'linear' | 'conv' | 'patch';

export interface LayoutEntry {
  /** Name in the workbench model (Params). */
  ours: string;
  /** Name in the PyTorch state dict. */
  torch: string;
  /** Shape in the PyTorch layout. */
  shape: number[];
  convert: Convert;
}

export interface TorchLayout {
  entries: LayoutEntry[];
  /** BatchNorm step counters PyTorch keeps (I64 scalars): accepted on import, written on export, not used. */
  counters: string[];
}

function vitLayout(c: VitConfig): TorchLayout {
  const { dim: D, patchSize: P, channels: C } = c;
  const hidden = Math.floor(D * c.mlpRatio + 1e-6); // as the model (timm: int(dim * mlp_ratio))
  const T = (c.imageSize / P) ** 2 + 1;
  const e: LayoutEntry[] = [];
  const same = (name: string, shape: number[]) => e.push({ ours: name, torch: name, shape, convert: 'same' });
  const linear = (name: string, i: number, o: number) => {
    e.push({ ours: `${name}.weight`, torch: `${name}.weight`, shape: [o, i], convert: 'linear' });
    same(`${name}.bias`, [o]);
  };
  const norm = (name: string) => (same(`${name}.weight`, [D]), same(`${name}.bias`, [D]));
  e.push({ ours: 'patch_embed.weight', torch: 'patch_embed.proj.weight', shape: [D, C, P, P], convert: 'patch' });
  e.push({ ours: 'patch_embed.bias', torch: 'patch_embed.proj.bias', shape: [D], convert: 'same' });
  same('cls_token', [1, 1, D]);
  same('pos_embed', [1, T, D]);
  for (let l = 0; l < c.depth; l++) {
    const b = `blocks.${l}`;
    norm(`${b}.norm1`);
    linear(`${b}.attn.qkv`, D, 3 * D);
    linear(`${b}.attn.proj`, D, D);
    norm(`${b}.norm2`);
    linear(`${b}.mlp.fc1`, D, hidden);
    linear(`${b}.mlp.fc2`, hidden, D);
  }
  norm(c.globalPool === 'avg' ? 'fc_norm' : 'norm');
  linear('head', D, c.numClasses);
  return { entries: e, counters: [] };
}

function resnetLayout(c: ResNetConfig): TorchLayout {
  const e: LayoutEntry[] = [];
  const counters: string[] = [];
  const unit = (ours: string, conv: string, bn: string, k: number, cin: number, cout: number) => {
    e.push({ ours: `${ours}.conv.weight`, torch: `${conv}.weight`, shape: [cout, cin, k, k], convert: 'conv' });
    for (const p of ['weight', 'bias', 'running_mean', 'running_var'])
      e.push({ ours: `${ours}.bn.${p}`, torch: `${bn}.${p}`, shape: [cout], convert: 'same' });
    counters.push(`${bn}.num_batches_tracked`);
  };
  const expansion = c.block === 'bottleneck' ? 4 : 1;
  unit('stem', 'conv1', 'bn1', c.stem === 'imagenet' ? 7 : 3, c.channels, c.stemWidth);
  let cin = c.stemWidth;
  c.layers.forEach((n, s) => {
    const width = c.widths[s];
    const cout = width * expansion;
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const name = `layer${s + 1}.${b}`;
      const units: [number, number, number][] =
        c.block === 'basic'
          ? [
              [3, cin, width],
              [3, width, width],
            ]
          : [
              [1, cin, width],
              [3, width, width],
              [1, width, cout],
            ];
      units.forEach(([k, i, o], u) => unit(`${name}.${u + 1}`, `${name}.conv${u + 1}`, `${name}.bn${u + 1}`, k, i, o));
      if (stride !== 1 || cin !== cout) unit(`${name}.downsample`, `${name}.downsample.0`, `${name}.downsample.1`, 1, cin, cout);
      cin = cout;
    }
  });
  e.push({ ours: 'fc.weight', torch: 'fc.weight', shape: [c.numClasses, cin], convert: 'linear' });
  e.push({ ours: 'fc.bias', torch: 'fc.bias', shape: [c.numClasses], convert: 'same' });
  return { entries: e, counters };
}

export function torchLayout(c: ModelConfig): TorchLayout {
  return c.kind === 'vit' ? vitLayout(c) : resnetLayout(c);
}

/** out[permuted index] = data[index]: `perm[k]` is the source axis of output axis k (numpy's transpose). */
function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const srcStride = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    srcStride[k] = s;
    s *= shape[k];
  }
  const stride = perm.map((p) => srcStride[p]); // source stride of each output axis
  const out = new Float32Array(data.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += idx[k] * stride[k];
    out[o] = data[src];
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

const inverse = (perm: number[]) => perm.map((_, i) => perm.indexOf(i));
const OIHW_TO_HWIO = [2, 3, 1, 0];

function toOurs(t: Float32Array, e: LayoutEntry): { data: Float32Array; shape: number[] } {
  const s = e.shape;
  switch (e.convert) {
    case 'same':
      return { data: t, shape: s };
    case 'linear':
      return { data: permute(t, s, [1, 0]), shape: [s[1], s[0]] };
    case 'conv':
      return { data: permute(t, s, OIHW_TO_HWIO), shape: [s[2], s[3], s[1], s[0]] };
    case 'patch':
      return { data: permute(t, s, OIHW_TO_HWIO), shape: [s[2] * s[3] * s[1], s[0]] };
  }
}

function toTorchData(t: Float32Array, e: LayoutEntry): Float32Array {
  const s = e.shape;
  switch (e.convert) {
    case 'same':
      return t;
    case 'linear':
      return permute(t, [s[1], s[0]], [1, 0]);
    case 'conv':
    case 'patch':
      return permute(t, [s[2], s[3], s[1], s[0]], inverse(OIHW_TO_HWIO));
  }
}

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/**
 * PyTorch state dict -> the workbench's named arrays, after checking every name, shape and dtype:
 * a missing, extra or mis-shaped tensor is an error naming it (and both shapes). F64 is narrowed to F32.
 */
export function fromTorch(c: ModelConfig, tensors: Record<string, NamedArray>, file: string): Record<string, NamedArray> {
  const { entries, counters } = torchLayout(c);
  const problems: string[] = [];
  const known = new Set([...entries.map((e) => e.torch), ...counters]);
  const what =
    c.kind === 'vit'
      ? `ViT (dim ${c.dim}, depth ${c.depth}, patch ${c.patchSize}, image ${c.imageSize}, ${c.numClasses} classes)`
      : `ResNet (${c.block} blocks ${c.layers.join('-')}, ${c.numClasses} classes)`;
  for (const e of entries) {
    const t = tensors[e.torch];
    if (!t) problems.push(`tensor ${e.torch} is missing (expected ${shapeText(e.shape)})`);
    else if (t.shape.join(',') !== e.shape.join(','))
      problems.push(`tensor ${e.torch} has shape ${shapeText(t.shape)} but the model needs ${shapeText(e.shape)}`);
    else if (t.dtype !== 'F32' && t.dtype !== 'F64')
      problems.push(`tensor ${e.torch} is ${t.dtype}; float32 (or float64) weights are needed`);
  }
  for (const name of Object.keys(tensors))
    if (!known.has(name)) problems.push(`tensor ${name} ${shapeText(tensors[name].shape)} is not part of the model`);
  if (problems.length) {
    if (entries.every((e) => !tensors[e.torch])) {
      const names = Object.keys(tensors);
      throw new Error(
        `${file}: holds another architecture: none of the ${what}'s ${entries.length} tensors is there (the file has ${names.length}: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})`,
      );
    }
    const shown = problems.slice(0, 12).join('\n- ') + (problems.length > 12 ? `\n- ... and ${problems.length - 12} more` : '');
    throw new Error(`${file}: does not fit the ${what}:\n- ${shown}`);
  }
  const out: Record<string, NamedArray> = {};
  for (const e of entries) {
    const t = tensors[e.torch];
    const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array);
    const { data, shape } = toOurs(f32, e);
    out[e.ours] = { dtype: 'F32', shape, data };
  }
  return out;
}

/** The workbench's named arrays -> a PyTorch state dict (names and layouts as timm / torchvision). */
export function toTorch(c: ModelConfig, arrays: Record<string, NamedArray>): Record<string, NamedArray> {
  const { entries, counters } = torchLayout(c);
  const out: Record<string, NamedArray> = {};
  for (const e of entries) {
    const a = arrays[e.ours];
    if (!a) throw new Error(`export: parameter ${e.ours} is missing from the model`);
    out[e.torch] = { dtype: 'F32', shape: [...e.shape], data: toTorchData(a.data as Float32Array, e) };
  }
  // PyTorch's BatchNorm keeps a step counter; only its momentum=None mode reads it.
  for (const name of counters) out[name] = { dtype: 'I64', shape: [], data: new BigInt64Array(1) };
  return out;
}
