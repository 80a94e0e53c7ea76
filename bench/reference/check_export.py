"""Loads a workbench export (config.json + model.safetensors) into the PyTorch restatement of timm's ViT /
torchvision's ResNet with load_state_dict(strict=True) and prints its logits on an input batch as JSON.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/check_export.py EXPORT_DIR INPUT.safetensors

INPUT.safetensors holds one F32 tensor "input" [B, C, H, W] (already normalised). Used by
test/integration/cli-weights.test.ts when /usr/bin/python3 has torch.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pretrained_models import load_safetensors, model_from_folder  # noqa: E402


def main():
    folder, inp = sys.argv[1], sys.argv[2]
    model = model_from_folder(folder)
    x = load_safetensors(inp)['input']
    with torch.no_grad():
        logits = model(x).double()
    print(json.dumps({'shape': list(logits.shape), 'logits': [float(v) for v in logits.reshape(-1).tolist()]}))


if __name__ == '__main__':
    main()
