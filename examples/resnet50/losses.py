"""The training loss of ResNet-50 (He et al. 2015): softmax cross-entropy on the 1000-way logits.

Section 3.4 and Table 1 end the network in "average pool, 1000-d fc, softmax"; the paper trains
it for classification, whose loss is the cross-entropy of that softmax (the paper names no other
term; weight decay 0.0001 is the optimizer's, config.TrainConfig.weight_decay).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ClassificationLoss(nn.Module):
    """The loss of He et al. 2015 (Table 1's final softmax, Section 3.4):
    L = -(1/B) sum_b log softmax(z_b)[y_b], the mean over the batch of the cross-entropy."""

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        # logits: [B, K] <- the model's fc output; labels: [B] class ids in [0, K)
        return F.cross_entropy(logits, labels)  # loss: [] <- mean over B


def make_targets(batch: int) -> torch.Tensor:
    """Valid targets for a batch: distinct ImageNet class ids 0, 7, 14, ... (each in [0, 1000))."""
    return (torch.arange(batch) * 7) % 1000
