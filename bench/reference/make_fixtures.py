"""Writes the parity fixtures in test/fixtures/reference (read by test/unit/parity.test.ts).

  noise.json          linear operators: input, upstream gradient w, output and d sum(w * f(x)) / dx
                      (float32 inputs, float64 results); random operators: parameters + expected statistics
  models.safetensors  mnist-vit ("vit.*") and mnist-cnn ("cnn.*") weights in the TS names and layouts
                      (F32), the input batch (NHWC), and per case the logits (F64) and gradients (F32);
                      resnet18 ("r18.*", 32x32x3 input, 10 classes) without weights: its 11M weights are
                      hashed_weights() of their TS name, which test/helpers/hashed-weights.ts restates
  models.json         the cases (training flag, noise spec), gradient norms and probe projections

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/make_fixtures.py
"""
import copy
import json
import math
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import noise_ops as N  # noqa: E402
from models import ResNet, ViT, resnet_ts_names, vit_ts_names  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'reference')
FULL_GRAD_MAX = 2048  # gradients of tensors up to this size are stored whole; larger ones as norm + projection


def f32(shape, gen, scale=1.0):
    """Random float32 values, returned as float64 holding exactly those float32 values."""
    return (torch.randn(shape, generator=gen) * scale).float().double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]  # repr of a float64 round-trips exactly


def probe(n):
    """The fixed probe vector r_i = cos(0.731 i + 0.1); the test builds the same one in float64."""
    i = torch.arange(n, dtype=torch.float64)
    return torch.cos(0.731 * i + 0.1)


# ------------------------------------------------------------------ noise operators

def linear_ops():
    ops = []
    for a in (0.3, 0.5):
        for d in (True, False):
            ops.append(({'type': 'linear-shift', 'alpha': a, 'detach': d}, lambda p, a=a, d=d: N.linear_shift(p, a, d)))
    ops.append(({'type': 'linear-optimal'}, N.linear_optimal))
    return ops


def noise_fixture():
    gen = torch.Generator().manual_seed(6)
    inputs = {
        'emb4': [4, 5, 3], 'emb3': [3, 5, 3], 'emb1': [1, 5, 3], 'img3': [3, 4, 4, 2],
    }
    tensors = {k: {'shape': s, 'x': f32(s, gen), 'w': f32(s, gen)} for k, s in inputs.items()}
    uses = [('emb4', False), ('emb4', True), ('emb3', False), ('emb3', True), ('emb1', False), ('emb1', True), ('img3', False)]
    cases = []
    for spec, fn in linear_ops():
        for name, skip in uses:
            t = tensors[name]
            x = t['x'].clone().requires_grad_(True)
            y = N.apply(x, fn, skip_first_token=skip)
            (g,) = torch.autograd.grad((t['w'] * y).sum(), x)
            cases.append({'input': name, 'spec': {**spec, 'skipFirstToken': skip}, 'y': flat(y), 'grad': flat(g)})
    random = []
    for s, mu, sd in ((0.1, 0.0, 1.0), (1.0, 0.5, 2.0)):
        spec = {'type': 'gaussian', 'strength': s, 'mean': mu, 'std': sd}
        x = torch.randn(20000, 8, generator=gen, dtype=torch.float64)
        e = N.gaussian(x, s, mu, sd, generator=gen) - x
        random.append({'spec': spec, 'expected': {'noiseMean': s * mu, 'noiseStd': s * sd, 'gradient': 1.0},
                       'torchSample': {'n': e.numel(), 'noiseMean': e.mean().item(), 'noiseStd': e.std().item()}})
    for p in (0.05, 0.1, 0.5, 1.0):
        x = torch.randn(20000, 8, generator=gen, dtype=torch.float64)
        y = N.salt_pepper(x, p, generator=gen)
        changed = y != x
        random.append({'spec': {'type': 'salt-pepper', 'prob': p},
                       'expected': {'saltFraction': p / 2, 'pepperFraction': p / 2, 'untouchedFraction': 1 - p,
                                    'saltValue': 'max of the tensor', 'pepperValue': 'min of the tensor',
                                    'gradient': 'one on untouched elements, zero on replaced ones'},
                       'torchSample': {'n': x.numel(), 'saltFraction': ((y == x.max()) & changed).double().mean().item(),
                                       'pepperFraction': ((y == x.min()) & changed).double().mean().item(),
                                       'untouchedFraction': 1 - changed.double().mean().item()}})
    return {
        'about': 'bench/reference/make_fixtures.py; x and w are float32 values; y and grad = d sum(w * f(x)) / dx in float64',
        'inputs': {k: {'shape': v['shape'], 'x': flat(v['x']), 'w': flat(v['w'])} for k, v in tensors.items()},
        'linear': cases,
        'random': random,
    }


# ------------------------------------------------------------------ full models

def perturb_vit(m, gen):
    """Init scale makes every logit ~0; spread the weights so the comparison is sensitive."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if 'norm' in name and name.endswith('weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith('bias'):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name in ('cls_token', 'pos_embed'):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))


def perturb_cnn(m, gen):
    """Non-trivial BN affine parameters and running statistics (init has gamma 1, beta 0, mean 0, var 1)."""
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(1 + 0.2 * torch.randn(c, generator=gen))
                mod.bias.copy_(0.1 * torch.randn(c, generator=gen))
                mod.running_mean.copy_(0.3 * torch.randn(c, generator=gen))
                mod.running_var.copy_(0.5 + torch.rand(c, generator=gen))


def round_to_f32(m):
    with torch.no_grad():
        for t in list(m.parameters()) + list(m.buffers()):
            if t.is_floating_point():
                t.copy_(t.float())


MASK32 = 0xFFFFFFFF


def hash_uniform(name, n):
    """u_i in [0, 1): a 32-bit integer hash of (i, FNV-1a of name); exact in any language."""
    salt = 0x811C9DC5
    for ch in name.encode():
        salt = ((salt ^ ch) * 0x01000193) & MASK32
    x = (torch.arange(n, dtype=torch.int64) * 0x9E3779B9 + salt) & MASK32
    x = x ^ (x >> 16)
    x = (x * 0x85EBCA6B) & MASK32
    x = x ^ (x >> 13)
    x = (x * 0xC2B2AE35) & MASK32
    x = x ^ (x >> 16)
    return x.double() / 2.0 ** 32


def hashed_weights(model, names):
    """Sets every parameter and BN buffer (in the TS layout, through the views `names` returns) to a
    hashed value: conv Kaiming-uniform scale over fan-in, BN affine and running statistics away from
    their init, fc at torch's scale. Rounded to float32."""
    with torch.no_grad():
        for name, t in names(model):
            u = hash_uniform(name, t.numel()).reshape(t.shape)
            v = (2 * u - 1) * math.sqrt(3)  # mean 0, std 1
            if name.endswith('conv.weight'):
                val = v * math.sqrt(2 / (t.shape[0] * t.shape[1] * t.shape[2]))
            elif name.endswith('bn.weight'):
                val = 1 + 0.2 * v
            elif name.endswith('running_mean'):
                val = 0.3 * v
            elif name.endswith('running_var'):
                val = 0.5 + u
            elif name == 'fc.weight':
                val = v / math.sqrt(t.shape[0])
            else:  # bn.bias, fc.bias
                val = 0.1 * v
            t.copy_(val.float())


def model_cases(kind, model, names, x_nchw, wl, cases, tensors, meta, store_weights=True):
    x_nhwc = x_nchw.permute(0, 2, 3, 1)
    tensors[f'{kind}.input'] = ('F32', x_nhwc)
    tensors[f'{kind}.logit_weights'] = ('F32', wl)
    for name, t in names(model) if store_weights else []:
        tensors[f'{kind}.{name}'] = ('F32', t.detach())
    out_cases = []
    for case in cases:
        m = copy.deepcopy(model).double()
        m.train(case['training'])
        xi = x_nchw.double().clone().requires_grad_(True)
        logits = m(xi, **case['torch'])
        for q in m.parameters():
            q.grad = None
        (wl.double() * logits).sum().backward()
        # Gradients in the TS names and layouts: the same export applied to a copy holding the gradients.
        gm = copy.deepcopy(m)
        with torch.no_grad():
            for q, gq in zip(gm.parameters(), m.parameters()):
                q.copy_(gq.grad)
        trainable = [(n, t) for n, t in names(gm) if t.requires_grad]
        grads = [xi.grad] + [t for _, t in trainable]
        cid = f"{kind}.{case['name']}"
        tensors[f'{cid}.logits'] = ('F64', logits.detach())
        tensors[f'{cid}.grad.input'] = ('F32', grads[0].permute(0, 2, 3, 1))
        summary = {}
        for (n, _), g in zip(trainable, grads[1:]):
            g = g.detach().reshape(-1)
            summary[n] = {'norm': g.norm().item(), 'probe': (g * probe(g.numel())).sum().item()}
            if g.numel() <= FULL_GRAD_MAX:
                tensors[f'{cid}.grad.{n}'] = ('F32', g)
        entry = {'name': case['name'], 'training': case['training'], 'noise': case['noise'], 'grads': summary}
        if case['training'] and kind == 'cnn':  # running statistics after this one training forward
            for n, t in names(m):
                if 'running' in n:
                    tensors[f'{cid}.after.{n}'] = ('F64', t.detach())
            entry['runningAfter'] = True
        out_cases.append(entry)
    meta[kind] = {'cases': out_cases}


def write_safetensors(path, tensors):
    """Minimal safetensors writer: u64 LE header length, JSON header, little-endian data."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        dtype, t = tensors[name]
        t = t.detach().contiguous().to(torch.float32 if dtype == 'F32' else torch.float64)
        raw = t.numpy().tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'noise.json'), 'w') as f:
        json.dump(noise_fixture(), f, separators=(',', ':'))

    gen = torch.Generator().manual_seed(7)
    tensors, meta = {}, {'about': 'bench/reference/make_fixtures.py; gradients are of sum(logit_weights * logits); '
                                  'probe = sum_i g_i cos(0.731 i + 0.1) over the TS-layout flattening', 'batch': 4}
    vit = ViT()
    perturb_vit(vit, gen)
    round_to_f32(vit)
    x = f32([4, 1, 28, 28], gen)
    wl = f32([4, 10], gen)
    shift = lambda p: N.linear_shift(p, 0.3, False)  # noqa: E731
    model_cases('vit', vit, vit_ts_names, x, wl, [
        {'name': 'clean', 'training': True, 'noise': {'type': 'none', 'level': 'embedding', 'at': 'both'}, 'torch': {}},
        {'name': 'shift-block1', 'training': True,
         'noise': {'type': 'linear-shift', 'alpha': 0.3, 'detach': False, 'level': 'embedding', 'at': 'both', 'site': {'block': 1}},
         'torch': {'noise': shift, 'noise_block': 1}},
        {'name': 'optimal-block3-eval', 'training': False,
         'noise': {'type': 'linear-optimal', 'level': 'embedding', 'at': 'eval', 'site': {'block': 3}},
         'torch': {'noise': N.linear_optimal, 'noise_block': 3}},
    ], tensors, meta)

    cnn = ResNet()
    perturb_cnn(cnn, gen)
    round_to_f32(cnn)
    x = f32([4, 1, 28, 28], gen)
    wl = f32([4, 10], gen)
    shift = lambda p: N.linear_shift(p, 0.4, True)  # noqa: E731
    model_cases('cnn', cnn, resnet_ts_names, x, wl, [
        {'name': 'eval', 'training': False, 'noise': {'type': 'none', 'level': 'embedding', 'at': 'both'}, 'torch': {}},
        {'name': 'train', 'training': True, 'noise': {'type': 'none', 'level': 'embedding', 'at': 'both'}, 'torch': {}},
        {'name': 'train-shift-stage3', 'training': True,
         'noise': {'type': 'linear-shift', 'alpha': 0.4, 'detach': True, 'level': 'embedding', 'at': 'both', 'site': {'stage': 3, 'block': 1}},
         'torch': {'noise': shift, 'site': (3, 1)}},
        {'name': 'optimal-stage2-eval', 'training': False,
         'noise': {'type': 'linear-optimal', 'level': 'embedding', 'at': 'eval', 'site': {'stage': 2, 'block': 1}},
         'torch': {'noise': N.linear_optimal, 'site': (2, 1)}},
    ], tensors, meta)

    # resnet18 with torchvision's ImageNet stem (7x7/2 conv, MaxPool2d(3, 2, padding=1)) on a small input.
    r18 = ResNet(3, 64, 2, (64, 128, 256, 512), (2, 2, 2, 2), 10, 'imagenet')
    hashed_weights(r18, resnet_ts_names)
    x = f32([4, 3, 32, 32], gen)
    wl = f32([4, 10], gen)
    shift = lambda p: N.linear_shift(p, 0.4, True)  # noqa: E731
    model_cases('r18', r18, resnet_ts_names, x, wl, [
        {'name': 'eval', 'training': False, 'noise': {'type': 'none', 'level': 'embedding', 'at': 'both'}, 'torch': {}},
        # BN in eval mode: training-mode BN at stage 4 normalises 4 values per channel (1x1 maps), where even
        # PyTorch's float32 is 1e-3 off its float64; mnist-cnn covers training-mode BN.
        {'name': 'shift-stage4', 'training': False,
         'noise': {'type': 'linear-shift', 'alpha': 0.4, 'detach': True, 'level': 'embedding', 'at': 'both', 'site': {'stage': 4, 'block': 1}},
         'torch': {'noise': shift, 'site': (4, 1)}},
    ], tensors, meta, store_weights=False)
    meta['r18']['weights'] = 'hashed_weights() in make_fixtures.py (test/helpers/hashed-weights.ts)'

    write_safetensors(os.path.join(OUT, 'models.safetensors'), tensors)
    with open(os.path.join(OUT, 'models.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    for name in sorted(os.listdir(OUT)):
        print(f'{name}: {os.path.getsize(os.path.join(OUT, name))} bytes')


if __name__ == '__main__':
    main()
