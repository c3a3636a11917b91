"""One encoder layer (Section 3.1): self-attention and feed-forward sub-layers, each wrapped as
LayerNorm(x + Dropout(Sublayer(x))).

N is the source length, D = d_model.
"""

import torch
from torch import nn

from modules.attention import MultiHeadAttention
from modules.feed_forward import PositionwiseFeedForward


class EncoderLayer(nn.Module):
    """Encoder layer of Vaswani et al. 2017, "Attention Is All You Need" (Section 3.1, Figure 1
    left): multi-head self-attention, then the position-wise FFN; the output of each sub-layer is
    LayerNorm(x + Sublayer(x)) (post-norm) with dropout on the sub-layer output (Section 5.4).
    """

    def __init__(
        self, d_model: int = 512, num_heads: int = 8, d_ff: int = 2048, dropout: float = 0.1,
        attention_dropout: float = 0.0, eps: float = 1e-6,
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, attention_dropout)
        self.norm_1 = nn.LayerNorm(d_model, eps=eps)
        self.ffn = PositionwiseFeedForward(d_model, d_ff)
        self.norm_2 = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, src_mask: torch.Tensor | None = None) -> torch.Tensor:
        # x: [B, N, D]
        a = self.self_attn(x, x, x, src_mask)
        # a: [B, N, D] <- MultiHeadAttention(Q=K=V=x), padding mask [B, 1, 1, N]
        x = self.norm_1(x + self.dropout(a))
        # x: [B, N, D] <- LayerNorm(x + Dropout(a))
        f = self.ffn(x)
        # f: [B, N, D] <- PositionwiseFeedForward(D, d_ff), Eq. 2
        x = self.norm_2(x + self.dropout(f))
        # x: [B, N, D] <- LayerNorm(x + Dropout(f))
        return x
