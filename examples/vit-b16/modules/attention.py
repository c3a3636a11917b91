"""Multi-head self-attention, Appendix A of the ViT paper (Eq. 5-8).

N is the number of tokens of the input (patches + [class]), D the hidden size.
"""

# symbols: h = number of heads, d_h = head width D // h

import math

import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    """MSA of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words" (Appendix A, Eq. 5-8,
    after Vaswani et al. 2017): [q, k, v] = z U_qkv, A = softmax(q k^T / sqrt(D_h)), SA = A v for
    h heads in parallel, concatenated and projected by U_msa. D_h = D / h (Appendix A).
    """

    def __init__(self, hidden_dim: int = 768, num_heads: int = 12, dropout: float = 0.0) -> None:
        super().__init__()
        if hidden_dim % num_heads != 0:
            raise ValueError(f"hidden_dim {hidden_dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = hidden_dim // num_heads
        # Eq. 5: U_qkv in R^{D x 3 D_h} per head, all heads in one matrix (with bias, as BERT).
        self.qkv = nn.Linear(hidden_dim, 3 * hidden_dim)
        # Eq. 8: U_msa in R^{K D_h x D}.
        self.proj = nn.Linear(hidden_dim, hidden_dim)
        # Appendix B.1: dropout after every dense layer except the qkv projection.
        self.dropout = nn.Dropout(dropout)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # z: [B, N, D]
        b, n, d = z.shape
        qkv = self.qkv(z)
        # qkv: [B, N, 3*D] <- Linear(D, 3*D), Eq. 5
        qkv = qkv.reshape(b, n, 3, self.num_heads, self.head_dim)
        # qkv: [B, N, 3, h, d_h] <- reshape
        qkv = qkv.permute(2, 0, 3, 1, 4)
        # qkv: [3, B, h, N, d_h] <- permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        # q: [B, h, N, d_h] <- qkv[0] (k and v alike)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        # scores: [B, h, N, N] <- q k^T / sqrt(d_h), Eq. 6
        attn = scores.softmax(dim=-1)
        # attn: [B, h, N, N] <- softmax(dim=-1), Eq. 6
        out = attn @ v
        # out: [B, h, N, d_h] <- A v, Eq. 7
        out = out.transpose(1, 2).reshape(b, n, d)
        # out: [B, N, D] <- concatenate the h heads, Eq. 8
        out = self.proj(out)
        # out: [B, N, D] <- Linear(D, D), U_msa of Eq. 8
        out = self.dropout(out)
        # out: [B, N, D] <- Dropout(p)
        return out
