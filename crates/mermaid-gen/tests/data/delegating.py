"""A model written for mermaid-gen's tests whose forward draws nothing by itself: it is
inherited (Net runs Base.forward), it delegates to the class's own methods (`_stem`,
`_heads`), and it returns a dict filled key by key, as torchvision's GoogLeNet and FCN do.
Input [B, 3, 32, 32]; output {"main": [B, 4, 16, 16], "aux": [B, 2, 16, 16]}."""
import torch.nn as nn


class Base(nn.Module):
    def forward(self, x):
        x = self._stem(x)
        return self._heads(x)

    def _stem(self, x):
        x = self.conv(x)
        return self.pool(x)

    def _heads(self, feats):
        out = {}
        out["main"] = self.head(feats)
        out["aux"] = self.aux(feats)
        return out


class Net(Base):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Conv2d(8, 4, 1)
        self.aux = nn.Conv2d(8, 2, 1)
