"""Sub-modules of the Transformer base model (Vaswani et al. 2017, "Attention Is All You Need").

One class per box of Figure 1 of the paper: scaled token embeddings with sinusoidal positional
encodings (Sections 3.4-3.5), multi-head attention (Section 3.2), the position-wise feed-forward
network (Section 3.3), and the encoder and decoder layers with post-norm residual connections
(Section 3.1).
"""

from modules.attention import MultiHeadAttention
from modules.decoder_layer import DecoderLayer
from modules.embedding import PositionalEncoding, TokenEmbedding
from modules.encoder_layer import EncoderLayer
from modules.feed_forward import PositionwiseFeedForward

__all__ = [
    "DecoderLayer",
    "EncoderLayer",
    "MultiHeadAttention",
    "PositionalEncoding",
    "PositionwiseFeedForward",
    "TokenEmbedding",
]
