// The renderer's one decoder of the contract's base64 payloads (bytes, float32, int32, Pixels, Matrix),
// the colormap for matrices, and drawing RGBA on a canvas. Only drawRgba touches the DOM, so the rest
// is unit-tested under Node (test/unit/decode.test.ts).
import type { Matrix, Pixels } from '@api/contract';

/** base64 -> bytes. atob is available in every renderer (Electron and browser mode) and in Node. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** base64 little-endian float32 -> Float32Array. The fresh byte buffer is always 4-byte aligned. */
export function base64ToFloat32(b64: string): Float32Array {
  const bytes = base64ToBytes(b64);
  return new Float32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4));
}

/** base64 little-endian int32 -> Int32Array (a fresh, aligned buffer). */
export function base64ToInt32(b64: string): Int32Array {
  const bytes = base64ToBytes(b64);
  return new Int32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4));
}

/** Canvas-ready pixels: RGBA rows, what ImageData wants. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

/** Matrix values, checked against rows x cols so a malformed reply fails loudly instead of drawing garbage. */
export function matrixValues(m: Matrix): Float32Array {
  const v = base64ToFloat32(m.data);
  if (v.length !== m.rows * m.cols) throw new Error(`matrix payload has ${v.length} values, expected ${m.rows} x ${m.cols}`);
  return v;
}

/** Pixels (HWC uint8; gray, RGB or RGBA) -> RGBA. A payload of the wrong size fails loudly instead of drawing garbage. */
export function pixelsToRgba(p: Pixels): Rgba {
  const src = base64ToBytes(p.data);
  const n = p.width * p.height;
  const c = p.channels;
  if (src.length !== n * c) throw new Error(`image payload has ${src.length} bytes, expected ${p.height} x ${p.width} x ${c}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const s = i * c;
    const d = i * 4;
    if (c === 1) {
      out[d] = out[d + 1] = out[d + 2] = src[s];
    } else {
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
    out[d + 3] = c === 4 ? src[s + 3] : 255;
  }
  return { width: p.width, height: p.height, data: out };
}

export type Rgb = [number, number, number];

// Control points of a perceptually ordered dark-to-bright map (close to "inferno"): zero difference
// reads as black, large differences as bright yellow, and the map survives greyscale printing.
const INFERNO: Rgb[] = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

/** Colour of t in [0, 1] (clamped) on the inferno-like map, linearly interpolated between control points. */
export function inferno(t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (INFERNO.length - 1);
  const i = Math.min(INFERNO.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = INFERNO[i];
  const b = INFERNO[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Same control points as a CSS gradient, for colour-bar legends next to canvases. */
export function infernoCss(direction = 'to right'): string {
  const stops = INFERNO.map((c, i) => `rgb(${c.join(',')}) ${((i / (INFERNO.length - 1)) * 100).toFixed(1)}%`);
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/** Matrix -> RGBA, values mapped linearly from [lo, hi] onto the colormap. */
export function matrixToRgba(m: Matrix, lo: number, hi: number): Rgba {
  return { width: m.cols, height: m.rows, data: valuesToRgba(matrixValues(m), lo, hi) };
}

/** Values -> RGBA bytes on the colormap, [lo, hi] linearly onto [0, 1]. */
export function valuesToRgba(v: Float32Array, lo: number, hi: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(v.length * 4);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < v.length; i++) {
    const [r, g, b] = inferno((v[i] - lo) / span);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * The CSS scale that shows a width x height image in about `size` pixels: an integer zoom keeps pixel
 * edges uniform; below 2x (thumbnails, large images) the image fills `size` exactly.
 */
export function zoomFor(size: number, width: number, height: number): number {
  const f = size / Math.max(width, height);
  return f >= 2 ? Math.floor(f) : f;
}

/** Draws at native size; CSS scales the canvas up (`image-rendering: pixelated`). */
export function drawRgba(canvas: HTMLCanvasElement, img: Rgba): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas 2D context unavailable');
  ctx.putImageData(new ImageData(img.data, img.width, img.height), 0, 0);
}
