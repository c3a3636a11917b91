"""A small ConvNeXt-like network (written for mermaid-gen's tests): blocks with a layer scale
(`self.gamma * x`, a parameter times a tensor) and a drop path, two stages of different widths,
a global average pool that is a tensor method (`x.mean`), not a module."""

import torch
import torch.nn as nn


class DropPath(nn.Module):
    def __init__(self, p: float = 0.0) -> None:
        super().__init__()
        self.p = p

    def forward(self, x):
        # x: [B, C, H, W]
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = x.new_empty((x.shape[0], 1, 1, 1)).bernoulli_(keep)  # mask: [B, 1, 1, 1] <- bernoulli
        return x * mask / keep


class Block(nn.Module):
    def __init__(self, dim: int, drop_path: float = 0.0) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, padding=1, groups=dim)
        self.pwconv = nn.Linear(dim, dim)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))
        self.drop_path = DropPath(drop_path)

    def forward(self, x):
        # x: [B, C, H, W]
        shortcut = x  # shortcut: [B, C, H, W] <- x
        x = self.dwconv(x)  # x: [B, C, H, W] <- depthwise conv
        x = x.permute(0, 2, 3, 1)  # x: [B, H, W, C] <- permute
        x = self.pwconv(x)  # x: [B, H, W, C] <- Linear(C, C)
        x = self.gamma * x  # x: [B, H, W, C] <- layer scale
        x = x.permute(0, 3, 1, 2)  # x: [B, C, H, W] <- permute
        x = shortcut + self.drop_path(x)  # x: [B, C, H, W] <- add
        return x


class Head(nn.Module):
    def __init__(self, dim: int, classes: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, classes)

    def forward(self, x):
        # x: [B, C, H, W]
        x = x.mean((-2, -1))  # x: [B, C] <- global average pool
        x = self.norm(x)  # x: [B, C] <- LayerNorm(C)
        return self.fc(x)  # [B, K] <- Linear(C, K)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 2, stride=2)
        self.stage1 = nn.Sequential(Block(8), Block(8, 0.05))
        self.down = nn.Conv2d(8, 16, 2, stride=2)
        self.stage2 = nn.Sequential(Block(16, 0.1))
        self.head = Head(16, 10)

    def forward(self, x):
        # x: [B, 3, H, W]
        x = self.stem(x)  # x: [B, 8, H//2, W//2] <- patchify
        x = self.stage1(x)  # x: [B, 8, H//2, W//2] <- Block x2
        x = self.down(x)  # x: [B, 16, H//4, W//4] <- downsample
        x = self.stage2(x)  # x: [B, 16, H//4, W//4] <- Block
        return self.head(x)  # [B, 10] <- head
