"""The bottleneck building block (Fig. 5 right, Eq. 1 and Eq. 2) and its projection shortcut.

The stride of a block is 1, or 2 in conv3_1, conv4_1 and conv5_1, so the output size is written
H_out, W_out (= H, W for stride 1; (H - 1)//2 + 1 = H//2 for even H with stride 2).
"""

# symbols: C_mid = bottleneck width (the 3x3 layer's channels; the block outputs 4*C_mid)

import torch
from torch import nn

# Fig. 5 (right): 1x1 reduces to C_mid channels, 1x1 restores 4*C_mid (e.g. 64 -> 256 in conv2_x).
EXPANSION = 4


class ProjectionShortcut(nn.Module):
    """Projection shortcut W_s x of He et al. 2015, "Deep Residual Learning", Eq. 2, option B
    (Section 3.3 and 4.1: used only where the dimensions change): 1x1 convolution with the block's stride
    followed by BN.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.conv(x)
        # x: [B, 4*C_mid, H_out, W_out] <- Conv2d(C, 4*C_mid, k=1, s=stride, p=0)
        x = self.bn(x)
        # x: [B, 4*C_mid, H_out, W_out] <- BatchNorm2d(4*C_mid)
        return x


class Bottleneck(nn.Module):
    """Bottleneck residual block of He et al. 2015, "Deep Residual Learning for Image Recognition"
    (Fig. 5 right, Section 4.1): y = ReLU(F(x) + shortcut(x)) with F = 1x1 reduce -> 3x3 -> 1x1
    expand, BN after every convolution and ReLU after every BN except the last one before the
    addition (Section 3.4; "the second nonlinearity after the addition", Section 3.2).

    The stride sits on the 3x3 convolution (torchvision's "V1.5" placement): the paper only says
    that conv3_1, conv4_1 and conv5_1 downsample with stride 2 (Table 1), see config.py.
    """

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        out_channels = width * EXPANSION
        self.conv_reduce = nn.Conv2d(in_channels, width, kernel_size=1, bias=False)
        self.bn_reduce = nn.BatchNorm2d(width)
        self.conv_spatial = nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn_spatial = nn.BatchNorm2d(width)
        self.conv_expand = nn.Conv2d(width, out_channels, kernel_size=1, bias=False)
        self.bn_expand = nn.BatchNorm2d(out_channels)
        # Not in-place: the block input is still needed by the shortcut.
        self.relu = nn.ReLU(inplace=False)
        # Identity shortcut when shapes agree (Eq. 1), projection otherwise (Eq. 2, option B).
        self.shortcut: nn.Module
        if stride != 1 or in_channels != out_channels:
            self.shortcut = ProjectionShortcut(in_channels, out_channels, stride)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        identity = self.shortcut(x)
        # identity: [B, 4*C_mid, H_out, W_out] <- ProjectionShortcut(C, 4*C_mid, stride) or Identity
        out = self.conv_reduce(x)
        # out: [B, C_mid, H, W] <- Conv2d(C, C_mid, k=1, s=1, p=0)
        out = self.bn_reduce(out)
        # out: [B, C_mid, H, W] <- BatchNorm2d(C_mid)
        out = self.relu(out)
        # out: [B, C_mid, H, W] <- ReLU
        out = self.conv_spatial(out)
        # out: [B, C_mid, H_out, W_out] <- Conv2d(C_mid, C_mid, k=3, s=stride, p=1)
        out = self.bn_spatial(out)
        # out: [B, C_mid, H_out, W_out] <- BatchNorm2d(C_mid)
        out = self.relu(out)
        # out: [B, C_mid, H_out, W_out] <- ReLU
        out = self.conv_expand(out)
        # out: [B, 4*C_mid, H_out, W_out] <- Conv2d(C_mid, 4*C_mid, k=1, s=1, p=0)
        out = self.bn_expand(out)
        # out: [B, 4*C_mid, H_out, W_out] <- BatchNorm2d(4*C_mid)
        out = out + identity
        # out: [B, 4*C_mid, H_out, W_out] <- F(x) + shortcut(x), Eq. 1 / Eq. 2
        out = self.relu(out)
        # out: [B, 4*C_mid, H_out, W_out] <- ReLU
        return out
