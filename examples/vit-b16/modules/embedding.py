"""Eq. 1 of the ViT paper: patches -> linear projection E, prepend x_class, add E_pos.

D is the hidden size (768 for ViT-B) and N = (H//P) * (W//P) the number of patches (196 at
224x224); H and W are assumed divisible by P.
"""

# symbols: P = patch size (16)

import torch
from torch import nn


class PatchEmbedding(nn.Module):
    """Patch embedding of Dosovitskiy et al. 2020, "An Image is Worth 16x16 Words" (Section 3.1,
    Eq. 1): cut the image into P x P patches, flatten each and project it with E to D dimensions.
    A Conv2d with kernel = stride = P is exactly that linear map applied to every patch.
    """

    def __init__(self, in_channels: int = 3, hidden_dim: int = 768, patch_size: int = 16) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_channels, hidden_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        x = self.proj(x)
        # x: [B, D, H//P, W//P] <- Conv2d(C, D, k=P, s=P, p=0), i.e. x_p E for every patch
        x = x.flatten(2)
        # x: [B, D, N] <- flatten(2)
        x = x.transpose(1, 2)
        # x: [B, N, D] <- transpose(1, 2)
        return x


class ViTEmbeddings(nn.Module):
    """Input of the encoder, Eq. 1 of Dosovitskiy et al. 2020 ("An Image is Worth 16x16 Words"):
    z_0 = [x_class; x_p^1 E; ...; x_p^N E] + E_pos, followed by dropout (Appendix B.1: dropout
    "directly after adding positional- to patch embeddings").
    """

    def __init__(
        self,
        image_size: int = 224,
        patch_size: int = 16,
        in_channels: int = 3,
        hidden_dim: int = 768,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        num_patches = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbedding(in_channels, hidden_dim, patch_size)
        # Learnable [class] token x_class (Section 3.1) and 1D position embeddings E_pos.
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.pos_embedding = nn.Parameter(torch.zeros(1, num_patches + 1, hidden_dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, C, H, W]
        patches = self.patch_embed(x)
        # patches: [B, N, D] <- PatchEmbedding(C, D, P)
        cls = self.class_token.expand(patches.shape[0], -1, -1)
        # cls: [B, 1, D] <- expand(B, -1, -1)
        z = torch.cat([cls, patches], dim=1)
        # z: [B, N+1, D] <- cat([x_class; patches], dim=1)
        z = z + self.pos_embedding
        # z: [B, N+1, D] <- z + E_pos (broadcast over B)
        z = self.dropout(z)
        # z: [B, N+1, D] <- Dropout(p)
        return z
