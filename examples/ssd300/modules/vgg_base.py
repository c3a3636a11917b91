"""VggBase of SSD300 ("SSD: Single Shot MultiBox Detector", Liu et al., ECCV 2016).

The truncated VGG-16 base network of Section 3 (page 7, "Base network") and Figure 2 (page 4):
VGG-16 through conv5_3, pool5 changed from 2x2-s2 to 3x3-s1, fc6 and fc7 converted to
convolutions (fc6 with the a-trous algorithm), dropout and fc8 removed. Assumes the 300x300 input
of SSD300: pool3 rounds up (75 -> 38), as the 38x38 conv4_3 map of Figure 2 requires.
"""

# symbols: width = VGG base width (64 in the paper)

from typing import Tuple

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class VggStage(nn.Module):
    """A run of `depth` 3x3 convolutions, each followed by ReLU (VGG-16, configuration D)."""

    def __init__(self, in_channels: int, out_channels: int, depth: int) -> None:
        super().__init__()
        layers = []
        for i in range(depth):
            layers.append(nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1))
            layers.append(nn.ReLU(inplace=True))
        self.body = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        # x: [B, C, H, W] <- input
        x = self.body(x)  # x: [B, out_channels, H, W] <- depth x (Conv2d(k=3, s=1, p=1), ReLU)
        return x


class VggBase(nn.Module):
    """VGG-16 truncated as in Section 3 (page 7) and Figure 2 (page 4); returns conv4_3 and fc7.

    conv6 (fc6) is a 3x3 convolution with dilation 6: Figure 2 prints "Conv: 3x3x1024" and the
    text says the a-trous algorithm is used following DeepLab-LargeFOV; the dilation itself is
    not printed (see the audit's gaps).
    """

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.stage1 = VggStage(3, width, 2)  # conv1_1, conv1_2
        self.stage2 = VggStage(width, 2 * width, 2)  # conv2_x
        self.stage3 = VggStage(2 * width, 4 * width, 3)  # conv3_x
        self.stage4 = VggStage(4 * width, 8 * width, 3)  # conv4_x
        self.stage5 = VggStage(8 * width, 8 * width, 3)  # conv5_x
        # Paper did not specify: the dilation and padding of the a-trous fc6
        # Recommended: dilation 6, padding 6 (keeps 19x19)
        # Reference: DeepLab-LargeFOV [17] as cited on page 7; the authors' Caffe code
        # Alternatives: dilation 3 (the paper's Table 2 "use atrous" is not more specific)
        # Impact: receptive field of conv7 and accuracy; not parameter count or shapes
        self.conv6 = nn.Conv2d(8 * width, 16 * width, 3, padding=6, dilation=6)
        self.conv7 = nn.Conv2d(16 * width, 16 * width, 1)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        # x: [B, 3, 300, 300] <- input
        x = self.stage1(x)  # x: [B, width, 300, 300] <- VggStage(3, width)
        x = F.max_pool2d(x, 2, 2)  # x: [B, width, 150, 150] <- MaxPool2d(k=2, s=2)
        x = self.stage2(x)  # x: [B, 2*width, 150, 150] <- VggStage(width, 2*width)
        x = F.max_pool2d(x, 2, 2)  # x: [B, 2*width, 75, 75] <- MaxPool2d(k=2, s=2)
        x = self.stage3(x)  # x: [B, 4*width, 75, 75] <- VggStage(2*width, 4*width)
        x = F.max_pool2d(x, 2, 2, ceil_mode=True)  # x: [B, 4*width, 38, 38] <- MaxPool2d(k=2, s=2, ceil)
        conv4_3 = self.stage4(x)  # conv4_3: [B, 8*width, 38, 38] <- VggStage(4*width, 8*width)
        x = F.max_pool2d(conv4_3, 2, 2)  # x: [B, 8*width, 19, 19] <- MaxPool2d(k=2, s=2)
        x = self.stage5(x)  # x: [B, 8*width, 19, 19] <- VggStage(8*width, 8*width)
        x = F.max_pool2d(x, 3, 1, padding=1)  # x: [B, 8*width, 19, 19] <- MaxPool2d(k=3, s=1, p=1)
        x = F.relu(self.conv6(x))  # x: [B, 16*width, 19, 19] <- Conv2d(8*width, 16*width, k=3, p=6, d=6)
        fc7 = F.relu(self.conv7(x))  # fc7: [B, 16*width, 19, 19] <- Conv2d(16*width, 16*width, k=1)
        return conv4_3, fc7
