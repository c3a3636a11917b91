"""L2norm of SSD300 ("SSD: Single Shot MultiBox Detector", Liu et al., ECCV 2016).

Section 3.1 (page 7): conv4_3 "has a different feature scale compared to the other layers, we use
the L2 normalization technique introduced in [12] to scale the feature norm at each location in
the feature map to 20 and learn the scale during back propagation" (ParseNet [12]).
"""

import torch
import torch.nn as nn
from torch import Tensor


class L2norm(nn.Module):
    """Per-location L2 normalisation over channels with a learned per-channel scale (ParseNet)."""

    def __init__(self, channels: int, scale: float = 20.0, eps: float = 1e-10) -> None:
        super().__init__()
        # Section 3.1, page 7: "scale the feature norm at each location ... to 20"
        self.weight = nn.Parameter(torch.full((channels,), float(scale)))
        # Paper did not specify: the epsilon added to the norm
        # Recommended: 1e-10
        # Reference: ParseNet / the authors' Caffe Normalize layer
        # Alternatives: 1e-6, 1e-12
        # Impact: only all-zero locations (division by zero); no effect on results
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        # x: [B, C, H, W] <- input
        norm = x.pow(2).sum(dim=1, keepdim=True).sqrt() + self.eps  # norm: [B, 1, H, W] <- sum over C
        x = x / norm * self.weight.view(1, -1, 1, 1)  # x: [B, C, H, W] <- x / norm * weight
        return x
