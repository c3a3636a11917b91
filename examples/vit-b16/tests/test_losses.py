"""Hand-computed cases of ClassificationLoss (softmax cross-entropy with label smoothing
eps = 0.1, mean over the batch).

The smoothed target of a sample with label y over K classes is q_k = 0.9 [k = y] + 0.1 / K, and
the loss is -sum_k q_k log p_k. Each case gives its inputs, the expected value and the
arithmetic, so a missing smoothing, a wrong eps, a sum over the batch or a shifted label fails
here even when every generic check passes.
"""

import math

import torch
from losses import ClassificationLoss, make_targets


def test_uniform_logits_cost_log_k_whatever_the_smoothing() -> None:
    # logits all 0 over K = 1000: log p_k = -ln 1000 for every k, and sum_k q_k = 1, so
    # loss = ln 1000 = 6.907755 (smoothing moves mass between classes of equal cost)
    loss = ClassificationLoss()(torch.zeros(1, 1000), torch.tensor([0]))
    assert math.isclose(loss.item(), math.log(1000), rel_tol=1e-6)


def test_smoothing_spreads_a_tenth_over_the_classes() -> None:
    # K = 3, logits (0, ln 3, 0), label 1: p = (1/5, 3/5, 1/5);
    # q = (0.1/3, 0.9 + 0.1/3, 0.1/3) = (1/30, 28/30, 1/30);
    # loss = (1/30 + 1/30) ln 5 + (28/30)(ln 5 - ln 3) = ln 5 - (28/30) ln 3 = 0.5840664
    # (without smoothing it would be ln 5 - ln 3 = 0.5108256)
    loss = ClassificationLoss()(torch.tensor([[0.0, math.log(3.0), 0.0]]), torch.tensor([1]))
    assert math.isclose(loss.item(), math.log(5) - 28 / 30 * math.log(3), rel_tol=1e-6)


def test_batch_is_averaged_not_summed() -> None:
    # sample 0: logits (0, 0, 0), label 0 -> ln 3 = 1.0986123 (uniform, as in case 1);
    # sample 1: case 2 -> 0.5840664; mean = (1.0986123 + 0.5840664) / 2 = 0.8413394
    # (a sum would give 1.6826787)
    logits = torch.tensor([[0.0, 0.0, 0.0], [0.0, math.log(3.0), 0.0]])
    loss = ClassificationLoss()(logits, torch.tensor([0, 1]))
    expected = (math.log(3) + math.log(5) - 28 / 30 * math.log(3)) / 2
    assert math.isclose(loss.item(), expected, rel_tol=1e-6)


def test_make_targets_gives_valid_class_ids() -> None:
    # 3 samples: ids 0, 7, 14, all in [0, 1000)
    assert make_targets(3).tolist() == [0, 7, 14]
