"""PyTorch restatements of timm's VisionTransformer and torchvision's ResNet, with their parameter names.

Written from the public structure of those models (module names, forward order, defaults), not copied:
the state_dict() of these modules has exactly the names and layouts of timm / torchvision checkpoints,
so the workbench's importer and exporter can be checked against them.

- ViT: patch_embed.proj (conv P x P / P), cls_token, pos_embed (class token included), blocks.N.{norm1,
  attn.qkv (bias), attn.proj, norm2, mlp.fc1, mlp.fc2}, pre-norm, exact GELU, LayerNorm eps 1e-6; head on
  norm(x)[:, 0] (global_pool 'token') or on fc_norm(mean of patch tokens) with no final norm ('avg').
- ResNet: conv1 7x7/2, bn1, relu, maxpool 3x3/2 pad 1, layer1..4 of BasicBlock / Bottleneck (stride on the
  3x3 conv, 'v1.5'), downsample = Sequential(conv 1x1, bn), global average pool, fc. BN eps 1e-5.
"""
import json
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- ViT (timm names)


class PatchEmbed(nn.Module):
    def __init__(self, patch, cin, dim):
        super().__init__()
        self.proj = nn.Conv2d(cin, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, D], patches row-major


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q * (d // self.heads) ** -0.5) @ k.transpose(-2, -1)
        return self.proj((att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=768, depth=12,
                 num_heads=12, mlp_ratio=4.0, global_pool='token'):
        super().__init__()
        self.global_pool = global_pool
        self.grid = img_size // patch_size
        self.patch_embed = PatchEmbed(patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid ** 2 + 1, embed_dim))
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio) for _ in range(depth)])
        avg = global_pool == 'avg'
        self.norm = nn.Identity() if avg else nn.LayerNorm(embed_dim, eps=1e-6)
        self.fc_norm = nn.LayerNorm(embed_dim, eps=1e-6) if avg else nn.Identity()
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, x):
        t = self.patch_embed(x)
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], 1) + self.pos_embed
        t = self.norm(self.blocks(t))
        t = t[:, 1:].mean(1) if self.global_pool == 'avg' else t[:, 0]
        return self.head(self.fc_norm(t))


def resample_pos_embed(pos, new_grid, prefix=1):
    """timm's resample_abs_pos_embed as its checkpoint filter calls it: bicubic, antialias, prefix kept."""
    d = pos.shape[-1]
    old = int(round((pos.shape[1] - prefix) ** 0.5))
    grid = pos[:, prefix:].reshape(1, old, old, d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(new_grid, new_grid), mode='bicubic', antialias=True, align_corners=False)
    return torch.cat([pos[:, :prefix], grid.permute(0, 2, 3, 1).reshape(1, -1, d)], 1)


# ---------------------------------------------------------------- ResNet (torchvision names)


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride, downsample):
        super().__init__()
        self.conv1 = conv3x3(cin, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        h = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(h + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride, downsample):
        super().__init__()
        self.conv1 = conv1x1(cin, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + (self.downsample(x) if self.downsample is not None else x))


ARCHS = {'resnet18': (BasicBlock, [2, 2, 2, 2]), 'resnet34': (BasicBlock, [3, 4, 6, 3]), 'resnet50': (Bottleneck, [3, 4, 6, 3])}


class ResNet(nn.Module):
    def __init__(self, arch='resnet18', num_classes=1000, in_chans=3):
        super().__init__()
        block, layers = ARCHS[arch]
        self.conv1 = nn.Conv2d(in_chans, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        cin = 64
        for i, (planes, n) in enumerate(zip([64, 128, 256, 512], layers)):
            blocks = []
            for b in range(n):
                stride = 2 if b == 0 and i > 0 else 1
                down = None
                if stride != 1 or cin != planes * block.expansion:
                    down = nn.Sequential(conv1x1(cin, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
                blocks.append(block(cin, planes, stride, down))
                cin = planes * block.expansion
            setattr(self, f'layer{i + 1}', nn.Sequential(*blocks))
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        h = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for i in range(4):
            h = getattr(self, f'layer{i + 1}')(h)
        return self.fc(h.mean(dim=(2, 3)))


def formula_state(model):
    """Deterministic weights the TS test rebuilds from the same formula (no large fixture file):
    value[i] = base + amp * sin(0.7311 i + phase), phase = (sum of the name's char codes mod 100) * 0.05,
    i the flat index in PyTorch's layout. num_batches_tracked = 7."""
    out = {}
    for name, t in model.state_dict().items():
        if name.endswith('num_batches_tracked'):
            out[name] = torch.tensor(7, dtype=torch.int64)
            continue
        base, amp = formula_params(name, list(t.shape))
        phase = (sum(ord(c) for c in name) % 100) * 0.05
        i = torch.arange(t.numel(), dtype=torch.float64)
        out[name] = (base + amp * torch.sin(0.7311 * i + phase)).float().reshape(t.shape)
    return out


def formula_params(name, shape):
    if name.endswith('running_var'):
        return 1.25, 0.5
    if name.endswith('running_mean') or name.endswith('.bias'):
        return 0.0, 0.1
    if len(shape) == 4:
        return 0.0, 1.0 / (shape[1] * shape[2] * shape[3]) ** 0.5  # variance 1 / (2 fan_in): activations stay O(1)
    if len(shape) == 2:
        return 0.0, 1.0 / shape[1] ** 0.5
    return 1.0, 0.2  # BN / LN weights


# ---------------------------------------------------------------- safetensors (minimal, no dependency)

DT = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        b = t.numpy().tobytes()
        header[name] = {'dtype': DT[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    import numpy as np
    with open(path, 'rb') as f:
        buf = f.read()
    n = struct.unpack('<Q', buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    np_dt = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64, 'I32': np.int32}
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        arr = np.frombuffer(buf[8 + n + a:8 + n + b], dtype=np_dt[e['dtype']]).reshape(e['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out


def model_from_folder(folder):
    """Builds the model a timm-style folder (config.json + model.safetensors) describes and loads it strictly."""
    with open(f'{folder}/config.json') as f:
        cfg = json.load(f)
    arch = cfg['architecture']
    if arch.startswith('resnet'):
        m = ResNet(arch, cfg.get('num_classes', 1000), cfg.get('pretrained_cfg', {}).get('input_size', [3])[0])
    else:
        args = dict(cfg.get('model_args', {}))
        args.setdefault('num_classes', cfg.get('num_classes', 1000))
        m = VisionTransformer(**args)
    m.load_state_dict(load_safetensors(f'{folder}/model.safetensors'), strict=True)
    return m.eval()
