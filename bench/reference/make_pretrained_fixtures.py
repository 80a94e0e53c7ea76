"""Writes test/fixtures/pretrained (read by test/unit/pretrained.test.ts):

  vit-token/, vit-avg/    timm-style folders: config.json (architecture, model_args, num_classes,
                          pretrained_cfg) and model.safetensors (timm names, PyTorch layouts, random weights)
  expected.safetensors    per case the input batch (NCHW, F32) and PyTorch's logits (F64):
                          vit_token, vit_avg, vit_token_at40 (the vit-token weights in a 40x40 model, its
                          pos_embed resampled as timm's checkpoint filter does), resnet18 (weights from the
                          formula in pretrained_models.formula_state, 34x34 input); resize: a 20x20 uint8
                          image through timm's eval transform at 24 px, crop_pct 0.9 (PIL bicubic + centre crop)

Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/make_pretrained_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pretrained_models import ResNet, VisionTransformer, formula_state, resample_pos_embed, save_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'pretrained')


def spread(model, gen):
    """Random weights well beyond timm's init scale, so logits are far from zero and the comparison is strong."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'norm' in name and name.endswith('weight'):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))


def vit_folder(name, args, gen, mean, std, crop_pct):
    m = VisionTransformer(**args).eval()
    spread(m, gen)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    save_safetensors(os.path.join(d, 'model.safetensors'), m.state_dict())
    cfg = {
        'architecture': f'vit_test_{name.replace("-", "_")}',
        'num_classes': args['num_classes'],
        'model_args': {k: v for k, v in args.items() if k != 'num_classes'},
        'pretrained_cfg': {'input_size': [args['in_chans'], args['img_size'], args['img_size']], 'interpolation': 'bicubic',
                           'crop_pct': crop_pct, 'mean': mean, 'std': std, 'num_classes': args['num_classes']},
    }
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    return m


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(14)
    tensors = {}
    token_args = dict(img_size=32, patch_size=8, in_chans=3, num_classes=7, embed_dim=48, depth=2, num_heads=3, mlp_ratio=4.0, global_pool='token')
    vt = vit_folder('vit-token', token_args, gen, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 0.9)
    avg_args = dict(img_size=24, patch_size=6, in_chans=3, num_classes=5, embed_dim=32, depth=2, num_heads=4, mlp_ratio=2.0, global_pool='avg')
    va = vit_folder('vit-avg', avg_args, gen, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 0.875)
    with torch.no_grad():
        for case, m, size in [('vit_token', vt, 32), ('vit_avg', va, 24)]:
            x = torch.randn(3, 3, size, size, generator=gen)
            tensors[f'{case}.input'] = x
            tensors[f'{case}.logits'] = m(x).double()
        big = VisionTransformer(**{**token_args, 'img_size': 40}).eval()
        sd = dict(vt.state_dict())
        sd['pos_embed'] = resample_pos_embed(sd['pos_embed'], 5)
        big.load_state_dict(sd, strict=True)
        x = torch.randn(2, 3, 40, 40, generator=gen)
        tensors['vit_token_at40.input'] = x
        tensors['vit_token_at40.logits'] = big(x).double()
        tensors['vit_token_at40.pos_embed'] = sd['pos_embed']

        r = ResNet('resnet18', num_classes=6).eval()
        r.load_state_dict(formula_state(r), strict=True)
        x = torch.randn(2, 3, 34, 34, generator=gen)
        tensors['resnet18.input'] = x
        tensors['resnet18.logits'] = r(x).double()
        # timm's eval transform on a uint8 image: PIL bicubic Resize(floor(24 / 0.9) = 26), CenterCrop(24).
        from PIL import Image
        img = (torch.rand(20, 20, 3, generator=gen) * 255).to(torch.uint8)
        pil = Image.fromarray(img.numpy()).resize((26, 26), Image.BICUBIC)
        left = int(round((26 - 24) / 2.0))
        crop = pil.crop((left, left, left + 24, left + 24))
        tensors['resize.input'] = img.float()
        tensors['resize.output'] = torch.tensor(list(crop.getdata()), dtype=torch.float32).reshape(24, 24, 3)
    save_safetensors(os.path.join(OUT, 'expected.safetensors'), tensors, {'resnet18.num_classes': '6'})
    for k, v in tensors.items():
        if k.endswith('logits'):
            print(k, list(v.shape), 'max |logit|', float(v.abs().max()))


if __name__ == '__main__':
    main()
