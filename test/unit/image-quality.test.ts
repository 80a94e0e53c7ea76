import assert from 'node:assert/strict';
import { test } from 'node:test';
import { psnr, ssim } from '../../src-main/engine/metrics/image-quality';

test('psnr: identical is Infinity; a uniform error of 0.1 is 20 dB', () => {
  const a = Float32Array.from({ length: 100 }, (_, i) => (i % 10) / 10);
  assert.equal(psnr(a, a), Infinity);
  const b = a.map((v) => v + 0.1);
  assert.ok(Math.abs(psnr(a, b) - 20) < 1e-4);
});

test('ssim: 1 for identical images, lower for noisier ones, symmetric', () => {
  const h = 28;
  const w = 28;
  const a = Float64Array.from({ length: h * w }, (_, i) => 0.5 + 0.4 * Math.sin(i / 7) * Math.cos(i / 11));
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const small = a.map((v) => v + 0.05 * rand());
  const large = a.map((v) => v + 0.5 * rand());
  assert.ok(Math.abs(ssim(a, a, h, w) - 1) < 1e-12);
  const s1 = ssim(a, small, h, w);
  const s2 = ssim(a, large, h, w);
  assert.ok(s1 < 1 && s2 < s1, `${s1} ${s2}`);
  assert.ok(Math.abs(ssim(small, a, h, w) - s1) < 1e-12);
  // A constant shift of the mean lowers only the luminance term.
  const shifted = a.map((v) => v + 0.2);
  const l = ssim(a, shifted, h, w);
  assert.ok(l > 0.8 && l < 1, `${l}`);
});
