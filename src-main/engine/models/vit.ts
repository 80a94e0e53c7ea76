// NoisyViT: a pre-norm Vision Transformer (Dosovitskiy et al. 2021; timm's VisionTransformer layout)
// with NoisyNN's embedding noise at block L's attention input, after LN1, class token untouched
// (docs/method.md#sites). Shapes: B batch, N patches, T = N + 1 tokens, D dim, H heads, dh = D / H.
import * as tf from '@tensorflow/tfjs';
import { SKIP_CLASS_TOKEN_DEFAULT } from '../config/class-token';
import type { VitConfig } from '../config/types';
import { gelu, layerNorm, selfAttention } from '../ops';
import type { Rng } from '../rng';
import { embeddingNoise, imageNoise } from './noise-site';
import { ones, Params, truncNormal, zeros } from './params';
import type { ForwardOptions, Model } from './types';

interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}
interface Norm {
  g: tf.Variable;
  b: tf.Variable;
}
interface Block {
  ln1: Norm;
  qkv: Linear;
  proj: Linear;
  ln2: Norm;
  fc1: Linear;
  fc2: Linear;
}

function linear(x: tf.Tensor2D, l: Linear): tf.Tensor2D {
  return tf.add(tf.matMul(x, l.w as tf.Tensor2D), l.b) as tf.Tensor2D;
}

/** For each patch, the flat [H*W*C] indices of its P*P*C pixels in (row, col, channel) order. */
function patchIndex(c: VitConfig): tf.Tensor1D {
  const { imageSize: S, patchSize: P, channels: C } = c;
  const g = S / P;
  const idx = new Int32Array(g * g * P * P * C);
  let k = 0;
  for (let py = 0; py < g; py++)
    for (let px = 0; px < g; px++)
      for (let i = 0; i < P; i++)
        for (let j = 0; j < P; j++) for (let ch = 0; ch < C; ch++) idx[k++] = ((py * P + i) * S + px * P + j) * C + ch;
  return tf.tensor1d(idx, 'int32');
}

export class NoisyViT implements Model {
  readonly params: Params;
  private readonly patchEmbed: Linear;
  private readonly cls: tf.Variable; // [1, 1, D]
  private readonly pos: tf.Variable; // [1, T, D]
  private readonly blocks: Block[] = [];
  /** The final LayerNorm: on every token ('token' pooling, timm's `norm`) or on the pooled mean ('avg', timm's `fc_norm`). */
  private readonly norm: Norm;
  private readonly head: Linear;
  private readonly patches: tf.Tensor1D;

  constructor(
    readonly config: VitConfig,
    rng: Rng,
  ) {
    const { dim: D, patchSize: P, channels: C, depth, numClasses } = config;
    const T = (config.imageSize / P) ** 2 + 1;
    const hidden = Math.floor(D * config.mlpRatio + 1e-6); // timm: int(dim * mlp_ratio)
    const p = (this.params = new Params(rng));
    const lin = (name: string, i: number, o: number): Linear => ({
      w: p.add(`${name}.weight`, [i, o], truncNormal(0.02)),
      b: p.add(`${name}.bias`, [o], zeros),
    });
    const norm = (name: string): Norm => ({ g: p.add(`${name}.weight`, [D], ones), b: p.add(`${name}.bias`, [D], zeros) });
    this.patchEmbed = lin('patch_embed', P * P * C, D);
    this.cls = p.add('cls_token', [1, 1, D], truncNormal(0.02));
    this.pos = p.add('pos_embed', [1, T, D], truncNormal(0.02));
    for (let l = 0; l < depth; l++) {
      this.blocks.push({
        ln1: norm(`blocks.${l}.norm1`),
        qkv: lin(`blocks.${l}.attn.qkv`, D, 3 * D),
        proj: lin(`blocks.${l}.attn.proj`, D, D),
        ln2: norm(`blocks.${l}.norm2`),
        fc1: lin(`blocks.${l}.mlp.fc1`, D, hidden),
        fc2: lin(`blocks.${l}.mlp.fc2`, hidden, D),
      });
    }
    this.norm = norm(config.globalPool === 'avg' ? 'fc_norm' : 'norm');
    this.head = lin('head', D, numClasses);
    this.patches = patchIndex(config);
  }

  forward(x: tf.Tensor4D, o: ForwardOptions): tf.Tensor2D {
    const { dim: D, patchSize: P, channels: C } = this.config;
    const B = x.shape[0];
    const N = (this.config.imageSize / P) ** 2;
    const T = N + 1;
    const site = o.noise.site?.block;
    const img = imageNoise(x, o);
    const flat = tf.gather(tf.reshape(img, [B, -1]), this.patches, 1); // [B, N*P*P*C]
    let t = tf.reshape(linear(tf.reshape(flat, [B * N, P * P * C]), this.patchEmbed), [B, N, D]); // [B, N, D]
    // Site -1, right after the patch embedding, is the workbench's extension: the official forward_features
    // has it, but NoiseViT.forward never calls forward_features, so the official NoisyViT never noises there.
    if (site === -1) t = embeddingNoise(t, o, false);
    o.tap?.('patch_embed', t);
    const cls = tf.mul(tf.ones([B, 1, 1]), this.cls); // [B, 1, D] without Tile (its gradient is slow on wasm)
    t = tf.add(tf.concat([cls, t], 1), this.pos); // [B, T, D]
    this.blocks.forEach((blk, l) => {
      let h = layerNorm(t, blk.ln1.g as tf.Tensor1D, blk.ln1.b as tf.Tensor1D); // [B, T, D]
      if (site === l) h = embeddingNoise(h, o, o.noise.skipFirstToken ?? SKIP_CLASS_TOKEN_DEFAULT);
      t = tf.add(t, this.attention(h, blk, B, T));
      const m = layerNorm(t, blk.ln2.g as tf.Tensor1D, blk.ln2.b as tf.Tensor1D);
      const hidden = gelu(linear(tf.reshape(m, [B * T, D]), blk.fc1)) as tf.Tensor2D; // [B*T, hidden]
      t = tf.add(t, tf.reshape(linear(hidden, blk.fc2), [B, T, D]));
      o.tap?.(`block.${l}`, t);
    });
    const ln = (z: tf.Tensor) => layerNorm(z, this.norm.g as tf.Tensor1D, this.norm.b as tf.Tensor1D);
    // timm: 'avg' pools the patch tokens of the un-normalised stream, then applies fc_norm.
    const pooled =
      this.config.globalPool === 'avg'
        ? ln(tf.mean(tf.slice(t, [0, 1, 0], [B, N, D]), 1))
        : tf.reshape(tf.slice(ln(t), [0, 0, 0], [B, 1, D]), [B, D]); // [B, D]
    o.tap?.('cls', pooled);
    return linear(pooled as tf.Tensor2D, this.head); // [B, classes]
  }

  private attention(h: tf.Tensor, blk: Block, B: number, T: number): tf.Tensor {
    const { dim: D, heads: H } = this.config;
    const qkv = linear(tf.reshape(h, [B * T, D]), blk.qkv); // [B*T, 3D]
    return tf.reshape(linear(selfAttention(qkv, B, H), blk.proj), [B, T, D]); // [B, T, D]
  }

  dispose(): void {
    this.params.dispose();
    this.patches.dispose();
  }
}
