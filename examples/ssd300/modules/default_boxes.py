"""DefaultBoxes of SSD300 ("SSD: Single Shot MultiBox Detector", Liu et al., ECCV 2016).

Section 2.2 (page 6), "Choosing scales and aspect ratios for default boxes", Eq. (4), and
Section 3.1 (page 7): scale 0.1 on conv4_3, the other five maps by Eq. (4) with s_min = 0.2 and
s_max = 0.9; aspect ratios {1, 2, 3, 1/2, 1/3} plus an extra box of scale sqrt(s_k s_{k+1}) for
ratio 1 (6 boxes), and 4 boxes (no 3 and 1/3) on conv4_3, conv10_2 and conv11_2. Centres
((i + 0.5)/|f_k|, (j + 0.5)/|f_k|). 38^2*4 + 19^2*6 + 10^2*6 + 5^2*6 + 3^2*4 + 1*4 = 8732 boxes
(Figure 2, "Detections: 8732 per Class"). Boxes are (cx, cy, w, h) relative to the image.
"""

# symbols: P = number of default boxes (8732 for SSD300)

import math
from typing import List, Sequence

import torch
import torch.nn as nn
from torch import Tensor


def eq4_scales(s_min: float, s_max: float, m: int) -> List[float]:
    """Eq. (4), page 6: s_k = s_min + (s_max - s_min)/(m - 1) * (k - 1), k = 1..m."""
    return [s_min + (s_max - s_min) * (k - 1) / (m - 1) for k in range(1, m + 1)]


class DefaultBoxes(nn.Module):
    """The fixed default boxes (no parameters): a [P, 4] tensor of (cx, cy, w, h)."""

    def __init__(self, feature_sizes: Sequence[int] = (38, 19, 10, 5, 3, 1),
                 boxes_per_location: Sequence[int] = (4, 6, 6, 6, 4, 4),
                 conv4_3_scale: float = 0.1, s_min: float = 0.2, s_max: float = 0.9,
                 last_extra_scale: float = 1.0) -> None:
        super().__init__()
        # Section 3.1, page 7: "We set default box with scale 0.1 on conv4 3"; Eq. (4) for the rest.
        scales = [conv4_3_scale] + eq4_scales(s_min, s_max, len(feature_sizes) - 1)
        # Paper did not specify: s_{m+1} for the extra ratio-1 box of the last map, sqrt(s_m s_{m+1})
        # Recommended: 1.0 (the whole image)
        # Reference: the next scale of Eq. (4) would be 1.075 > 1; the authors' Caffe uses 315/300
        # Alternatives: 1.05 (Caffe), s_m itself
        # Impact: the size of 1 of the 4 boxes of conv11_2; matching of the largest objects only
        scales.append(last_extra_scale)
        boxes = []
        for f, (size, k) in enumerate(zip(feature_sizes, boxes_per_location)):
            s, s_next = scales[f], scales[f + 1]
            ratios = [2.0, 0.5] if k == 4 else [2.0, 0.5, 3.0, 1.0 / 3.0]
            shapes = [(s, s), (math.sqrt(s * s_next), math.sqrt(s * s_next))]
            shapes += [(s * math.sqrt(a), s / math.sqrt(a)) for a in ratios]
            for i in range(size):  # row (y)
                for j in range(size):  # column (x)
                    cx, cy = (j + 0.5) / size, (i + 0.5) / size
                    for w, h in shapes:
                        boxes.append((cx, cy, w, h))
        # Order matches MultiboxHead's reshape: location (row-major), then box within location.
        self.register_buffer("boxes", torch.tensor(boxes, dtype=torch.float32), persistent=False)

    def forward(self) -> Tensor:
        boxes = self.boxes  # boxes: [P, 4] <- fixed (cx, cy, w, h)
        return boxes
