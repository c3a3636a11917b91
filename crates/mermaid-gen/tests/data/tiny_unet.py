"""A two-level U-Net written for mermaid-gen's tests: each up-block takes two tensors, the
upsampled path and the skip from the encoder level of the same resolution, as in Ronneberger
et al. 2015 (Figure 1), with padded convolutions so no crop is needed.
Input [B, 1, 32, 32]; output [B, 2, 32, 32]."""
import torch
import torch.nn as nn


def double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU(),
    )  # fmt: skip


class Down(nn.Module):
    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.pool = nn.MaxPool2d(2)
        self.conv = double_conv(c_in, c_out)

    def forward(self, x):
        return self.conv(self.pool(x))


class Up(nn.Module):
    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(c_in, c_out, 2, stride=2)
        self.conv = double_conv(2 * c_out, c_out)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.up(x)], dim=1))


class TinyUNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inc = double_conv(1, 8)
        self.down1 = Down(8, 16)
        self.down2 = Down(16, 32)
        self.up1 = Up(32, 16)
        self.up2 = Up(16, 8)
        self.outc = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x1 = self.inc(x)  # [B, 8, 32, 32]
        x2 = self.down1(x1)  # [B, 16, 16, 16]
        x3 = self.down2(x2)  # [B, 32, 8, 8]
        y = self.up1(x3, x2)  # [B, 16, 16, 16]
        y = self.up2(y, x1)  # [B, 8, 32, 32]
        return self.outc(y)  # [B, 2, 32, 32]
