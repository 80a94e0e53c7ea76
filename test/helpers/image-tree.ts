// Small ImageFolder trees written with sharp, for tests of what the app says about odd data.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** A grey PNG of h x w (height x width) whose value depends on `seed`. */
export async function greyPng(file: string, h: number, w: number, seed: number): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const px = Buffer.alloc(h * w, (seed * 37) % 256);
  for (let i = 0; i < px.length; i += 7) px[i] = (seed * 11 + i) % 256;
  await sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(file);
}

/**
 * root/<class>/<n>.png without train/test folders: class 'a' 5 images 32x32 (so the dataset is 32x32),
 * 'b' 5 images of which b/4.png is 20 high and 48 wide, 'c' a single image (no test image in the 80/20 split).
 */
export async function oddImageTree(root: string): Promise<void> {
  let seed = 1;
  for (let i = 0; i < 5; i++) await greyPng(join(root, 'a', `${i}.png`), 32, 32, seed++);
  for (let i = 0; i < 4; i++) await greyPng(join(root, 'b', `${i}.png`), 32, 32, seed++);
  await greyPng(join(root, 'b', '4.png'), 20, 48, seed++);
  await greyPng(join(root, 'c', '0.png'), 32, 32, seed++);
}
