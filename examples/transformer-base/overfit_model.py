"""A smaller configuration of the same Transformer code, for `verify --run`'s one-batch overfit
only.

One Adam step of the base model (63M parameters, 6 + 6 layers of width 512) takes several CPU
seconds, so the 60-second overfit budget could not decide whether the code learns. The overfit
checks the code (graph, loss sign, every layer trains, target layout), not the size: this class
is Transformer itself with 2 + 2 layers of width 64 (4 heads of 16, d_ff 128) and the paper's
shared 37,000-token vocabulary, built and initialised by the same __init__ and _init_weights.
Every other check runs the base model.
"""

from __future__ import annotations

from dataclasses import replace

from config import MODEL
from model import Transformer


class SmallTransformer(Transformer):
    def __init__(self) -> None:
        super().__init__(replace(MODEL, num_layers=2, d_model=64, d_ff=128, num_heads=4, d_k=16))
