"""One stage conv2_x .. conv5_x of Table 1: a stack of bottleneck blocks."""

import torch
from torch import nn

from modules.bottleneck import EXPANSION, Bottleneck


class ResidualStage(nn.Module):
    """A stage of ResNet-50 (He et al. 2015, "Deep Residual Learning", Table 1): `num_blocks`
    bottleneck blocks of width K; the first block changes the channel count to 4*K and, for
    conv3_x..conv5_x, halves the resolution with stride S = 2.

    Shape symbols declared in this file: K = bottleneck width, S = stride of the first block.
    """

    def __init__(self, in_channels: int, width: int, num_blocks: int, stride: int) -> None:
        super().__init__()
        blocks = [Bottleneck(in_channels, width, stride)]
        blocks += [Bottleneck(width * EXPANSION, width, 1) for _ in range(num_blocks - 1)]
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.blocks(x)
        # x: [B, 4*K, H//S, W//S] <- Sequential(Bottleneck(C, K, S), Bottleneck(4*K, K, 1), ...)
        return x
