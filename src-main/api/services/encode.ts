// Typed arrays to the contract's base64 shapes.
import type { Matrix, Pixels } from '../contract';

export function pixels(data: Uint8Array, height: number, width: number, channels: number): Pixels {
  return { width, height, channels, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
}

export function matrix(values: Float32Array, rows: number, cols: number): Matrix {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { rows, cols, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'), min, max };
}
