#!/usr/bin/env python3
"""Overfit one tiny batch: train the model with the paper's loss and optimizer on one fixed
batch and check that it learns the batch, not only a constant output.

A replication whose loss cannot drive one batch well below what a constant prediction reaches
has a bug that no shape or count check sees: a detached graph, a wrong sign, a frozen layer, a
target in the wrong layout. The run is short (at most --max-seconds, default 60 s of CPU time)
and prints the loss curve as text.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import _baselines as bl
import _harness as h
import _loss
from _harness import HarnessError, torch

SCHEMA = "paper-replication/overfit/v2"

# The generic optimizer of the second run: Adam's step does not shrink with the gradient, so it
# leaves the flat start of a small-weight initialisation (AlexNet's N(0, 0.01)) where SGD at the
# paper's learning rate needs thousands of steps.
PROBE_LR = 1e-3
# Steps without a 2% cut of the best gap to the fit: the paper's optimizer has stalled.
PATIENCE = 20
# Below this relative spread every sample gets the same prediction (float32 rounding is ~1e-7).
SAME = 1e-6

EPILOG = """\
examples:
  python3 scripts/overfit.py model.py:ResNet50 --input "x=[2,3,64,64]" \\
      --loss losses.py:ClassificationLoss --targets losses.py:make_targets \\
      --optimizer config.py:TRAIN
  python3 scripts/overfit.py model.py:Transformer --input "src=[2,7]:long:100" \\
      --input "tgt=[2,5]:long:100" --kwargs '{"vocab_size": 100}' --loss losses.py:LabelSmoothedCE \\
      --optimizer config.py:TRAIN --lr 1e-3 --json

the yardsticks (computed from the loss alone, on the model's first prediction and the targets):
  fit       the least loss a free prediction reaches on this batch (0 for cross-entropy)
  constant  the least loss one prediction shared by every sample reaches: what a model reaches
            that has learned its output bias but does not yet use its input (ln 2 for
            cross-entropy on two distinct labels)
  PASS when the loss gets below  fit + min(constant - fit, first - fit) / --factor  (default
  factor 2: half the way from the constant to the fit, and half the model's own way down).
  A declared --floor also passes. The first loss, which depends on the initialisation, decides
  nothing.

the runs: set_seed(0), the model in train mode with dropout and stochastic depth off (norms in
  train mode), inputs from the same fixed generator as validate_model.py, targets from
  make_targets(batch), one optimizer step per iteration on that same batch.
  1. the paper's optimizer (--optimizer) until the goal, --max-steps, --max-seconds, or 20
     steps without progress;
  2. when it did not get there: the same initialisation again with Adam(lr=1e-3) for at most
     --max-steps and half of --max-seconds. The code is what is checked; a small-weight
     initialisation (AlexNet's N(0, 0.01)) can keep SGD at the constant for far longer than a
     one-batch check can wait.

the optimizer: --optimizer FILE.py:NAME names the object in config.py that holds the paper's
  training settings. Its fields are read by name: optimizer (SGD, Adam, AdamW, RMSprop), the
  learning rate (learning_rate, lr, base_lr, peak_lr, max_lr), momentum, nesterov, weight_decay,
  adam_beta1 / adam_beta2 (or betas), adam_eps (or eps), decoupled_weight_decay. A paper that
  gives the learning rate only as a schedule has no fixed value: pass --lr and say why.

FAIL only on evidence of a defect: the forward, loss or backward raises; the loss is not a
  scalar or not finite at the start; a trainable parameter gets no gradient (a .detach() or
  torch.no_grad() on its path, or a module built and never used); the loss falls without bound
  on a free prediction (a term with the wrong sign); a per-sample prediction cannot beat the
  constant one (each prediction scored against other samples' targets: a layout bug); the loss
  becomes NaN/Inf under both optimizers. A run that ends above the goal is undecided (SKIP),
  never a FAIL: the curve and the reason say what was seen.

exit status:
  0  PASS: the batch was learned (below the goal) in time
  1  FAIL: a defect, named in the last line
  2  usage or loading error
  3  SKIP: undecided within the budget (the reason says why)
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="overfit.py",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    h.add_model_arguments(p, "cpu (default) or cuda")
    _loss.add_loss_arguments(p)
    p.add_argument(
        "--optimizer",
        metavar="FILE.py:NAME",
        required=True,
        help="the config object with the paper's optimizer settings, e.g. config.py:TRAIN",
    )
    p.add_argument("--lr", type=float, help="learning rate when the config gives none (a schedule)")
    p.add_argument(
        "--factor",
        type=float,
        default=2.0,
        help="the goal is fit + min(constant - fit, first - fit) / factor (default 2)",
    )
    p.add_argument("--floor", type=float, help="a loss at or below this also passes")
    p.add_argument("--max-steps", type=int, default=200, help="at most this many steps (200)")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=60.0,
        help="at most this much CPU time of this process for the paper's optimizer, in seconds "
        "(60; the Adam run gets half); CPU time, not wall time, so that a busy machine does not "
        "turn a pass into a fail",
    )
    p.add_argument("--every", type=int, default=5, help="print the loss every N steps (5)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    return p


@dataclass
class Run:
    """One training run: its optimizer, curve and how it ended."""

    name: str
    desc: str
    curve: list[tuple[int, float]] = field(default_factory=list)
    ended: str = ""  # "goal", "steps", "seconds", "stalled", "nonfinite", "error"
    seconds: float = 0.0
    best: float = math.inf
    # how far apart the samples' predictions were at the last step (None: not measurable)
    spread: float | None = None

    def last(self) -> float:
        return self.curve[-1][1] if self.curve else math.nan

    def peak(self) -> tuple[int, float]:
        """The step and value of the highest finite loss of the curve."""
        finite = [(v, s) for s, v in self.curve if math.isfinite(v)]
        if not finite:
            return 0, math.nan
        v, s = max(finite)
        return s, v


def blew_up(first: float, run: Run) -> bool:
    """Whether the loss rose, on the way, to more than six times where it started (at least 5
    above it): a rate too large for this batch. Cross-entropy then reaches 0 through logits in the
    thousands (the ShuffleNet dogfood: 9.44 -> 537 at step 5 -> 0 at step 7, lr 0.5 on a batch
    of 2), which is no sign that the model learns."""
    _, peak = run.peak()
    return math.isfinite(first) and math.isfinite(peak) and peak > first + 5 * max(1.0, abs(first))


class Overfit:
    def __init__(self, args: argparse.Namespace) -> None:
        if args.device == "meta":
            raise HarnessError("--device meta: meta tensors cannot be trained")
        if args.factor <= 1:
            raise HarnessError("--factor must be above 1")
        if args.max_steps < 1 or args.max_seconds <= 0 or args.every < 1:
            raise HarnessError("--max-steps, --max-seconds and --every must be positive")
        spec = _loss.spec_from_args(args)
        if spec is None:
            raise HarnessError("give the loss: --loss FILE.py:Class")
        self.args = args
        self.target = h.parse_target(args.target)
        self.specs = h.parse_inputs(args.input)
        self.module, self.cls = h.load_class(self.target)
        self.loss = _loss.Loss(spec)
        self.settings = h.load_attr(args.optimizer, "--optimizer", want="object")
        self.kwargs = h.parse_kwargs(args.kwargs)
        self.model, self.off = self.fresh_model()
        self.in_args, self.in_kwargs = h.make_inputs(self.specs, args.device)
        self.batch = self.specs[0].shape[0]
        prediction = None
        if self.loss.wants_prediction():
            # The target's size follows the output's: one forward pass (no gradient) to see it.
            with torch.no_grad():
                prediction = self.model(*self.in_args, **self.in_kwargs)
        self.targets = self.loss.targets(self.batch, prediction)
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise HarnessError("the model has no trainable parameter: nothing to overfit")
        self.optimizer, self.opt_desc = _loss.build_optimizer(params, self.settings, args.lr)
        self.frozen = [n for n, p in self.model.named_parameters() if not p.requires_grad]
        self.runs: list[Run] = []
        self.first: float | None = None
        self.base: bl.Baselines | None = None
        self.goal: float | None = None
        self.goal_text = ""

    def fresh_model(self) -> tuple[Any, list[str]]:
        """The model as set_seed(0) builds it: the same initialisation for every run."""
        h.seed_everything(self.module, 0)
        model = h.instantiate(self.cls, self.kwargs, self.args.device)
        return model, h.train_without_regularisers(model)

    # ----------------------------------------------------------------------------------------
    # Step 0: what the first forward and backward already prove

    def first_step(self, echo: bool) -> tuple[str, str] | None:
        """Forward, loss, yardsticks and backward of step 0 on the paper's run; a verdict when
        they already decide (a FAIL or an undecidable SKIP), else None."""
        run = Run("paper", self.opt_desc)
        self.runs.append(run)
        self.optimizer.zero_grad(set_to_none=True)
        try:
            out = self.model(*self.in_args, **self.in_kwargs)
            loss = self.loss(out, self.targets)
            value = float(loss.detach().float().sum())
        except Exception as exc:
            return "FAIL", f"step 0: forward or loss raised {type(exc).__name__}: {exc}"
        run.curve.append((0, value))
        run.best = value
        self.first = value
        if echo:
            print(f"step    0  loss {value:.6g}", flush=True)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            shape = list(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
            return "FAIL", f"the loss has shape {shape}, not a scalar"
        if not math.isfinite(value):
            return "FAIL", f"the first loss is {value}: not finite before any step{self.tail()}"
        try:
            loss.backward()
        except Exception as exc:
            return (
                "FAIL",
                f"step 0: backward raised {type(exc).__name__}: {exc} (is the prediction "
                "detached on its way into the loss, or every parameter on its path frozen?)",
            )
        dead = [
            n for n, p in self.model.named_parameters() if p.requires_grad and p.grad is None
        ]
        if dead:
            return (
                "FAIL",
                f"{len(dead)} trainable parameter tensor(s) get no gradient from the loss: "
                f"{shown(dead)} (a .detach() or torch.no_grad() on their path, or a module "
                "built and never called; a part the paper freezes needs requires_grad_(False))"
                + self.tail(),
            )
        verdict = self.yardsticks(out, value)
        if verdict is not None:
            return verdict
        self.optimizer.step()
        return None

    def yardsticks(self, out: Any, first: float) -> tuple[str, str] | None:
        a = self.args
        try:
            base = bl.compute(self.loss, out, self.targets, self.batch)
        except Exception as exc:  # noqa: BLE001 - the loss ran on the model's output; say why
            if a.floor is None:
                return (
                    "SKIP",
                    f"no yardstick: the loss raised {type(exc).__name__}: {exc} on a free copy of "
                    "the model's prediction, so learning the batch cannot be told from learning a "
                    "constant; declare [overfit] floor to decide by value",
                )
            self.goal, self.goal_text = None, f"the floor {a.floor:g}"
            return None
        self.base = base
        if base.fit.error:
            return "FAIL", f"on a free prediction: {base.fit.error}"
        if base.fit.unbounded and a.floor is None:
            return (
                "FAIL",
                f"the loss has no lower bound: a free prediction drives it from {first:.6g} to "
                f"{base.fit.value:.6g} and still falling, so training minimises a term with the "
                "wrong sign (a loss that is unbounded by design needs [overfit] floor)",
            )
        floor = f" or the floor {a.floor:g}" if a.floor is not None else ""
        if base.const is None or base.fit.unbounded:
            if a.floor is None:
                why = base.no_const or "the loss is unbounded below"
                return (
                    "SKIP",
                    f"no yardstick: {why}, so learning the batch cannot be told from learning a "
                    "constant; declare [overfit] floor (a loss value that only a fitted batch "
                    "reaches) to decide by value",
                )
            self.goal = None
            self.goal_text = f"the floor {a.floor:g}"
            return None
        fit, const = base.fit.value, base.const.value
        gap = const - fit
        if gap <= 1e-4 * max(1.0, abs(const)):
            if bl.targets_identical(self.targets, self.batch):
                return (
                    "SKIP",
                    f"make_targets({self.batch}) gives every sample the same target, so a "
                    "constant prediction already fits the batch: give the samples distinct "
                    "targets",
                )
            if not (base.fit.settled and base.const.settled):
                # No evidence either way: a loss that moves few entries per step (SSD's hard
                # negatives) is still falling after ADAM_STEPS, and two unfinished minimisations
                # say nothing about each other.
                if a.floor is not None:
                    self.goal, self.goal_text = None, f"the floor {a.floor:g}"
                    return None
                return (
                    "SKIP",
                    f"no yardstick: the free prediction per sample ({fit:.6g}) and the one "
                    f"shared by the batch ({const:.6g}) had not settled after {bl.ADAM_STEPS} "
                    "Adam steps (a loss that updates few entries per step, such as hard-negative "
                    "mining), so they cannot tell learning the batch from learning a constant; "
                    "declare [overfit] floor (a loss value that only a fitted batch reaches) to "
                    "decide by value",
                )
            return (
                "FAIL",
                f"a free prediction per sample reaches {fit:.6g}, no better than one prediction "
                f"shared by the batch ({const:.6g}): the loss scores each sample's prediction "
                "against other samples' targets (a target in the wrong layout, or a [B] against "
                "[B, 1] broadcast)",
            )
        self.goal = fit + min(gap, first - fit) / a.factor
        self.goal_text = (
            f"goal {self.goal:.4g}: constant prediction {bl.fmt(const)}, fitted batch "
            f"{bl.fmt(fit)}, factor {a.factor:g}{floor}"
        )
        return None

    def reached(self, value: float) -> bool:
        a = self.args
        return (self.goal is not None and value <= self.goal) or (
            a.floor is not None and value <= a.floor
        )

    # ----------------------------------------------------------------------------------------
    # The training loops

    def train(self, run: Run, model: Any, optimizer: Any, start_step: int, seconds: float, echo: bool) -> None:
        """Steps until the goal, the step or time limit, a stall, or a non-finite loss."""
        # The budget is CPU time of the whole process: with several threads, time they spend
        # waiting for each other on a busy machine counts too (3x fewer steps for the same
        # seconds at load 10 on 2 cores), so one thread makes the budget measure the model's work.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            self._train(run, model, optimizer, start_step, seconds, echo)
        finally:
            torch.set_num_threads(threads)

    def _train(self, run: Run, model: Any, optimizer: Any, start_step: int, seconds: float, echo: bool) -> None:
        a = self.args
        start = time.process_time()
        best_at: list[float] = [run.best]
        for step in range(start_step, a.max_steps):
            optimizer.zero_grad(set_to_none=True)
            try:
                out = model(*self.in_args, **self.in_kwargs)
                loss = self.loss(out, self.targets)
                value = float(loss.detach().float().sum())
            except Exception as exc:
                run.ended = f"error: step {step}: {type(exc).__name__}: {exc}"
                break
            run.curve.append((step, value))
            run.spread = bl.spread(out, self.batch)
            if echo and step % a.every == 0:
                print(f"step {step:4d}  loss {value:.6g}", flush=True)
            if not math.isfinite(value):
                run.ended = "nonfinite"
                break
            run.best = min(run.best, value)
            best_at.append(run.best)
            if self.reached(value):
                if echo and step % a.every:
                    print(f"step {step:4d}  loss {value:.6g}", flush=True)
                run.ended = "goal"
                break
            if self.stalled(best_at):
                run.ended = "stalled"
                break
            loss.backward()
            optimizer.step()
            if time.process_time() - start > seconds:
                run.ended = "seconds"
                break
        else:
            run.ended = "steps"
        run.seconds += time.process_time() - start

    def stalled(self, best_at: list[float]) -> bool:
        """No 2% cut of the best gap to the fit in the last PATIENCE steps."""
        if self.base is None or len(best_at) <= PATIENCE:
            return False
        fit = self.base.fit.value
        now, then = best_at[-1] - fit, best_at[-1 - PATIENCE] - fit
        return now > 0.98 * then

    def probe(self, echo: bool) -> Run:
        model, _ = self.fresh_model()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.Adam(params, lr=PROBE_LR)
        run = Run("probe", f"Adam(lr={PROBE_LR:g})")
        self.runs.append(run)
        if echo:
            print(f"-- {run.desc} from the same initialisation", flush=True)
        self.train(run, model, optimizer, 0, self.args.max_seconds / 2, echo)
        return run

    def run(self, echo: bool) -> tuple[str, str]:
        verdict = self.first_step(echo)
        if verdict is not None:
            return verdict
        paper = self.runs[0]
        self.train(paper, self.model, self.optimizer, 1, self.args.max_seconds, echo)
        first = self.first
        assert first is not None
        if paper.ended == "goal" and not blew_up(first, paper):
            return "PASS", (
                f"loss {first:.6g} -> {paper.last():.6g} in {paper.curve[-1][0]} steps, "
                f"{paper.seconds:.1f} CPU s ({self.goal_text}; {self.opt_desc}){self.tail()}"
            )
        if paper.ended.startswith("error"):
            return "FAIL", f"{paper.ended[len('error: '):]}{self.tail()}"
        del self.model, self.optimizer  # the probe builds its own; free the memory
        probe = self.probe(echo)
        said = self.paper_said(paper)
        if probe.ended == "goal":
            return "PASS", (
                f"loss {first:.6g} -> {probe.last():.6g} in {probe.curve[-1][0]} steps of "
                f"{probe.desc} from the same initialisation ({self.goal_text}); {said}: the "
                f"graph, the loss's sign and every layer train; {self.paper_verdict(paper)}"
                f"{self.tail()}"
            )
        if probe.ended.startswith("error"):
            return "FAIL", f"{probe.desc}: {probe.ended[len('error: '):]}{self.tail()}"
        same = [r for r in (paper, probe) if r.spread is not None and r.spread < SAME]
        if len(same) == 2:
            return "FAIL", (
                f"the output does not depend on the input: after {paper.curve[-1][0]} steps of "
                f"{self.opt_desc} and {probe.curve[-1][0]} of {probe.desc} every sample still "
                f"gets the same prediction (relative spread {paper.spread:.2g}), so the loss "
                "cannot fall below what a constant prediction reaches: the input is not passed "
                "on, overwritten, or averaged over the batch"
                + self.tail()
            )
        if paper.ended == "nonfinite" and probe.ended == "nonfinite":
            return "FAIL", (
                f"the loss becomes {paper.last()} under {self.opt_desc} at step "
                f"{paper.curve[-1][0]} and {probe.last()} under {probe.desc} at step "
                f"{probe.curve[-1][0]}: a numerically unsafe operation (log of 0, division by a "
                f"norm of 0, exp overflow){self.tail()}"
            )
        reach = (
            f"the samples' predictions differ (relative spread {paper.spread:.2g}), so the input "
            "reaches the output"
            if paper.spread is not None
            else "whether the input reaches the output could not be measured"
        )
        at_constant = self.base is not None and self.base.const is not None and min(
            paper.best, probe.best
        ) >= self.base.const.value - 1e-3 * max(1.0, abs(self.base.const.value))
        why = (
            "A small-weight initialisation (AlexNet's N(0, 0.01)) can keep a deep network at the "
            "constant prediction for thousands of steps"
            if at_constant
            else "The loss was still above the goal when the budget ran out"
        )
        if blew_up(first, paper):
            said = f"{said}; {self.paper_verdict(paper)}"
        return "SKIP", (
            f"undecided within the budget: {said}; {probe.desc}: best {probe.best:.6g} "
            f"({self.probe_said(probe)}); neither reached the {self.goal_text}. No defect was "
            f"seen: the graph reaches every parameter, the loss is bounded and tells the samples "
            f"apart, {reach}. {why}; rerun overfit.py with larger --max-steps and --max-seconds, "
            f"or train a smaller configuration of the same code ([overfit] target){self.tail()}"
        )

    def paper_verdict(self, run: Run) -> str:
        """What the paper's optimizer's run shows, when the generic one reached the goal: a
        divergence is not "needs more steps" (EfficientNet's RMSprop at lr 0.256, set for a
        batch of 4096, took a batch of 2 from 6.96 to 3668)."""
        first = self.first if self.first is not None else float("nan")
        last = run.last()
        step, peak = run.peak()
        blown = blew_up(first, run)
        if (
            blown
            or run.ended == "nonfinite"
            or (math.isfinite(last) and last > first + 0.5 * max(1.0, abs(first)))
        ):
            went = f"{first:.6g} -> {peak:.6g} at step {step} -> {last:.6g}" if blown else (
                f"{first:.6g} -> {last:.6g}"
            )
            return (
                f"the paper's optimizer DIVERGED on this batch ({went}): a "
                "learning rate set for the paper's batch size is too large for this one; give "
                "[overfit] in verify.toml an `lr` scaled to this batch (linear scaling: the "
                "paper's rate times this batch over the paper's) with `lr_reason`, and rerun"
            )
        if run.best < first:
            return (
                "the paper's optimizer lowered the loss but needs more steps than a one-batch "
                "check gives it"
            )
        return (
            "the paper's optimizer did not lower the loss on this batch: check its settings "
            "(learning rate, momentum) against the paper"
        )

    def paper_said(self, run: Run) -> str:
        return f"{self.opt_desc} reached {run.best:.6g} ({self.probe_said(run)})"

    def probe_said(self, run: Run) -> str:
        steps = run.curve[-1][0] if run.curve else 0
        how = {
            "steps": f"{len(run.curve)} steps, the limit",
            "seconds": f"the CPU-time limit at step {steps}",
            "stalled": f"no progress for {PATIENCE} steps at step {steps}",
            "nonfinite": f"the loss became {run.last()} at step {steps}",
            "goal": f"the goal at step {steps}",
        }.get(run.ended, run.ended)
        at = ""
        if self.base is not None and self.base.const is not None:
            if run.best >= self.base.const.value - 1e-3 * max(1.0, abs(self.base.const.value)):
                at = ", not below the constant prediction"
        return how + at

    def tail(self) -> str:
        frozen = ""
        if self.frozen:
            frozen = f"; {len(self.frozen)} frozen tensor(s) not trained: {shown(self.frozen)}"
        return f"; model in {h.describe_regularisers(self.off)}{frozen}"

    def curve_text(self) -> str:
        every = self.args.every
        parts = []
        for run in self.runs:
            pts = [(s, v) for s, v in run.curve if s % every == 0]
            if run.curve and (not pts or pts[-1] != run.curve[-1]):
                pts.append(run.curve[-1])
            text = " ".join(f"{v:.4g}@{s}" for s, v in pts)
            parts.append(text if run.name == "paper" else f"{run.desc}: {text}")
        return "; ".join(parts)


def shown(names: list[str]) -> str:
    return ", ".join(names[:4]) + (f", ... ({len(names)} in all)" if len(names) > 4 else "")


CODES = {"PASS": 0, "FAIL": 1, "SKIP": 3}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, code = h.parse_cli(parser, argv, "overfit")
    if args is None:
        return code
    try:
        run = Overfit(args)
    except HarnessError as exc:
        print(f"overfit: {exc}", file=sys.stderr)
        return 2
    if not args.json:
        print(
            f"overfit: {args.target} on one batch ({', '.join(s.text for s in run.specs)}), "
            f"{run.opt_desc}, at most {args.max_steps} steps / {args.max_seconds:g} CPU s",
            flush=True,
        )
    status, detail = run.run(echo=not args.json)
    code = CODES[status]
    if args.json:
        base = run.base
        report: dict[str, Any] = {
            "schema": SCHEMA,
            "target": args.target,
            "status": status,
            "detail": detail,
            # NaN and Inf are not JSON: null
            "runs": [
                {
                    "optimizer": r.desc,
                    "ended": r.ended,
                    "curve": [[s, v if math.isfinite(v) else None] for s, v in r.curve],
                }
                for r in run.runs
            ],
            # the paper's optimizer's run; "runs" holds the Adam run too when there was one
            "curve": [[s, v if math.isfinite(v) else None] for s, v in run.runs[0].curve]
            if run.runs
            else [],
            "curve_text": run.curve_text(),
            "optimizer": run.opt_desc,
            "first": run.first if run.first is not None and math.isfinite(run.first) else None,
            "fit": base.fit.value if base and math.isfinite(base.fit.value) else None,
            "constant": base.const.value if base and base.const else None,
            "goal": run.goal,
            "exit_code": code,
        }
        print(json.dumps(report, sort_keys=True, indent=2))
    else:
        print(f"{status} overfit: {detail}")
    return code


if __name__ == "__main__":
    sys.exit(main())
