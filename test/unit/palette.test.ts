// Class colours must be told apart at a glance (10 MNIST classes in one UMAP): every pair of palette
// colours is far apart in CIELAB (CIE76 distance, computed here from the sRGB definition).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { color, PALETTE } from '../../src-renderer/src/lib/palette';

/** sRGB hex -> CIELAB (D65), per IEC 61966-2-1 and CIE 15. */
function lab(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const lin = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = lin;
  const xyz = [0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b, 0.0193 * r + 0.1192 * g + 0.9505 * b];
  const white = [0.95047, 1, 1.08883];
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const [fx, fy, fz] = xyz.map((v, i) => f(v / white[i]));
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

const dE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

test('ten classes, ten distinct hues: every pair at least 20 CIELAB units apart', () => {
  assert.equal(new Set(PALETTE).size, 10);
  let worst = Infinity;
  for (let i = 0; i < PALETTE.length; i++) for (let j = i + 1; j < PALETTE.length; j++) worst = Math.min(worst, dE(PALETTE[i], PALETTE[j]));
  assert.ok(worst >= 20, `closest pair only ${worst.toFixed(1)} apart`);
  // The palette it replaced fails this (its pinks #c2255c and #a61e4d, classes 3 and 8): the test can tell.
  assert.ok(dE('#c2255c', '#a61e4d') < 20);
  assert.ok(Math.abs(lab('#ffffff')[0] - 100) < 1e-3 && Math.abs(lab('#000000')[0]) < 1e-3, 'white and black are L 100 and 0');
  assert.equal(color(10), color(0));
  assert.equal(color(-1), PALETTE[9]);
});
