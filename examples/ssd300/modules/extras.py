"""Extras of SSD300 ("SSD: Single Shot MultiBox Detector", Liu et al., ECCV 2016).

The extra feature layers conv8_2 .. conv11_2 added after fc7, Figure 2 (page 4): each is a 1x1
convolution followed by a 3x3 one ("Conv: 1x1x256, Conv: 3x3x512-s2" for conv8, ...). The
paddings are not printed; the ones below give the 10, 5, 3, 1 maps of Figure 2 from 19x19.
"""

# symbols: width = VGG base width (64 in the paper)

from typing import Tuple

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class ExtraBlock(nn.Module):
    """1x1 reduction then a 3x3 convolution, each with ReLU (Figure 2, conv8 .. conv11)."""

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int,
                 stride: int, padding: int) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(in_channels, mid_channels, 1)
        self.conv = nn.Conv2d(mid_channels, out_channels, 3, stride=stride, padding=padding)

    def forward(self, x: Tensor) -> Tensor:
        # x: [B, C, H, W] <- input
        x = F.relu(self.reduce(x))  # x: [B, mid_channels, H, W] <- Conv2d(C, mid_channels, k=1)
        x = F.relu(self.conv(x))  # x: [B, out_channels, H_out, W_out] <- Conv2d(k=3, s=stride, p=padding)
        return x


class Extras(nn.Module):
    """conv8_2 (10x10), conv9_2 (5x5), conv10_2 (3x3) and conv11_2 (1x1) of Figure 2, page 4."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        # Figure 2: "Conv: 1x1x256, Conv: 3x3x512-s2"
        self.conv8 = ExtraBlock(16 * width, 4 * width, 8 * width, stride=2, padding=1)
        # Figure 2: "Conv: 1x1x128, Conv: 3x3x256-s2"
        self.conv9 = ExtraBlock(8 * width, 2 * width, 4 * width, stride=2, padding=1)
        # Figure 2: "Conv: 1x1x128, Conv: 3x3x256-s1" (5 -> 3: no padding)
        self.conv10 = ExtraBlock(4 * width, 2 * width, 4 * width, stride=1, padding=0)
        # Figure 2: "Conv: 1x1x128, Conv: 3x3x256-s1" (3 -> 1: no padding)
        self.conv11 = ExtraBlock(4 * width, 2 * width, 4 * width, stride=1, padding=0)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        # x: [B, 16*width, 19, 19] <- input
        conv8_2 = self.conv8(x)  # conv8_2: [B, 8*width, 10, 10] <- ExtraBlock(k=3, s=2, p=1)
        conv9_2 = self.conv9(conv8_2)  # conv9_2: [B, 4*width, 5, 5] <- ExtraBlock(k=3, s=2, p=1)
        conv10_2 = self.conv10(conv9_2)  # conv10_2: [B, 4*width, 3, 3] <- ExtraBlock(k=3, s=1, p=0)
        conv11_2 = self.conv11(conv10_2)  # conv11_2: [B, 4*width, 1, 1] <- ExtraBlock(k=3, s=1, p=0)
        return conv8_2, conv9_2, conv10_2, conv11_2
