// Image similarity for the noise lab: PSNR and SSIM (Wang et al. 2004) on greyscale images in [0, 1].
// SSIM uses the paper's constants (K1 = 0.01, K2 = 0.03, L = 1) and an 11x11 Gaussian window with
// sigma 1.5, valid positions only, averaged over the image.

/** Peak signal-to-noise ratio in dB for values in [0, 1]; Infinity for identical images. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`psnr: sizes differ (${a.length} vs ${b.length})`);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

function gaussianWindow(size: number, sigma: number): Float64Array {
  const w = new Float64Array(size * size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) sum += w[y * size + x] = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < w.length; i++) w[i] /= sum;
  return w;
}

/** Mean SSIM of two [height, width] greyscale images in [0, 1]. Small images shrink the window. */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  if (a.length !== height * width || b.length !== height * width) throw new Error('ssim: sizes do not match height x width');
  let size = Math.min(11, height, width);
  if (size % 2 === 0) size -= 1; // an odd window has a centre
  const w = gaussianWindow(size, 1.5);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let total = 0;
  let count = 0;
  for (let y0 = 0; y0 + size <= height; y0++) {
    for (let x0 = 0; x0 + size <= width; x0++) {
      let ma = 0,
        mb = 0,
        saa = 0,
        sbb = 0,
        sab = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const k = w[y * size + x];
          const i = (y0 + y) * width + x0 + x;
          ma += k * a[i];
          mb += k * b[i];
          saa += k * a[i] * a[i];
          sbb += k * b[i] * b[i];
          sab += k * a[i] * b[i];
        }
      }
      const va = saa - ma * ma;
      const vb = sbb - mb * mb;
      const cov = sab - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return total / count;
}
