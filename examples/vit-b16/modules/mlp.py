"""The MLP block of the ViT encoder: two dense layers with a GELU between them (Section 3.1).

N is the number of tokens, D the hidden size.
"""

# symbols: D_mlp = MLP size (3072 for ViT-Base)

import torch
from torch import nn


class MLPBlock(nn.Module):
    """MLP of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words" (Section 3.1: "two layers
    with a GELU non-linearity"; Table 1: MLP size 3072 for ViT-Base), with dropout after each dense
    layer (Appendix B.1).
    """

    def __init__(self, hidden_dim: int = 768, mlp_dim: int = 3072, dropout: float = 0.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(hidden_dim, mlp_dim)
        # Exact (erf) GELU; the tanh approximation gives slightly different outputs.
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(dropout)
        self.fc2 = nn.Linear(mlp_dim, hidden_dim)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, N, D]
        x = self.fc1(x)
        # x: [B, N, D_mlp] <- Linear(D, D_mlp)
        x = self.act(x)
        # x: [B, N, D_mlp] <- GELU
        x = self.drop1(x)
        # x: [B, N, D_mlp] <- Dropout(p)
        x = self.fc2(x)
        # x: [B, N, D] <- Linear(D_mlp, D)
        x = self.drop2(x)
        # x: [B, N, D] <- Dropout(p)
        return x
