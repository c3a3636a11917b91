"""Tests of overfit.py: one tiny batch trained with a real optimizer, on fixture models whose
loss either falls or cannot (a detached prediction, a flipped sign, a frozen layer)."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES


@pytest.fixture
def overfit(capsys, monkeypatch):
    import overfit as of

    monkeypatch.chdir(FIXTURES)

    def call(*args: str) -> tuple[int, str, str]:
        code = of.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


BASE = ("losses.py:Regressor", "--input", "x=[2,4]")
MASKED = ("--loss", "losses.py:MaskedMSE", "--targets", "losses.py:make_masked_targets")


def test_loss_falls_tenfold_with_the_configs_sgd_and_prints_the_curve(overfit):
    code, out, _ = overfit(*BASE, *MASKED, "--optimizer", "losses.py:TRAIN")
    lines = out.splitlines()
    assert lines[0].startswith("overfit: losses.py:Regressor on one batch (x=[2,4]), SGD(lr=0.1")
    assert "momentum=0.9" in lines[0]
    curve = [ln for ln in lines if ln.startswith("step ")]
    assert curve[0].startswith("step    0  loss ")
    first = float(curve[0].split()[-1])
    last = float(curve[-1].split()[-1])
    # the PASS line and the curve agree: the last printed loss is at most a tenth of the first
    assert last <= first / 10
    assert lines[-1].startswith(f"PASS overfit: loss {first:.6g} -> {last:.6g} in ")
    assert code == 0


def test_adam_settings_are_read_from_a_dict(overfit):
    code, out, _ = overfit(*BASE, *MASKED, "--optimizer", "losses.py:ADAM", "--json")
    rep = json.loads(out)
    assert rep["optimizer"] == (
        "Adam(lr=0.05, weight_decay=0.0, betas=(0.9, 0.98), eps=1e-09; lr from config)"
    )
    assert rep["status"] == "PASS" and code == 0
    assert rep["curve"][0][0] == 0 and rep["curve_text"].endswith(f"@{rep['curve'][-1][0]}")


def test_detached_prediction_fails_at_the_first_backward(overfit):
    code, out, _ = overfit(
        *BASE,
        "--loss",
        "losses.py:MaskedMSEDetached",
        "--targets",
        "losses.py:make_masked_targets",
        "--optimizer",
        "losses.py:TRAIN",
    )
    assert out.splitlines()[-1].startswith("FAIL overfit: step 0: backward raised RuntimeError")
    assert code == 1


def test_flipped_sign_fails(overfit):
    # -MSE starts below zero: no fall by a factor can be measured, and a floor would not help
    code, out, _ = overfit(*BASE, "--loss", "losses.py:NegatedMSE", "--optimizer", "losses.py:TRAIN")
    assert out.splitlines()[-1].startswith("FAIL overfit: the first loss is -")
    assert code == 1


def test_frozen_layer_fails(overfit):
    code, out, _ = overfit(
        "losses.py:FrozenRegressor", "--input", "x=[2,4]", "--loss", "losses.py:MSE",
        "--optimizer", "losses.py:TRAIN",
    )
    assert "FAIL overfit: step 0: backward raised" in out and "frozen" in out
    assert code == 1


def test_unreachable_factor_fails_with_the_curve_and_the_limit(overfit):
    # 3 steps cannot bring the loss down 1000x
    code, out, _ = overfit(
        *BASE, *MASKED, "--optimizer", "losses.py:TRAIN", "--factor", "1000", "--max-steps", "3",
        "--every", "1",
    )
    assert [ln.split()[1] for ln in out.splitlines() if ln.startswith("step ")] == ["0", "1", "2"]
    assert "after 3 steps (3 steps), short of the 1000x fall" in out.splitlines()[-1]
    assert code == 1


def test_schedule_only_config_needs_lr(overfit):
    code, out, err = overfit(*BASE, *MASKED, "--optimizer", "losses.py:SCHEDULE_ONLY")
    assert code == 2 and "no fixed learning rate" in err and not out
    code, out, _ = overfit(*BASE, *MASKED, "--optimizer", "losses.py:SCHEDULE_ONLY", "--lr", "0.05")
    assert "lr from verify.toml [overfit] lr" in out and code == 0


def test_no_loss_is_a_usage_error(overfit):
    code, _, err = overfit(*BASE, "--optimizer", "losses.py:TRAIN")
    assert code == 2 and "--loss" in err


@pytest.mark.parametrize(
    "wording, expected",
    [
        ("stochastic gradient descent", "sgd"),  # AlexNet, Section 6, as init pre-fills it
        ("SGD with momentum", "sgd"),
        ("Nesterov momentum", "sgd"),
        ("Adam optimizer", "adam"),
        ("AdamW", "adamw"),
        ("RMSProp", "rmsprop"),
        ("LAMB", "lamb"),  # unknown stays unknown: build_optimizer refuses it by name
    ],
)
def test_a_papers_optimizer_wording_reads_as_the_optimizer_it_names(wording, expected):
    import _loss

    assert _loss._optimizer_key(wording) == expected


def test_an_unknown_optimizer_is_refused_naming_the_config_field():
    import _loss
    import torch

    class Settings:
        optimizer = "LAMB"
        lr = 0.1

    with pytest.raises(_loss.HarnessError) as err:
        _loss.build_optimizer([torch.nn.Parameter(torch.zeros(1))], Settings(), None)
    assert "config field optimizer = 'LAMB'" in str(err.value)
