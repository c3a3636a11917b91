"""A smaller configuration of the same ViT code, for `verify --run`'s one-batch overfit only.

One step of ViT-B/16 at 224x224 (86M parameters, 197 tokens) takes several CPU seconds, so the
60-second overfit budget could not decide whether the code learns. The overfit checks the code
(graph, loss sign, every layer trains, target layout), not the size: this class is
VisionTransformer itself with a 32x32 input (two 16x16 patches a side, 5 tokens), 2 blocks of
width 64 (4 heads, MLP 128) and the paper's 1000-way head, built and initialised by the same
__init__ and _init_weights. Every other check runs the paper-size model.
"""

from __future__ import annotations

from dataclasses import replace

from config import MODEL
from model import VisionTransformer


class SmallViT(VisionTransformer):
    def __init__(self) -> None:
        super().__init__(
            replace(MODEL, image_size=32, hidden_dim=64, num_heads=4, mlp_dim=128, num_layers=2)
        )
