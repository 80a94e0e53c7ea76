// Deterministic weights for fixtures too large to commit (resnet18: 11M values). The same integer hash
// and scales as hashed_weights() in bench/reference/make_fixtures.py, so the PyTorch reference and the
// test build bit-identical float32 weights from the parameter names alone.
import type { NamedArray } from '../../src-main/engine/train/safetensors';

function fnv1a(name: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** u_i in [0, 1) for i < n. */
export function hashUniform(name: string, n: number): Float64Array {
  const salt = fnv1a(name);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = (Math.imul(i, 0x9e3779b9) + salt) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x = (x ^ (x >>> 13)) >>> 0;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out[i] = x / 2 ** 32;
  }
  return out;
}

/** Float32 weights for every named tensor (TS names and layouts), by the reference's rules. */
export function hashedWeights(shapes: Iterable<[string, number[]]>): Record<string, NamedArray> {
  const out: Record<string, NamedArray> = {};
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const u = hashUniform(name, n);
    const data = new Float32Array(n);
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    for (let i = 0; i < n; i++) {
      const v = (2 * u[i] - 1) * Math.sqrt(3);
      if (name.endsWith('conv.weight')) data[i] = v * Math.sqrt(2 / fanIn);
      else if (name.endsWith('bn.weight')) data[i] = 1 + 0.2 * v;
      else if (name.endsWith('running_mean')) data[i] = 0.3 * v;
      else if (name.endsWith('running_var')) data[i] = 0.5 + u[i];
      else if (name === 'fc.weight') data[i] = v / Math.sqrt(fanIn);
      else data[i] = 0.1 * v;
    }
    out[name] = { dtype: 'F32', shape, data };
  }
  return out;
}
