// The renderer's one decoder of the contract's base64 payloads. Expected values are written out by hand
// (IEEE-754 bit patterns, the colormap's end points) or encoded by Node's Buffer, never by the decoder itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Matrix, Pixels } from '../../src-main/api/contract';
import {
  base64ToBytes,
  base64ToFloat32,
  base64ToInt32,
  inferno,
  matrixToRgba,
  matrixValues,
  pixelsToRgba,
  zoomFor,
} from '../../src-renderer/src/lib/decode';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

test('base64ToBytes: every byte value round-trips', () => {
  const all = Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual([...base64ToBytes(b64(all))], all);
  assert.equal(base64ToBytes('').length, 0);
});

test('base64ToFloat32 reads little-endian IEEE-754: 1.0 is 00 00 80 3f, -2.5 is 00 00 20 c0', () => {
  assert.deepEqual([...base64ToFloat32(b64([0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]))], [1, -2.5]);
});

test('base64ToInt32 decodes little-endian int32 as the main side encodes it', () => {
  const src = Int32Array.from([0, 1, -2, 9999, 2 ** 31 - 1]);
  assert.deepEqual([...base64ToInt32(Buffer.from(src.buffer).toString('base64'))], [...src]);
  assert.deepEqual([...base64ToInt32(b64([0xff, 0xff, 0xff, 0xff]))], [-1]);
});

test('pixelsToRgba: gray is copied to r, g and b; RGB gets an opaque alpha; RGBA keeps its own', () => {
  const px = (channels: number, bytes: number[]): Pixels => ({ width: 2, height: 1, channels, data: b64(bytes) });
  assert.deepEqual([...pixelsToRgba(px(1, [7, 200])).data], [7, 7, 7, 255, 200, 200, 200, 255]);
  assert.deepEqual([...pixelsToRgba(px(3, [1, 2, 3, 4, 5, 6])).data], [1, 2, 3, 255, 4, 5, 6, 255]);
  assert.deepEqual([...pixelsToRgba(px(4, [1, 2, 3, 0, 4, 5, 6, 128])).data], [1, 2, 3, 0, 4, 5, 6, 128]);
  const img = pixelsToRgba(px(1, [0, 0]));
  assert.equal(img.width, 2);
  assert.equal(img.height, 1);
});

test('pixelsToRgba and matrixValues refuse a payload of the wrong size, naming both sizes', () => {
  assert.throws(() => pixelsToRgba({ width: 2, height: 2, channels: 3, data: b64([1, 2, 3]) }), /3 bytes, expected 2 x 2 x 3/);
  const m: Matrix = { rows: 2, cols: 2, min: 0, max: 1, data: b64([0, 0, 0x80, 0x3f]) };
  assert.throws(() => matrixValues(m), /1 values, expected 2 x 2/);
});

test('matrixToRgba maps lo to the colormap start and hi to its end, clamping beyond', () => {
  const f32 = Float32Array.from([0, 10, 20, -5]);
  const m: Matrix = { rows: 2, cols: 2, min: -5, max: 20, data: Buffer.from(f32.buffer).toString('base64') };
  const img = matrixToRgba(m, 0, 10);
  assert.equal(img.width, 2);
  assert.equal(img.height, 2);
  const px = (i: number) => [...img.data.slice(i * 4, i * 4 + 4)];
  assert.deepEqual(px(0), [0, 0, 4, 255]);
  assert.deepEqual(px(1), [252, 255, 164, 255]);
  assert.deepEqual(px(2), [252, 255, 164, 255]);
  assert.deepEqual(px(3), [0, 0, 4, 255]);
  assert.deepEqual(inferno(Number.NaN), [0, 0, 4]);
});

test('zoomFor: integer zoom from 2x up, an exact fit below', () => {
  assert.equal(zoomFor(224, 28, 28), 8);
  assert.equal(zoomFor(224, 32, 30), 7);
  assert.equal(zoomFor(40, 28, 28), 40 / 28);
  assert.equal(zoomFor(224, 448, 224), 0.5);
});
