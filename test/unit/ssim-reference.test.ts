// SSIM against values computed independently (bench/reference/ssim_reference.py: numpy, Wang et al.
// 2004 with the paper's constants and window) and against its closed form for constant images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ssim } from '../../src-main/engine/metrics/image-quality';

interface Case {
  height: number;
  width: number;
  a: number[];
  b: number[];
  ssim: number;
}
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/reference/ssim.json', import.meta.url), 'utf8')) as { cases: Case[] };

test('SSIM matches the numpy restatement of Wang et al. (2004) to 1e-12, including a window shrunk to fit', () => {
  assert.equal(cases.length, 4);
  for (const c of cases) {
    const got = ssim(c.a, c.b, c.height, c.width);
    assert.ok(Math.abs(got - c.ssim) < 1e-12, `${c.height}x${c.width}: ${got} vs ${c.ssim}`);
  }
});

test('SSIM of two constant images is its closed form (2 a b + C1) / (a^2 + b^2 + C1)', () => {
  const n = 16 * 16;
  for (const [a, b] of [
    [0.5, 0.25],
    [0.9, 0.1],
    [0.3, 0.3],
  ]) {
    const expected = (2 * a * b + 0.01 ** 2) / (a * a + b * b + 0.01 ** 2);
    const got = ssim(new Float64Array(n).fill(a), new Float64Array(n).fill(b), 16, 16);
    assert.ok(Math.abs(got - expected) < 1e-12, `${a} vs ${b}: ${got} != ${expected}`);
  }
});
