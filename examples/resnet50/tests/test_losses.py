"""Hand-computed cases of ClassificationLoss (softmax cross-entropy, mean over the batch).

Each case gives its inputs, the expected value and the arithmetic, so a wrong reduction, a
missing log or a shifted label fails here even when every generic check passes.
"""

import math

import torch
from losses import ClassificationLoss, make_targets


def test_uniform_logits_cost_log_k() -> None:
    # logits all 0 over K = 1000 classes, label 0: softmax = 1/1000 everywhere,
    # loss = -log(1/1000) = ln 1000 = 6.907755
    loss = ClassificationLoss()(torch.zeros(1, 1000), torch.tensor([0]))
    assert math.isclose(loss.item(), math.log(1000), rel_tol=1e-6)


def test_one_sample_three_classes() -> None:
    # logits (0, ln 3, 0), label 1: softmax[1] = 3 / (1 + 3 + 1) = 3/5,
    # loss = -ln(3/5) = ln 5 - ln 3 = 0.5108256
    loss = ClassificationLoss()(torch.tensor([[0.0, math.log(3.0), 0.0]]), torch.tensor([1]))
    assert math.isclose(loss.item(), math.log(5) - math.log(3), rel_tol=1e-6)


def test_batch_is_averaged_not_summed() -> None:
    # sample 0: logits (0, 0, 0), label 0 -> ln 3; sample 1: as above -> ln 5 - ln 3;
    # mean = (ln 3 + ln 5 - ln 3) / 2 = ln 5 / 2 = 0.8047190 (a sum would give ln 5 = 1.609)
    logits = torch.tensor([[0.0, 0.0, 0.0], [0.0, math.log(3.0), 0.0]])
    loss = ClassificationLoss()(logits, torch.tensor([0, 1]))
    assert math.isclose(loss.item(), math.log(5) / 2, rel_tol=1e-6)


def test_make_targets_gives_valid_class_ids() -> None:
    # 3 samples: ids 0, 7, 14, all in [0, 1000)
    assert make_targets(3).tolist() == [0, 7, 14]
