"""Hand-computed cases of the multibox loss in losses.py (SSD, Section 2.2, Eq. 1-3, page 5).

Each case uses a handful of default boxes given by hand (MultiBoxLoss(priors=...)), two classes
(0 = background, 1 = object), so every number can be worked out on paper. The audit's section 4
(损失函数分析) names these cases. Smooth L1 (beta = 1): 0.5 x^2 for |x| < 1, |x| - 0.5 otherwise.
Softmax loss with logits (z0, z1): -log softmax_y; at (0, 0) it is ln 2 for either label, and for
the background label at (0, t) it is ln(1 + e^t).
"""

import math
from typing import Dict, List

import torch
from losses import MultiBoxLoss, make_targets

LN2 = math.log(2.0)

# Four quadrant default boxes (cx, cy, w, h): d0 top-left, d1 top-right, d2 bottom-left, d3 bottom-right.
QUADRANTS = torch.tensor([[0.25, 0.25, 0.5, 0.5], [0.75, 0.25, 0.5, 0.5],
                          [0.25, 0.75, 0.5, 0.5], [0.75, 0.75, 0.5, 0.5]])


def one_image(boxes: List[List[float]], labels: List[int]) -> List[Dict[str, torch.Tensor]]:
    return [{"boxes": torch.tensor(boxes), "labels": torch.tensor(labels)}]


def test_case_1_confidence_term_alone() -> None:
    # One ground truth (0, 0, 0.5, 0.5) = d0 exactly: IoU(d0) = 1, IoU(d1..d3) = 0, so N = 1.
    # Its encoding (Eq. 2) is (0, 0, ln 1, ln 1) = 0 and loc predicts 0 there: L_loc = 0.
    # conf logits all (0, 0): the positive d0 costs ln 2; hard negative mining keeps
    # min(3 x 1, 3 negatives) = 3 negatives, ln 2 each.
    # L = (L_conf + 1 x 0) / N = (ln 2 + 3 ln 2) / 1 = 4 ln 2 = 2.7725887
    loss = MultiBoxLoss(priors=QUADRANTS)  # alpha from config.py: 1
    loc = torch.zeros(1, 4, 4)
    conf = torch.zeros(1, 4, 2)
    value = loss((loc, conf), one_image([[0.0, 0.0, 0.5, 0.5]], [1]))
    assert math.isclose(value.item(), 4 * LN2, rel_tol=1e-6)


def test_case_2_localisation_and_alpha() -> None:
    # Ground truth (0, 0, 0.6, 0.5): centre (0.3, 0.25), w 0.6, h 0.5.
    # IoU with d0: inter 0.5 x 0.5 = 0.25, union 0.30 + 0.25 - 0.25 = 0.30 -> 0.833 (> 0.5);
    # with d1: inter 0.1 x 0.5 = 0.05, union 0.30 + 0.25 - 0.05 = 0.50 -> 0.1. Only d0 matches, N = 1.
    # Eq. (2): g_hat = ((0.3 - 0.25)/0.5, (0.25 - 0.25)/0.5, ln(0.6/0.5), ln(0.5/0.5)) = (0.1, 0, ln 1.2, 0).
    # loc at d0 = (0.1, 0, ln 1.2 + 0.4, -3.0): differences (0, 0, 0.4, -3.0)
    #   smooth L1 = 0 + 0 + 0.5 x 0.16 + (3.0 - 0.5) = 0.08 + 2.5 = 2.58.
    # The other boxes' loc (7.0) is ignored (not matched).
    # conf all (0, 0): L_conf = 4 ln 2 as in case 1.
    # alpha = 1 (the paper): L = 4 ln 2 + 2.58 = 5.3525887; alpha = 2: 4 ln 2 + 5.16 = 7.9325887.
    loc = torch.full((1, 4, 4), 7.0)
    loc[0, 0] = torch.tensor([0.1, 0.0, math.log(1.2) + 0.4, -3.0])
    conf = torch.zeros(1, 4, 2)
    target = one_image([[0.0, 0.0, 0.6, 0.5]], [1])
    one = MultiBoxLoss(priors=QUADRANTS)((loc, conf), target)  # config.py's alpha = 1
    two = MultiBoxLoss(alpha=2.0, priors=QUADRANTS)((loc, conf), target)
    assert math.isclose(one.item(), 4 * LN2 + 2.58, rel_tol=1e-6)
    assert math.isclose(two.item(), 4 * LN2 + 5.16, rel_tol=1e-6)


def test_case_3_normaliser_mask_and_hard_negatives() -> None:
    # Eight default boxes, a 4 x 2 grid of cells 0.25 wide and 0.5 high:
    #   p0..p3 top row (cx 0.125, 0.375, 0.625, 0.875; cy 0.25), p4..p7 bottom row (cy 0.75).
    # Image A: ground truths = p0 and p5 exactly (neighbours only touch: IoU 0): 2 positives,
    #   6 negatives, 3 x 2 = 6 mined (all of them). conf all (0, 0): 8 boxes x ln 2 = 8 ln 2.
    # Image B: ground truth = p3 exactly: 1 positive (ln 2); 7 negatives with logits (0, t),
    #   t = 3, 2, 1, 0, -1, -2, -3 on p0, p1, p2, p4, p5, p6, p7; each costs ln(1 + e^t).
    #   Mining keeps the 3 x 1 = 3 highest: t = 3, 2, 1:
    #   ln(1 + e^3) + ln(1 + e^2) + ln(1 + e^1) = 3.0485874 + 2.1269280 + 1.3132617 = 6.4887771.
    # loc: 0 on every positive (exact matches encode to 0), 5.0 on every other box: L_loc = 0
    #   only if unmatched boxes are masked out.
    # N = 2 + 1 = 3 matched boxes (not the batch size 2):
    # L = (8 ln 2 + ln 2 + 6.4887771 + 1 x 0) / 3 = (6.2383246 + 6.4887771) / 3 = 4.2423672.
    cx = [0.125, 0.375, 0.625, 0.875]
    priors = torch.tensor([[x, y, 0.25, 0.5] for y in (0.25, 0.75) for x in cx])
    targets = [
        {"boxes": torch.tensor([[0.0, 0.0, 0.25, 0.5], [0.25, 0.5, 0.5, 1.0]]), "labels": torch.tensor([1, 1])},
        {"boxes": torch.tensor([[0.75, 0.0, 1.0, 0.5]]), "labels": torch.tensor([1])},
    ]
    loc = torch.full((2, 8, 4), 5.0)
    loc[0, 0] = 0.0
    loc[0, 5] = 0.0
    loc[1, 3] = 0.0
    conf = torch.zeros(2, 8, 2)
    for p, t in zip([0, 1, 2, 4, 5, 6, 7], [3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -3.0]):
        conf[1, p, 1] = t
    value = MultiBoxLoss(priors=priors)((loc, conf), targets)
    mined = math.log(1 + math.e**3) + math.log(1 + math.e**2) + math.log(1 + math.e)
    expected = (9 * LN2 + mined) / 3
    assert math.isclose(mined, 6.4887771, rel_tol=1e-7)
    assert math.isclose(value.item(), expected, rel_tol=1e-6)
    assert math.isclose(expected, 4.2423672, rel_tol=1e-7)


def test_case_4_best_prior_match_below_threshold() -> None:
    # Ground truth (0, 0, 0.3, 0.3): IoU with d0 = 0.09 / 0.25 = 0.36 < 0.5, others 0; the
    # matching strategy still gives each ground truth its best default box (page 5), so N = 1.
    # Eq. (2): centre (0.15, 0.15), w = h = 0.3: g_hat = (-0.2, -0.2, ln 0.6, ln 0.6).
    # loc 0: smooth L1 = 2 x 0.5 x 0.04 + 2 x 0.5 x (ln 0.6)^2 = 0.04 + 0.2609428 = 0.3009428.
    # conf (0, 0): 4 ln 2. L = 4 ln 2 + 0.3009428 = 3.0735315.
    loc = torch.zeros(1, 4, 4)
    conf = torch.zeros(1, 4, 2)
    value = MultiBoxLoss(priors=QUADRANTS)((loc, conf), one_image([[0.0, 0.0, 0.3, 0.3]], [1]))
    expected = 4 * LN2 + 0.04 + math.log(0.6) ** 2
    assert math.isclose(value.item(), expected, rel_tol=1e-6)


def test_case_5_no_match_gives_zero() -> None:
    # Eq. (1), page 5: "If N = 0, we set the loss to 0": an image with no ground truth.
    loc = torch.randn(1, 4, 4, requires_grad=True)
    conf = torch.randn(1, 4, 2)
    empty = [{"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long)}]
    value = MultiBoxLoss(priors=QUADRANTS)((loc, conf), empty)
    assert value.item() == 0.0
    value.backward()  # still on the graph


def test_make_targets_is_valid() -> None:
    # Boxes inside the image with positive sizes, labels in 1..20, distinct images.
    targets = make_targets(4)
    assert len(targets) == 4
    for t in targets:
        b = t["boxes"]
        assert (b >= 0).all() and (b <= 1).all()
        assert (b[:, 2:] > b[:, :2]).all()
        assert ((t["labels"] >= 1) & (t["labels"] <= 20)).all()
    assert not torch.equal(targets[0]["boxes"], targets[1]["boxes"][: targets[0]["boxes"].shape[0]])
