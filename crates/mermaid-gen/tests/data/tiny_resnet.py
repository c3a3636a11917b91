"""A tiny residual network with shape comments, written for mermaid-gen's tests."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        # x: [B, C, H, W]
        out = F.relu(self.conv1(x))  # out: [B, C, H, W] <- Conv 3x3
        out = self.conv2(out)  # out: [B, C, H, W] <- Conv 3x3
        out = out + x  # out: [B, C, H, W] <- residual add
        return F.relu(out)


class TinyResNet(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.blocks = nn.Sequential(*[Block(16) for _ in range(3)])
        self.side = nn.Conv2d(3, 16, 1, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        # x: [B, 3, 32, 32]
        h = self.stem(x)  # h: [B, 16, 16, 16] <- Conv 3x3, s=2
        h = self.blocks(h)  # h: [B, 16, 16, 16]
        s = self.side(x)  # s: [B, 16, 16, 16] <- Conv 1x1, s=2
        y = torch.cat([h, s], dim=1)  # y: [B, 32, 16, 16] <- concat
        y = self.pool(y).flatten(1)  # y: [B, 32]
        logits = self.fc(y)  # logits: [B, 10]
        return logits


class TwoInputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Linear(8, 8)
        self.dec = nn.Linear(8, 8)

    def forward(self, src, tgt):
        # src: [B, 8]
        mask = src[:, :1]
        # mask: [B, 1] <- first column
        m = self.enc(src)  # m: [B, 8]
        y = self.dec(tgt) + m  # y: [B, 8] <- decoder + memory
        return y * mask
