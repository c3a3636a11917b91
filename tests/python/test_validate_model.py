"""Tests of validate_model.py: real forward/backward passes on small fixture models whose
counts and shapes are derived by hand here, the parameter-count policy table, meta-device
counting of a model too large to allocate, and torchvision's ResNet-50 as an outside oracle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import validate_model as vm
from conftest import FIXTURES

# ConvNet (fixtures/convnet.py), derived by hand:
#   conv  Conv2d(3, 8, 3): 8*3*3*3 weights + 8 bias = 224
#   bn    BatchNorm2d(8):  8 weight + 8 bias        = 16;  buffers 8 mean + 8 var + 1 count = 17
#   fc    Linear(8*8*8, 10): 512*10 + 10            = 5130
CONVNET_TOTAL = 224 + 16 + 5130  # 5370
CONVNET_BUFFERS = 17


def checks_of(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def run_json(validate, *args: str) -> tuple[int, dict]:
    code, out, err = validate(*args, "--json")
    assert out, f"no JSON on stdout; stderr: {err}"
    return code, json.loads(out)


def test_convnet_hand_counts_and_all_checks_pass(validate, fixtures):
    code, rep = run_json(
        validate,
        f"{fixtures}/convnet.py:ConvNet",
        "--input",
        "x=[2,3,16,16]",
        "--expect-output",
        "[2,10]",
        "--paper-params",
        "5.37K",
    )
    assert rep["counts"] == {
        "total": CONVNET_TOTAL,
        "trainable": CONVNET_TOTAL,
        "frozen": 0,
        "buffers": CONVNET_BUFFERS,
    }
    # float32 parameters: 4 bytes each; buffers: 16 float32 + one int64 counter
    assert rep["memory"]["param_bytes"] == {"float32": 4 * CONVNET_TOTAL}
    assert rep["memory"]["buffer_bytes"] == {"float32": 16 * 4, "int64": 8}
    checks = checks_of(rep)
    assert {n: c["status"] for n, c in checks.items()} == {
        "forward": "PASS",
        "output_shape": "PASS",
        "paper_params": "PASS",
        "gradients": "PASS",
        "finite": "PASS",
        "determinism": "PASS",
    }
    assert checks["gradients"]["data"]["checked"] == 6  # conv w/b, bn w/b, fc w/b
    assert rep["summary"] == {"passed": 6, "failed": 0, "skipped": 0}
    assert code == 0 and rep["exit_code"] == 0


def test_human_report_lines_and_summary(validate, fixtures):
    code, out, _ = validate(
        f"{fixtures}/convnet.py:ConvNet", "--input", "x=[2,3,16,16]", "--expect-output", "[2,7]"
    )
    lines = out.splitlines()
    assert "INFO parameters: total 5,370 (trainable 5,370, frozen 0), buffers 17 elements" in lines
    assert any(line.startswith("FAIL output_shape: expected [2, 7], got [2, 10]") for line in lines)
    assert any(
        line.startswith("SKIP paper_params: no paper count given") and "not a pass" in line
        for line in lines
    )
    assert "4 passed, 1 failed, 1 skipped" in lines
    assert code == 1


def test_no_paper_count_is_a_skip_not_a_pass(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/convnet.py:ConvNet", "--input", "x=[2,3,16,16]")
    pp = checks_of(rep)["paper_params"]
    assert pp["status"] == "SKIP" and pp["applies"] is False
    assert "nothing to compare" in pp["detail"]
    assert code == 0  # every check that applies passed


def test_dead_branch_fails_gradients(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/dead_branch.py:DeadBranch", "--input", "x=[3,4]")
    g = checks_of(rep)["gradients"]
    assert g["status"] == "FAIL"
    assert g["data"]["no_grad"] == ["unused.weight", "unused.bias"]
    assert g["data"]["zero_grad"] == ["aux.weight", "aux.bias"]
    assert code == 1


def test_nan_output_fails_finite(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/nan_model.py:SqrtOfLinear", "--input", "x=[16,4]")
    f = checks_of(rep)["finite"]
    assert f["status"] == "FAIL"
    stats = f["data"]["outputs"][0]
    # sqrt of a negative is NaN, never Inf; with 16x8 random pre-activations some are negative
    assert stats["nan"] > 0 and stats["inf"] == 0
    assert stats["min"] >= 0.0  # the finite values are square roots
    assert code == 1


def test_set_seed_that_forgets_torch_fails_determinism(validate, fixtures):
    import importlib

    code, rep = run_json(validate, f"{fixtures}/seeding.py:ForgetsTorch", "--input", "x=[2,4]")
    d = checks_of(rep)["determinism"]
    assert d["status"] == "FAIL", d
    assert "the file's set_seed" in d["detail"]
    seeding = importlib.import_module("seeding")  # the module the harness loaded
    assert seeding.SEED_CALLS[:3] == [0, 0, 0]  # main run + the two determinism runs
    assert code == 1


def test_global_noise_is_reproducible_after_seeding(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/noise.py:GlobalNoise", "--input", "x=[2,4]")
    assert checks_of(rep)["determinism"]["status"] == "PASS"
    assert code == 0


def test_private_unseeded_generator_fails_determinism(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/noise.py:PrivateNoise", "--input", "x=[2,4]")
    assert checks_of(rep)["determinism"]["status"] == "FAIL"
    assert code == 1


def test_forward_error_names_the_module(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/broken.py:Broken", "--input", "x=[2,3,16,16]")
    fwd = checks_of(rep)["forward"]
    assert fwd["status"] == "FAIL"
    # 16x16 -> conv (same) -> MaxPool2d(4) -> 4x4, 4 channels -> 64 features into Linear(100, 10)
    assert fwd["data"]["module"] == "head.1"
    assert fwd["data"]["module_inputs"] == [[2, 64]]
    assert fwd["data"]["last_shapes"][-1]["path"] == "head.0"
    assert "module 'head.1' (Linear)" in fwd["detail"]
    assert checks_of(rep)["gradients"]["status"] == "SKIP"
    assert code == 1


def test_keyword_inputs_multiple_outputs_and_frozen_parameters(validate, fixtures):
    # MaskedPool: Embedding(50, 6) frozen = 300; Linear(6, 3) = 18 + 3 = 21 trainable
    code, rep = run_json(
        validate,
        f"{fixtures}/multi_io.py:MaskedPool",
        "--input",
        "ids=[2,5]:long:50",
        "--input",
        "mask=[2,5]:bool",
        "--expect-output",
        "[[2,3],[2,5,6]]",
        "--paper-params",
        "21",
    )
    assert (
        rep["counts"]["total"] == 321
        and rep["counts"]["trainable"] == 21
        and rep["counts"]["frozen"] == 300
    )
    pp = checks_of(rep)["paper_params"]
    assert pp["status"] == "PASS" and pp["data"]["convention_matched"] == "trainable"
    assert checks_of(rep)["output_shape"]["status"] == "PASS"
    assert checks_of(rep)["gradients"]["data"]["frozen"] == 1
    assert code == 0


def test_torchvision_resnet50_count_is_exact(validate, fixtures):
    # 25,557,032: torchvision's ResNet50_Weights meta num_params, an outside number
    code, rep = run_json(
        validate,
        f"{fixtures}/tv_resnet50.py:ResNet50",
        "--input",
        "x=[2,3,32,32]",
        "--expect-output",
        "[2,1000]",
        "--paper-params",
        "25.6M",  # as printed by the ConvNeXt and SENet papers
    )
    assert rep["counts"]["total"] == 25_557_032
    pp = checks_of(rep)["paper_params"]["data"]
    assert pp["verdict"] == "match" and pp["convention_matched"] == "total"
    assert rep["summary"] == {"passed": 6, "failed": 0, "skipped": 0}
    assert code == 0


def test_gpt2_small_against_printed_117m_fails_with_explanation(validate, fixtures):
    # 124,439,808 by hand: wte 50257*768 = 38,597,376; wpe 1024*768 = 786,432;
    # per block 2*1536 (LayerNorms) + (768*2304+2304) + (768*768+768) + (768*3072+3072)
    # + (3072*768+768) = 7,087,872, times 12 = 85,054,464; ln_f 1536; head tied (0)
    per_block = (
        2 * 1536
        + (768 * 2304 + 2304)
        + (768 * 768 + 768)
        + (768 * 3072 + 3072)
        + (3072 * 768 + 768)
    )
    expected = 50257 * 768 + 1024 * 768 + 12 * per_block + 1536
    assert expected == 124_439_808
    code, rep = run_json(
        validate,
        f"{fixtures}/gpt2_small.py:GPT2Small",
        "--device",
        "meta",
        "--input",
        "ids=[1,8]:long:50257",
        "--expect-output",
        "[1,8,50257]",
        "--paper-params",
        "117M",
    )
    assert rep["counts"]["total"] == expected
    pp = checks_of(rep)["paper_params"]
    assert pp["status"] == "FAIL" and pp["data"]["verdict"] == "mismatch"
    assert pp["data"]["rel_diff"] == pytest.approx(
        (124_439_808 - 117_000_000) / 117_000_000, abs=1e-6
    )
    assert "must explain" in pp["detail"] and "+6.36%" in pp["detail"]
    assert checks_of(rep)["output_shape"]["status"] == "PASS"
    assert code == 1


def test_explained_mismatch_passes_and_keeps_the_verdict(validate, fixtures):
    why = "the GPT-2 paper miscounted (openai/gpt-2 README)"
    code, rep = run_json(
        validate,
        f"{fixtures}/gpt2_small.py:GPT2Small",
        "--device",
        "meta",
        "--input",
        "ids=[1,8]:long:50257",
        "--paper-params",
        "117M",
        "--explain-mismatch",
        why,
    )
    pp = checks_of(rep)["paper_params"]
    assert pp["status"] == "PASS" and pp["data"]["verdict"] == "mismatch"
    assert pp["data"]["explanation"] == why and why in pp["detail"]
    assert code == 0


def test_meta_device_counts_a_20b_model_without_allocating(scripts, fixtures):
    # 20 x Linear(32768, 32768): 20 * (2**30 weights + 2**15 biases) = 21,475,491,840,
    # 86 GB of float32: more than this machine has, so a real allocation could not pass
    expected = 20 * (2**30 + 2**15)
    code = (
        "import json, resource, sys; sys.path.insert(0, sys.argv[1]); import validate_model as vm;"
        "rc = vm.main(sys.argv[2:]);"
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(scripts),
            f"{fixtures}/big_linear.py:LinearStack",
            "--device",
            "meta",
            "--input",
            "x=[2,32768]",
            "--expect-output",
            "[2,32768]",
            "--paper-params",
            "21.5B",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    text, rss_line = proc.stdout.rsplit("MAXRSS_KB", 1)
    rep = json.loads(text)
    assert rep["counts"]["total"] == expected
    assert rep["memory"]["param_bytes"] == {"float32": 4 * expected}
    st = checks_of(rep)
    assert st["output_shape"]["status"] == "PASS" and st["paper_params"]["status"] == "PASS"
    for name in ("gradients", "finite", "determinism"):
        assert st[name]["status"] == "SKIP" and "meta" in st[name]["detail"]
    assert int(rss_line) < 3 * 1024 * 1024  # under 3 GB resident: nothing was allocated


# --------------------------------------------------------------------------------------------
# The precision policy, table-driven


@pytest.mark.parametrize(
    "printed, value, unit",
    [
        ("28M", 28_000_000, 1_000_000),
        ("25.6M", 25_600_000, 100_000),
        ("86,567,656", 86_567_656, 1),
        ("0.3B", 300_000_000, 100_000_000),
        ("340M", 340_000_000, 10_000_000),
        ("60 million", 60_000_000, 10_000_000),
        ("28.6x10^6", 28_600_000, 100_000),
        ("28.6×10⁶", 28_600_000, 100_000),
        ("13.0B", 13_000_000_000, 100_000_000),
        ("65.2B", 65_200_000_000, 100_000_000),
        ("5.3M", 5_300_000, 100_000),
    ],
)
def test_parse_paper_count(printed, value, unit):
    pc = vm.parse_paper_count(printed)
    assert pc.value == Decimal(value) and pc.unit == Decimal(unit)


@pytest.mark.parametrize(
    "printed, count, expected",
    [
        ("28M", 27_400_000, "mismatch"),  # below 27.5M
        ("28M", 27_500_000, "match"),  # rounds to 28M
        ("28M", 27_600_000, "match"),
        ("28M", 28_490_000, "match"),
        ("28M", 28_500_000, "within_truncation"),  # would round to 29M; 28M by cutting digits
        ("28M", 29_000_000, "mismatch"),
        ("25.6M", 25_557_032, "match"),  # ResNet-50 as ConvNeXt/SENet print it
        ("25.6M", 25_549_999, "mismatch"),
        ("25.6M", 25_649_999, "match"),
        ("86,567,656", 86_567_656, "match"),
        ("86,567,656", 86_567_657, "mismatch"),
        ("86M", 86_567_656, "within_truncation"),  # ViT-B/16 with head, notes section 3
        ("86M", 85_798_656, "match"),  # ViT-B/16 without head
        ("307M", 304_326_632, "mismatch"),  # ViT-L/16: must be explained
        ("340M", 335_141_888, "match"),  # BERT-large, unit 10M
        ("117M", 124_439_808, "mismatch"),  # GPT-2 small: the paper miscounted
        ("65.2B", 65_286_963_200, "within_truncation"),  # LLaMA-65B
        ("0.3B", 335_141_888, "match"),
    ],
)
def test_precision_policy(printed, count, expected):
    assert vm.verdict(count, vm.parse_paper_count(printed), None) == expected


def test_one_percent_rule_only_when_asked():
    bert_large = 335_141_888  # -1.43% from 340M: fails 1%, passes the precision policy
    pc = vm.parse_paper_count("340M")
    assert vm.verdict(bert_large, pc, vm.parse_tolerance("1%")) == "mismatch"
    assert vm.verdict(bert_large, pc, vm.parse_tolerance("1.5%")) == "match"
    assert vm.verdict(bert_large, pc, None) == "match"


@pytest.mark.parametrize("bad", ["about 28M", "28 M params?", "M28", "-5M", "28Mb", ""])
def test_unparseable_paper_count_is_a_usage_error(validate, fixtures, bad):
    code, out, err = validate(
        f"{fixtures}/convnet.py:ConvNet", "--input", "x=[2,3,16,16]", f"--paper-params={bad}"
    )
    assert code == 2 and out == ""
    assert err.startswith("validate_model: --paper-params")


# --------------------------------------------------------------------------------------------
# Usage and loading errors: exit 2, one line, no traceback


@pytest.mark.parametrize(
    "args, message",
    [
        (["convnet.py", "--input", "x=[2,3,16,16]"], "must be FILE.py:ClassName"),
        (["missing.py:Net", "--input", "x=[2]"], "missing.py: no such file"),
        (
            ["convnet.py:Nope", "--input", "x=[2,3,16,16]"],
            "no class 'Nope' (nn.Module classes here: ConvNet)",
        ),
        (["convnet.py:ConvNet", "--input", "x=(2,3)"], "expected NAME=[d1,d2,...]"),
        (["convnet.py:ConvNet", "--input", "x=[2,3,16,16]:complex"], "unknown dtype 'complex'"),
        (
            ["convnet.py:ConvNet", "--input", "x=[2,3,16,16]", "--kwargs", "[1]"],
            "--kwargs must be a JSON object",
        ),
        (
            ["convnet.py:ConvNet", "--input", "x=[2,3,16,16]", "--kwargs", '{"depth": 3}'],
            'ConvNet(**{"depth": 3}) failed: TypeError',
        ),
        (["convnet.py:ConvNet"], "give at least one --input"),
    ],
)
def test_usage_errors_exit_2_with_one_line(validate, fixtures, monkeypatch, args, message):
    monkeypatch.chdir(fixtures)
    code, out, err = validate(*args)
    assert code == 2, out + err
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_usage_error_in_a_real_process_is_one_line(script):
    proc = script("validate_model.py", "convnet.py:Nope", "--input", "x=[2,3,16,16]")
    assert proc.returncode == 2 and proc.stdout == ""
    expected = f"validate_model: {FIXTURES}/convnet.py: no class 'Nope' (nn.Module classes here: ConvNet)\n"
    assert proc.stderr == expected


def test_help_states_the_exit_rule(script):
    proc = script("validate_model.py", "--help")
    assert proc.returncode == 0
    assert "SKIP is never\n     a pass" in proc.stdout or "A SKIP is never" in proc.stdout
    assert "examples:" in proc.stdout and "--device meta" in proc.stdout


def test_subprocess_exit_status_on_failure(script):
    proc = script("validate_model.py", "dead_branch.py:DeadBranch", "--input", "x=[3,4]")
    assert proc.returncode == 1
    assert (
        "FAIL gradients: no gradient: unused.weight, unused.bias; all-zero gradient: aux.weight, aux.bias"
        in proc.stdout
    )
    assert proc.stdout.splitlines()[-2] == "3 passed, 1 failed, 2 skipped"


def test_parameter_free_model_skips_gradients_as_not_applicable(validate, fixtures):
    code, rep = run_json(
        validate,
        f"{fixtures}/param_free.py:GlobalPool",
        "--input",
        "[2,3,4,5]",
        "--expect-output",
        "[2,3]",
    )
    assert rep["counts"] == {"total": 0, "trainable": 0, "frozen": 0, "buffers": 0}
    assert rep["inputs"] == {"arg0": {"dtype": "float32", "shape": [2, 3, 4, 5]}}
    g = checks_of(rep)["gradients"]
    assert g["status"] == "SKIP" and g["applies"] is False
    assert checks_of(rep)["output_shape"]["status"] == "PASS"
    assert code == 0


def test_batchnorm_with_batch_one_fails_with_a_hint(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/bn1d.py:Norm", "--input", "x=[1,4]")
    g = checks_of(rep)["gradients"]
    assert g["status"] == "FAIL" and "batch >= 2" in g["detail"]
    assert code == 1
    code, rep = run_json(validate, f"{fixtures}/bn1d.py:Norm", "--input", "x=[2,4]")
    assert checks_of(rep)["gradients"]["status"] == "PASS" and code == 0


def test_unknown_keyword_input_fails_forward_at_the_root(validate, fixtures):
    code, rep = run_json(
        validate, f"{fixtures}/bn1d.py:Norm", "--input", "x=[2,4]", "--input", "y=[2]"
    )
    fwd = checks_of(rep)["forward"]
    assert fwd["status"] == "FAIL" and "TypeError" in fwd["detail"]
    assert fwd["data"]["module"] == ""  # the root module was running
    assert "the root module (Norm)" in fwd["detail"]
    assert code == 1


def _amount(text: str) -> Decimal:
    """'27.5M' -> 27500000, '25,557,032' -> 25557032, '0.25B' -> 250000000."""
    text = text.strip().replace(",", "")
    scale = {"K": 10**3, "M": 10**6, "B": 10**9}.get(text[-1:], 1)
    return Decimal(text[:-1] if scale != 1 else text) * scale


def test_policy_table_in_the_reference_matches_the_code():
    """Every row of the table in references/runtime-validation.md section 6: unit, admitted
    range and verdicts are recomputed here, so the documentation cannot drift from the code."""
    from conftest import SCRIPTS

    doc = (SCRIPTS.parent / "references" / "runtime-validation.md").read_text()
    section = doc.split("## 6. The parameter-count policy")[1].split("## 7.")[0]
    rows = [
        line for line in section.splitlines() if line.startswith("| `") and line.count("|") == 6
    ]
    assert len(rows) >= 9
    for row in rows:
        printed, unit, admits, example, verdicts = [c.strip() for c in row.strip("|").split("|")]
        pc = vm.parse_paper_count(printed.strip("`"))
        assert pc.unit == _amount(unit), row
        if admits == "itself":
            assert pc.unit == 1, row
        else:
            lo, hi = admits.strip("[)").split(", ")
            assert (_amount(lo), _amount(hi)) == (pc.value - pc.unit / 2, pc.value + pc.unit / 2)
        counts = example.split(" / ") if " / " in example else [example.split(" ")[-1]]
        expected = [v.split(" ")[0].rstrip(":") for v in verdicts.split(" / ")]
        assert len(counts) == len(expected), row
        for count, want in zip(counts, expected, strict=True):
            assert vm.verdict(int(_amount(count)), pc, None) == want, row


def test_missing_torch_is_an_input_error_with_the_install_command(tmp_path):
    # A `torch` module that fails to import stands in for a machine without PyTorch. The
    # harness must exit 2 (input error), not 1 (a failed check), and say how to install it.
    (tmp_path / "torch.py").write_text('raise ImportError("no torch here")\n')
    script = Path(vm.__file__).with_name("validate_model.py")
    proc = subprocess.run(
        [sys.executable, str(script), "model.py:Net"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "PyTorch is not installed" in proc.stderr
    assert "pip install torch==2.14.1 torchvision==0.29.2" in proc.stderr


# ---------------------------------------------------------------------------------------------
# Degenerate outputs and regularisers in the gradient check (fixtures/degenerate.py)


def test_outputs_of_1e_minus_10_fail_finite_as_degenerate(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/degenerate.py:Vanishing", "--input", "x=[2,4]")
    fin = checks_of(rep)["finite"]
    assert fin["status"] == "FAIL" and "all near zero" in fin["detail"], fin
    assert code == 1


def test_near_zero_eval_output_that_batch_statistics_revive_passes_with_a_note(validate, fixtures):
    # fc1's bias is not scaled, so train-mode BatchNorm sees O(1e-9) differences across the batch
    # and normalises them to O(1); eval mode divides by the initial running variance 1.
    code, rep = run_json(
        validate, f"{fixtures}/degenerate.py:SmallBeforeBatchNorm", "--input", "x=[4,4]"
    )
    fin = checks_of(rep)["finite"]
    assert fin["status"] == "PASS", fin
    assert "near zero in eval mode at initialisation" in fin["detail"], fin
    assert "not in train mode" in fin["detail"], fin


def test_torchvision_efficientnet_b0_is_not_a_vanished_signal(validate, tmp_path):
    # The EfficientNet dogfood: torchvision's own efficientnet_b0 gives max |x| ~ 5e-14 in eval
    # mode at initialisation and ~0.6 in train mode; a faithful replication must not FAIL.
    pytest.importorskip("torchvision")
    (tmp_path / "effnet.py").write_text(
        "import torch.nn as nn\n"
        "from torchvision.models import efficientnet_b0\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self) -> None:\n"
        "        super().__init__()\n"
        "        self.net = efficientnet_b0(weights=None)\n\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n"
    )
    code, rep = run_json(validate, f"{tmp_path}/effnet.py:Net", "--input", "x=[2,3,64,64]")
    fin = checks_of(rep)["finite"]
    assert fin["status"] == "PASS", fin
    assert "not in train mode" in fin["detail"], fin


def test_output_constant_across_the_batch_fails_finite(validate, fixtures):
    code, rep = run_json(validate, f"{fixtures}/degenerate.py:IgnoresInput", "--input", "x=[3,4]")
    fin = checks_of(rep)["finite"]
    assert fin["status"] == "FAIL", fin
    assert "the same for all 3 samples of the batch although the inputs differ" in fin["detail"]
    assert code == 1


def test_gradient_check_turns_stochastic_depth_and_dropout_off_and_says_so(validate, fixtures):
    import torch
    from degenerate import ResidualWithStochasticDepth

    # In plain train mode the p = 1 DropPath drops the branch: it gets no gradient at all, so a
    # gradient check in train mode would blame correct code.
    model = ResidualWithStochasticDepth().train()
    model(torch.randn(2, 4)).sum().backward()
    assert model.branch.weight.grad is None
    code, rep = run_json(
        validate, f"{fixtures}/degenerate.py:ResidualWithStochasticDepth", "--input", "x=[2,4]"
    )
    grad = checks_of(rep)["gradients"]
    assert grad["status"] == "PASS", grad
    assert "dropout/stochastic depth off (2 modules in eval mode: drop_path, dropout" in grad["detail"]
    assert grad["data"]["regularisers_off"] == ["drop_path", "dropout"]
    assert code == 0
