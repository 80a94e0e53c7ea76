// Named, ordered model state: trainable variables plus non-trainable buffers (BatchNorm running stats).
// Initial values are drawn in JS from a seeded Rng, so the same seed gives the same model on every backend.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import type { NamedArray } from '../train/safetensors';

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'truncNormal'; std: number }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number };

export const zeros: Init = { kind: 'zeros' };
export const ones: Init = { kind: 'ones' };
export const truncNormal = (std: number): Init => ({ kind: 'truncNormal', std });
export const normal = (std: number): Init => ({ kind: 'normal', std });
export const uniform = (bound: number): Init => ({ kind: 'uniform', bound });

function draw(rng: Rng, n: number, init: Init): Float32Array {
  const out = new Float32Array(n);
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'normal':
      return rng.fillNormal(out, 0, init.std);
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * init.bound;
      return out;
    case 'truncNormal':
      // Resample beyond 2 std, as timm's trunc_normal_ does (cut at +-2 std).
      for (let i = 0; i < n; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal();
        out[i] = z * init.std;
      }
      return out;
  }
}

export class Params {
  readonly trainable = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng) {}

  add(name: string, shape: number[], init: Init): tf.Variable {
    return this.put(this.trainable, name, shape, init, true);
  }

  buffer(name: string, shape: number[], init: Init): tf.Variable {
    return this.put(this.buffers, name, shape, init, false);
  }

  private put(into: Map<string, tf.Variable>, name: string, shape: number[], init: Init, trainable: boolean) {
    if (this.trainable.has(name) || this.buffers.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = draw(this.rng, size, init);
    // tidy disposes the initial tensor; the variable survives it.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, `${name}_${nextId++}`));
    into.set(name, v);
    return v;
  }

  count(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  /** Every parameter and buffer as float32 arrays, keyed by name (for checkpoints). */
  toArrays(prefix = ''): Record<string, NamedArray> {
    const out: Record<string, NamedArray> = {};
    for (const [name, v] of [...this.trainable, ...this.buffers]) {
      out[prefix + name] = { dtype: 'F32', shape: v.shape, data: v.dataSync() as Float32Array };
    }
    return out;
  }

  /** Loads values saved by toArrays; shapes must match exactly. `skip`: parameters that keep their values. */
  loadArrays(arrays: Record<string, NamedArray>, prefix = '', source = 'checkpoint', skip?: (name: string) => boolean): void {
    for (const [name, v] of [...this.trainable, ...this.buffers]) {
      if (skip?.(name)) continue;
      const a = arrays[prefix + name];
      if (!a) throw new Error(`${source}: parameter ${name} is missing`);
      if (a.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`${source}: parameter ${name} has shape [${a.shape}] but the model needs [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(a.data as Float32Array, v.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of [...this.trainable.values(), ...this.buffers.values()]) v.dispose();
    this.trainable.clear();
    this.buffers.clear();
  }
}

// Variable names must be unique per engine; several models may live in one process (tests, eval).
let nextId = 0;
