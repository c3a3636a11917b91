"""The training loss of SSD300 ("SSD: Single Shot MultiBox Detector"): the multibox loss of
Section 2.2 (page 5), Eq. (1)-(3), with the matching strategy and hard negative mining.

Called as loss(prediction, target) -> scalar, where prediction is what SSD300.forward returns,
(loc [B, P, 4], conf [B, P, num_classes]), and target is what make_targets builds: one dict per
image with "boxes" [n, 4] (x_min, y_min, x_max, y_max, relative to the image) and "labels" [n]
(1..num_classes-1; 0 is the background).
"""

# symbols: P = number of default boxes (8732), n = ground-truth boxes of one image

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from config import CONFIG
from modules.default_boxes import DefaultBoxes

Target = List[Dict[str, Tensor]]


def corners(boxes: Tensor) -> Tensor:
    """(cx, cy, w, h) -> (x_min, y_min, x_max, y_max)."""
    return torch.cat([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], dim=1)


def jaccard(a: Tensor, b: Tensor) -> Tensor:
    """Jaccard overlap (IoU) of corner boxes a [n, 4] and b [P, 4]: [n, P]."""
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(dim=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(dim=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def match(gt_boxes: Tensor, priors: Tensor, threshold: float) -> Tensor:
    """Section 2.2 "Matching strategy" (page 5): the index of the ground truth each default box
    is matched to, or -1. Each ground truth gets its best default box; then every default box
    with jaccard overlap above the threshold (0.5) gets its best ground truth."""
    if gt_boxes.numel() == 0:
        return torch.full((priors.shape[0],), -1, dtype=torch.long)
    overlaps = jaccard(gt_boxes, corners(priors))  # [n, P]
    best_gt_overlap, best_gt = overlaps.max(dim=0)  # [P]
    matched = torch.where(best_gt_overlap > threshold, best_gt, torch.full_like(best_gt, -1))
    best_prior = overlaps.argmax(dim=1)  # [n]
    for j in range(gt_boxes.shape[0]):  # the bipartite part wins over the threshold part
        matched[best_prior[j]] = j
    return matched


def encode(gt_boxes: Tensor, priors: Tensor) -> Tensor:
    """Eq. (2), page 5: g_hat = ((g_cx - d_cx)/d_w, (g_cy - d_cy)/d_h, log(g_w/d_w), log(g_h/d_h))."""
    g_c = (gt_boxes[:, :2] + gt_boxes[:, 2:]) / 2
    g_wh = gt_boxes[:, 2:] - gt_boxes[:, :2]
    return torch.cat([(g_c - priors[:, :2]) / priors[:, 2:], torch.log(g_wh / priors[:, 2:])], dim=1)


class MultiBoxLoss(nn.Module):
    """The multibox loss of Liu et al. 2016 (arXiv:1512.02325), Eq. (1), page 5:
    L = (L_conf + alpha * L_loc) / N, N the number of matched default boxes,
    L = 0 when N = 0; alpha = 1 (page 5, "set to 1 by cross validation").

    L_loc (Eq. 2): Smooth L1 summed over the 4 encoded offsets of every positive box.
    L_conf (Eq. 3): softmax cross-entropy summed over the positives and the mined negatives; hard
    negative mining (page 6): per image, the negatives with the highest confidence loss, at most
    3 per positive.
    """

    def __init__(self, alpha: float = CONFIG.alpha, threshold: float = CONFIG.match_threshold,
                 neg_pos_ratio: int = CONFIG.neg_pos_ratio, priors: Optional[Tensor] = None) -> None:
        super().__init__()
        self.alpha = alpha
        self.threshold = threshold
        self.neg_pos_ratio = neg_pos_ratio
        self.register_buffer("priors", DefaultBoxes().boxes if priors is None else priors, persistent=False)
        self._assigned: Optional[Tuple[Target, torch.dtype, Tensor, Tensor]] = None

    def assign(self, target: Target, dtype: torch.dtype) -> Tuple[Tensor, Tensor]:
        """Per image: class label of each default box (0 = background) [B, P] and the encoded
        ground truth of Eq. (2) [B, P, 4] (zeros where unmatched).

        The matching depends on the target alone, not on the prediction, so the result for the
        last target object is kept: a training loop calls the loss on one batch many times. The
        cache holds the target itself, so `is` cannot confuse it with a new one."""
        cached = self._assigned
        if cached is not None and cached[0] is target and cached[1] == dtype:
            return cached[2], cached[3]
        labels, offsets = self._assign(target, dtype)
        self._assigned = (target, dtype, labels, offsets)
        return labels, offsets

    def _assign(self, target: Target, dtype: torch.dtype) -> Tuple[Tensor, Tensor]:
        priors = self.priors.to(dtype)
        labels, offsets = [], []
        for t in target:
            boxes = t["boxes"].to(dtype)
            idx = match(boxes, priors, self.threshold)
            pos = idx >= 0
            lab = torch.zeros(priors.shape[0], dtype=torch.long)
            lab[pos] = t["labels"].long()[idx[pos]]
            off = torch.zeros(priors.shape[0], 4, dtype=dtype)
            if pos.any():
                off[pos] = encode(boxes[idx[pos]], priors[pos])
            labels.append(lab)
            offsets.append(off)
        return torch.stack(labels), torch.stack(offsets)

    def forward(self, prediction: Tuple[Tensor, Tensor], target: Target) -> Tensor:
        # loc: [B, P, 4] <- input (prediction[0])
        # conf: [B, P, K] <- input (prediction[1])
        loc, conf = prediction
        labels, offsets = self.assign(target, loc.dtype)
        # labels: [B, P] <- match
        # offsets: [B, P, 4] <- match, encode (Eq. 2)
        pos = labels > 0  # pos: [B, P] <- matched boxes
        num_pos = pos.sum(dim=1)  # num_pos: [B] <- count per image
        n_matched = int(num_pos.sum())
        if n_matched == 0:
            # Eq. (1): "If N = 0, wet set the loss to 0" (kept on the graph)
            return (loc.sum() + conf.sum()) * 0.0
        # Eq. (2): Smooth L1 over the 4 offsets of the positives, summed
        loss_loc = F.smooth_l1_loss(loc[pos], offsets[pos], reduction="sum")  # loss_loc: [] <- sum
        # Eq. (3): -log softmax of the label (background for negatives)
        ce = F.cross_entropy(conf.reshape(-1, conf.shape[-1]), labels.reshape(-1),
                             reduction="none").reshape(labels.shape)  # ce: [B, P] <- cross_entropy
        # Hard negative mining (page 6): rank negatives by their confidence loss, keep the top
        # 3 x positives per image. The ranking is a selection, not part of the gradient.
        with torch.no_grad():
            rank_loss = ce.clone()  # rank_loss: [B, P] <- clone
            rank_loss[pos] = -1.0  # positives never count as negatives
            order = rank_loss.argsort(dim=1, descending=True)  # order: [B, P] <- argsort
            rank = order.argsort(dim=1)  # rank: [B, P] <- argsort
            num_neg = torch.clamp(self.neg_pos_ratio * num_pos, max=pos.shape[1] - 1)  # num_neg: [B] <- clamp
            neg = (rank < num_neg[:, None]) & ~pos  # neg: [B, P] <- top 3 x num_pos
        loss_conf = ce[pos].sum() + ce[neg].sum()  # loss_conf: [] <- sum
        # Eq. (1): (L_conf + alpha L_loc) / N
        return (loss_conf + self.alpha * loss_loc) / n_matched


def make_targets(batch: int) -> Target:
    """Valid, distinct targets: image i gets one or two boxes with positive sizes inside the image
    and labels in 1..20 (VOC's 20 classes; 0 is the background). Fixed values, no randomness."""
    layouts = [
        # a large and a small box in the first images, so that conv11_2, conv10_2 (scales 0.9,
        # 0.725) and conv4_3 (0.1) have matched default boxes: with hard negative mining, a map
        # with no positive and no mined negative gets no gradient at all
        ([[0.10, 0.15, 0.45, 0.70], [0.05, 0.05, 0.95, 0.95], [0.62, 0.70, 0.72, 0.80]], [3, 8, 5]),
        ([[0.15, 0.15, 0.85, 0.85], [0.05, 0.05, 0.30, 0.35]], [12, 7]),
        ([[0.30, 0.30, 0.70, 0.70]], [15]),
        ([[0.60, 0.10, 0.95, 0.40], [0.20, 0.55, 0.55, 0.90]], [1, 20]),
    ]
    out = []
    for i in range(batch):
        boxes, labels = layouts[i % len(layouts)]
        shift = 0.02 * (i // len(layouts))  # later repeats move slightly, stay distinct
        out.append({"boxes": torch.tensor(boxes) + shift, "labels": torch.tensor(labels)})
    return out


def perfect_prediction(prediction: Tuple[Tensor, Tensor], target: Target) -> Tuple[Tensor, Tensor]:
    """The prediction the loss scores (almost exactly) 0: the encoded ground truth on every matched
    box, and a logit margin of 50 for the right class (background for the others) on every box,
    so each softmax term is at most 20 * exp(-50) ~ 4e-21. Unmatched offsets are left as they are
    (the loss ignores them)."""
    loc, conf = prediction
    loss = MultiBoxLoss()
    labels, offsets = loss.assign(target, loc.dtype)
    pos = labels > 0
    loc = torch.where(pos[..., None], offsets.to(loc.dtype), loc)
    conf = F.one_hot(labels, conf.shape[-1]).to(conf.dtype) * 50.0
    return loc, conf
