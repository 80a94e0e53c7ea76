// Decoding the contract's base64 pixels into canvas-ready RGBA, and drawing them.
import type { Pixels } from '@api/contract';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

export function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Gray, RGB or RGBA uint8 rows to RGBA (what ImageData wants). */
export function toRgba(p: Pixels): Rgba {
  const src = base64Bytes(p.data);
  const n = p.width * p.height;
  const c = p.channels;
  if (src.length < n * c) throw new Error(`pixels: expected ${n * c} bytes, got ${src.length}`);
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

/** Draws at native size; CSS scales the canvas up with `image-rendering: pixelated`. */
export function drawRgba(canvas: HTMLCanvasElement, img: Rgba): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.putImageData(new ImageData(img.data, img.width, img.height), 0, 0);
}
