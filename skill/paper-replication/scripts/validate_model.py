#!/usr/bin/env python3
"""Run the checks every replicated model must pass, and say which ones passed.

Loads FILE.py:ClassName, builds it, runs forward (eval mode, no_grad) on generated inputs,
checks the output shape, counts parameters (total, trainable, buffers) and compares the count
with the paper's printed number under the precision policy, runs backward (train mode) and
lists parameters that got no gradient, checks that the outputs are finite and not degenerate,
reports parameter memory, and checks that two runs after set_seed(0) give identical outputs.
With --loss it also checks the loss on the model's output and make_targets(batch): a scalar,
finite, a gradient that reaches the prediction, gradcheck in float64, the declared reduction,
and zero loss at a declared perfect prediction.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import _harness as h
import _loss
from _harness import Check, HarnessError, torch

SCHEMA = "paper-replication/validate/v1"

EPILOG = """\
examples:
  python3 scripts/validate_model.py output/code/model.py:ResNet50 \\
      --input "x=[2,3,224,224]" --expect-output "[2,1000]" --paper-params 25.6M
  python3 scripts/validate_model.py model.py:ViT --kwargs '{"depth": 2}' \\
      --input "x=[2,3,32,32]" --input "mask=[2,1,1,5]:bool" --json
  python3 scripts/validate_model.py model.py:Transformer \\
      --input "src=[2,7]:long:37000" --input "tgt=[2,5]:long:37000" --paper-params 65M
  python3 scripts/validate_model.py model.py:Llama65B --device meta \\
      --input "ids=[1,16]:long:32000" --expect-output "[1,16,32000]" --paper-params 65.2B
  python3 scripts/validate_model.py model.py:YOLOv1 --input "x=[2,3,448,448]" \\
      --loss losses.py:YoloLoss --targets losses.py:make_targets --reduction sum \\
      --perfect losses.py:perfect_prediction

loss checks (--loss FILE.py:Class, called as loss(prediction, target)): the prediction is the
  model's output on the inputs; the target comes from make_targets(batch) (--targets, default
  make_targets in the --loss file), because random targets are rarely valid ones.
  loss_scalar      a floating-point scalar
  loss_finite      not NaN or Inf
  loss_grad        d loss / d prediction is finite and not zero everywhere (not detached)
  loss_gradcheck   torch.autograd.gradcheck in float64 on one sample and make_targets(1)
  loss_reduction   the batch repeated twice gives the same loss (--reduction mean) or twice
                   the loss (sum); SKIP when the target has no batch dimension to repeat
  loss_invariance  loss(perfect_prediction(prediction, target), target) == 0 (--perfect);
                   SKIP when none is declared (cross-entropy, for one, is never 0)

inputs: NAME=[d1,d2,...][:dtype][:high]; dtype float32 (default), float16, bfloat16, float64,
  long, int, bool; integer inputs are drawn from [0, high) (default high 2); a bare [d1,...]
  is passed positionally. Inputs come from a fixed generator: same values on every run.

paper count (--paper-params) is compared at the precision the paper printed it: "28M" has
  unit 1M and matches [27.5M, 28.5M); "25.6M" matches [25.55M, 25.65M); "86,567,656" only
  itself; "340M" has unit 10M. A count in [v, v + unit) also passes as within_truncation (papers
  that cut digits). Total, trainable and total+buffers are each tried. --tolerance 1% replaces
  this with a relative tolerance; use it only when the user asks for that rule. A mismatch
  fails until its cause is written down: --explain-mismatch "TEXT" keeps the verdict mismatch
  and prints the text on a PASS line (put the same text in the replication report).

exit status:
  0  every check passed; SKIP lines are allowed only for checks that do not apply (no
     --expect-output, no --paper-params, numeric checks under --device meta). A SKIP is never
     a pass: a missing paper count is reported as "nothing to compare", not as a match.
  1  at least one check failed (read the FAIL lines)
  2  usage or loading error (bad target, input spec, import error, constructor error)
"""

# --------------------------------------------------------------------------------------------
# The paper's printed parameter count

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
MULTIPLIERS = {
    "": 1,
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mio": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "b": 10**9,
    "g": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "billions": 10**9,
    "t": 10**12,
    "trillion": 10**12,
}
COUNT_RE = re.compile(
    r"^(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)"
    r"(?:(?:[x*]10(?:\^|\*\*)?|e)(?P<exp>\d+)|(?P<word>[a-z]*))$"
)


@dataclass(frozen=True)
class PaperCount:
    printed: str
    value: Decimal  # in parameters
    unit: Decimal  # place of the last printed significant digit, in parameters


def parse_paper_count(text: str) -> PaperCount:
    norm = text.strip().lower().translate(SUPERSCRIPTS).replace("×", "x").replace(" ", "")
    norm = norm.removesuffix("params").removesuffix("parameters")
    m = COUNT_RE.match(norm)
    if not m or (m.group("word") or "") not in MULTIPLIERS:
        raise HarnessError(
            f"--paper-params {text!r}: write the count as the paper prints it, e.g. 28M, "
            "25.6M, 0.3B, 340M, 86,567,656, '60 million', 28.6x10^6"
        )
    num = m.group("num")
    mult = (
        Decimal(10) ** int(m.group("exp"))
        if m.group("exp")
        else Decimal(MULTIPLIERS[m.group("word") or ""])
    )
    digits = num.replace(",", "")
    if "." in digits:
        unit = Decimal(1).scaleb(-len(digits.split(".")[1]))
    else:
        stripped = digits.rstrip("0")
        unit = Decimal(1).scaleb(len(digits) - len(stripped)) if stripped else Decimal(1)
    try:
        value = Decimal(digits) * mult
    except InvalidOperation as exc:  # the regex should prevent this; keep the message clean
        raise HarnessError(f"--paper-params {text!r}: not a number") from exc
    if value <= 0:
        raise HarnessError(f"--paper-params {text!r}: must be positive")
    return PaperCount(text, value, unit * mult)


def parse_tolerance(text: str | None) -> Decimal | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", text)
    if not m:
        raise HarnessError(f"--tolerance {text!r}: write a percentage, e.g. 1%")
    return Decimal(m.group(1)) / 100


def verdict(count: int, paper: PaperCount, tolerance: Decimal | None) -> str:
    c, v, u = Decimal(count), paper.value, paper.unit
    if tolerance is not None:
        return "match" if abs(c - v) <= tolerance * v else "mismatch"
    if v - u / 2 <= c < v + u / 2:
        return "match"
    if v <= c < v + u:
        return "within_truncation"
    return "mismatch"


def fmt_int(n: int | Decimal) -> str:
    return f"{int(n):,}"


def compare_counts(
    counts: dict[str, int], paper: PaperCount, tolerance: Decimal | None
) -> dict[str, Any]:
    conventions = {
        "total": counts["total"],
        "trainable": counts["trainable"],
        "total_plus_buffers": counts["total"] + counts["buffers"],
    }
    verdicts = {k: verdict(n, paper, tolerance) for k, n in conventions.items()}
    matched = next((k for k in conventions if verdicts[k] == "match"), None)
    if matched is None:
        matched = next((k for k in conventions if verdicts[k] == "within_truncation"), None)
    used = matched or "total"
    rel = (Decimal(conventions[used]) - paper.value) / paper.value
    if tolerance is not None:
        admits = f"within {tolerance * 100:g}% of {fmt_int(paper.value)}"
    else:
        lo, hi = paper.value - paper.unit / 2, paper.value + paper.unit / 2
        admits = (
            f"unit {fmt_int(paper.unit)}: rounding admits [{fmt_int(lo)}, {fmt_int(hi)}), "
            f"truncation [{fmt_int(paper.value)}, {fmt_int(paper.value + paper.unit)})"
        )
    return {
        "printed": paper.printed,
        "paper_value": int(paper.value),
        "paper_unit": int(paper.unit) if paper.unit >= 1 else float(paper.unit),
        "policy": "tolerance" if tolerance is not None else "printed_precision",
        "tolerance": float(tolerance) if tolerance is not None else None,
        "admits": admits,
        "verdicts": verdicts,
        "convention_matched": matched,
        "rel_diff": float(round(rel, 6)),
        "verdict": verdicts[used],
    }


# --------------------------------------------------------------------------------------------
# Checks


def parse_expect(text: str) -> list[list[int]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarnessError(f"--expect-output {text!r}: write [2,1000] or [[2,1000],[2,5]]") from exc
    if isinstance(value, list) and all(isinstance(d, int) for d in value):
        value = [value]
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(s, list) and all(isinstance(d, int) for d in s) for s in value)
    ):
        raise HarnessError(f"--expect-output {text!r}: write [2,1000] or [[2,1000],[2,5]]")
    return value


def count_elements(model: Any) -> tuple[dict[str, int], dict[str, Any]]:
    params = list(model.parameters())  # a tied tensor is yielded once
    buffers = list(model.buffers())
    counts = {
        "total": sum(p.numel() for p in params),
        "trainable": sum(p.numel() for p in params if p.requires_grad),
        "buffers": sum(b.numel() for b in buffers),
    }
    counts["frozen"] = counts["total"] - counts["trainable"]

    def by_dtype(tensors: list[Any]) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in tensors:
            key = h.dtype_name(t.dtype)
            out[key] = out.get(key, 0) + t.numel() * t.element_size()
        return dict(sorted(out.items()))

    memory = {
        "param_bytes": by_dtype(params),
        "buffer_bytes": by_dtype(buffers),
        "param_bytes_total": sum(by_dtype(params).values()),
        "buffer_bytes_total": sum(by_dtype(buffers).values()),
    }
    return counts, memory


def clone_inputs(args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    # a model that edits its input in place must not change what the next run sees
    return [a.clone() for a in args], {k: v.clone() for k, v in kwargs.items()}


# Every |output| below this is a vanished signal, not a prediction (float32 outputs of a
# freshly initialised network are of order 1e-3 to 1e1).
NEAR_ZERO = 1e-6


def fmt_num(x: float) -> str:
    return f"{x:.4g}"


def output_stats(outputs: list[Any]) -> list[dict[str, Any]]:
    stats = []
    for t in outputs:
        rec: dict[str, Any] = {"shape": list(t.shape), "dtype": h.dtype_name(t.dtype)}
        if t.device.type != "meta" and t.numel() > 0:
            x = (
                t.detach().to("cpu", torch.float64)
                if t.dtype != torch.bool
                else t.detach().to("cpu", torch.float64)
            )
            finite = torch.isfinite(x)
            rec["nan"] = int(torch.isnan(x).sum())
            rec["inf"] = int(torch.isinf(x).sum())
            good = x[finite]
            if good.numel():
                rec["min"] = float(f"{good.min().item():.6g}")
                rec["max"] = float(f"{good.max().item():.6g}")
                rec["mean"] = float(f"{good.mean().item():.6g}")
        stats.append(rec)
    return stats


class Validator:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.target = h.parse_target(args.target)
        self.specs = h.parse_inputs(args.input)
        self.kwargs = h.parse_kwargs(args.kwargs)
        self.expect = parse_expect(args.expect_output) if args.expect_output is not None else None
        self.paper = parse_paper_count(args.paper_params) if args.paper_params is not None else None
        self.tolerance = parse_tolerance(args.tolerance)
        self.device = args.device
        if self.device == "cuda" and not torch.cuda.is_available():
            raise HarnessError("--device cuda: no CUDA device is available")
        self.module, self.cls = h.load_class(self.target)
        try:
            self.seeding = h.seed_everything(self.module, 0)
        except Exception as exc:
            raise HarnessError(
                f"{self.target.path}: set_seed(0) failed: {type(exc).__name__}: {exc}"
            ) from exc
        self.model = h.instantiate(self.cls, self.kwargs, self.device)
        self.in_args, self.in_kwargs = h.make_inputs(self.specs, self.device)
        loss_spec = _loss.spec_from_args(args)
        self.loss = _loss.Loss(loss_spec) if loss_spec is not None else None
        self.checks: list[Check] = []
        self.outputs: list[Any] | None = None
        self.raw_output: Any = None
        self.counts, self.memory = count_elements(self.model)

    def run(self) -> None:
        forward_ok = self.check_forward()
        self.check_output_shape(forward_ok)
        self.check_paper_params()
        meta = self.device == "meta"
        if meta:
            why = "--device meta: meta tensors carry no data, so numeric checks cannot run (run on cpu with a smaller config to cover them)"
            for name in ("gradients", "finite", "determinism"):
                self.checks.append(Check(name, "SKIP", why, applies=False))
            if self.loss is not None:
                self.checks.append(Check("loss_scalar", "SKIP", why, applies=False))
            return
        if not forward_ok:
            for name in ("gradients", "finite", "determinism"):
                self.checks.append(Check(name, "SKIP", "forward failed", applies=True))
            if self.loss is not None:
                self.checks.append(Check("loss_scalar", "SKIP", "forward failed", applies=True))
            return
        self.check_gradients()
        self.check_finite()
        del self.model  # the determinism check builds two fresh models
        self.check_determinism()
        if self.loss is not None:
            self.checks.extend(
                _loss.loss_checks(
                    self.loss,
                    self.raw_output,
                    self.batch_size(),
                    lambda: h.seed_everything(self.module, 0),
                )
            )

    def batch_size(self) -> int:
        """The batch: the first dimension of the first input."""
        return self.specs[0].shape[0]

    def check_forward(self) -> bool:
        model = self.model
        model.eval()
        args, kwargs = clone_inputs(self.in_args, self.in_kwargs)
        with torch.no_grad(), h.ModuleRecorder(model, self.target.root) as rec:
            try:
                out = model(*args, **kwargs)
            except Exception as exc:
                ctx = rec.error_context()
                where = h.user_frame(exc.__traceback__, self.target.root)
                self.checks.append(
                    Check(
                        "forward",
                        "FAIL",
                        h.describe_error(exc, ctx, where),
                        data={
                            "type": type(exc).__name__,
                            "message": str(exc),
                            "file": where[0],
                            "line": where[1],
                            **ctx,
                        },
                    )
                )
                return False
        self.raw_output = out
        self.outputs = h.flatten_tensors(out)
        if not self.outputs:
            self.checks.append(
                Check("forward", "FAIL", f"forward returned no tensor ({type(out).__name__})")
            )
            return False
        desc = ", ".join(f"{list(t.shape)} {h.dtype_name(t.dtype)}" for t in self.outputs)
        n = len(self.outputs)
        self.checks.append(
            Check("forward", "PASS", f"eval mode, no_grad: {n} output{'s' if n > 1 else ''} {desc}")
        )
        return True

    def check_output_shape(self, forward_ok: bool) -> None:
        if self.expect is None:
            self.checks.append(
                Check(
                    "output_shape",
                    "SKIP",
                    "no --expect-output given: nothing to compare",
                    applies=False,
                )
            )
            return
        if not forward_ok:
            self.checks.append(Check("output_shape", "SKIP", "forward failed"))
            return
        got = [list(t.shape) for t in self.outputs or []]

        def show(shapes: list[list[int]]) -> str:
            return str(shapes[0]) if len(shapes) == 1 else str(shapes)

        data = {"expected": self.expect, "got": got}
        if got == self.expect:
            self.checks.append(Check("output_shape", "PASS", f"{show(got)} as expected", data=data))
        else:
            self.checks.append(
                Check(
                    "output_shape",
                    "FAIL",
                    f"expected {show(self.expect)}, got {show(got)}",
                    data=data,
                )
            )

    def check_paper_params(self) -> None:
        c = self.counts
        if self.paper is None:
            self.checks.append(
                Check(
                    "paper_params",
                    "SKIP",
                    f"no paper count given (--paper-params): nothing to compare, not a pass; "
                    f"the model has {fmt_int(c['total'])} parameters",
                    applies=False,
                )
            )
            return
        cmp = compare_counts(c, self.paper, self.tolerance)
        used = cmp["convention_matched"] or "total"
        n = c["total"] + c["buffers"] if used == "total_plus_buffers" else c[used]
        base = (
            f"{fmt_int(n)} ({used.replace('_', ' ')}) vs paper {self.paper.printed} "
            f"({cmp['admits']}): {cmp['rel_diff'] * 100:+.2f}%, {cmp['verdict']}"
        )
        explained = self.args.explain_mismatch
        status = "PASS"
        if cmp["verdict"] == "mismatch" and explained:
            cmp["explanation"] = explained
            base += f"; explained: {explained}"
        elif cmp["verdict"] == "mismatch":
            status = "FAIL"
            base += (
                ". Do not tune the model to hit the number: the replication report must explain "
                "the difference (classifier head, vocabulary size, input size / position "
                "embeddings, tied weights, buffers, frozen layers, architecture variant, or a "
                "known error in the paper), then rerun with --explain-mismatch"
            )
        self.checks.append(Check("paper_params", status, base, data=cmp))

    def check_gradients(self) -> None:
        model = self.model
        if not any(p.requires_grad for p in model.parameters()):
            detail = "the model has no trainable parameter: nothing to train"
            self.checks.append(Check("gradients", "SKIP", detail, applies=False))
            return
        # Dropout and stochastic depth off: a branch dropped for the whole batch gives correct
        # code an all-zero gradient. Norms stay in train mode, as in training.
        off = h.train_without_regularisers(model)
        mode = h.describe_regularisers(off)
        model.zero_grad(set_to_none=True)
        args, kwargs = clone_inputs(self.in_args, self.in_kwargs)
        try:
            with torch.enable_grad():
                outs = h.flatten_tensors(model(*args, **kwargs))
                diff = [t for t in outs if t.is_floating_point() and t.requires_grad]
                if not diff:
                    self.checks.append(
                        Check(
                            "gradients",
                            "FAIL",
                            "no floating-point output depends on a trainable parameter",
                        )
                    )
                    return
                # a fixed random projection, not a plain sum: sum(softmax) is constant and would
                # give every parameter a zero gradient
                gen = torch.Generator().manual_seed(4321)
                loss = sum(
                    (t.float() * torch.randn(t.shape, generator=gen).to(t.device)).sum()
                    for t in diff
                )
                loss.backward()
        except Exception as exc:
            hint = ""
            if "more than 1 value per channel" in str(exc):
                hint = " (BatchNorm in train mode needs more than one value per channel: batch >= 2)"
            self.checks.append(
                Check(
                    "gradients",
                    "FAIL",
                    f"train-mode forward/backward raised {type(exc).__name__}: {exc}" + hint,
                )
            )
            return
        finally:
            model.eval()
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        no_grad = [n for n, p in named if p.grad is None]
        zero = [n for n, p in named if p.grad is not None and not bool(p.grad.any())]
        bad = [n for n, p in named if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
        frozen = sum(1 for _, p in model.named_parameters() if not p.requires_grad)
        data = {
            "no_grad": no_grad,
            "zero_grad": zero,
            "nonfinite_grad": bad,
            "checked": len(named),
            "frozen": frozen,
            "regularisers_off": off,
        }
        if no_grad or zero or bad:
            parts = []
            for label, names in (
                ("no gradient", no_grad),
                ("all-zero gradient", zero),
                ("non-finite gradient", bad),
            ):
                if names:
                    shown = ", ".join(names[:10]) + (
                        f", ... ({len(names)} in all)" if len(names) > 10 else ""
                    )
                    parts.append(f"{label}: {shown}")
            self.checks.append(
                Check(
                    "gradients",
                    "FAIL",
                    "; ".join(parts)
                    + f" ({mode}; a parameter the loss never reaches is dead weight or a wiring bug)",
                    data=data,
                )
            )
            return
        extra = f"; {frozen} frozen tensors not checked" if frozen else ""
        self.checks.append(
            Check(
                "gradients",
                "PASS",
                f"backward in {mode} gave all {len(named)} trainable parameter tensors a non-zero finite gradient{extra}",
                data=data,
            )
        )

    def check_finite(self) -> None:
        stats = output_stats(self.outputs or [])
        bad = [(i, s) for i, s in enumerate(stats) if s.get("nan") or s.get("inf")]
        desc = "; ".join(
            f"output {i} {s['shape']}: min {fmt_num(s['min'])} max {fmt_num(s['max'])} mean {fmt_num(s['mean'])}"
            if "min" in s
            else f"output {i} {s['shape']}: no finite value"
            for i, s in enumerate(stats)
        )
        if bad:
            where = ", ".join(f"output {i}: {s['nan']} NaN, {s['inf']} Inf" for i, s in bad)
            self.checks.append(
                Check("finite", "FAIL", f"{where} ({desc})", data={"outputs": stats})
            )
            return
        degenerate, notes = self.degenerate_outputs()
        if notes:
            desc += "; " + "; ".join(notes)
        if degenerate:
            self.checks.append(
                Check(
                    "finite",
                    "FAIL",
                    "; ".join(degenerate)
                    + f" ({desc}). Finite but degenerate: look for a vanished signal (an "
                    "initialisation scaled to ~0, a missing residual, a mask that removes "
                    "everything) or an input that never reaches the output",
                    data={"outputs": stats, "degenerate": degenerate},
                )
            )
            return
        self.checks.append(Check("finite", "PASS", desc, data={"outputs": stats}))

    def train_mode_peaks(self) -> list[float] | None:
        """max |x| of each output in train mode, on a copy (batch statistics must not touch the
        model the other checks use); None when that forward raised."""
        try:
            model = copy.deepcopy(self.model)
            model.train()
            h.seed_everything(self.module, 0)
            args, kwargs = clone_inputs(self.in_args, self.in_kwargs)
            with torch.no_grad():
                outs = h.flatten_tensors(model(*args, **kwargs))
            del model
        except Exception:
            return None
        return [
            float(t.detach().to("cpu", torch.float64).abs().max())
            if t.is_floating_point() and t.numel()
            else 0.0
            for t in outs
        ]

    def degenerate_outputs(self) -> tuple[list[str], list[str]]:
        """Floating outputs that are all near zero, or identical for every sample of a batch
        whose inputs differ; and notes for near-zero eval outputs that train mode shows alive."""
        found = []
        notes: list[str] = []
        train_peaks: list[float] | None = None
        batch = self.batch_size()
        inputs = [*self.in_args, *self.in_kwargs.values()]
        inputs_differ = batch >= 2 and any(
            t.dim() >= 1
            and t.shape[0] == batch
            and any(not torch.equal(t[0], t[i]) for i in range(1, batch))
            for t in inputs
        )
        for i, t in enumerate(self.outputs or []):
            if not t.is_floating_point() or t.numel() == 0:
                continue
            x = t.detach().to("cpu", torch.float64)
            peak = float(x.abs().max())
            if peak < NEAR_ZERO:
                # In eval mode at initialisation, BatchNorm divides by running variances still
                # at 1, and a deep network's output can be ~1e-14 although nothing is wrong
                # (torchvision's efficientnet_b0: 3e-14 in eval, 0.6 in train). A vanished
                # signal is near zero with batch statistics too.
                if train_peaks is None:
                    train_peaks = self.train_mode_peaks() or []
                alive = train_peaks[i] if i < len(train_peaks) else 0.0
                if alive >= NEAR_ZERO:
                    notes.append(
                        f"output {i} is near zero in eval mode at initialisation (max |x| "
                        f"{peak:.3g}) but not in train mode (max |x| {alive:.3g}): BatchNorm "
                        "running statistics at their initial values, not a vanished signal"
                    )
                    continue
                found.append(f"output {i} {list(t.shape)} is all near zero (max |x| {peak:.3g})")
                continue
            if inputs_differ and t.dim() >= 1 and t.shape[0] == batch and t[0].numel() > 0:
                if all(
                    bool(torch.allclose(x[0], x[j], rtol=1e-6, atol=1e-9 * peak))
                    for j in range(1, batch)
                ):
                    found.append(
                        f"output {i} {list(t.shape)} is the same for all {batch} samples of the "
                        "batch although the inputs differ"
                    )
        return found, notes

    def check_determinism(self) -> None:
        runs = []
        try:
            for _ in range(2):
                h.seed_everything(self.module, 0)
                model = h.instantiate(self.cls, self.kwargs, self.device)
                outs = []
                with torch.no_grad():
                    for train in (False, True):
                        model.train(train)
                        args, kwargs = clone_inputs(self.in_args, self.in_kwargs)
                        outs.extend(h.flatten_tensors(model(*args, **kwargs)))
                runs.append(outs)
                del model
        except Exception as exc:
            self.checks.append(
                Check("determinism", "FAIL", f"rerun raised {type(exc).__name__}: {exc}")
            )
            return
        a, b = runs
        if len(a) != len(b):
            detail = f"the two runs returned {len(a)} and {len(b)} output tensors"
            self.checks.append(Check("determinism", "FAIL", detail))
            return
        differ = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same = x.shape == y.shape and (
                torch.equal(x, y)
                if not x.is_floating_point()
                else bool(torch.isclose(x, y, rtol=0, atol=0, equal_nan=True).all())
            )
            if not same:
                mode = "eval" if i < len(a) // 2 else "train"
                diff = (
                    (x.double() - y.double()).abs().max().item()
                    if x.shape == y.shape
                    else float("nan")
                )
                differ.append(
                    f"output {i % (len(a) // 2)} ({mode} mode) differs, max |diff| {fmt_num(diff)}"
                )
        how = f"set_seed(0) via {self.seeding}"
        if differ:
            self.checks.append(
                Check(
                    "determinism",
                    "FAIL",
                    f"two runs after {how}: "
                    + "; ".join(differ)
                    + " (seed every RNG the model uses in set_seed; no unseeded generators)",
                )
            )
        else:
            self.checks.append(
                Check(
                    "determinism",
                    "PASS",
                    f"two runs after {how} gave identical outputs in eval and train mode",
                )
            )

    # ----------------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        return {
            s: sum(1 for c in self.checks if c.status == k)
            for s, k in (("passed", "PASS"), ("failed", "FAIL"), ("skipped", "SKIP"))
        }

    def exit_code(self) -> int:
        if any(c.status == "FAIL" for c in self.checks):
            return 1
        # a skipped check that applied (only possible after a failure today) is never a pass
        return 1 if any(c.status == "SKIP" and c.applies for c in self.checks) else 0

    def report_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "target": self.args.target,
            "device": self.device,
            "inputs": {
                s.label: {"shape": s.shape, "dtype": h.dtype_name(s.dtype)} for s in self.specs
            },
            "kwargs": self.kwargs,
            "seeding": self.seeding,
            "counts": self.counts,
            "memory": self.memory,
            "outputs": output_stats(self.outputs) if self.outputs is not None else None,
            "checks": [c.as_json() for c in self.checks],
            "summary": self.summary(),
            "exit_code": self.exit_code(),
        }

    def report_text(self) -> str:
        c, m = self.counts, self.memory
        ins = ", ".join(f"{s.label}={s.shape} {h.dtype_name(s.dtype)}" for s in self.specs)
        lines = [
            f"validate_model: {self.args.target} on {self.device}, inputs {ins}",
            f"INFO parameters: total {fmt_int(c['total'])} (trainable {fmt_int(c['trainable'])}, "
            f"frozen {fmt_int(c['frozen'])}), buffers {fmt_int(c['buffers'])} elements",
            "INFO memory: parameters "
            + (", ".join(f"{k} {fmt_int(v)} B" for k, v in m["param_bytes"].items()) or "0 B")
            + f" (total {fmt_int(m['param_bytes_total'])} B = {m['param_bytes_total'] / 2**20:.1f} MiB)"
            + f"; buffers {fmt_int(m['buffer_bytes_total'])} B",
        ]
        for ch in self.checks:
            detail = ch.detail.replace("\n", "\n    ")
            lines.append(f"{ch.status} {ch.name}: {detail}")
        s = self.summary()
        lines.append(f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped")
        lines.append(self.next_step())
        return "\n".join(lines)

    def next_step(self) -> str:
        code = self.exit_code()
        if code:
            return "next: fix what the FAIL lines name, rerun, and do not report the model as working until this exits 0"
        notes = []
        if self.paper is None:
            notes.append(
                "no paper count was compared: quote the paper's count with --paper-params, or write 'Paper did not specify' and cite a reference count"
            )
        if self.device == "meta":
            notes.append("numeric checks did not run on meta: also run a reduced config on cpu")
        tail = ("; " + "; ".join(notes)) if notes else ""
        return f"next: paste the summary line above into the replication report (exit 0){tail}"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="validate_model.py",
        description=__doc__.split("\n\n")[0]
        + " Prints one PASS/FAIL/SKIP line per check and a summary line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    h.add_model_arguments(p, "cpu (default), cuda, or meta: counts and shapes without data")
    _loss.add_loss_arguments(p)
    p.add_argument(
        "--expect-output",
        metavar="SHAPE",
        help='expected output shape: "[2,1000]" or "[[2,1000],[2,5]]"',
    )
    p.add_argument(
        "--paper-params",
        metavar="COUNT",
        help="the parameter count as the paper prints it: 25.6M, 86,567,656, 0.3B",
    )
    p.add_argument(
        "--explain-mismatch",
        metavar="TEXT",
        help="the written cause of a known count mismatch (e.g. 'paper miscounted, see ...'); "
        "the verdict stays mismatch, the line passes and carries the text",
    )
    p.add_argument(
        "--tolerance",
        metavar="PCT",
        help="relative tolerance such as 1%% instead of the printed-precision policy",
    )
    p.add_argument(
        "--json", action="store_true", help="print the report as JSON (sorted keys) instead of text"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args, code = h.parse_cli(build_parser(), argv, "validate_model")
    if args is None:
        return code
    try:
        v = Validator(args)
    except HarnessError as exc:
        print(f"validate_model: {exc}", file=sys.stderr)
        return 2
    v.run()
    if args.json:
        print(json.dumps(v.report_json(), sort_keys=True, indent=2))
    else:
        print(v.report_text())
    return v.exit_code()


if __name__ == "__main__":
    sys.exit(main())
