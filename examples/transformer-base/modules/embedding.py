"""Token embeddings scaled by sqrt(d_model) (Section 3.4) and sinusoidal positional encodings
(Section 3.5).

T is the sequence length, D = d_model (512).
"""

# symbols: V = vocabulary size (37000)

import math

import torch
from torch import nn


class TokenEmbedding(nn.Module):
    """Embedding of Vaswani et al. 2017, "Attention Is All You Need" (Section 3.4): learned
    embeddings of dimension d_model, multiplied by sqrt(d_model). One instance is shared by the
    encoder input, the decoder input and the pre-softmax projection (Section 3.4, after Press &
    Wolf 2016); `logits` is that projection.
    """

    def __init__(self, vocab_size: int = 37000, d_model: int = 512) -> None:
        super().__init__()
        self.d_model = d_model
        self.weight = nn.Parameter(torch.empty(vocab_size, d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # tokens: [B, T]
        x = nn.functional.embedding(tokens, self.weight)
        # x: [B, T, D] <- Embedding(V, D)
        x = x * math.sqrt(self.d_model)
        # x: [B, T, D] <- x * sqrt(d_model), Section 3.4
        return x

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-softmax linear transformation with the shared weight: x W_emb^T."""
        return x @ self.weight.t()


class PositionalEncoding(nn.Module):
    """Sinusoidal positional encoding of Vaswani et al. 2017, "Attention Is All You Need"
    (Section 3.5): PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)),
    added to the embeddings, then dropout (Section 5.4). No parameters: the table is a buffer.
    """

    def __init__(self, d_model: int = 512, max_len: int = 1024, dropout: float = 0.1) -> None:
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
        inv_freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        table = torch.zeros(max_len, d_model)
        table[:, 0::2] = torch.sin(position * inv_freq)
        table[:, 1::2] = torch.cos(position * inv_freq)
        # Not persistent: it is a pure function of (max_len, d_model), so checkpoints need not carry it.
        self.register_buffer("table", table, persistent=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, T, D]
        x = x + self.table[: x.shape[1]]
        # x: [B, T, D] <- x + PE[:T] (broadcast over B), Section 3.5
        x = self.dropout(x)
        # x: [B, T, D] <- Dropout(P_drop), Section 5.4
        return x
