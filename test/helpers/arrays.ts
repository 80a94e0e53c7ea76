// Seeded test inputs and an elementwise comparison, shared by the op tests on every backend.
import assert from 'node:assert/strict';

export type Arr = { shape: number[]; data: Float32Array };

/** Uniform values in [-scale, scale) from a small LCG: the same inputs on every run and backend. */
export function rand(shape: number[], seed: number, scale = 1): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return { shape, data };
}

/** Worst |got - want| / (1 + |want|) must be within tol. */
export function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(worst <= tol, `${what}: max rel/abs error ${worst} at ${at} (got ${got[at]}, want ${want[at]})`);
}
