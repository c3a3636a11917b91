"""Hand-computed cases of LabelSmoothedCrossEntropy (eps_ls = 0.1, Section 5.4; padding id 0
ignored; mean over the non-padding tokens).

The smoothed target of a token with label y over V classes is q_k = 0.9 [k = y] + 0.1 / V, and
its loss is -sum_k q_k log p_k. Each case gives its inputs, the expected value and the
arithmetic, so a missing smoothing, a counted padding token or a per-sentence mean fails here
even when every generic check passes.
"""

import math

import torch
from losses import LabelSmoothedCrossEntropy, make_targets

# K = 3, logits (0, ln 3, 0), label 1: p = (1/5, 3/5, 1/5), q = (1/30, 28/30, 1/30);
# loss = (2/30) ln 5 + (28/30)(ln 5 - ln 3) = ln 5 - (28/30) ln 3 = 0.5840664
PEAKED = [0.0, math.log(3.0), 0.0]
PEAKED_LOSS = math.log(5) - 28 / 30 * math.log(3)


def test_uniform_logits_cost_log_v_whatever_the_smoothing() -> None:
    # one token, V = 37000 logits all 0: log p_k = -ln 37000 for all k and sum_k q_k = 1,
    # so loss = ln 37000 = 10.518673
    loss = LabelSmoothedCrossEntropy()(torch.zeros(1, 1, 37000), torch.tensor([[5]]))
    assert math.isclose(loss.item(), math.log(37000), rel_tol=1e-6)


def test_smoothing_spreads_a_tenth_over_the_vocabulary() -> None:
    # one token, V = 3, logits (0, ln 3, 0), label 1: 0.5840664 (unsmoothed: ln 5 - ln 3 = 0.5108)
    loss = LabelSmoothedCrossEntropy()(torch.tensor([[PEAKED]]), torch.tensor([[1]]))
    assert math.isclose(loss.item(), PEAKED_LOSS, rel_tol=1e-6)


def test_padding_costs_nothing_and_tokens_are_averaged() -> None:
    # sentence 0: two tokens with logits (0, 0, 0), labels 1 and 2 -> ln 3 each;
    # sentence 1: token 0 as case 2 -> 0.5840664, token 1 padding (label 0, logits (5, 0, 0)),
    # which must cost nothing. Mean over the 3 real tokens:
    # (2 ln 3 + 0.5840664) / 3 = (2.1972246 + 0.5840664) / 3 = 0.9270970
    # (counting the padding token, or averaging per sentence, (ln 3 + 0.5840664) / 2 = 0.8413,
    # gives another value)
    logits = torch.tensor([[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [PEAKED, [5.0, 0.0, 0.0]]])
    target = torch.tensor([[1, 2], [1, 0]])
    loss = LabelSmoothedCrossEntropy()(logits, target)
    assert math.isclose(loss.item(), (2 * math.log(3) + PEAKED_LOSS) / 3, rel_tol=1e-6)


def test_make_targets_are_valid_ids_with_padding() -> None:
    # [2, 5]: 1 + 7 * position, the second sentence's last token padded (id 0)
    assert make_targets(2).tolist() == [[1, 8, 15, 22, 29], [36, 43, 50, 57, 0]]
