"""Eq. 4 of the ViT paper and the classifier: y = LN(z_L^0), logits = y W_head + b.

N is the number of tokens, D the hidden size, K the number of classes (1000).
"""

import torch
from torch import nn


class ClassificationHead(nn.Module):
    """Output of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words": the final LayerNorm
    applied to the [class] token state z_L^0 (Eq. 4) and a single linear layer, the fine-tuning
    form of the head (Section 3.1: "a single linear layer at fine-tuning time").
    """

    def __init__(self, hidden_dim: int = 768, num_classes: int = 1000, eps: float = 1e-6) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden_dim, eps=eps)
        self.fc = nn.Linear(hidden_dim, num_classes)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # z: [B, N, D]
        y = self.norm(z[:, 0])
        # y: [B, D] <- LayerNorm(D) on the [class] token z_L^0, Eq. 4
        logits = self.fc(y)
        # logits: [B, K] <- Linear(D, K)
        return logits
