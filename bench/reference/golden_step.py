"""Writes test/fixtures/reference/golden-step.json: the losses of the first training steps of mnist-vit and
mnist-cnn, computed by PyTorch (float64) from the workbench's own initial weights and batches.

The inputs come from the workbench (our seeded init and the batches in the trainer's shuffled order), made by
bench/reference/golden-step-inputs.ts; everything after that is restated here independently: the networks
(models.py), the official linear-shift operator (noise_ops.py), cross-entropy with label smoothing (torch's),
AdamW (torch.optim.AdamW: decoupled decay p <- p (1 - lr wd), then Adam) with the workbench's documented decay
rule (tensors of 2 or more dimensions), and the cosine schedule without warm-up.

Besides the losses it records what they would be with a rule broken (no weight decay, decay on every tensor, no
label smoothing), so the test can show that its tolerance would catch each.

Run:
  node --import tsx bench/reference/golden-step-inputs.ts /tmp/golden
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/golden_step.py /tmp/golden
"""
import copy
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import noise_ops as N  # noqa: E402
from models import ResNet, ViT, resnet_ts_names, vit_ts_names  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'reference', 'golden-step.json')
CASES = ['mnist-vit', 'mnist-vit-shift', 'mnist-cnn', 'mnist-cnn-shift']
DTYPES = {'F32': np.float32, 'F64': np.float64, 'I32': np.int32}


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, h in header.items():
        a, b = h['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DTYPES[h['dtype']]).reshape(h['shape']).copy())
    return out, meta, hashlib.sha256(raw).hexdigest()


def build(model_cfg):
    if model_cfg['kind'] == 'vit':
        m = ViT(model_cfg['imageSize'], model_cfg['channels'], model_cfg['patchSize'], model_cfg['dim'], model_cfg['depth'],
                model_cfg['heads'], model_cfg['mlpRatio'], model_cfg['numClasses'])
        return m, vit_ts_names
    m = ResNet(model_cfg['channels'], model_cfg['stemWidth'], model_cfg['stemStride'], tuple(model_cfg['widths']), tuple(model_cfg['layers']),
               model_cfg['numClasses'], model_cfg['stem'])
    return m, resnet_ts_names


def load_ts_weights(m, names, tensors):
    """Copies the workbench's arrays (TS names and layouts) into the torch model through the layout views."""
    with torch.no_grad():
        for name, view in names(m):
            a = tensors['init.' + name].double()
            if name == 'patch_embed.weight':  # [P*P*C, D], row (i*P + j)*C + c  ->  conv [D, C, P, P]
                w = m.patch_embed.weight
                d, c, p, _ = w.shape
                w.copy_(a.reshape(p, p, c, d).permute(3, 2, 0, 1))
            else:
                view.copy_(a.reshape(view.shape))
        for name, view in names(m):  # every view wrote through to its parameter
            assert torch.equal(view.detach(), tensors['init.' + name].double().reshape(view.shape)), name


def noise_kwargs(noise, kind):
    if noise['type'] == 'none' or noise['at'] not in ('train', 'both'):
        return {}
    assert noise['type'] == 'linear-shift' and noise.get('detach', True), noise
    op = lambda p, a=noise['alpha']: N.linear_shift(p, a, True)  # noqa: E731
    site = noise['site']
    if kind == 'vit':
        assert noise.get('skipFirstToken', True)  # models.py's Block skips the class token
        return {'noise': op, 'noise_block': site['block']}
    return {'noise': op, 'site': (site['stage'], site['block'])}


def learning_rate(step, total, opt, sched):
    assert sched['warmupEpochs'] == 0
    progress = min(1.0, step / max(1, total))
    return sched['minLr'] + 0.5 * (opt['lr'] - sched['minLr']) * (1 + math.cos(math.pi * progress))


def run(tensors, config, steps, variant=None):
    m, names = build(config['model'])
    m = m.double()
    load_ts_weights(m, names, tensors)
    m.train()
    opt_cfg, sched = config['optimizer'], config['schedule']
    wd = 0.0 if variant == 'no-decay' else opt_cfg['weightDecay']
    decayed = [p for p in m.parameters() if variant == 'decay-all' or p.dim() >= 2]
    kept = [p for p in m.parameters() if not (variant == 'decay-all' or p.dim() >= 2)]
    optim = torch.optim.AdamW([{'params': decayed, 'weight_decay': wd}, {'params': kept, 'weight_decay': 0.0}],
                              lr=opt_cfg['lr'], betas=(opt_cfg['beta1'], opt_cfg['beta2']), eps=opt_cfg['eps'])
    smoothing = 0.0 if variant == 'no-smoothing' else config['labelSmoothing']
    kw = noise_kwargs(config['noise'], config['model']['kind'])
    total = config['limitTrain'] // config['batchSize'] * config['epochs']
    losses, lrs = [], []
    for k in range(steps):
        lr = learning_rate(k, total, opt_cfg, sched)
        for g in optim.param_groups:
            g['lr'] = lr
        x = tensors[f'step{k + 1}.x'].double().permute(0, 3, 1, 2)  # NHWC -> NCHW
        y = tensors[f'step{k + 1}.y'].long()
        optim.zero_grad()
        loss = F.cross_entropy(m(x, **kw), y, label_smoothing=smoothing)
        loss.backward()
        optim.step()
        losses.append(loss.item())
        lrs.append(lr)
    return losses, lrs


def main():
    src = sys.argv[1]
    torch.set_num_threads(1)
    out = {'about': 'bench/reference/golden_step.py: PyTorch float64 losses of the first training steps from the workbench\'s '
                    'initial weights and batches (golden-step-inputs.ts); variants: the same with a rule broken', 'cases': {}}
    for name in CASES:
        tensors, meta, sha = read_safetensors(os.path.join(src, f'{name}.safetensors'))
        config = json.loads(meta['config'])
        steps = sum(1 for k in tensors if k.endswith('.y'))
        losses, lrs = run(tensors, config, steps)
        variants = {v: run(tensors, config, steps, v)[0] for v in ('no-decay', 'decay-all', 'no-smoothing')}
        out['cases'][name] = {'inputsSha256': sha, 'lr': lrs, 'losses': losses, 'variants': variants}
        print(name, ['%.9f' % v for v in losses], {k: ['%.6f' % x for x in v] for k, v in variants.items()})
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
