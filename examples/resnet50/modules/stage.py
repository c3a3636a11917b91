"""One stage conv2_x .. conv5_x of Table 1: a stack of bottleneck blocks."""

# symbols: C_mid = bottleneck width of the stage's blocks

import torch
from torch import nn

from modules.bottleneck import EXPANSION, Bottleneck


class ResidualStage(nn.Module):
    """A stage of ResNet-50 (He et al. 2015, "Deep Residual Learning", Table 1): `num_blocks`
    bottleneck blocks of width C_mid; the first block changes the channel count to 4*C_mid and, for
    conv3_x..conv5_x, halves the resolution with stride 2 (H_out = H//2 for even H).
    """

    def __init__(self, in_channels: int, width: int, num_blocks: int, stride: int) -> None:
        super().__init__()
        blocks = [Bottleneck(in_channels, width, stride)]
        blocks += [Bottleneck(width * EXPANSION, width, 1) for _ in range(num_blocks - 1)]
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.blocks(x)
        # x: [B, 4*C_mid, H_out, W_out] <- Sequential(Bottleneck(C, C_mid, stride), Bottleneck(4*C_mid, C_mid, 1), ...)
        return x
