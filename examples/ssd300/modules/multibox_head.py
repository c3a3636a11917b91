"""MultiboxHead of SSD300 ("SSD: Single Shot MultiBox Detector", Liu et al., ECCV 2016).

Section 2.1 (pages 3-4), "Convolutional predictors for detection": on an m x n x p feature map a
3 x 3 x p kernel predicts, for each of the k default boxes of a location, c class scores and 4
offsets: (c + 4)k filters (Figure 2's "Classifier: Conv: 3x3x(k x (Classes+4))").
"""

# symbols: k = default boxes per location, num_classes = classes including background (21 for VOC)

from typing import Tuple

import torch.nn as nn
from torch import Tensor


class MultiboxHead(nn.Module):
    """The 3x3 localisation and confidence convolutions of one source feature map."""

    def __init__(self, in_channels: int, k: int, num_classes: int) -> None:
        super().__init__()
        self.k = k
        self.num_classes = num_classes
        self.loc = nn.Conv2d(in_channels, k * 4, 3, padding=1)
        self.conf = nn.Conv2d(in_channels, k * num_classes, 3, padding=1)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        # x: [B, C, H, W] <- input
        loc = self.loc(x)  # loc: [B, 4*k, H, W] <- Conv2d(C, 4*k, k=3, p=1)
        loc = loc.permute(0, 2, 3, 1).reshape(x.shape[0], -1, 4)  # loc: [B, H*W*k, 4] <- permute, reshape
        conf = self.conf(x)  # conf: [B, num_classes*k, H, W] <- Conv2d(C, num_classes*k, k=3, p=1)
        conf = conf.permute(0, 2, 3, 1).reshape(x.shape[0], -1, self.num_classes)
        # conf: [B, H*W*k, num_classes] <- permute, reshape
        return loc, conf
