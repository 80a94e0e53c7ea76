"""Reference SSIM values for src-main/engine/metrics/image-quality.ts, computed independently with numpy:
Wang, Bovik, Sheikh & Simoncelli (2004), eq. (13) with their constants K1 = 0.01, K2 = 0.03 and an
11x11 Gaussian window of sigma 1.5 (normalised), statistics over the 'valid' window positions as in
the authors' ssim_index.m, L = 1 for images in [0, 1], the mean over positions. The workbench shrinks
the window to the largest odd size that fits a smaller image; that case is restated too.
Writes test/fixtures/reference/ssim.json. Run: python3 bench/reference/ssim_reference.py"""
import json
import os

import numpy as np


def window(size, sigma=1.5):
    c = (size - 1) / 2
    y, x = np.mgrid[0:size, 0:size]
    w = np.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma))
    return w / w.sum()


def ssim(a, b):
    h, w_ = a.shape
    size = min(11, h, w_)
    if size % 2 == 0:
        size -= 1
    w = window(size)
    va = np.lib.stride_tricks.sliding_window_view(a, (size, size))
    vb = np.lib.stride_tricks.sliding_window_view(b, (size, size))
    mu_a = (va * w).sum(axis=(-1, -2))
    mu_b = (vb * w).sum(axis=(-1, -2))
    s_aa = (va * va * w).sum(axis=(-1, -2)) - mu_a**2
    s_bb = (vb * vb * w).sum(axis=(-1, -2)) - mu_b**2
    s_ab = (va * vb * w).sum(axis=(-1, -2)) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    m = ((2 * mu_a * mu_b + c1) * (2 * s_ab + c2)) / ((mu_a**2 + mu_b**2 + c1) * (s_aa + s_bb + c2))
    return float(m.mean())


def main():
    rng = np.random.default_rng(20231)
    cases = []
    for h, w, noise in [(16, 16, 0.05), (28, 28, 0.2), (8, 12, 0.1), (28, 28, 0.5)]:
        yy, xx = np.mgrid[0:h, 0:w]
        a = 0.5 + 0.4 * np.sin(xx / 3.0) * np.cos(yy / 4.0)
        b = np.clip(a + noise * rng.standard_normal((h, w)), 0, 1)
        cases.append({"height": h, "width": w, "a": a.ravel().tolist(), "b": b.ravel().tolist(), "ssim": ssim(a, b)})
    out = {"about": "SSIM (Wang et al. 2004) restated with numpy by bench/reference/ssim_reference.py", "cases": cases}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "reference", "ssim.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
