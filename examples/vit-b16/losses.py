"""The training loss of ViT-B/16 (Dosovitskiy et al. 2020): label-smoothed softmax cross-entropy
on the [class]-token head's 1000-way logits, mean over the batch.

Section 3.1 puts a classification head on the [class] token; Table 3 trains ViT-B/16 on
ImageNet with it. The paper does not print the label-smoothing value it tuned (Section 4.2):
config.TrainConfig.label_smoothing = 0.1 follows the protocol (audit U3). Weight decay 0.3,
dropout 0.1 and gradient clipping at norm 1 belong to the optimizer and the model, not here.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from config import TRAIN


class ClassificationLoss(nn.Module):
    """ViT's classification loss (Dosovitskiy et al. 2020, Section 3.1, Table 3):
    L = -(1/B) sum_b sum_k q_bk log softmax(z_b)_k, with the smoothed target
    q_bk = (1 - eps) [k = y_b] + eps / K (eps = TRAIN.label_smoothing, K classes)."""

    def __init__(self, label_smoothing: float = TRAIN.label_smoothing) -> None:
        super().__init__()
        self.label_smoothing = label_smoothing

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        # logits: [B, K] <- the head's output; labels: [B] class ids in [0, K)
        return F.cross_entropy(logits, labels, label_smoothing=self.label_smoothing)  # loss: []


def make_targets(batch: int) -> torch.Tensor:
    """Valid targets for a batch: distinct ImageNet class ids 0, 7, 14, ... (each in [0, 1000))."""
    return (torch.arange(batch) * 7) % 1000
