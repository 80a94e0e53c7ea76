// NoisyCNN: torchvision-style ResNet (He et al. 2016; basic and bottleneck blocks) in NHWC, with NoisyNN's
// noise at the input of residual block b of stage s (1-based, as in the official code; docs/method.md#sites).
import * as tf from '@tensorflow/tfjs';
import type { ResNetConfig } from '../config/types';
import { addRelu, batchNorm, conv2d, globalAvgPool } from '../ops';
import type { Rng } from '../rng';
import { embeddingNoise, imageNoise } from './noise-site';
import { normal, ones, Params, uniform, zeros } from './params';
import type { ForwardOptions, Model } from './types';

interface Conv {
  w: tf.Variable;
  stride: number;
  pad: number;
}
interface Bn {
  g: tf.Variable;
  b: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}
interface Unit {
  conv: Conv;
  bn: Bn;
}
interface Block {
  units: Unit[];
  shortcut?: Unit;
}

const BN_MOMENTUM = 0.1; // torch's default: running = (1 - m) running + m batch

export class NoisyResNet implements Model {
  readonly params: Params;
  private readonly stem: Unit;
  private readonly stages: Block[][] = [];
  private readonly fc: { w: tf.Variable; b: tf.Variable };

  constructor(
    readonly config: ResNetConfig,
    rng: Rng,
  ) {
    const p = (this.params = new Params(rng));
    const unit = (name: string, k: number, cin: number, cout: number, stride: number): Unit => ({
      // Kaiming normal, fan_out, as torchvision initialises ResNet convolutions.
      conv: { w: p.add(`${name}.conv.weight`, [k, k, cin, cout], normal(Math.sqrt(2 / (k * k * cout)))), stride, pad: (k - 1) >> 1 },
      bn: {
        g: p.add(`${name}.bn.weight`, [cout], ones),
        b: p.add(`${name}.bn.bias`, [cout], zeros),
        mean: p.buffer(`${name}.bn.running_mean`, [cout], zeros),
        variance: p.buffer(`${name}.bn.running_var`, [cout], ones),
      },
    });
    const { channels, stemWidth, widths, layers, block } = config;
    const expansion = block === 'bottleneck' ? 4 : 1;
    this.stem =
      config.stem === 'imagenet' ? unit('stem', 7, channels, stemWidth, 2) : unit('stem', 3, channels, stemWidth, config.stemStride);
    let cin = stemWidth;
    layers.forEach((n, s) => {
      const blocks: Block[] = [];
      const width = widths[s];
      const cout = width * expansion;
      for (let b = 0; b < n; b++) {
        const stride = b === 0 && s > 0 ? 2 : 1;
        const name = `layer${s + 1}.${b}`;
        const units =
          block === 'basic'
            ? [unit(`${name}.1`, 3, cin, width, stride), unit(`${name}.2`, 3, width, width, 1)]
            : [unit(`${name}.1`, 1, cin, width, 1), unit(`${name}.2`, 3, width, width, stride), unit(`${name}.3`, 1, width, cout, 1)];
        const shortcut = stride !== 1 || cin !== cout ? unit(`${name}.downsample`, 1, cin, cout, stride) : undefined;
        blocks.push({ units, shortcut });
        cin = cout;
      }
      this.stages.push(blocks);
    });
    const bound = 1 / Math.sqrt(cin); // torch.nn.Linear's default init
    this.fc = { w: p.add('fc.weight', [cin, config.numClasses], uniform(bound)), b: p.add('fc.bias', [config.numClasses], uniform(bound)) };
  }

  forward(x: tf.Tensor4D, o: ForwardOptions): tf.Tensor2D {
    const site = o.noise.site;
    let h = this.apply(this.stem, imageNoise(x, o), o, true); // [B, H', W', stemWidth]
    // torchvision's MaxPool2d(3, 2, padding=1): one pixel on every side, never chosen (tfjs skips padded
    // cells in max pooling, i.e. -inf). TF's 'same' pads only bottom/right on even sizes: windows one pixel off.
    if (this.config.stem === 'imagenet') h = tf.maxPool(h, 3, 2, 1);
    this.stages.forEach((blocks, s) => {
      blocks.forEach((blk, b) => {
        if (site?.stage === s + 1 && site.block === b + 1) h = embeddingNoise(h, o, false); // whole feature map
        h = this.block(h, blk, o);
      });
      o.tap?.(`stage.${s + 1}`, h);
    });
    const pooled = globalAvgPool(h); // [B, C]
    o.tap?.('pooled', pooled);
    return tf.add(tf.matMul(pooled, this.fc.w as tf.Tensor2D), this.fc.b) as tf.Tensor2D; // [B, classes]
  }

  private block(x: tf.Tensor4D, blk: Block, o: ForwardOptions): tf.Tensor4D {
    let h = x;
    blk.units.forEach((u, i) => (h = this.apply(u, h, o, i < blk.units.length - 1)));
    const skip = blk.shortcut ? this.apply(blk.shortcut, x, o, false) : x;
    return addRelu(h, skip);
  }

  private apply(u: Unit, x: tf.Tensor4D, o: ForwardOptions, relu: boolean): tf.Tensor4D {
    // The stem's input is the image: its gradient is computed only when a caller asks for it.
    const c = conv2d(x, u.conv.w as tf.Tensor4D, u.conv.stride, u.conv.pad, u !== this.stem || o.inputGrad !== false);
    const running = { mean: u.bn.mean as tf.Tensor1D, variance: u.bn.variance as tf.Tensor1D };
    const r = batchNorm(c, u.bn.g as tf.Tensor1D, u.bn.b as tf.Tensor1D, o.training, running, 1e-5, relu);
    if (o.training && o.bnStats && r.batchMean && r.batchVar) {
      const [n, hh, ww] = c.shape;
      o.bnStats.push({ running: u.bn, batchMean: tf.keep(r.batchMean), batchVar: tf.keep(r.batchVar), count: n * hh * ww });
    }
    return r.y;
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Folds a step's batch statistics into the running statistics (unbiased variance, as torch). The
 * arithmetic is C numbers per layer, done in JavaScript: as tensor ops it was ~6 kernel calls per
 * BatchNorm every step.
 */
export function updateRunningStats(
  stats: { running: Bn | { mean: tf.Variable; variance: tf.Variable }; batchMean: tf.Tensor1D; batchVar: tf.Tensor1D; count: number }[],
): void {
  for (const s of stats) {
    const bm = s.batchMean.dataSync();
    const bv = s.batchVar.dataSync();
    const rm = s.running.mean.dataSync();
    const rv = s.running.variance.dataSync();
    const unbiased = s.count / Math.max(1, s.count - 1);
    const mean = new Float32Array(rm.length);
    const variance = new Float32Array(rv.length);
    for (let i = 0; i < mean.length; i++) {
      mean[i] = rm[i] * (1 - BN_MOMENTUM) + bm[i] * BN_MOMENTUM;
      variance[i] = rv[i] * (1 - BN_MOMENTUM) + bv[i] * unbiased * BN_MOMENTUM;
    }
    tf.tidy(() => {
      s.running.mean.assign(tf.tensor1d(mean));
      s.running.variance.assign(tf.tensor1d(variance));
    });
    s.batchMean.dispose();
    s.batchVar.dispose();
  }
}
