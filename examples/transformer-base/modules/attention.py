"""Scaled dot-product attention (Eq. 1) and multi-head attention (Section 3.2.2).

T is the query length, N the key/value length (both T for self-attention), D = d_model.
"""

# symbols: h = number of heads, d_k = head width D // h (= d_v)

import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Multi-head attention of Vaswani et al. 2017, "Attention Is All You Need" (Section 3.2.2):
    MultiHead(Q, K, V) = Concat(head_1..head_h) W^O with head_i = Attention(Q W_i^Q, K W_i^K,
    V W_i^V) and Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V (Eq. 1); d_k = d_v = d_model/h.
    `mask` is True where attention is allowed, broadcastable to [B, h, T, N].
    """

    def __init__(self, d_model: int = 512, num_heads: int = 8, attention_dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model {d_model} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.d_k = d_model // num_heads
        # The h per-head projections W_i^Q, W_i^K, W_i^V stacked into one d_model x d_model matrix each.
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(attention_dropout)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        # query: [B, T, D]
        b, t, d = query.shape
        n = key.shape[1]
        q = self.w_q(query).reshape(b, t, self.num_heads, self.d_k).transpose(1, 2)
        # q: [B, h, T, d_k] <- Linear(D, D), split into h heads
        k = self.w_k(key).reshape(b, n, self.num_heads, self.d_k).transpose(1, 2)
        # k: [B, h, N, d_k] <- Linear(D, D), split into h heads
        v = self.w_v(value).reshape(b, n, self.num_heads, self.d_k).transpose(1, 2)
        # v: [B, h, N, d_k] <- Linear(D, D), split into h heads
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)
        # scores: [B, h, T, N] <- Q K^T / sqrt(d_k), Eq. 1
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
            # scores: [B, h, T, N] <- masked_fill(-inf) where attention is not allowed
        attn = self.dropout(scores.softmax(dim=-1))
        # attn: [B, h, T, N] <- softmax(dim=-1), Eq. 1
        out = attn @ v
        # out: [B, h, T, d_k] <- softmax(...) V, Eq. 1
        out = out.transpose(1, 2).reshape(b, t, d)
        # out: [B, T, D] <- Concat(head_1, ..., head_h)
        out = self.w_o(out)
        # out: [B, T, D] <- Linear(D, D), W^O
        return out
