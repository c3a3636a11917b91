"""Position-wise feed-forward network, Eq. 2 of the paper (Section 3.3).

T is the sequence length, D = d_model (512).
"""

# symbols: F = inner width d_ff (2048)

import torch
from torch import nn


class PositionwiseFeedForward(nn.Module):
    """FFN of Vaswani et al. 2017, "Attention Is All You Need" (Section 3.3, Eq. 2):
    FFN(x) = max(0, x W_1 + b_1) W_2 + b_2, applied to each position separately, with inner
    dimension d_ff = 2048.
    """

    def __init__(self, d_model: int = 512, d_ff: int = 2048) -> None:
        super().__init__()
        self.linear_1 = nn.Linear(d_model, d_ff)
        self.relu = nn.ReLU()
        self.linear_2 = nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, T, D]
        h = self.linear_1(x)
        # h: [B, T, F] <- Linear(D, F), x W_1 + b_1
        h = self.relu(h)
        # h: [B, T, F] <- ReLU, max(0, .)
        y = self.linear_2(h)
        # y: [B, T, D] <- Linear(F, D), . W_2 + b_2
        return y
