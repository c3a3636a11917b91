"""What a loss can reach on one batch without the model: the yardsticks of the one-batch overfit.

A fall "by 10x from the first loss" depends on the initialisation, not on the code: AlexNet with
the paper's N(0, 0.01) weights starts at ln 1000 = 6.9, learns the output bias within a few
steps and then sits at ln 2 = 0.69 (two distinct labels) for hundreds of SGD steps, while the
same network with Kaiming init passes in one step. So the overfit measures the loss against two
values computed from the loss alone, on the model's first prediction and the batch's targets:

- the **fit**: the least loss a free prediction reaches (every sample's output its own free
  tensor), i.e. the floor of this loss on this batch (0 for cross-entropy, the smoothing
  entropy for label smoothing);
- the **constant**: the least loss a prediction shared by every sample reaches (one free tensor
  repeated over the batch): what a network reaches that has learned its output bias but not yet
  to use its input.

A model has overfitted the batch once its loss is well below the constant, since only the
input tells the samples apart. The two fits also judge the loss itself, without the model: a
loss that a free prediction drives towards minus infinity has a term with the wrong sign, and a
loss that a per-sample prediction cannot bring below the constant scores each sample's
prediction against other samples' targets (a target in the wrong layout, a [B] against [B, 1]
broadcast).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import _loss
from _harness import torch

ADAM_STEPS = 150
ADAM_LR = 0.1
LBFGS_ITERS = 60
SETTLED = 0.01


@dataclass
class Fit:
    """The least loss found, and whether it was still falling without bound."""

    value: float
    unbounded: bool = False
    error: str | None = None
    # Whether Adam had settled: its last third of steps lowered the loss by less than SETTLED of
    # its whole fall. A loss with hard-negative mining (SSD) moves only the few entries it mines
    # at each step and is still far from its floor after ADAM_STEPS; two such values are no
    # evidence about each other.
    settled: bool = True
    # the prediction at the end (detached), to start another fit from it
    point: Any = None


@dataclass
class Baselines:
    fit: Fit
    const: Fit | None
    # why there is no constant baseline (no batched output), or None
    no_const: str | None = None


def _free(prediction: Any, batch: int, shared: bool) -> tuple[Any, list[Any]]:
    """A builder of the prediction from free tensors, and those tensors. Floating tensors become
    free (shared ones: one sample's worth, repeated over the batch); others stay as they are."""
    slots: list[tuple[str, Any] | None] = []
    params: list[Any] = []

    def make(t: Any) -> Any:
        if not t.is_floating_point():
            slots.append(None)
            return t
        if shared and t.dim() >= 1 and t.shape[0] == batch:
            p = t.detach().mean(0, keepdim=True).clone().requires_grad_(True)
            slots.append(("shared", p))
        else:
            p = t.detach().clone().requires_grad_(True)
            slots.append(("free", p))
        params.append(p)
        return t

    _loss.map_tensors(prediction, make)

    def build() -> Any:
        it = iter(slots)

        def put(t: Any) -> Any:
            s = next(it)
            if s is None:
                return t.detach()
            kind, p = s
            return p.repeat(batch, *([1] * (p.dim() - 1))) if kind == "shared" else p

        return _loss.map_tensors(prediction, put)

    return build, params


def minimise(loss_fn: Any, prediction: Any, targets: Any, batch: int, shared: bool) -> Fit:
    """The least loss over free predictions: Adam, then L-BFGS from Adam's best point (Adam alone
    is slow on targets far from the start, such as coordinates in pixels)."""
    build, params = _free(prediction, batch, shared)
    if not params:
        return Fit(math.nan, error="the prediction has no floating-point tensor")
    best = math.inf
    history: list[float] = []
    opt = torch.optim.Adam(params, lr=ADAM_LR)
    for _ in range(ADAM_STEPS):
        opt.zero_grad(set_to_none=True)
        v = loss_fn(build(), targets)
        value = float(v.detach().float().sum())
        if not math.isfinite(value):
            break
        history.append(value)
        best = min(best, value)
        if not v.requires_grad:
            return Fit(best, error="the loss does not depend on the prediction (no gradient)")
        v.backward()
        opt.step()
    if not history:
        return Fit(math.nan, error="the loss is not finite on the model's own prediction")
    # A bounded loss settles: its second half of Adam steps changes it by far less than its own
    # scale. A term with the wrong sign keeps falling (quadratically, for a negated MSE), and
    # L-BFGS then takes it to -1e30 or beyond.
    mid, end = history[len(history) // 2], history[-1]
    scale = 1.0 + abs(history[0])
    if end < 0 and mid - end > scale:
        return Fit(end, unbounded=True)
    opt2 = torch.optim.LBFGS(
        params,
        lr=1.0,
        max_iter=LBFGS_ITERS,
        history_size=20,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-12,
        tolerance_change=1e-14,
    )
    seen = [best]

    def closure() -> Any:
        opt2.zero_grad(set_to_none=True)
        v = loss_fn(build(), targets)
        value = float(v.detach().float().sum())
        if math.isfinite(value):
            seen.append(value)
        v.backward()
        return v

    try:
        opt2.step(closure)
    except Exception:  # noqa: BLE001 - a refinement only; Adam's value stands
        pass
    low = min(seen)
    fall = history[0] - min(history)
    late = history[-max(1, len(history) // 3)] - min(history)
    settled = late <= SETTLED * fall or late <= 1e-6 * scale
    with torch.no_grad():
        point = _loss.map_tensors(build(), lambda t: t.detach().clone())
    return Fit(
        low, unbounded=low < 0 and -low > 1e3 * scale, settled=settled, point=point
    )


def batched(prediction: Any, batch: int) -> bool:
    """Whether some floating tensor of the prediction has the batch as its first dimension."""
    found = []

    def look(t: Any) -> Any:
        if t.is_floating_point() and t.dim() >= 1 and t.shape[0] == batch:
            found.append(t)
        return t

    _loss.map_tensors(prediction, look)
    return bool(found)


def targets_identical(targets: Any, batch: int) -> bool:
    """Whether every sample has the same target (then a constant prediction is a perfect fit)."""
    same = [True]

    def look(t: Any) -> Any:
        if t.dim() >= 1 and t.shape[0] == batch and batch > 1:
            first = t[:1]
            if not bool((t == first).all()):
                same[0] = False
        return t

    if isinstance(targets, (list, tuple)) and len(targets) == batch and batch > 1:
        # per-sample lists (detection annotations): compare the samples' tensors one by one
        for other in targets[1:]:
            a = _tensors(targets[0])
            b = _tensors(other)
            if len(a) != len(b) or any(
                x.shape != y.shape or not bool((x == y).all()) for x, y in zip(a, b)
            ):
                return False
        return True
    _loss.map_tensors(targets, look)
    return same[0]


def _tensors(value: Any) -> list[Any]:
    out: list[Any] = []
    _loss.map_tensors(value, lambda t: out.append(t) or t)
    return out


def compute(loss_fn: Any, prediction: Any, targets: Any, batch: int) -> Baselines:
    """Both fits from the model's first prediction (detached)."""
    prediction = _loss.map_tensors(prediction, lambda t: t.detach())
    threads = torch.get_num_threads()
    # tiny tensors: a second thread only adds synchronisation (and CPU time)
    torch.set_num_threads(1)
    try:
        with torch.enable_grad():
            fit = minimise(loss_fn, prediction, targets, batch, shared=False)
            if not batched(prediction, batch) or batch < 2:
                return Baselines(
                    fit,
                    None,
                    "no floating-point output has the batch as its first dimension"
                    if batch >= 2
                    else "a batch of one sample: every prediction is a constant one",
                )
            const = minimise(loss_fn, prediction, targets, batch, shared=True)
            # The shared predictions are among the free ones, so the fit can never be worse
            # than the constant: a free fit that ends above it did not converge (a loss whose
            # gradient reaches a few entries per step, as hard-negative mining does). Starting
            # the free fit again from the constant's point settles it: a layout bug leaves no
            # per-sample direction to improve there, anything else finds one.
            if const.point is not None and not const.unbounded and math.isfinite(const.value):
                warm = minimise(loss_fn, const.point, targets, batch, shared=False)
                if math.isfinite(warm.value) and (
                    not math.isfinite(fit.value) or warm.value < fit.value
                ):
                    fit = Fit(
                        warm.value,
                        unbounded=warm.unbounded or fit.unbounded,
                        error=fit.error,
                        settled=warm.settled,
                        point=warm.point,
                    )
    finally:
        torch.set_num_threads(threads)
    return Baselines(fit, const)


def spread(prediction: Any, batch: int) -> float | None:
    """How far apart the samples' predictions are: the largest |p_i - p_0| over the batched
    floating tensors, relative to the largest |p_0| (0: every sample gets the same prediction).
    None when no tensor has the batch first or the values are not finite."""
    worst, scale, seen = 0.0, 0.0, False
    with torch.no_grad():
        for t in _tensors(prediction):
            if not (t.is_floating_point() and t.dim() >= 1 and t.shape[0] == batch and batch > 1):
                continue
            t = t.detach().float()
            if not bool(torch.isfinite(t).all()):
                return None
            seen = True
            worst = max(worst, float((t[1:] - t[:1]).abs().max()))
            scale = max(scale, float(t[:1].abs().max()))
    if not seen:
        return None
    return worst / scale if scale > 0 else (0.0 if worst == 0 else math.inf)


def fmt(x: float) -> str:
    return f"{x:.4g}"
