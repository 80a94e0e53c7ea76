"""PyTorch restatement of the NoisyNN noise operators from the OFFICIAL code (Shawey94/NoisyNN).

Each function restates one operator of the official code in our own words, with the same autograd
behaviour, so that the parity fixtures test the TypeScript operators (src-main/engine/noise) against
what the authors' code computes, not against our reading of the paper:

- linear shift: NoisyCNN_CircularShiftQ/CNNs.py, the noisy ResNet blocks (x_copy / noise = x_copy - x.detach())
- linear optimal Q: NoisyViT-OptimalQ/ViT.py, OptimalQ (a sum of batch rolls of a clone, gradients flow)
- gaussian: CNNs.py / ViT.py, Gaussian (gau_var used as the std of torch.normal)
- salt and pepper: CNNs.py / ViT.py, Impulse (salt where u < p/2, pepper where u > 1 - p/2, extremes detached)

Every function takes a batch on axis 0 ([k, ...]).
"""
import torch


def roll_up(p: torch.Tensor) -> torch.Tensor:
    """The official circular shift: cat(x[1:], x[0]) along the batch, so row i takes row (i + 1) mod k."""
    return torch.cat((p[1:], p[:1]), dim=0)


def linear_shift(p: torch.Tensor, alpha: float, detach: bool = True) -> torch.Tensor:
    """Value (1 - a) P + a roll(P).

    detach=True is the official form: the shifted difference is built from detached copies and added
    to P, so the gradient w.r.t. P is the identity. detach=False differentiates the whole expression
    (gradient (1 - a) I + a S^T), the workbench's named alternative.
    """
    if detach:
        return p + alpha * (roll_up(p.detach()) - p.detach())
    return (1 - alpha) * p + alpha * roll_up(p)


def linear_optimal(p: torch.Tensor) -> torch.Tensor:
    """Official OptimalQ: x - x (k-1)/(k+1) + sum_{i=1}^{k-1} roll_i(x) / (k+1), rolls of a non-detached clone."""
    k = p.shape[0]
    c = p.clone()
    noise = 0
    for i in range(1, k):
        noise = noise + torch.cat((c[i:], c[:i]), dim=0)
    return p - p.clone() * (k - 1) / (k + 1) + noise / (k + 1)


def gaussian(p: torch.Tensor, strength: float, mean: float = 0.0, std: float = 1.0, generator=None) -> torch.Tensor:
    """P' = P + s * N(mean, std); the official 'gau_var' is passed to torch.normal as the std."""
    noise = torch.normal(torch.full(p.shape, mean, dtype=p.dtype), torch.full(p.shape, std, dtype=p.dtype), generator=generator)
    return p + strength * noise


def salt_pepper(p: torch.Tensor, prob: float, generator=None) -> torch.Tensor:
    """Official Impulse: salt (detached max) where u < p/2, pepper (detached min) where u > 1 - p/2."""
    u = torch.rand(p.shape, generator=generator, dtype=p.dtype)
    salt = p.clone().max().detach()
    pepper = p.clone().min().detach()
    out = p.clone()
    out[u < prob / 2] = salt
    out[u > 1 - prob / 2] = pepper
    return out


def apply(p: torch.Tensor, op, skip_first_token: bool = False) -> torch.Tensor:
    """Applies op to p; with skip_first_token, token 0 of axis 1 (the ViT class token) is left alone,
    as the official ViT operators do (they write x[:, 1:] only)."""
    if not skip_first_token:
        return op(p)
    if p.dim() < 3:
        raise ValueError('skip_first_token needs [k, tokens, ...]')
    if p.shape[1] <= 1:
        return p
    return torch.cat([p[:, :1], op(p[:, 1:])], dim=1)
