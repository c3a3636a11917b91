//! Values the interpreter follows in `infer` (a class built as `Class(**kwargs)`): float
//! literals in conditions, `**dd` of a dict literal, a class passed as a value, `unbind`; and
//! the same code checked on its own, where defaults never decide. Expected shapes are hand
//! arithmetic on the layers, stated beside each.

fn infer(src: &str, class: &str, input: &str, kwargs: &str) -> String {
    let inputs = tensor_shape_lint::parse_inputs(input).unwrap();
    tensor_shape_lint::infer_with(src, class, &inputs, kwargs, false).unwrap()
}

fn undecided(src: &str) -> (usize, usize) {
    let settings = tensor_shape_lint::settings::Settings::default();
    let (_, _, s) = tensor_shape_lint::lint_source_stats("t.py", src, &settings).unwrap();
    (s.comments, s.undecided)
}

const SRC: &str = r#"
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, dim: int, out: int = 16) -> None:
        super().__init__()
        dd = {'device': None, 'dtype': None}
        self.fc = nn.Linear(dim, out, **dd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, N, D]
        y = self.fc(x)  # y: [B, N, 16] <- Linear(D, 16)
        return y


class Net(nn.Module):
    def __init__(self, dim: int = 8, drop: float = 0.0, block=Block) -> None:
        super().__init__()
        self.block = block(dim)
        self.proj = nn.Linear(16, 32) if drop > 0.5 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [B, N, D]
        y = self.block(x)  # y: [B, N, 16] <- Block(D)
        y = self.proj(y)  # y: [B, N, 16] <- Identity
        q, k = torch.stack([y, y]).unbind(0)  # q, k: [B, N, 16] <- unbind
        return q + k
"#;

#[test]
fn infer_follows_float_conditions_dict_kwargs_classes_as_values_and_unbind() {
    // Net(): block = Block (the default class), Block(8) is Linear(8, 16) built with **dd;
    // drop = 0.0 is not > 0.5, so proj is Identity; stack of two then unbind(0) gives back two
    // [2, 5, 16] tensors.
    let out = infer(SRC, "Net", "x=[2,5,8]", "{}");
    for line in [
        "26: y = [2, 5, 16]",
        "27: y = [2, 5, 16]",
        "28: q = [2, 5, 16]",
        "28: k = [2, 5, 16]",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "{line} not in\n{out}"
        );
    }
    // drop = 0.9 (a float the caller gives): proj is Linear(16, 32).
    let out = infer(SRC, "Net", "x=[2,5,8]", r#"{"drop": 0.9}"#);
    assert!(
        out.lines().any(|l| l.starts_with("27: y = [2, 5, 32]")),
        "{out}"
    );
}

#[test]
fn checked_on_its_own_no_default_decides_which_branch_or_class() {
    // Net's comments: `block` and `drop` may be anything, so the two lines that call them are
    // undecided; the unbind line is checked from the comment before it (y: [B, N, 16]) and
    // is decided, as is Block's own comment (out = 16, met bare).
    assert_eq!(undecided(SRC), (4, 2));
}

const TOKENS: &str = r#"
import math

import torch
from torch import nn


class Tokens(nn.Module):
    def __init__(self, vocab: int = 100, dim: int = 16) -> None:
        super().__init__()
        self.dim = dim
        self.weight = nn.Parameter(torch.empty(vocab, dim))
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = nn.functional.embedding(ids, self.weight) * math.sqrt(self.dim)
        cls = self.cls.expand(ids.shape[0], -1, -1)
        z = torch.cat([cls, x], dim=1)
        return z
"#;

#[test]
fn parameters_made_from_sizes_embedding_expand_and_math_scalars() {
    // ids [2, 7]: embedding rows of width 16, scaled by a float; the [1, 1, 16] token expanded
    // to the batch (-1 keeps a size), then one more position: [2, 8, 16].
    let out = infer(TOKENS, "Tokens", "ids=[2,7]", "{}");
    for line in [
        "16: x = [2, 7, 16]",
        "17: cls = [2, 1, 16]",
        "18: z = [2, 8, 16]",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "{line} not in\n{out}"
        );
    }
}

#[test]
fn infer_prints_what_holds_for_every_size_not_the_divisible_reading() {
    // MaxPool2d(3, 2, 1): (H + 2 - 3)//2 + 1 = (H - 1)//2 + 1, which is H//2 only for even H
    // (29 gives 15, not 14: timm's Xception block, seen by the oracle sweep); MaxPool2d(2) is
    // H//2 for every H.
    let src = r#"
import torch
from torch import nn


class P(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.half = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pool(x)
        z = self.half(x)
        return y + z
"#;
    let out = infer(src, "P", "x=[B,8,H,W]", "{}");
    assert!(
        out.contains("y = [B, 8, (H - 1)//2 + 1, (W - 1)//2 + 1]"),
        "{out}"
    );
    assert!(out.contains("z = [B, 8, H//2, W//2]"), "{out}");
}
