"""ResNet-50 (He, Zhang, Ren, Sun 2015, "Deep Residual Learning for Image Recognition",
arXiv:1512.03385), the 50-layer bottleneck network of Table 1, option B shortcuts (Section 4.1).

Run `python model.py` for the validation: forward pass, output shape, parameter count against the
reference, gradient flow, finite outputs, determinism and parameter memory. It exits 1 when a
check fails.

Shape symbols: B batch, H and W input height and width (assumed divisible by 32).
"""

import random
import sys

import numpy as np
import torch
from torch import nn

from config import MODEL, REFERENCE_PARAMS, ModelConfig
from modules import ClassifierHead, ResidualStage, Stem


def set_seed(seed: int) -> None:
    """Seed every random generator a forward or training step touches and make cuDNN deterministic."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class ResNet50(nn.Module):
    """ResNet-50 of He et al. 2015, "Deep Residual Learning for Image Recognition" (Table 1,
    50-layer column): stem (conv1 + max pool), four stages of 3, 4, 6, 3 bottleneck blocks
    (conv2_x..conv5_x), global average pooling and a 1000-way fully-connected layer.
    """

    def __init__(self, config: ModelConfig = MODEL) -> None:
        super().__init__()
        if not config.stride_on_3x3:
            raise ValueError("only the stride-on-3x3 placement is implemented (see config.py)")
        self.stem = Stem(config.in_channels, config.stem_channels)
        stages = []
        in_channels = config.stem_channels
        for width, blocks, stride in zip(config.stage_widths, config.stage_blocks, config.stage_strides):
            stages.append(ResidualStage(in_channels, width, blocks, stride))
            in_channels = width * 4
        self.conv2_x, self.conv3_x, self.conv4_x, self.conv5_x = stages
        self.head = ClassifierHead(in_channels, config.num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        """Kaiming normal for convolutions (Section 3.4, "as in [13]"), BN to identity, fc as PyTorch."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, 3, H, W]
        x = self.stem(x)
        # x: [B, 64, H//4, W//4] <- Stem(3, 64): Conv2d(k=7, s=2, p=3), BN, ReLU, MaxPool2d(k=3, s=2, p=1)
        x = self.conv2_x(x)
        # x: [B, 256, H//4, W//4] <- ResidualStage(64, C_mid=64, 3 blocks, stride 1)
        x = self.conv3_x(x)
        # x: [B, 512, H//8, W//8] <- ResidualStage(256, C_mid=128, 4 blocks, stride 2)
        x = self.conv4_x(x)
        # x: [B, 1024, H//16, W//16] <- ResidualStage(512, C_mid=256, 6 blocks, stride 2)
        x = self.conv5_x(x)
        # x: [B, 2048, H//32, W//32] <- ResidualStage(1024, C_mid=512, 3 blocks, stride 2)
        x = self.head(x)
        # x: [B, 1000] <- ClassifierHead: AdaptiveAvgPool2d(1), flatten, Linear(2048, 1000)
        return x


def count_elements(model: nn.Module) -> tuple[int, int, int]:
    """Total parameters, trainable parameters and buffer elements (tied tensors counted once)."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    buffers = sum(b.numel() for b in model.buffers())
    return total, trainable, buffers


def validate() -> int:
    """Run every check, print one line per check, return the exit status (0 only if all pass)."""
    failures = []

    def check(name: str, ok: bool, detail: str) -> None:
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")
        if not ok:
            failures.append(name)

    set_seed(0)
    model = ResNet50()
    x = torch.randn(2, 3, MODEL.image_size, MODEL.image_size)
    model.eval()
    with torch.no_grad():
        y = model(x)
    check("forward", True, f"input {list(x.shape)} -> output {list(y.shape)}")
    check("output shape", list(y.shape) == [2, MODEL.num_classes], f"{list(y.shape)} vs [2, {MODEL.num_classes}]")

    total, trainable, buffers = count_elements(model)
    # The ResNet paper prints no ImageNet parameter count (Table 1 has FLOPs only), so the
    # comparison is with the reference implementation's exact count.
    check(
        "parameters",
        total == REFERENCE_PARAMS,
        f"total {total:,}, trainable {trainable:,}, buffers {buffers:,}; paper: not reported "
        f"(no_paper_value); reference torchvision resnet50 {REFERENCE_PARAMS:,}",
    )

    model.train()
    model.zero_grad()
    model(x).logsumexp(dim=1).mean().backward()
    dead = [n for n, p in model.named_parameters() if p.grad is None or not bool(p.grad.abs().sum() > 0)]
    check("gradient flow", not dead, f"{len(dead)} parameters without gradient" + (f": {dead[:5]}" if dead else ""))

    finite = bool(torch.isfinite(y).all())
    check("finite output", finite, f"range [{y.min().item():.4f}, {y.max().item():.4f}]")

    set_seed(0)
    again = ResNet50().eval()
    with torch.no_grad():
        y_again = again(x)
    check("determinism", torch.equal(y, y_again), "two set_seed(0) runs give identical outputs")

    memory = sum(p.numel() * p.element_size() for p in model.parameters())
    check("parameter memory", True, f"{memory / 2**20:.1f} MiB (float32)")
    print(f"{'FAILED: ' + ', '.join(failures) if failures else 'all checks passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(validate())
