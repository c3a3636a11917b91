"""The last row of Table 1: global average pool and the 1000-way fully-connected layer."""

import torch
from torch import nn


class ClassifierHead(nn.Module):
    """Classifier of ResNet-50 (He et al. 2015, "Deep Residual Learning", Table 1 last row and
    Section 3.3): global average pooling, then a fully-connected layer to the class logits. The
    softmax of the paper is left to the loss (cross-entropy on logits is the stable form).
    """

    def __init__(self, in_features: int = 2048, num_classes: int = 1000) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.pool(x)
        # x: [B, C, 1, 1] <- AdaptiveAvgPool2d(1)
        x = torch.flatten(x, 1)
        # x: [B, C] <- flatten(1)
        x = self.fc(x)
        # x: [B, K] <- Linear(C, K), K classes
        return x
