"""Training throughput (images/s) of the PyTorch reference mnist-vit / mnist-cnn.

Same networks (models.py), optimizer (AdamW), loss (cross-entropy, label smoothing as the preset)
and batch size as the workbench's presets; the data is a fixed random batch pool shaped like
normalised MNIST (values do not change the cost of dense float32 kernels).
Usage: train_throughput.py vit|cnn BATCH STEPS WARMUP THREADS LR WEIGHT_DECAY SMOOTHING
Prints one JSON line. Run with OPENBLAS_NUM_THREADS set to THREADS as well.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import ResNet, ViT  # noqa: E402


def main():
    kind, batch, steps, warmup, threads = sys.argv[1], *map(int, sys.argv[2:6])
    lr, wd, smoothing = map(float, sys.argv[6:9])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    model = ViT() if kind == 'vit' else ResNet()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    pool = 8
    xs = torch.randn(pool, batch, 1, 28, 28)
    ys = torch.randint(0, 10, (pool, batch))
    t0 = 0.0
    loss = torch.tensor(0.0)
    for step in range(warmup + steps):
        if step == warmup:
            t0 = time.perf_counter()
        x, y = xs[step % pool], ys[step % pool]
        loss = F.cross_entropy(model(x), y, label_smoothing=smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    print(json.dumps({'model': kind, 'threads': torch.get_num_threads(), 'batch': batch, 'steps': steps,
                      'seconds': seconds, 'imagesPerSecond': steps * batch / seconds, 'lastLoss': loss.item(),
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
