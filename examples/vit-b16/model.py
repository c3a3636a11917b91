"""ViT-B/16 (Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words: Transformers for Image
Recognition at Scale", arXiv:2010.11929): the "Base" variant of Table 1 with 16x16 patches.

Run `python model.py` for the validation: forward pass, output shape, parameter count against
the paper's printed "86M" (Table 1) under the printed-precision policy, gradient flow, finite
outputs, determinism and parameter memory. It exits 1 when a check fails.

Shape symbols: B batch, C = 3 input channels, H and W input height and width (224: the position
embeddings are learned for 14 x 14 patches), N = (H//16) * (W//16) patches.
"""

import math
import random
import re
import sys

import numpy as np
import torch
from torch import nn

from config import MODEL, PAPER_PARAMS, REFERENCE_PARAMS, ModelConfig
from modules import ClassificationHead, EncoderBlock, ViTEmbeddings


def set_seed(seed: int) -> None:
    """Seed every random generator a forward or training step touches and make cuDNN deterministic."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class VisionTransformer(nn.Module):
    """ViT-B/16 of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words" (Section 3.1,
    Eq. 1-4, Table 1): patch + position embeddings with a [class] token, 12 pre-norm encoder
    blocks (D=768, MLP 3072, 12 heads), final LayerNorm on the [class] token and a linear head.
    """

    def __init__(self, config: ModelConfig = MODEL) -> None:
        super().__init__()
        self.embeddings = ViTEmbeddings(
            config.image_size, config.patch_size, config.in_channels, config.hidden_dim, config.dropout
        )
        self.encoder = nn.Sequential(
            *[
                EncoderBlock(
                    config.hidden_dim, config.num_heads, config.mlp_dim, config.dropout, config.layer_norm_eps
                )
                for _ in range(config.num_layers)
            ]
        )
        self.head = ClassificationHead(config.hidden_dim, config.num_classes, config.layer_norm_eps)
        self._init_weights()

    def _init_weights(self) -> None:
        """Paper did not specify the initialisation; follow the reference implementations
        (google-research/vision_transformer, torchvision): patch projection LeCun normal, position
        embeddings N(0, 0.02), [class] token zeros, dense layers Xavier uniform with near-zero
        biases, LayerNorm identity, head truncated normal 0.02 (see config.py)."""
        patch = self.embeddings.patch_embed.proj
        fan_in = patch.in_channels * patch.kernel_size[0] * patch.kernel_size[1]
        nn.init.trunc_normal_(patch.weight, std=math.sqrt(1.0 / fan_in))
        nn.init.zeros_(patch.bias)
        nn.init.normal_(self.embeddings.pos_embedding, std=0.02)
        nn.init.zeros_(self.embeddings.class_token)
        for module in self.encoder.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.normal_(module.bias, std=1e-6)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.trunc_normal_(self.head.fc.weight, std=0.02)
        nn.init.zeros_(self.head.fc.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, 3, H, W]
        z = self.embeddings(x)
        # z: [B, N+1, 768] <- ViTEmbeddings: Conv2d(3, 768, k=16, s=16), [class] token, + E_pos (Eq. 1)
        z = self.encoder(z)
        # z: [B, N+1, 768] <- 12 x EncoderBlock(768, 12 heads, MLP 3072) (Eq. 2-3)
        logits = self.head(z)
        # logits: [B, 1000] <- ClassificationHead: LayerNorm(768) on z_L^0 (Eq. 4), Linear(768, 1000)
        return logits


def count_elements(model: nn.Module) -> tuple[int, int, int]:
    """Total parameters, trainable parameters and buffer elements (tied tensors counted once)."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    buffers = sum(b.numel() for b in model.buffers())
    return total, trainable, buffers


def paper_count_verdict(count: int, printed: str) -> tuple[str, float]:
    """Compare `count` with a printed value like "86M" at the printed precision: `match` within
    half a unit of the last printed digit, `within_truncation` in [v, v + unit), else `mismatch`.
    Returns the verdict and the relative difference."""
    number, suffix = re.fullmatch(r"([0-9.]+)([KMB])", printed).groups()
    scale = {"K": 10**3, "M": 10**6, "B": 10**9}[suffix]
    decimals = len(number.partition(".")[2])
    value = float(number) * scale
    unit = scale / 10**decimals
    rel = (count - value) / value
    if abs(count - value) <= unit / 2:
        return "match", rel
    if value <= count < value + unit:
        return "within_truncation", rel
    return "mismatch", rel


def validate() -> int:
    """Run every check, print one line per check, return the exit status (0 only if all pass)."""
    failures = []

    def check(name: str, ok: bool, detail: str) -> None:
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")
        if not ok:
            failures.append(name)

    set_seed(0)
    model = VisionTransformer()
    x = torch.randn(2, 3, MODEL.image_size, MODEL.image_size)
    model.eval()
    with torch.no_grad():
        y = model(x)
    check("forward", True, f"input {list(x.shape)} -> output {list(y.shape)}")
    check("output shape", list(y.shape) == [2, MODEL.num_classes], f"{list(y.shape)} vs [2, {MODEL.num_classes}]")

    total, trainable, buffers = count_elements(model)
    verdict, rel = paper_count_verdict(total, PAPER_PARAMS)
    check(
        "parameters",
        verdict in ("match", "within_truncation") and total == REFERENCE_PARAMS,
        f"total {total:,}, trainable {trainable:,}, buffers {buffers:,}; paper {PAPER_PARAMS} (Table 1) "
        f"-> {verdict} ({rel:+.2%}); reference torchvision vit_b_16 {REFERENCE_PARAMS:,}",
    )

    model.train()
    model.zero_grad()
    model(x).logsumexp(dim=1).mean().backward()
    dead = [n for n, p in model.named_parameters() if p.grad is None or not bool(p.grad.abs().sum() > 0)]
    check("gradient flow", not dead, f"{len(dead)} parameters without gradient" + (f": {dead[:5]}" if dead else ""))

    finite = bool(torch.isfinite(y).all())
    check("finite output", finite, f"range [{y.min().item():.4f}, {y.max().item():.4f}]")

    set_seed(0)
    again = VisionTransformer().eval()
    with torch.no_grad():
        y_again = again(x)
    check("determinism", torch.equal(y, y_again), "two set_seed(0) runs give identical outputs")

    memory = sum(p.numel() * p.element_size() for p in model.parameters())
    check("parameter memory", True, f"{memory / 2**20:.1f} MiB (float32)")
    print(f"{'FAILED: ' + ', '.join(failures) if failures else 'all checks passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(validate())
