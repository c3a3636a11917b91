"""SSD300: a replication of "SSD: Single Shot MultiBox Detector".

Wei Liu, Dragomir Anguelov, Dumitru Erhan, Christian Szegedy, Scott Reed, Cheng-Yang Fu,
Alexander C. Berg, ECCV 2016 (arXiv:1512.02325). The architecture follows Figure 2 (page 4),
Section 2.1 and Section 3 "Base network" (page 7); the loss is in losses.py (Eq. 1-3, page 5).
Assumes the 300x300 input of SSD300: the six feature maps 38, 19, 10, 5, 3, 1 and the 8732
default boxes are fixed by it.
"""

# symbols: width = VGG base width (64 in the paper), num_classes = classes including background

import random
import sys
from decimal import Decimal, InvalidOperation
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

from config import CONFIG
from losses import MultiBoxLoss, make_targets
from modules import Extras, L2norm, MultiboxHead, VggBase


def set_seed(seed: int = 42) -> None:
    """Seed every random number generator the run touches and make cuDNN deterministic."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds the CPU and every CUDA device
    torch.cuda.manual_seed_all(seed)  # explicit, for code that only reads this call
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class SSD300(nn.Module):
    """SSD300 of Liu et al., "SSD: Single Shot MultiBox Detector" (ECCV 2016, arXiv:1512.02325),
    with the VGG-16 base (Section 2.1, Section 3 page 7, Figure 2 page 4).

    Returns, for the 8732 default boxes of modules.default_boxes, the 4 offsets of Eq. (2)
    (loc) and the class scores before the softmax of Eq. (3) (conf). Non-maximum suppression
    at test time is not part of forward.
    """

    def __init__(self, num_classes: int = 21, width: int = 64) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.base = VggBase(width)
        # Section 3.1, page 7: L2 normalisation on conv4_3, scale 20, learned
        self.l2norm = L2norm(8 * width, scale=20.0)
        self.extras = Extras(width)
        # Section 3.1, page 7: 4 boxes on conv4_3, conv10_2, conv11_2; 6 on the others
        k = (4, 6, 6, 6, 4, 4)
        channels = (8 * width, 16 * width, 8 * width, 4 * width, 4 * width, 4 * width)
        self.heads = nn.ModuleList(MultiboxHead(c, n, num_classes) for c, n in zip(channels, k))
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        """Section 3.1, page 7: "We initialize the parameters for all the newly added
        convolutional layers with the 'xavier' method [20]"."""
        if isinstance(module, nn.Conv2d):
            # The VGG-16 layers are pre-trained on ILSVRC CLS-LOC (page 7); this replication
            # does not download weights, so they are xavier-initialised too.
            # Paper did not specify: the bias initialisation of the new layers
            # Recommended: zeros
            # Reference: Caffe's default bias filler (constant 0)
            # Alternatives: small constants
            # Impact: negligible
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        # x: [B, 3, 300, 300] <- input
        if tuple(x.shape[-2:]) != (300, 300):
            # The 8732 default boxes (modules/default_boxes.py) tile the 38, 19, 10, 5, 3, 1 maps
            # of a 300x300 input; any other size gives outputs no default box corresponds to.
            raise ValueError(f"SSD300 takes 300x300 images, got {tuple(x.shape[-2:])}")
        conv4_3, fc7 = self.base(x)
        # conv4_3: [B, 8*width, 38, 38] <- VggBase
        # fc7: [B, 16*width, 19, 19] <- VggBase
        conv4_3 = self.l2norm(conv4_3)  # conv4_3: [B, 8*width, 38, 38] <- L2norm(scale=20)
        conv8_2, conv9_2, conv10_2, conv11_2 = self.extras(fc7)
        # conv8_2: [B, 8*width, 10, 10] <- Extras
        # conv9_2: [B, 4*width, 5, 5] <- Extras
        # conv10_2: [B, 4*width, 3, 3] <- Extras
        # conv11_2: [B, 4*width, 1, 1] <- Extras
        loc1, conf1 = self.heads[0](conv4_3)
        # loc1: [B, 5776, 4] <- MultiboxHead(k=4)
        # conf1: [B, 5776, num_classes] <- MultiboxHead(k=4)
        loc2, conf2 = self.heads[1](fc7)
        # loc2: [B, 2166, 4] <- MultiboxHead(k=6)
        # conf2: [B, 2166, num_classes] <- MultiboxHead(k=6)
        loc3, conf3 = self.heads[2](conv8_2)
        # loc3: [B, 600, 4] <- MultiboxHead(k=6)
        # conf3: [B, 600, num_classes] <- MultiboxHead(k=6)
        loc4, conf4 = self.heads[3](conv9_2)
        # loc4: [B, 150, 4] <- MultiboxHead(k=6)
        # conf4: [B, 150, num_classes] <- MultiboxHead(k=6)
        loc5, conf5 = self.heads[4](conv10_2)
        # loc5: [B, 36, 4] <- MultiboxHead(k=4)
        # conf5: [B, 36, num_classes] <- MultiboxHead(k=4)
        loc6, conf6 = self.heads[5](conv11_2)
        # loc6: [B, 4, 4] <- MultiboxHead(k=4)
        # conf6: [B, 4, num_classes] <- MultiboxHead(k=4)
        loc = torch.cat([loc1, loc2, loc3, loc4, loc5, loc6], dim=1)  # loc: [B, 8732, 4] <- cat(dim=1)
        conf = torch.cat([conf1, conf2, conf3, conf4, conf5, conf6], dim=1)
        # conf: [B, 8732, num_classes] <- cat(dim=1)
        return loc, conf


# ----------------------------------------------------------------------------------------------
# Validation: every check returns pass/fail and the exit status is non-zero if any check fails.
# ----------------------------------------------------------------------------------------------

# SSD300 takes 300x300 only (Section 3.2, page 8: "input size (300 x 300)").
INPUT_SHAPES: List[Tuple[int, ...]] = [(2, 3, 300, 300)]
# Why there is no second size, when there is none (e.g. "fc6 takes 256*6*6: 227x227 only").
ONE_SIZE_REASON: Optional[str] = ("the 8732 default boxes tile the 38, 19, 10, 5, 3, 1 maps that a "
                                  "300x300 input gives; another size changes the box count")
# The parameter count exactly as the paper prints it ("25.6M"), or None when it prints none.
PAPER_PARAMS: Optional[str] = None  # the SSD paper prints no parameter count (checked: text and Tables 1-7)
# Exact count of an independent reference implementation, when one exists.
# torchvision 0.29 ssd300_vgg16(weights=None, weights_backbone=None, num_classes=21), built (not downloaded)
REFERENCE_PARAMS: Optional[int] = 26_285_486
# The written cause of a count mismatch you have understood (head size, vocabulary, tying, ...).
PARAM_MISMATCH_EXPLANATION: Optional[str] = None

_SCALE = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "G": 10**9}
# Papers print "60 million" as often as "60M": the word is the same scale.
_SCALE_WORDS = {"THOUSAND": "K", "MILLIONS": "M", "MILLION": "M", "BILLIONS": "B", "BILLION": "B"}


def build_model() -> nn.Module:
    """The model as validated below."""
    return SSD300(num_classes=CONFIG.num_classes, width=CONFIG.vgg_width)


def expected_output_shape(input_shape: Tuple[int, ...]) -> Tuple[int, ...]:
    """loc [B, 8732, 4] and conf [B, 8732, 21] side by side: [B, 8732, 4 + 21] (Figure 2, 8732 boxes)."""
    return (input_shape[0], 8732, 4 + CONFIG.num_classes)


def training_loss(output: Tuple[Tensor, Tensor]) -> Tensor:
    """The paper's loss (Eq. 1, losses.py) on a tiny batch, so that every parameter gets a gradient."""
    loc, conf = output
    return MultiBoxLoss()(output, make_targets(loc.shape[0]))


def count_parameters(model: nn.Module) -> Dict[str, int]:
    """Total and trainable parameters (tied tensors once) and buffer elements, reported separately."""
    return {
        "total": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
    }


def paper_count_verdict(count: int, printed: str) -> Tuple[str, Decimal, Decimal]:
    """Compare a count with a printed one at the printed precision (SKILL.md, parameter-count policy)."""
    text = printed.strip().replace(",", "").upper()
    for word, letter in _SCALE_WORDS.items():
        if text.endswith(word):
            text = text[: -len(word)].strip() + letter
            break
    suffix = text[-1] if text and text[-1] in _SCALE else ""
    digits = text[: len(text) - len(suffix)].strip()
    scale = _SCALE[suffix]
    try:
        value = Decimal(digits) * scale
    except InvalidOperation:
        raise ValueError(f"PAPER_PARAMS {printed!r} is not a count: write it as the paper prints "
                         "it in one of the forms 25.6M, 60 million, 340K or 86,567,656") from None
    if "." in digits:
        unit = Decimal(10) ** -len(digits.split(".")[1]) * scale
    else:  # "340M": the last non-zero digit sets the unit (10M)
        zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
        unit = Decimal(10) ** zeros * scale
    if abs(count - value) <= unit / 2:
        return "match", value, unit
    if value <= count < value + unit:
        return "within_truncation", value, unit
    return "mismatch", value, unit


def validate() -> int:
    """Run every check, print one line per check, return the number of failed checks."""
    failures: List[str] = []

    def check(name: str, ok: bool, detail: str) -> None:
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")
        if not ok:
            failures.append(name)

    set_seed(0)
    model = build_model()

    # 1. Forward pass and output shape at each input size (two when the model takes two);
    # 2. finite output with its range.
    model.eval()
    for shape in INPUT_SHAPES:
        with torch.no_grad():
            out = torch.cat(model(torch.randn(*shape)), dim=2)  # loc and conf side by side
        expected = expected_output_shape(shape)
        check(f"output shape for input {list(shape)}", tuple(out.shape) == expected,
              f"{list(out.shape)}, expected {list(expected)}")
        check(f"output finite for input {list(shape)}", bool(torch.isfinite(out).all()),
              f"min {out.min().item():.3f}, max {out.max().item():.3f}, std {out.std().item():.3f}")
    if len(INPUT_SHAPES) < 2:
        # one size cannot catch swapped H and W or a size hard-coded in forward: never a pass
        if ONE_SIZE_REASON:
            print(f"[SKIP] second input size: {ONE_SIZE_REASON}")
        else:
            check("second input size", False, "INPUT_SHAPES holds one shape and ONE_SIZE_REASON "
                  "is empty: add a shape of another H and W, or say why the model takes one size")

    # 3. Parameter count: total, trainable and buffers; the paper's printed count at its precision.
    counts = count_parameters(model)
    print(f"[INFO] parameters: total {counts['total']:,}, trainable {counts['trainable']:,}, "
          f"buffer elements {counts['buffers']:,}")
    if PAPER_PARAMS is not None:
        try:
            verdict, value, unit = paper_count_verdict(counts["total"], PAPER_PARAMS)
        except ValueError as exc:
            check("parameter count vs paper", False, str(exc))
        else:
            ok = verdict != "mismatch" or bool(PARAM_MISMATCH_EXPLANATION)
            detail = f"{verdict}: {counts['total']:,} vs printed {PAPER_PARAMS} (unit {int(unit):,})"
            if verdict == "mismatch" and PARAM_MISMATCH_EXPLANATION:
                detail += f"; explained: {PARAM_MISMATCH_EXPLANATION}"
            check("parameter count vs paper", ok, detail)
    if REFERENCE_PARAMS is not None:
        check("parameter count vs reference", counts["total"] == REFERENCE_PARAMS,
              f"{counts['total']:,} vs {REFERENCE_PARAMS:,}")

    # 4. Gradient flow: every trainable parameter gets a finite, non-zero gradient.
    model.train()
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    if not trainable:
        check("gradient flow", False, "the model has no trainable parameters")
    else:
        loss = training_loss(model(torch.randn(*INPUT_SHAPES[0])))
        loss.backward()
        no_grad = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
        zero_grad = [n for n, p in model.named_parameters()
                     if p.grad is not None and not bool(p.grad.abs().sum() > 0)]
        bad_grad = [n for n, p in model.named_parameters()
                    if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
        check("gradient flow", not (no_grad or zero_grad or bad_grad),
              f"loss {loss.item():.4f}; no grad {no_grad[:3]}, zero grad {zero_grad[:3]}, "
              f"non-finite grad {bad_grad[:3]}")

    # 5. Determinism: same seed, same weights, same output.
    outputs = []
    for _ in range(2):
        set_seed(0)
        m = build_model().eval()
        with torch.no_grad():
            outputs.append(torch.cat(m(torch.randn(*INPUT_SHAPES[0])), dim=2))
    check("seed determinism", torch.equal(outputs[0], outputs[1]), "two seeded runs compared bit for bit")

    # 6. Parameter memory (reported, not judged).
    param_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    buffer_bytes = sum(b.numel() * b.element_size() for b in model.buffers())
    print(f"[INFO] memory: parameters {param_bytes / 2**20:.1f} MiB, buffers {buffer_bytes / 2**20:.1f} MiB")

    print(f"SUMMARY: {'PASSED' if not failures else 'FAILED'}; "
          f"{len(failures)} failed check(s){': ' + ', '.join(failures) if failures else ''}")
    return len(failures)


if __name__ == "__main__":
    sys.exit(1 if validate() else 0)
