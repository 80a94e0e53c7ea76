// AdamW (Loshchilov & Hutter 2019): Adam moments plus decoupled weight decay p <- p (1 - lr wd), as torch.optim.AdamW.
// Decay applies to tensors of rank >= 2 only (weights), not to biases, norms or tokens, as timm does.
import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig } from '../config/types';
import type { NamedArray } from './safetensors';

interface Slot { param: tf.Variable; m: tf.Variable; v: tf.Variable; decay: boolean }

export class AdamW {
  private readonly slots = new Map<string, Slot>();
  /** Number of updates applied so far (bias correction uses it). */
  t = 0;

  constructor(params: Map<string, tf.Variable>, private readonly cfg: OptimizerConfig) {
    for (const [name, p] of params) {
      this.slots.set(name, {
        param: p,
        m: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        v: tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
        decay: p.rank >= 2,
      });
    }
  }

  /** grads keyed by tf variable name (as tf.variableGrads returns them). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.cfg;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (const s of this.slots.values()) {
      const g = grads[s.param.name];
      if (!g) continue;
      tf.tidy(() => {
        s.m.assign(tf.add(tf.mul(s.m, b1), tf.mul(g, 1 - b1)));
        s.v.assign(tf.add(tf.mul(s.v, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.div(tf.div(s.m, c1), tf.add(tf.sqrt(tf.div(s.v, c2)), eps));
        const decayed = s.decay && wd > 0 ? tf.mul(s.param, 1 - lr * wd) : s.param;
        s.param.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
  }

  toArrays(): Record<string, NamedArray> {
    const out: Record<string, NamedArray> = {};
    for (const [name, s] of this.slots) {
      out[`optim.m.${name}`] = { dtype: 'F32', shape: s.m.shape, data: s.m.dataSync() as Float32Array };
      out[`optim.v.${name}`] = { dtype: 'F32', shape: s.v.shape, data: s.v.dataSync() as Float32Array };
    }
    return out;
  }

  loadArrays(arrays: Record<string, NamedArray>, t: number, source: string): void {
    for (const [name, s] of this.slots) {
      for (const [key, v] of [[`optim.m.${name}`, s.m], [`optim.v.${name}`, s.v]] as const) {
        const a = arrays[key];
        if (!a || a.shape.join(',') !== v.shape.join(',')) throw new Error(`${source}: optimizer state ${key} is missing or has the wrong shape`);
        tf.tidy(() => v.assign(tf.tensor(a.data as Float32Array, v.shape, 'float32')));
      }
    }
    this.t = t;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
