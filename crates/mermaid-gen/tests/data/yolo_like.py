"""A YOLOv1-like detector written for mermaid-gen's tests: the 24 convolutional layers of
Redmon et al. 2016 (Figure 3) as Conv-BN-LeakyReLU blocks with separate max-pool modules, then
two fully connected layers (a 496-wide hidden layer instead of 4096, to keep the test light).
Input [B, 3, 448, 448]; output [B, 7, 7, 30] (S=7, B=2 boxes, C=20 classes)."""
import torch.nn as nn

# (kernel, out_channels, stride) for a conv, "M" for a 2x2 max-pool with stride 2.
LAYERS = [
    (7, 64, 2), "M",
    (3, 192, 1), "M",
    (1, 128, 1), (3, 256, 1), (1, 256, 1), (3, 512, 1), "M",
    *[(1, 256, 1), (3, 512, 1)] * 4, (1, 512, 1), (3, 1024, 1), "M",
    *[(1, 512, 1), (3, 1024, 1)] * 2, (3, 1024, 1), (3, 1024, 2),
    (3, 1024, 1), (3, 1024, 1),
]  # fmt: skip


class CNNBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, k: int, s: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, stride=s, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.LeakyReLU(0.1)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class YoloV1(nn.Module):
    def __init__(self, split: int = 7, boxes: int = 2, classes: int = 20) -> None:
        super().__init__()
        layers, c = [], 3
        for spec in LAYERS:
            if spec == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                k, c_out, s = spec
                layers.append(CNNBlock(c, c_out, k, s))
                c = c_out
        self.darknet = nn.Sequential(*layers)
        self.out_shape = (split, split, boxes * 5 + classes)
        self.fcs = nn.Sequential(
            nn.Flatten(),
            nn.Linear(1024 * split * split, 496),
            nn.Dropout(0.0),
            nn.LeakyReLU(0.1),
            nn.Linear(496, split * split * (boxes * 5 + classes)),
        )

    def forward(self, x):
        y = self.fcs(self.darknet(x))
        return y.view(-1, *self.out_shape)
