"""Residual blocks whose projection shortcut exists only where the shape changes (ResNet's
downsample), written for mermaid-gen's tests: a whole-model trace holds calls that took the
projection and calls that took the identity."""
from typing import Optional

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1)
        self.downsample: Optional[nn.Module] = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Conv2d(c_in, c_out, 1, stride=stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        identity = x  # identity: [B, C, H, W] <- x
        out = self.conv(x)  # out: [B, C2, H2, W2] <- Conv 3x3
        if self.downsample is not None:
            identity = self.downsample(x)  # identity: [B, C2, H2, W2] <- Conv 1x1
        out = out + identity  # out: [B, C2, H2, W2] <- residual add
        return out


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.b1 = Block(8, 8)
        self.b2 = Block(8, 16, stride=2)
        self.b3 = Block(16, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, 8, 16, 16]
        x = self.b1(x)  # x: [B, 8, 16, 16]
        x = self.b2(x)  # x: [B, 16, 8, 8]
        x = self.b3(x)  # x: [B, 16, 8, 8]
        return x
