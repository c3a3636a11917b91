"""The loss as a deliverable: checks of a `(prediction, target) -> scalar` loss module with
targets from the replication's own `make_targets(batch)` factory, and the optimizer the paper
names in config.py, for the one-batch overfit.

Imported by `validate_model.py --loss` and `overfit.py`. A loss check never invents targets:
random targets are not valid targets for most losses (boxes with negative sizes, class ids
out of range, masks with no positive), so the factory says what a valid one is.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
from dataclasses import dataclass
from typing import Any

import _harness as h
from _harness import Check, HarnessError, torch
from torch.autograd.gradcheck import GradcheckError

REDUCTIONS = ("mean", "sum")
# |loss| at the declared perfect prediction that still counts as zero (float32 arithmetic)
ZERO_ATOL = 1e-6
# relative agreement of the batch-doubling ratio with 1 (mean) or 2 (sum)
REDUCTION_RTOL = 1e-4
# above this many prediction entries gradcheck projects on a random direction (fast mode)
GRADCHECK_FULL_MAX = 1000


@dataclass
class LossSpec:
    target: str  # FILE.py:Class
    targets: str  # FILE.py:make_targets
    reduction: str  # mean | sum
    kwargs: dict[str, Any]
    perfect: str | None  # FILE.py:perfect_prediction


def parse_loss_kwargs(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarnessError(f"--loss-kwargs is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise HarnessError("--loss-kwargs must be a JSON object, e.g. '{\"lambda_coord\": 5}'")
    return value


def spec_from_args(args: Any) -> LossSpec | None:
    """The loss arguments of a command line (`--loss`, `--targets`, `--reduction`,
    `--loss-kwargs`, `--perfect`); None without `--loss`."""
    if not args.loss:
        for flag, value in (
            ("--targets", args.targets),
            ("--perfect", args.perfect),
            ("--loss-kwargs", args.loss_kwargs),
        ):
            if value:
                raise HarnessError(f"{flag} needs --loss FILE.py:Class")
        return None
    if ":" not in args.loss:
        raise HarnessError(f"--loss {args.loss!r} must be FILE.py:Class, e.g. losses.py:YoloLoss")
    targets = args.targets or f"{args.loss.rsplit(':', 1)[0]}:make_targets"
    return LossSpec(
        args.loss, targets, args.reduction, parse_loss_kwargs(args.loss_kwargs), args.perfect
    )


def add_loss_arguments(p: Any) -> None:
    p.add_argument(
        "--loss",
        metavar="FILE.py:Class",
        help="the loss module, called as loss(prediction, target) -> scalar",
    )
    p.add_argument(
        "--targets",
        metavar="FILE.py:func",
        help="make_targets(batch) -> a valid target for a batch of that size "
        "(default: make_targets in the --loss file)",
    )
    p.add_argument(
        "--reduction",
        choices=REDUCTIONS,
        default="mean",
        help="how the paper's loss reduces over the batch: mean (default; also a sum divided "
        "by the batch size or by a count such as matched boxes) or sum",
    )
    p.add_argument("--loss-kwargs", metavar="JSON", help="loss constructor keyword arguments")
    p.add_argument(
        "--perfect",
        metavar="FILE.py:func",
        help="perfect_prediction(prediction, target) -> the prediction with every entry the loss "
        "reads set to its ideal value; declares that the loss is 0 there (checked)",
    )


class Loss:
    """The loaded loss module, its target factory and the optional perfect prediction."""

    def __init__(self, spec: LossSpec) -> None:
        self.spec = spec
        target = h.parse_target(spec.target)
        _, cls = h.load_class(target)
        self.cls = cls
        try:
            self.module = cls(**spec.kwargs)
        except Exception as exc:
            raise HarnessError(
                f"--loss {spec.target}: {cls.__name__}(**{json.dumps(spec.kwargs, sort_keys=True)}) "
                f"failed: {type(exc).__name__}: {exc}"
            ) from exc
        self.make_targets = h.load_attr(spec.targets, "--targets")
        self.perfect = h.load_attr(spec.perfect, "--perfect") if spec.perfect else None

    def wants_prediction(self) -> bool:
        """`make_targets(batch, prediction)`: the target's size follows the output's (U-Net's
        valid convolutions give an output smaller than the input, by an amount the input sets)."""
        try:
            params = list(inspect.signature(self.make_targets).parameters.values())
        except (TypeError, ValueError):
            return False
        positional = [
            q for q in params if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)
        ]
        return len(positional) >= 2 or any(q.name == "prediction" for q in params)

    def targets(self, batch: int, prediction: Any = None) -> Any:
        try:
            if prediction is not None and self.wants_prediction():
                return self.make_targets(batch, prediction)
            return self.make_targets(batch)
        except Exception as exc:
            raise HarnessError(
                f"--targets {self.spec.targets}: make_targets({batch}) raised "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def __call__(self, prediction: Any, target: Any) -> Any:
        return self.module(prediction, target)


# --------------------------------------------------------------------------------------------
# Nested predictions and targets


def map_tensors(value: Any, fn: Any) -> Any:
    """The same nesting (tuple, list, dict) with every tensor replaced by fn(tensor)."""
    if isinstance(value, torch.Tensor):
        return fn(value)
    if isinstance(value, tuple):
        return tuple(map_tensors(v, fn) for v in value)
    if isinstance(value, list):
        return [map_tensors(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: map_tensors(v, fn) for k, v in value.items()}
    return value


def as_leaves(prediction: Any, dtype: Any = None) -> tuple[Any, list[Any]]:
    """A detached copy of the prediction whose floating tensors are leaves that require grad."""
    leaves: list[Any] = []

    def leaf(t: Any) -> Any:
        if not t.is_floating_point():
            return t.detach().clone()
        x = t.detach().clone().to(dtype or t.dtype).requires_grad_(True)
        leaves.append(x)
        return x

    return map_tensors(prediction, leaf), leaves


def to_float64(value: Any) -> Any:
    return map_tensors(value, lambda t: t.double() if t.is_floating_point() else t)


class NotBatched(Exception):
    """A part of a target whose batch dimension cannot be told."""


def all_batched(value: Any, batch: int) -> bool:
    """Every tensor in `value` has the batch as its first dimension (and there is one)."""
    if isinstance(value, torch.Tensor):
        return value.dim() >= 1 and value.shape[0] == batch
    if isinstance(value, (list, tuple)):
        return bool(value) and all(all_batched(v, batch) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(all_batched(v, batch) for v in value.values())
    return False


def per_sample(value: list | tuple, batch: int) -> bool:
    """A list as long as the batch is one entry per sample, unless every entry also carries the
    batch first: then it may as well be a model's (loc, conf) output at batch 2, and which one
    it is cannot be told (NotBatched)."""
    if len(value) != batch:
        return False
    if all_batched(value, batch):
        raise NotBatched(
            f"a {type(value).__name__} of {len(value)} entries, each with the batch {batch} "
            "first, reads both as one entry per sample and as batched outputs; declare a batch "
            f"size other than {batch} in verify.toml to decide"
        )
    return True


def repeat_batch(value: Any, batch: int) -> Any:
    """The batch twice over: tensors whose first dimension is the batch are concatenated with
    themselves, per-sample lists (length == batch) repeated. Anything else is ambiguous."""
    if isinstance(value, torch.Tensor):
        if value.dim() >= 1 and value.shape[0] == batch:
            return torch.cat([value, value], dim=0)
        raise NotBatched(f"a tensor of shape {list(value.shape)} has no batch dimension {batch}")
    if isinstance(value, (list, tuple)):
        if per_sample(value, batch):
            return type(value)(list(value) + list(value))
        return type(value)(repeat_batch(v, batch) for v in value)
    if isinstance(value, dict):
        return {k: repeat_batch(v, batch) for k, v in value.items()}
    raise NotBatched(f"a {type(value).__name__} value")


def first_sample(value: Any, batch: int) -> Any:
    if isinstance(value, torch.Tensor):
        if value.dim() >= 1 and value.shape[0] == batch:
            return value[:1]
        raise NotBatched(f"a tensor of shape {list(value.shape)} has no batch dimension {batch}")
    if isinstance(value, (list, tuple)):
        if per_sample(value, batch):
            return type(value)(list(value)[:1])
        return type(value)(first_sample(v, batch) for v in value)
    if isinstance(value, dict):
        return {k: first_sample(v, batch) for k, v in value.items()}
    return value


def fmt(x: float) -> str:
    return f"{x:.6g}"


# --------------------------------------------------------------------------------------------
# The checks


def not_run(first: Check, reason: str) -> list[Check]:
    """`first` (a FAIL) and every later loss check skipped for `reason`: a SKIP that applies,
    so the run still exits 1."""
    return [first] + [Check(n, "SKIP", reason) for n in LOSS_CHECKS[1:]]


LOSS_CHECKS = (
    "loss_scalar",
    "loss_finite",
    "loss_grad",
    "loss_gradcheck",
    "loss_reduction",
    "loss_invariance",
)


def loss_checks(loss: Loss, prediction: Any, batch: int, seed: Any) -> list[Check]:
    """loss_scalar, loss_finite, loss_grad, loss_gradcheck, loss_reduction, loss_invariance.

    `prediction` is the model's output on its inputs (eval mode); `seed()` reseeds the RNGs
    before each loss call, so a loss that samples (hard-negative mining ties) is compared with
    itself."""
    name = loss.cls.__name__
    checks: list[Check] = []
    seed()
    try:
        target = loss.targets(batch, prediction)
    except HarnessError as exc:
        return not_run(
            Check("loss_scalar", "FAIL", str(exc)),
            "no target to check the loss with (see loss_scalar)",
        )
    pred, leaves = as_leaves(prediction)
    if not leaves:
        why = "the model's output has no floating-point tensor to differentiate"
        return not_run(Check("loss_scalar", "FAIL", why), why)
    try:
        with torch.enable_grad():
            value = loss(pred, target)
    except Exception as exc:
        why = f"{name}(prediction, make_targets({batch})) raised {type(exc).__name__}: {exc}"
        return not_run(Check("loss_scalar", "FAIL", why), "the loss did not run (see loss_scalar)")
    shapes = ", ".join(str(list(t.shape)) for t in leaves)
    if not isinstance(value, torch.Tensor):
        return not_run(
            Check("loss_scalar", "FAIL", f"{name} returned {type(value).__name__}, not a tensor"),
            "the loss returned no tensor (see loss_scalar)",
        )
    if value.dim() != 0 or not value.is_floating_point():
        checks.append(
            Check(
                "loss_scalar",
                "FAIL",
                f"{name} returned shape {list(value.shape)} {h.dtype_name(value.dtype)}, not a "
                f"floating-point scalar: reduce it over the batch ({loss.spec.reduction}, as declared)",
            )
        )
    else:
        checks.append(
            Check(
                "loss_scalar",
                "PASS",
                f"{name}(prediction {shapes}, make_targets({batch})) = {fmt(value.item())} "
                f"({h.dtype_name(value.dtype)} scalar)",
            )
        )
    scalar = value if value.dim() == 0 else value.float().sum()
    finite = bool(torch.isfinite(value).all())
    checks.append(
        Check(
            "loss_finite",
            "PASS" if finite else "FAIL",
            f"loss {fmt(scalar.item())} is finite"
            if finite
            else f"loss is {fmt(scalar.item())}: look for sqrt, log or a division of values the "
            "prediction or make_targets can make zero or negative (clamp, eps, or a valid target)",
        )
    )
    grad_ok = check_prediction_grad(checks, scalar, leaves)
    check_gradcheck(checks, loss, prediction, batch, grad_ok, seed)
    check_reduction(checks, loss, prediction, target, batch, seed)
    check_invariance(checks, loss, prediction, target, seed)
    return checks


def check_prediction_grad(checks: list[Check], scalar: Any, leaves: list[Any]) -> bool:
    if not scalar.requires_grad or scalar.grad_fn is None:
        checks.append(
            Check(
                "loss_grad",
                "FAIL",
                "the loss does not depend on the prediction through autograd: a .detach(), "
                ".item(), .numpy(), .data or torch.no_grad() cuts the prediction's path",
            )
        )
        return False
    grads = torch.autograd.grad(scalar, leaves, allow_unused=True)
    total = sum(t.numel() for t in leaves)
    nonzero = sum(int((g != 0).sum()) for g in grads if g is not None)
    bad = sum(int((~torch.isfinite(g)).sum()) for g in grads if g is not None)
    unused = [i for i, g in enumerate(grads) if g is None]
    if bad:
        checks.append(
            Check("loss_grad", "FAIL", f"d loss / d prediction has {bad} non-finite entries")
        )
        return False
    if nonzero == 0:
        checks.append(
            Check(
                "loss_grad",
                "FAIL",
                "d loss / d prediction is zero everywhere: the loss does not depend on the "
                "prediction (detached, or every entry masked out)",
            )
        )
        return False
    extra = f"; prediction tensors {unused} unused by the loss" if unused else ""
    checks.append(
        Check(
            "loss_grad",
            "PASS",
            f"d loss / d prediction is finite and non-zero in {nonzero:,} of {total:,} entries "
            f"({100 * nonzero / total:.1f}%){extra}",
        )
    )
    return True


def check_gradcheck(
    checks: list[Check], loss: Loss, prediction: Any, batch: int, grad_ok: bool, seed: Any
) -> None:
    if not grad_ok:
        checks.append(
            Check("loss_gradcheck", "SKIP", "no usable gradient to check (see loss_grad)")
        )
        return
    # the tiny case: the first sample and make_targets(1), in float64
    try:
        small = first_sample(prediction, batch)
        small_batch = 1
    except NotBatched:
        small, small_batch = prediction, batch
    try:
        target = to_float64(loss.targets(small_batch, small))
    except HarnessError as exc:
        checks.append(Check("loss_gradcheck", "FAIL", f"the tiny case has no target: {exc}"))
        return
    pred64, leaves = as_leaves(small, torch.float64)
    module = copy.deepcopy(loss.module)
    if isinstance(module, torch.nn.Module):
        module = module.double()
    n = sum(t.numel() for t in leaves)
    fast = n > GRADCHECK_FULL_MAX

    def fn(*xs: Any) -> Any:
        it = iter(xs)
        rebuilt = map_tensors(pred64, lambda t: next(it) if t.is_floating_point() else t)
        seed()
        return module(rebuilt, target)

    how = (
        f"torch.autograd.gradcheck in float64 on batch {small_batch} ({n:,} prediction entries, "
        + ("fast mode: one random direction" if fast else "every entry")
        + ")"
    )
    try:
        torch.autograd.gradcheck(
            fn, tuple(leaves), eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=fast
        )
    except GradcheckError as exc:
        first = str(exc).strip().splitlines()[0]
        checks.append(
            Check(
                "loss_gradcheck",
                "FAIL",
                f"{how}: analytical and numerical gradients differ ({first}); look for a custom "
                "backward, an in-place edit of the prediction, or a kink (abs, max, sqrt at 0) "
                "that random predictions hit",
            )
        )
        return
    except Exception as exc:
        checks.append(
            Check(
                "loss_gradcheck",
                "FAIL",
                f"{how}: the loss raised {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''} "
                "(build constants with the prediction's dtype and device, not float32)",
            )
        )
        return
    checks.append(Check("loss_gradcheck", "PASS", f"{how}: gradients agree"))


def check_reduction(
    checks: list[Check], loss: Loss, prediction: Any, target: Any, batch: int, seed: Any
) -> None:
    declared = loss.spec.reduction
    try:
        pred2 = repeat_batch(prediction, batch)
        target2 = repeat_batch(target, batch)
    except NotBatched as exc:
        checks.append(
            Check(
                "loss_reduction",
                "SKIP",
                f"the batch cannot be repeated ({exc}): the {declared} reduction was not checked",
                applies=False,
            )
        )
        return
    try:
        with torch.no_grad():
            seed()
            one = loss(map_tensors(prediction, lambda t: t.detach()), target)
            seed()
            two = loss(pred2, target2)
        one_v, two_v = float(one.float().sum()), float(two.float().sum())
    except Exception as exc:
        checks.append(
            Check(
                "loss_reduction",
                "FAIL",
                f"the loss on the batch repeated twice raised {type(exc).__name__}: {exc} "
                "(make_targets must put the batch first: dimension 0 of a tensor, or one list "
                "entry per sample)",
            )
        )
        return
    if not (math.isfinite(one_v) and math.isfinite(two_v)) or abs(one_v) < 1e-12:
        checks.append(
            Check(
                "loss_reduction",
                "SKIP",
                f"the loss is {fmt(one_v)} on this batch: a ratio cannot tell mean from sum",
            )
        )
        return
    ratio = two_v / one_v
    want = 1.0 if declared == "mean" else 2.0
    seen = (
        "a mean over the batch"
        if math.isclose(ratio, 1.0, rel_tol=REDUCTION_RTOL)
        else "a sum over the batch"
        if math.isclose(ratio, 2.0, rel_tol=REDUCTION_RTOL)
        else "neither a mean nor a sum over the batch"
    )
    detail = (
        f"declared {declared}: the batch repeated twice gives {fmt(two_v)}, the batch once "
        f"{fmt(one_v)}, ratio {ratio:.6g} ({seen})"
    )
    if math.isclose(ratio, want, rel_tol=REDUCTION_RTOL):
        checks.append(Check("loss_reduction", "PASS", detail))
    else:
        checks.append(
            Check(
                "loss_reduction",
                "FAIL",
                detail + f"; the paper's {declared} needs ratio {want:g}",
            )
        )


def check_invariance(
    checks: list[Check], loss: Loss, prediction: Any, target: Any, seed: Any
) -> None:
    if loss.perfect is None:
        checks.append(
            Check(
                "loss_invariance",
                "SKIP",
                "no perfect_prediction declared (--perfect): zero loss at a perfect prediction "
                "was not checked (declare one wherever the paper's loss is 0 there)",
                applies=False,
            )
        )
        return
    base = map_tensors(prediction, lambda t: t.detach().clone())
    try:
        perfect = loss.perfect(base, target)
        with torch.no_grad():
            seed()
            value = float(loss(perfect, target).float().sum())
    except Exception as exc:
        checks.append(
            Check(
                "loss_invariance",
                "FAIL",
                f"perfect_prediction or the loss on it raised {type(exc).__name__}: {exc}",
            )
        )
        return
    if abs(value) <= ZERO_ATOL:
        checks.append(
            Check(
                "loss_invariance",
                "PASS",
                f"loss at perfect_prediction (entries the loss ignores left random) is {fmt(value)}",
            )
        )
    else:
        checks.append(
            Check(
                "loss_invariance",
                "FAIL",
                f"loss at perfect_prediction is {fmt(value)}, not 0: a mask that selects the "
                "wrong entries, a term whose target is wrong, or a constant offset",
            )
        )


# --------------------------------------------------------------------------------------------
# The paper's optimizer from config.py

LR_FIELDS = ("learning_rate", "lr", "base_lr", "peak_lr", "max_lr")


def field(obj: Any, *names: str) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if not isinstance(obj, dict) and hasattr(obj, n):
            return getattr(obj, n)
    return None


def _optimizer_key(kind: str) -> str:
    """The optimizer a config names, also in a paper's words: "stochastic gradient descent" and
    "SGD with momentum" are SGD (the scaffold pre-fills config.py with the paper's wording)."""
    key = "".join(c for c in kind.lower() if c.isalnum())
    if key in ("sgd", "sgdm", "momentum", "rmsprop", "adam", "adamw"):
        return key
    if "adamw" in key:
        return "adamw"
    if key.startswith("adam"):
        return "adam"
    if key.startswith("rmsprop"):
        return "rmsprop"
    if key.startswith(("sgd", "stochasticgradientdescent", "momentumsgd", "nesterov")):
        return "sgd"
    return key


def build_optimizer(
    params: Any, settings: Any, lr_override: float | None
) -> tuple[Any, str]:
    """torch.optim optimizer from a config object's fields: `optimizer` (SGD, Adam, AdamW,
    RMSprop), a learning rate (learning_rate, lr, base_lr, peak_lr), momentum, nesterov,
    weight_decay, adam_beta1/adam_beta2 or betas, adam_eps or eps, decoupled_weight_decay.
    Returns it with a one-line description naming every value used."""
    kind = str(field(settings, "optimizer") or "").strip()
    if not kind:
        raise HarnessError(
            "the optimizer settings name no optimizer: add optimizer = \"SGD\" (or Adam, AdamW) "
            "to the config object"
        )
    lr = lr_override if lr_override is not None else field(settings, *LR_FIELDS)
    lr_from = "verify.toml [overfit] lr" if lr_override is not None else "config"
    if lr is None:
        raise HarnessError(
            "the config gives no fixed learning rate (one of "
            + ", ".join(LR_FIELDS)
            + "): the paper may use a schedule; set [overfit] lr in verify.toml and say why"
        )
    # Settings the config leaves out take PyTorch's defaults; the description names them, since
    # a paper's RMSprop (decay 0.9, momentum 0.9) silently run as momentum 0 is another optimizer.
    defaulted: list[str] = []

    def get(key: str, default: Any, *names: str) -> Any:
        v = field(settings, *names)
        if v is None:
            defaulted.append(key)
            return default
        return v

    key = _optimizer_key(kind)
    decoupled = bool(field(settings, "decoupled_weight_decay"))
    used = {"lr": float(lr), "weight_decay": float(get("weight_decay", 0.0, "weight_decay"))}
    if key in ("sgd", "sgdm", "momentum"):
        used["momentum"] = float(get("momentum", 0.0, "momentum"))
        used["nesterov"] = bool(field(settings, "nesterov"))
        opt = torch.optim.SGD(params, **used)
        name = "SGD"
    elif key in ("adam", "adamw"):
        betas = field(settings, "betas")
        if betas is None:
            b1 = get("beta1", 0.9, "adam_beta1", "beta1")
            b2 = get("beta2", 0.999, "adam_beta2", "beta2")
            betas = (float(b1), float(b2))
        used["betas"] = tuple(float(b) for b in betas)
        used["eps"] = float(get("eps", 1e-8, "adam_eps", "eps"))
        cls = torch.optim.AdamW if key == "adamw" or decoupled else torch.optim.Adam
        opt = cls(params, **used)
        name = cls.__name__
    elif key == "rmsprop":
        used["momentum"] = float(get("momentum", 0.0, "momentum"))
        # Not `decay`: a config's `decay` may be the learning-rate decay (EfficientNet's 0.97),
        # and read as alpha it would silently be another optimizer.
        used["alpha"] = float(get("alpha", 0.99, "rmsprop_alpha", "alpha"))
        used["eps"] = float(get("eps", 1e-8, "rmsprop_eps", "eps"))
        opt = torch.optim.RMSprop(params, **used)
        name = "RMSprop"
    else:
        raise HarnessError(
            f"config field optimizer = {kind!r}: the overfit step knows SGD, Adam, AdamW and "
            "RMSprop; write the one the paper uses in that field (its wording can stay in a comment)"
        )
    desc = ", ".join(f"{k}={v}" for k, v in used.items())
    if defaulted:
        lr_from += "; PyTorch defaults, not in the config: " + ", ".join(defaulted)
    return opt, f"{name}({desc}; lr from {lr_from})"
