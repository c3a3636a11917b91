"""One pre-norm Transformer encoder layer of ViT, Eq. 2 and Eq. 3 of the paper.

N is the number of tokens (patches + [class]), D the hidden size.
"""

import torch
from torch import nn

from modules.attention import MultiHeadSelfAttention
from modules.mlp import MLPBlock


class EncoderBlock(nn.Module):
    """Encoder layer of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words" (Eq. 2-3):
    z' = MSA(LN(z)) + z, then z = MLP(LN(z')) + z'. LayerNorm is applied before every block and
    the residual connection after it (Section 3.1).
    """

    def __init__(
        self, hidden_dim: int = 768, num_heads: int = 12, mlp_dim: int = 3072, dropout: float = 0.0, eps: float = 1e-6
    ) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden_dim, eps=eps)
        self.attn = MultiHeadSelfAttention(hidden_dim, num_heads, dropout)
        self.ln_2 = nn.LayerNorm(hidden_dim, eps=eps)
        self.mlp = MLPBlock(hidden_dim, mlp_dim, dropout)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # z: [B, N, D]
        h = self.ln_1(z)
        # h: [B, N, D] <- LayerNorm(D)
        z = z + self.attn(h)
        # z: [B, N, D] <- MSA(LN(z)) + z, Eq. 2
        h = self.ln_2(z)
        # h: [B, N, D] <- LayerNorm(D)
        z = z + self.mlp(h)
        # z: [B, N, D] <- MLP(LN(z')) + z', Eq. 3
        return z
