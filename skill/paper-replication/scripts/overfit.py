#!/usr/bin/env python3
"""Overfit one tiny batch: train the model with the paper's loss and optimizer on one fixed
batch and check that the loss falls.

A replication whose loss cannot drive one batch towards zero has a bug that no shape or count
check sees: a detached graph, a wrong sign, a frozen layer, a target in the wrong layout. The
run is short (at most --max-seconds, default 60 s of CPU time) and prints the loss curve as text.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

import _harness as h
import _loss
from _harness import HarnessError, torch

SCHEMA = "paper-replication/overfit/v1"

EPILOG = """\
examples:
  python3 scripts/overfit.py model.py:ResNet50 --input "x=[2,3,64,64]" \\
      --loss losses.py:ClassificationLoss --targets losses.py:make_targets \\
      --optimizer config.py:TRAIN
  python3 scripts/overfit.py model.py:Transformer --input "src=[2,7]:long:100" \\
      --input "tgt=[2,5]:long:100" --kwargs '{"vocab_size": 100}' --loss losses.py:LabelSmoothedCE \\
      --optimizer config.py:TRAIN --lr 1e-3 --floor 0.5 --json

the optimizer: --optimizer FILE.py:NAME names the object in config.py that holds the paper's
  training settings. Its fields are read by name: optimizer (SGD, Adam, AdamW, RMSprop), the
  learning rate (learning_rate, lr, base_lr, peak_lr, max_lr), momentum, nesterov, weight_decay,
  adam_beta1 / adam_beta2 (or betas), adam_eps (or eps), decoupled_weight_decay. A paper that
  gives the learning rate only as a schedule has no fixed value: pass --lr and say why.

the run: set_seed(0), the model in train mode with dropout and stochastic depth off (norms in
  train mode), inputs from the same fixed generator as validate_model.py, targets from
  make_targets(batch), one optimizer step per iteration on that same batch. It stops as soon as
  the loss has fallen by --factor (default 10) from its first value, or below --floor.

exit status:
  0  the loss fell by the factor (or below the floor) in time
  1  it did not (read the curve), the loss became NaN/Inf, or backward failed
  2  usage or loading error
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
        "--factor", type=float, default=10.0, help="required fall of the loss (default 10x)"
    )
    p.add_argument("--floor", type=float, help="a loss at or below this also passes")
    p.add_argument("--max-steps", type=int, default=200, help="at most this many steps (200)")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=60.0,
        help="at most this much CPU time of this process, in seconds (60); CPU time, not wall "
        "time, so that a busy machine does not turn a pass into a fail",
    )
    p.add_argument("--every", type=int, default=5, help="print the loss every N steps (5)")
    p.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    return p


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
        h.seed_everything(self.module, 0)
        self.model = h.instantiate(self.cls, h.parse_kwargs(args.kwargs), args.device)
        self.off = h.train_without_regularisers(self.model)
        self.in_args, self.in_kwargs = h.make_inputs(self.specs, args.device)
        self.batch = self.specs[0].shape[0]
        self.targets = self.loss.targets(self.batch)
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise HarnessError("the model has no trainable parameter: nothing to overfit")
        self.optimizer, self.opt_desc = _loss.build_optimizer(params, self.settings, args.lr)
        self.curve: list[tuple[int, float]] = []

    def run(self, echo: bool) -> tuple[str, str]:
        a = self.args
        start = time.process_time()
        first: float | None = None
        goal = ""
        for step in range(a.max_steps):
            self.optimizer.zero_grad(set_to_none=True)
            try:
                out = self.model(*self.in_args, **self.in_kwargs)
                loss = self.loss(out, self.targets)
                value = float(loss.detach().float().sum())
            except Exception as exc:
                return "FAIL", f"step {step}: forward or loss raised {type(exc).__name__}: {exc}"
            self.curve.append((step, value))
            if echo and (step % a.every == 0):
                print(f"step {step:4d}  loss {value:.6g}", flush=True)
            if not math.isfinite(value):
                return "FAIL", f"the loss became {value} at step {step}{self.tail()}"
            if first is None:
                first = value
                if first <= 0 and a.floor is None:
                    return (
                        "FAIL",
                        f"the first loss is {value:.6g}: a fall by a factor needs a positive "
                        "start; declare a floor (--floor) for a loss that can be 0 or negative",
                    )
                goal = f"{a.factor:g}x fall to {first / a.factor:.6g}" + (
                    f" or the floor {a.floor:g}" if a.floor is not None else ""
                )
            if first > 0 and value < 0:
                return (
                    "FAIL",
                    f"the loss went negative ({value:.6g} at step {step}, from {first:.6g}): a "
                    "term with the wrong sign lets training push it below zero",
                )
            reached = (first > 0 and value <= first / a.factor) or (
                a.floor is not None and value <= a.floor
            )
            if reached:
                if echo and step % a.every:
                    print(f"step {step:4d}  loss {value:.6g}", flush=True)
                return (
                    "PASS",
                    f"loss {first:.6g} -> {value:.6g} in {step} steps, "
                    f"{time.process_time() - start:.1f} CPU s ({goal}; {self.opt_desc}){self.tail()}",
                )
            if loss.dim() != 0:
                return "FAIL", f"the loss has shape {list(loss.shape)}, not a scalar"
            try:
                loss.backward()
            except Exception as exc:
                return (
                    "FAIL",
                    f"step {step}: backward raised {type(exc).__name__}: {exc} (is the "
                    "prediction detached on its way into the loss, or every parameter on its path frozen?)",
                )
            self.optimizer.step()
            if time.process_time() - start > a.max_seconds:
                break
        last = self.curve[-1][1]
        steps = len(self.curve)
        why = (
            f"{a.max_seconds:g} CPU s limit"
            if time.process_time() - start > a.max_seconds
            else f"{a.max_steps} steps"
        )
        return (
            "FAIL",
            f"loss {first:.6g} -> {last:.6g} after {steps} steps ({why}), short of the {goal} "
            f"({self.opt_desc}): a detached graph, a wrong sign, a frozen layer, a target in the "
            f"wrong layout, or a learning rate that needs --lr{self.tail()}",
        )

    def tail(self) -> str:
        return f"; model in {h.describe_regularisers(self.off)}"

    def curve_text(self) -> str:
        every = self.args.every
        pts = [(s, v) for s, v in self.curve if s % every == 0]
        if self.curve and (not pts or pts[-1] != self.curve[-1]):
            pts.append(self.curve[-1])
        return " ".join(f"{v:.4g}@{s}" for s, v in pts)


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
    code = 0 if status == "PASS" else 1
    if args.json:
        report: dict[str, Any] = {
            "schema": SCHEMA,
            "target": args.target,
            "status": status,
            "detail": detail,
            # NaN and Inf are not JSON: null
            "curve": [[s, v if math.isfinite(v) else None] for s, v in run.curve],
            "curve_text": run.curve_text(),
            "optimizer": run.opt_desc,
            "exit_code": code,
        }
        print(json.dumps(report, sort_keys=True, indent=2))
    else:
        print(f"{status} overfit: {detail}")
    return code


if __name__ == "__main__":
    sys.exit(main())
