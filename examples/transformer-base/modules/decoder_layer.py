"""One decoder layer (Section 3.1): masked self-attention, encoder-decoder attention and the
feed-forward network, each wrapped as LayerNorm(x + Dropout(Sublayer(x))).

T is the target length, N the source length, D = d_model.
"""

import torch
from torch import nn

from modules.attention import MultiHeadAttention
from modules.feed_forward import PositionwiseFeedForward


class DecoderLayer(nn.Module):
    """Decoder layer of Vaswani et al. 2017, "Attention Is All You Need" (Section 3.1, Figure 1
    right): masked multi-head self-attention (position i sees positions <= i), multi-head
    attention over the encoder output (Section 3.2.3), then the FFN; post-norm residuals with
    dropout on each sub-layer output (Section 5.4).
    """

    def __init__(
        self, d_model: int = 512, num_heads: int = 8, d_ff: int = 2048, dropout: float = 0.1,
        attention_dropout: float = 0.0, eps: float = 1e-6,
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads, attention_dropout)
        self.norm_1 = nn.LayerNorm(d_model, eps=eps)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, attention_dropout)
        self.norm_2 = nn.LayerNorm(d_model, eps=eps)
        self.ffn = PositionwiseFeedForward(d_model, d_ff)
        self.norm_3 = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        src_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        # y: [B, T, D]
        a = self.self_attn(y, y, y, tgt_mask)
        # a: [B, T, D] <- masked MultiHeadAttention(Q=K=V=y), causal mask [B, 1, T, T]
        y = self.norm_1(y + self.dropout(a))
        # y: [B, T, D] <- LayerNorm(y + Dropout(a))
        c = self.cross_attn(y, memory, memory, src_mask)
        # c: [B, T, D] <- MultiHeadAttention(Q=y, K=V=memory [B, N, D])
        y = self.norm_2(y + self.dropout(c))
        # y: [B, T, D] <- LayerNorm(y + Dropout(c))
        f = self.ffn(y)
        # f: [B, T, D] <- PositionwiseFeedForward(D, d_ff), Eq. 2
        y = self.norm_3(y + self.dropout(f))
        # y: [B, T, D] <- LayerNorm(y + Dropout(f))
        return y
