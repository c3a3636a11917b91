"""Tests of the loss checks (validate_model.py --loss, scripts/_loss.py) with real PyTorch:
losses whose values are computed by hand here, and one-defect copies that must each fail
exactly the check meant to catch them (fixtures/losses.py)."""

from __future__ import annotations

import json
import math

import _loss
import pytest
import torch
from conftest import FIXTURES

LOSSES = FIXTURES / "losses.py"
ALL = (
    "loss_scalar",
    "loss_finite",
    "loss_grad",
    "loss_gradcheck",
    "loss_reduction",
    "loss_invariance",
)


def run_checks(
    cls: str,
    prediction: torch.Tensor,
    targets: str = "make_targets",
    reduction: str = "mean",
    perfect: str | None = None,
) -> dict[str, _loss.Check]:
    spec = _loss.LossSpec(
        f"{LOSSES}:{cls}",
        f"{LOSSES}:{targets}",
        reduction,
        {},
        f"{LOSSES}:{perfect}" if perfect else None,
    )
    checks = _loss.loss_checks(
        _loss.Loss(spec), prediction, prediction.shape[0], lambda: torch.manual_seed(0)
    )
    assert [c.name for c in checks] == list(ALL)
    return {c.name: c for c in checks}


def statuses(checks: dict[str, _loss.Check]) -> dict[str, str]:
    return {n: c.status for n, c in checks.items()}


def value_of(check: _loss.Check) -> float:
    # "MSE(prediction [2, 2], make_targets(2)) = 7.5 (float32 scalar)"
    return float(check.detail.split(" = ")[1].split(" ")[0])


def test_mse_by_hand_passes_every_check():
    # (1^2 + 2^2 + 3^2 + 4^2) / 4 = 30 / 4 = 7.5
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("MSE", pred, perfect="perfect_regression")
    assert statuses(checks) == dict.fromkeys(ALL, "PASS")
    assert value_of(checks["loss_scalar"]) == 7.5
    # d/dp mean(p^2) = 2p/4: non-zero at all 4 entries
    assert "non-zero in 4 of 4 entries (100.0%)" in checks["loss_grad"].detail
    # the batch twice over: 60 / 8 = 7.5, ratio 1
    assert "ratio 1 (a mean over the batch)" in checks["loss_reduction"].detail
    # one sample, 2 entries: full gradcheck, not the random-direction fast mode
    assert "batch 1 (2 prediction entries, every entry)" in checks["loss_gradcheck"].detail


def test_smooth_l1_by_hand():
    # beta 1: |d| < 1 -> 0.5 d^2, else |d| - 0.5
    # 0.5 -> 0.125, 2.0 -> 1.5, -0.5 -> 0.125, -3.0 -> 2.5; mean = 4.25 / 4 = 1.0625
    pred = torch.tensor([[0.5, 2.0], [-0.5, -3.0]])
    checks = run_checks("SmoothL1", pred, perfect="perfect_regression")
    assert statuses(checks) == dict.fromkeys(ALL, "PASS")
    assert value_of(checks["loss_scalar"]) == pytest.approx(1.0625, abs=1e-6)


def test_cross_entropy_by_hand_has_no_zero_invariance():
    # sample 0: logits (0, 0, 0), class 0: -log(1/3) = ln 3
    # sample 1: logits (0, ln 3, 0), class 1: -log(3/5) = ln 5 - ln 3
    # mean = ln 5 / 2 = 0.804719
    pred = torch.tensor([[0.0, 0.0, 0.0], [0.0, math.log(3.0), 0.0]])
    checks = run_checks("CrossEntropy", pred, targets="make_class_targets")
    assert value_of(checks["loss_scalar"]) == pytest.approx(math.log(5) / 2, abs=1e-5)
    assert statuses(checks) == {**dict.fromkeys(ALL, "PASS"), "loss_invariance": "SKIP"}
    # cross-entropy is never 0: no invariance declared is not applicable, not a failure
    assert not checks["loss_invariance"].applies


def test_declared_sum_passes_and_the_same_loss_declared_mean_fails():
    # 1 + 4 + 9 + 16 = 30; the batch twice over: 60, ratio 2
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("SumSquared", pred, reduction="sum")
    assert value_of(checks["loss_scalar"]) == 30.0
    assert checks["loss_reduction"].status == "PASS"
    checks = run_checks("SumSquared", pred, reduction="mean")
    assert checks["loss_reduction"].status == "FAIL"
    assert "ratio 2 (a sum over the batch)" in checks["loss_reduction"].detail


# MaskedMSE (lambda 0.5), column 0 supervised:
#   prediction [[1, 9], [5, -7]], value [[0, 1], [2, 3]]
#   column 0: (1 - 0)^2 + (5 - 2)^2 = 1 + 9 = 10 over 2 entries -> 5; x 0.5 -> 2.5
#   column 1: (9 - 1)^2 + (-7 - 3)^2 = 64 + 100 = 164 over 2 entries -> 82; x 0.5 -> 41
MASKED_PRED = torch.tensor([[1.0, 9.0], [5.0, -7.0]])


def masked(cls: str) -> dict[str, _loss.Check]:
    return run_checks(cls, MASKED_PRED, targets="make_masked_targets", perfect="perfect_masked")


def test_masked_mse_by_hand_passes_every_check():
    checks = masked("MaskedMSE")
    assert statuses(checks) == dict.fromkeys(ALL, "PASS")
    assert value_of(checks["loss_scalar"]) == 2.5
    # only column 0 reaches the loss: 2 of 4 entries
    assert "non-zero in 2 of 4 entries (50.0%)" in checks["loss_grad"].detail


@pytest.mark.parametrize(
    ("cls", "failing", "value"),
    [
        # sum over the batch instead of the mean: 0.5 * 10 = 5, and 10 for the batch twice over
        ("MaskedMSEWrongReduction", "loss_reduction", 5.0),
        # the other column: 41; at the perfect prediction column 1 is untouched, so still 41
        ("MaskedMSEInvertedMask", "loss_invariance", 41.0),
        # the value is right (2.5), but no gradient reaches the prediction
        ("MaskedMSEDetached", "loss_grad", 2.5),
    ],
)
def test_one_defect_fails_exactly_its_check(cls, failing, value):
    checks = masked(cls)
    assert value_of(checks["loss_scalar"]) == value
    failed = sorted(n for n, c in checks.items() if c.status == "FAIL")
    assert failed == [failing], {n: (c.status, c.detail) for n, c in checks.items()}
    if cls == "MaskedMSEDetached":
        # nothing to gradcheck: a SKIP that applies, so the run still exits 1
        assert checks["loss_gradcheck"].status == "SKIP" and checks["loss_gradcheck"].applies
    else:
        assert all(c.status == "PASS" for n, c in checks.items() if n != failing)


def test_wrong_lambda_passes_every_generic_check_so_hand_cases_are_needed():
    # lambda 5 instead of 0.5: 5 * 10 / 2 = 25, ten times the hand value 2.5. Scalar, finite,
    # gradient, gradcheck, mean reduction and zero at the perfect prediction all still hold:
    # only a hand-computed case (tests/test_losses.py in the scaffold) can catch it.
    checks = masked("MaskedMSEWrongLambda")
    assert statuses(checks) == dict.fromkeys(ALL, "PASS")
    assert value_of(checks["loss_scalar"]) == 25.0 != 2.5


def test_wrong_custom_backward_fails_gradcheck_only():
    # forward (p - t)^2, backward 4 (p - t) instead of 2 (p - t)
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("WrongBackward", pred)
    failed = sorted(n for n, c in checks.items() if c.status == "FAIL")
    assert failed == ["loss_gradcheck"], {n: c.detail for n, c in checks.items()}
    assert "analytical and numerical gradients differ" in checks["loss_gradcheck"].detail


def test_unreduced_loss_is_not_a_scalar():
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("Unreduced", pred)
    assert checks["loss_scalar"].status == "FAIL"
    assert "shape [2]" in checks["loss_scalar"].detail


def test_square_root_of_a_negative_prediction_fails_finite():
    pred = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    checks = run_checks("SqrtOfNegative", pred)
    assert checks["loss_finite"].status == "FAIL"
    assert "sqrt" in checks["loss_finite"].detail


def test_target_without_batch_dimension_skips_the_reduction_with_the_reason():
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("MSE", pred, targets="make_unbatched_targets")
    rc = checks["loss_reduction"]
    assert rc.status == "SKIP" and "has no batch dimension 2" in rc.detail and not rc.applies


def test_large_prediction_uses_gradcheck_fast_mode():
    # one sample of 1,200 entries is above the 1,000-entry limit of the full check
    pred = torch.randn(2, 1200, generator=torch.Generator().manual_seed(0))
    checks = run_checks("MSE", pred.reshape(2, 1200)[:, :1200], targets="make_targets_wide")
    assert checks["loss_gradcheck"].status == "PASS"
    assert "1,200 prediction entries, fast mode" in checks["loss_gradcheck"].detail


# ---------------------------------------------------------------------------------------------
# The command line


def loss_cli(validate, cls: str, *extra: str) -> tuple[int, dict]:
    code, out, err = validate(
        f"{LOSSES}:Regressor",
        "--input",
        "x=[2,4]",
        "--loss",
        f"{LOSSES}:{cls}",
        "--targets",
        f"{LOSSES}:make_masked_targets",
        "--perfect",
        f"{LOSSES}:perfect_masked",
        "--json",
        *extra,
    )
    assert out, err
    return code, json.loads(out)


def test_cli_runs_the_loss_checks_after_the_model_checks(validate):
    code, rep = loss_cli(validate, "MaskedMSE")
    names = [c["name"] for c in rep["checks"]]
    assert names[-6:] == list(ALL)
    assert all(c["status"] == "PASS" for c in rep["checks"] if c["name"].startswith("loss_"))
    assert code == 0


def test_cli_one_defect_exits_1(validate):
    code, rep = loss_cli(validate, "MaskedMSEInvertedMask")
    failed = [c["name"] for c in rep["checks"] if c["status"] == "FAIL"]
    assert failed == ["loss_invariance"] and code == 1


def test_cli_default_factory_is_make_targets_in_the_loss_file(validate):
    code, out, _ = validate(
        f"{LOSSES}:Regressor", "--input", "x=[2,4]", "--loss", f"{LOSSES}:MSE"
    )
    assert "PASS loss_scalar: MSE(prediction [2, 2], make_targets(2))" in out
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--targets", "losses.py:make_targets"], "--targets needs --loss"),
        (["--loss", "losses.py:MSE", "--targets", "losses.py:nope"], "defines no 'nope'"),
        (["--loss", "losses.py:MSE", "--loss-kwargs", "[1]"], "--loss-kwargs must be a JSON object"),
        (["--loss", "losses.py:Nope"], "no class 'Nope'"),
    ],
)
def test_loss_usage_errors_exit_2(validate, monkeypatch, args, message):
    monkeypatch.chdir(FIXTURES)
    code, out, err = validate("losses.py:Regressor", "--input", "x=[2,4]", *args)
    assert code == 2 and message in err and not out


def test_a_factory_that_raises_fails_loss_scalar_with_its_message():
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    checks = run_checks("MSE", pred, targets="make_targets_broken")
    assert checks["loss_scalar"].status == "FAIL"
    assert "make_targets(2) raised ValueError: no annotations for this batch" in checks["loss_scalar"].detail
    assert all(c.status == "SKIP" and c.applies for n, c in checks.items() if n != "loss_scalar")


def test_a_factory_may_take_the_prediction_to_size_its_target(validate):
    """U-Net's output is smaller than its input by what the input fixes (dogfood run): with
    make_targets(batch, prediction) the target takes the output's size. x=[2,1,8,10] through
    an unpadded 3x3 conv gives [2, 3, 6, 8], so the target is [2, 6, 8]."""
    code, out, err = validate(
        f"{LOSSES}:ValidConv", "--input", "x=[2,1,8,10]",
        "--loss", f"{LOSSES}:PixelCE", "--targets", f"{LOSSES}:make_pixel_targets",
    )  # fmt: skip
    assert "PASS loss_scalar: PixelCE(prediction [2, 3, 6, 8], make_targets(2))" in out, out + err
    assert "FAIL" not in out, out
    assert code == 0


def box_checks(batch: int) -> dict[str, _loss.Check]:
    gen = torch.Generator().manual_seed(0)
    prediction = (torch.randn(batch, 7, 4, generator=gen), torch.randn(batch, 7, 5, generator=gen))
    spec = _loss.LossSpec(f"{LOSSES}:BoxLoss", f"{LOSSES}:make_box_targets", "mean", {}, None)
    checks = _loss.loss_checks(_loss.Loss(spec), prediction, batch, lambda: torch.manual_seed(0))
    return {c.name: c for c in checks}


def test_a_two_tensor_output_at_batch_2_is_ambiguous_not_a_failure():
    # The SSD dogfood run: (loc, conf) at batch 2 was taken for a per-sample list, repeated as
    # (loc, conf, loc, conf), and the loss raised: a FAIL on correct code. Both readings fit a
    # 2-tuple of batched tensors at batch 2, so the reduction check cannot decide: SKIP.
    checks = box_checks(2)
    rc = checks["loss_reduction"]
    assert rc.status == "SKIP" and "batch size other than 2" in rc.detail, rc.detail
    assert {n: c.status for n, c in checks.items() if n != "loss_reduction"} == {
        "loss_scalar": "PASS", "loss_finite": "PASS", "loss_grad": "PASS",
        "loss_gradcheck": "PASS", "loss_invariance": "SKIP",
    }  # fmt: skip


def test_a_two_tensor_output_at_batch_3_checks_the_mean():
    # At batch 3 the tuple (2 entries) is not per-sample and the target list (3 dicts) is: the
    # batch repeated twice gives the same mean (each sample's term appears twice, over 2B).
    checks = box_checks(3)
    rc = checks["loss_reduction"]
    assert rc.status == "PASS" and "(a mean over the batch)" in rc.detail, rc.detail
    # the tiny case is the first sample of each output and the first target dict
    assert "on batch 1" in checks["loss_gradcheck"].detail, checks["loss_gradcheck"].detail
