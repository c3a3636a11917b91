"""Sub-modules of ViT-B/16 (Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words").

One class per part of Eq. 1-4 of the paper: the patch + position embedding (Eq. 1), multi-head
self-attention (Appendix A, Eq. 5-8), the MLP block, the pre-norm encoder block (Eq. 2-3), and
the final LayerNorm + linear classifier on the [class] token (Eq. 4).
"""

from modules.attention import MultiHeadSelfAttention
from modules.embedding import PatchEmbedding, ViTEmbeddings
from modules.encoder_block import EncoderBlock
from modules.head import ClassificationHead
from modules.mlp import MLPBlock

__all__ = [
    "ClassificationHead",
    "EncoderBlock",
    "MLPBlock",
    "MultiHeadSelfAttention",
    "PatchEmbedding",
    "ViTEmbeddings",
]
