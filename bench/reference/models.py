"""PyTorch reference networks for the workbench's mnist-vit and mnist-cnn presets.

Same architecture and parameter shapes as src-main/engine/models/{vit,resnet}.ts; `to_ts_arrays`
exports the weights under the TS names and layouts (Linear [in, out], conv [kh, kw, cin, cout],
patch embedding as a Linear over (row, col, channel)-ordered patch pixels).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from noise_ops import apply as apply_noise

# ---------------------------------------------------------------- ViT (timm layout, pre-norm)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)  # fused: output [q | k | v], each split into heads
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        qkv = self.qkv(x).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)  # [3, B, H, T, dh]
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q * (d // h) ** -0.5) @ k.transpose(-2, -1)
        out = att.softmax(-1) @ v  # [B, H, T, dh]
        return self.proj(out.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        hidden = round(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, t, noise=None):
        h = self.norm1(t)
        if noise is not None:  # NoisyViT: noise on the attention input after LN1, class token untouched
            h = apply_noise(h, noise, skip_first_token=True)
        t = t + self.attn(h)
        return t + self.fc2(F.gelu(self.fc1(self.norm2(t))))  # exact (erf) GELU


class ViT(nn.Module):
    def __init__(self, image_size=28, channels=1, patch=7, dim=64, depth=4, heads=4, mlp_ratio=2.0, classes=10):
        super().__init__()
        self.patch = patch
        n = (image_size // patch) ** 2
        self.patch_embed = nn.Conv2d(channels, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)
        # timm-style init: trunc-normal(0.02) for linears, tokens and positions; zero biases.
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.cls_token, std=0.02, a=-0.04, b=0.04)
        nn.init.trunc_normal_(self.pos_embed, std=0.02, a=-0.04, b=0.04)

    def forward(self, x, noise=None, noise_block=None):
        """x: [B, C, H, W]; noise: a function of a [k, ...] tensor applied at block noise_block."""
        t = self.patch_embed(x).flatten(2).transpose(1, 2)  # [B, N, D], patches row-major
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], 1) + self.pos_embed
        for i, blk in enumerate(self.blocks):
            t = blk(t, noise if i == noise_block else None)
        return self.head(self.norm(t)[:, 0])


def vit_ts_names(m: ViT):
    """(TS name, tensor in the TS layout) for every ViT parameter."""
    p = m.patch
    w = m.patch_embed.weight  # [D, C, P, P] -> [P*P*C, D] with row (i*P + j)*C + c
    out = [('patch_embed.weight', w.permute(2, 3, 1, 0).reshape(p * p * w.shape[1], w.shape[0])),
           ('patch_embed.bias', m.patch_embed.bias),
           ('cls_token', m.cls_token), ('pos_embed', m.pos_embed)]
    for i, b in enumerate(m.blocks):
        pre = f'blocks.{i}.'
        for ts, mod in [('norm1', b.norm1), ('norm2', b.norm2)]:
            out += [(pre + ts + '.weight', mod.weight), (pre + ts + '.bias', mod.bias)]
        for ts, mod in [('attn.qkv', b.attn.qkv), ('attn.proj', b.attn.proj), ('mlp.fc1', b.fc1), ('mlp.fc2', b.fc2)]:
            out += [(pre + ts + '.weight', mod.weight.t()), (pre + ts + '.bias', mod.bias)]
    out += [('norm.weight', m.norm.weight), ('norm.bias', m.norm.bias),
            ('head.weight', m.head.weight.t()), ('head.bias', m.head.bias)]
    return out

# ---------------------------------------------------------------- ResNet (torchvision basic blocks)


class Unit(nn.Module):
    """conv (no bias) + BatchNorm, the TS `Unit`."""

    def __init__(self, k, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        nn.init.kaiming_normal_(self.conv.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.u1 = Unit(3, cin, cout, stride)
        self.u2 = Unit(3, cout, cout, 1)
        self.down = Unit(1, cin, cout, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        h = self.u2(F.relu(self.u1(x)))
        return F.relu(h + (self.down(x) if self.down is not None else x))


class ResNet(nn.Module):
    """stem='small': 3x3 conv + BN + ReLU (the workbench's 28x28 presets). stem='imagenet': torchvision's
    conv1 7x7/2 + bn1 + relu + maxpool MaxPool2d(3, 2, padding=1), the padding acting as -inf."""

    def __init__(self, channels=1, stem_width=16, stem_stride=2, widths=(16, 32, 64), layers=(1, 1, 1), classes=10, stem='small'):
        super().__init__()
        self.imagenet_stem = stem == 'imagenet'
        self.stem = Unit(7, channels, stem_width, 2) if self.imagenet_stem else Unit(3, channels, stem_width, stem_stride)
        self.stages = nn.ModuleList()
        cin = stem_width
        for s, (w, n) in enumerate(zip(widths, layers)):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(cin, w, 2 if b == 0 and s > 0 else 1))
                cin = w
            self.stages.append(nn.ModuleList(blocks))
        self.fc = nn.Linear(cin, classes)  # torch default init: U(-1/sqrt(in), 1/sqrt(in)) for both

    def forward(self, x, noise=None, site=None):
        """x: [B, C, H, W]; site = (stage, block), both 1-based as in the official code."""
        h = F.relu(self.stem(x))
        if self.imagenet_stem:
            h = F.max_pool2d(h, 3, 2, padding=1)
        for s, blocks in enumerate(self.stages):
            for b, blk in enumerate(blocks):
                if noise is not None and site == (s + 1, b + 1):
                    h = apply_noise(h, noise)  # the whole feature map
                h = blk(h)
        return self.fc(h.mean(dim=(2, 3)))


def resnet_ts_names(m: ResNet):
    """(TS name, tensor in the TS layout) for every ResNet parameter and BN buffer."""
    def unit(name, u):
        return [(name + '.conv.weight', u.conv.weight.permute(2, 3, 1, 0)),  # [cout,cin,kh,kw] -> [kh,kw,cin,cout]
                (name + '.bn.weight', u.bn.weight), (name + '.bn.bias', u.bn.bias),
                (name + '.bn.running_mean', u.bn.running_mean), (name + '.bn.running_var', u.bn.running_var)]
    out = unit('stem', m.stem)
    for s, blocks in enumerate(m.stages):
        for b, blk in enumerate(blocks):
            pre = f'layer{s + 1}.{b}'
            out += unit(pre + '.1', blk.u1) + unit(pre + '.2', blk.u2)
            if blk.down is not None:
                out += unit(pre + '.downsample', blk.down)
    out += [('fc.weight', m.fc.weight.t()), ('fc.bias', m.fc.bias)]
    return out


def count_trainable(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


if __name__ == '__main__':
    print('mnist-vit', count_trainable(ViT()), 'mnist-cnn', count_trainable(ResNet()),
          'resnet18 (10 classes)', count_trainable(ResNet(3, 64, 2, (64, 128, 256, 512), (2, 2, 2, 2), 10, 'imagenet')))
