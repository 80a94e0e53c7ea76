"""PyTorch re-statement of the NoisyNN noise operators (method page /work/shared/noisynn-method.md, section 2).

Written from the method page, not from the official code, so it is an independent check of the
TypeScript operators in src-main/engine/noise. Every function takes a batch on axis 0 ([k, ...]).
"""
import torch


def linear_shift(p: torch.Tensor, alpha: float, detach: bool = True) -> torch.Tensor:
    """P' = (1 - a) P + a roll(P, -1, batch): row i takes row (i + 1) mod k.

    detach=True stops the gradient through the shifted copy (the official CNN code's choice),
    so dP'/dP is (1 - a) I instead of I + Q.
    """
    src = p.detach() if detach else p
    return (1 - alpha) * p + alpha * torch.roll(src, shifts=-1, dims=0)


def linear_optimal(p: torch.Tensor) -> torch.Tensor:
    """P' = (P + sum_batch(P)) / (k + 1), i.e. (I + 11^T)/(k + 1) P without building the k x k matrix."""
    k = p.shape[0]
    return (p + p.sum(dim=0, keepdim=True)) / (k + 1)


def gaussian(p: torch.Tensor, strength: float, mean: float = 0.0, std: float = 1.0, generator=None) -> torch.Tensor:
    """P' = P + s * N(mean, std); std is a standard deviation (the official 'gau_var' is used as one)."""
    noise = torch.randn(p.shape, generator=generator, dtype=p.dtype) * std + mean
    return p + strength * noise


def salt_pepper(p: torch.Tensor, prob: float, generator=None) -> torch.Tensor:
    """Each element becomes max(P) with prob p/2 and min(P) with prob p/2 (over the whole tensor)."""
    u = torch.rand(p.shape, generator=generator, dtype=p.dtype)
    hi = p.detach().max()
    lo = p.detach().min()
    out = torch.where(u < prob, lo.expand_as(p), p)
    return torch.where(u < prob / 2, hi.expand_as(p), out)


def apply(p: torch.Tensor, op, skip_first_token: bool = False) -> torch.Tensor:
    """Applies op to p; with skip_first_token, token 0 of axis 1 (the ViT class token) is left alone."""
    if not skip_first_token:
        return op(p)
    if p.dim() < 3:
        raise ValueError('skip_first_token needs [k, tokens, ...]')
    if p.shape[1] <= 1:
        return p
    return torch.cat([p[:, :1], op(p[:, 1:])], dim=1)
