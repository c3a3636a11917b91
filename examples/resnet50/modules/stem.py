"""conv1 of Table 1 (7x7 conv, 64, stride 2) plus the 3x3 max pool that opens conv2_x."""

import torch
from torch import nn


class Stem(nn.Module):
    """Input stem of ResNet-50 (He et al. 2015, "Deep Residual Learning", Table 1 rows conv1 and
    the max pool of conv2_x): 7x7/2 convolution, BN right after it (Section 3.4), ReLU, 3x3/2 max
    pool. Reduces the resolution by 4.
    """

    def __init__(self, in_channels: int = 3, out_channels: int = 64) -> None:
        super().__init__()
        # Section 3.4: BN right after each convolution, so the convolution needs no bias.
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.conv(x)
        # x: [B, 64, H//2, W//2] <- Conv2d(C, 64, k=7, s=2, p=3)
        x = self.bn(x)
        # x: [B, 64, H//2, W//2] <- BatchNorm2d(64)
        x = self.relu(x)
        # x: [B, 64, H//2, W//2] <- ReLU
        x = self.pool(x)
        # x: [B, 64, H//4, W//4] <- MaxPool2d(k=3, s=2, p=1)
        return x
