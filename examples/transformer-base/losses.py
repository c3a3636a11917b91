"""The training loss of the Transformer (Vaswani et al. 2017): cross-entropy of the shared
softmax output against label-smoothed targets, eps_ls = 0.1 (Section 5.4), over every target
position that is not padding, averaged over those tokens.

The paper gives the smoothing (Section 5.4, Table 3 base) but not the reduction: the mean over
non-padding tokens follows tensor2tensor (audit, section 4), and padding (config.pad_id, audit
U5) costs nothing. The model returns logits [B, T, V]; the softmax is here.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from config import MODEL, TRAIN

# make_targets' length: verify.toml's tgt=[2,5] input makes the model return 5 positions.
TARGET_LENGTH = 5


class LabelSmoothedCrossEntropy(nn.Module):
    """The Transformer's training loss (Vaswani et al. 2017, Section 5.4):
    L = -(1/N) sum over the N non-padding positions (b, t) of sum_k q_k log softmax(z_bt)_k,
    with q_k = (1 - eps) [k = y_bt] + eps / V (eps = TRAIN.label_smoothing, V the vocabulary)."""

    def __init__(
        self, label_smoothing: float = TRAIN.label_smoothing, pad_id: int = MODEL.pad_id
    ) -> None:
        super().__init__()
        self.label_smoothing = label_smoothing
        self.pad_id = pad_id

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # logits: [B, T, V] <- the shared pre-softmax projection; target: [B, T] token ids
        vocab = logits.shape[-1]
        flat = logits.reshape(-1, vocab)  # flat: [B*T, V] <- reshape
        return F.cross_entropy(  # loss: [] <- mean over the non-padding positions
            flat,
            target.reshape(-1),
            ignore_index=self.pad_id,
            label_smoothing=self.label_smoothing,
        )


def make_targets(batch: int) -> torch.Tensor:
    """Valid targets [batch, 5]: distinct token ids 1 + 7 * (5b + t) (in [1, 37000), never the
    padding id 0), with the last position of every second sample padded, so the mask is used."""
    pos = torch.arange(batch * TARGET_LENGTH).reshape(batch, TARGET_LENGTH)
    target = 1 + (7 * pos) % (MODEL.vocab_size - 1)
    target[1::2, -1] = MODEL.pad_id
    return target
