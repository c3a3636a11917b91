//! Containers built at run time (issue 16, item 4): append loops with a known trip count,
//! `Sequential(*layers)`, `ModuleList` iteration and `cat` of a list are followed; when the
//! items cannot be known the value is unknown, never an empty container read as identity.

use std::path::Path;
use std::process::Command;

fn infer(src: &str, class: &str, input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    std::fs::write(&path, src).unwrap();
    infer_file(&path, class, input)
}

fn infer_file(path: &Path, class: &str, input: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
        .args([
            "infer",
            &format!("{}:{class}", path.display()),
            "--input",
            input,
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_dynamic_stages_fixture_is_inferred_as_the_real_forward_pass_gives() {
    // Stem: Conv2d(k=3, s=2, p=1) then two stride-1 ones: (41 + 2 - 3)//2 + 1 = 21 and
    // (56 - 1)//2 + 1 = 28, 64 channels; three 1x1 branches of 8 channels concatenated: 24;
    // the mean over H and W leaves [2, 24]; Linear(24, 10). The same shapes hold in the real
    // forward pass (tests/python/test_lint_fixtures_torch.py, BranchNet at [2, 3, 41, 56]).
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/dynamic_stages.py");
    let out = infer_file(&path, "BranchNet", "x=[2,3,41,56]");
    for line in [
        "35: x = [2, 64, 21, 28]",
        "39: y = [2, 24, 21, 28]",
        "40: y = [2, 24]",
        "41: logits = [2, 10]",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "{line} not in\n{out}"
        );
    }
}

const LOOP: &str = r#"
import torch
from torch import nn


class Stack(nn.Module):
    def __init__(self, depth: int = 2) -> None:
        super().__init__()
        layers = []
        for _ in range(TRIPS):
            layers.append(nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1))
            BREAK
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return y
"#;

#[test]
fn a_loop_is_unrolled_only_when_its_trips_are_known_and_nothing_jumps_out() {
    let src = |trips: &str, jump: &str| LOOP.replace("TRIPS", trips).replace("BREAK", jump);
    // Two stride-2 convolutions: 32 -> 16 -> 8.
    assert!(infer(&src("2", "pass"), "Stack", "x=[1,8,32,32]").contains("y = [1, 8, 8, 8]"));
    // `range(depth)`: infer builds Stack() with its default depth = 2, as Python would.
    assert!(infer(&src("depth", "pass"), "Stack", "x=[1,8,32,32]").contains("y = [1, 8, 8, 8]"));
    // A `break` after the first append: one convolution really runs (16), so the loop is not
    // unrolled as if it had two trips, and the list it built is unknown.
    let out = infer(&src("2", "break"), "Stack", "x=[1,8,32,32]");
    assert!(out.contains("y = ?"), "{out}");
    // A trip count nobody knows (an argument of a call the checker cannot read).
    let out = infer(&src("len(object())", "pass"), "Stack", "x=[1,8,32,32]");
    assert!(out.contains("y = ?"), "{out}");
}

#[test]
fn a_container_grown_in_a_loop_of_unknown_length_is_unknown_not_one_item() {
    let src = r#"
import torch
from torch import nn


class Grow(nn.Module):
    def __init__(self, widths: list = None) -> None:
        super().__init__()
        self.blocks = nn.ModuleList()
        for w in widths:
            self.blocks.append(nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for blk in self.blocks:
            x = blk(x)
        y = x
        return y
"#;
    let out = infer(src, "Grow", "x=[1,8,32,32]");
    assert!(out.contains("y = ?"), "{out}");
}

#[test]
fn a_comprehension_over_known_items_is_followed_and_one_with_a_filter_is_not() {
    let src = r#"
import torch
from torch import nn


class Comp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([nn.Conv2d(8, 8, kernel_size=3, stride=s, padding=1) for s in [2, 1, 2]])
        self.seq = nn.Sequential(*(nn.MaxPool2d(2) for _ in range(2)))
        self.filtered = nn.Sequential(*[nn.MaxPool2d(2) for i in range(4) if i > 0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for blk in self.blocks:
            x = blk(x)
        y = self.seq(x)
        z = self.filtered(x)
        return y + z
"#;
    // Strides 2, 1, 2: 64 -> 32 -> 32 -> 16; then two 2x2 poolings: 16 -> 4. The filtered
    // comprehension (three poolings really) is unknown, not guessed.
    let out = infer(src, "Comp", "x=[1,8,64,64]");
    assert!(out.contains("15: x = [1, 8, 16, 16]"), "{out}");
    assert!(out.contains("16: y = [1, 8, 4, 4]"), "{out}");
    assert!(out.contains("17: z = ?"), "{out}");
}

/// `nn.Sequential` subclasses without a forward run their layers in registration order:
/// `super().__init__(a, b, c)`, a subclass with no `__init__` built as `Plain(a, b)`, and
/// attributes / `add_module` after `super().__init__()`, and an `OrderedDict` of layers filled
/// by `layers["a"] = ...` (before session 11 not followed: unknown, never the input passed
/// through; now its layer in order, as the real pass gives). The real forward
/// pass of this source at [2, 3, 9, 10] gives y [2, 16, 5, 5], z [2, 32, 5, 5], u [2, 64, 5, 5],
/// out [2, 10] (by hand: (9 + 2 - 3)//2 + 1 = 5, (10 + 2 - 3)//2 + 1 = 5).
#[test]
fn sequential_subclasses_run_their_layers_in_registration_order() {
    let src = r#"
from collections import OrderedDict

import torch
from torch import nn


class Stem(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class Head(nn.Sequential):
    def __init__(self, cin: int, n: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten()
        self.width = cin
        self.add_module("fc", nn.Linear(cin, n))


class Plain(nn.Sequential):
    pass


class Named(nn.Sequential):
    def __init__(self, c: int) -> None:
        layers = OrderedDict()
        layers["a"] = nn.Conv2d(c, 2 * c, 1)
        super().__init__(layers)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = Stem(3, 16)
        self.plain = Plain(nn.Conv2d(16, 32, 1), nn.ReLU())
        self.named = Named(32)
        self.head = Head(32, 10)

    def forward(self, x):
        y = self.stem(x)
        z = self.plain(y)
        u = self.named(z)
        out = self.head(z)
        return out, u
"#;
    let out = infer(src, "Net", "x=[2,3,9,10]");
    for line in [
        "42: y = [2, 16, 5, 5]",
        "43: z = [2, 32, 5, 5]",
        "44: u = [2, 64, 5, 5]",
        "45: out = [2, 10]",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line)),
            "{line} not in\n{out}"
        );
    }
}

/// A test on an attribute compared with a number (`if self.stride == 1:`) is decided from the
/// constructor's value, so only the branch Python takes reaches the statement after the `if`.
/// Before, any test starting with `self.` was read as the truth of one attribute named
/// `stride==1` and left undecided, and the two branches' shapes merged into unknown sizes.
/// By hand: stride 2, Conv2d(8, 8, 3, 2, 1) on 16 x 16 gives (16 + 2 - 3)//2 + 1 = 8.
#[test]
fn a_comparison_of_an_attribute_with_a_number_decides_the_branch() {
    let src = r#"
import torch
from torch import nn


class A(nn.Module):
    def __init__(self, inp: int = 8, stride: int = 2) -> None:
        super().__init__()
        if not (1 <= stride <= 3):
            raise ValueError("illegal stride value")
        self.stride = stride
        self.conv = nn.Conv2d(inp, inp, 3, stride, 1)

    def forward(self, x):
        if self.stride == 1:
            y = x
        else:
            y = self.conv(x)
        z = y * 2
        return z
"#;
    let out = infer(src, "A", "x=[2,8,16,16]");
    assert!(
        out.lines().any(|l| l.starts_with("19: z = [2, 8, 8, 8]")),
        "{out}"
    );
}

/// Shape comments of a subclass of a torch layer (`class LN2d(nn.LayerNorm)`) are checked
/// like a module's (they were skipped without a word), and a comment in a branch the checker
/// rules out is counted as undecided ("not reached"), never silently taken as checked.
/// By hand: `permute(0, 2, 3, 1)` of [B, C, H, W] is [B, H, W, C], not [B, W, H, C].
#[test]
fn torch_layer_subclasses_are_checked_and_unreached_comments_are_undecided() {
    let src = r#"
import torch
from torch import nn


class LN2d(nn.LayerNorm):
    def forward(self, x):
        # x: [B, C, H, W]
        y = x.permute(0, 2, 3, 1)
        # y: [B, W, H, C]
        return y


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.flag = False

    def forward(self, x):
        # x: [B, C, H, W]
        if self.flag:
            y = x * 2
            # y: [B, C, H, W]
        z = x + 1
        # z: [B, C, H, W]
        return z
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    std::fs::write(&path, src).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
        .args(["--select", "TSL6", "-v", "--format", "concise"])
        .arg(&path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("m.py:10:9: TSL601"), "{out}{err}");
    assert!(
        out.contains("m.py:23:13: TSL690 comment undecided: not reached by the checker"),
        "{out}{err}"
    );
    assert!(
        err.contains("3 shape comments checked (1 undecided)"),
        "{out}{err}"
    );
}

/// `split` by a list of sizes or by a size that divides the dim, and `chunk` as PyTorch cuts
/// it: pieces of ceil(D/n), fewer than n when n does not divide well, the last the rest. The
/// real forward of this source at [2, 8, 5, 7] gives a [2, 3, 5, 7], b [2, 5, 5, 7], c and d
/// [2, 4, 5, 7], e f g [2, 8, 5, 3], [2, 8, 5, 3], [2, 8, 5, 1], h i j [2, 8, 2, 7] twice and
/// [2, 8, 1, 7]. Before, 7 in 3 chunks was read as 2, 2, 2: a confident wrong shape.
#[test]
fn split_and_chunk_cut_as_pytorch_does() {
    let src = r#"
import torch
from torch import nn


class S(nn.Module):
    def forward(self, x):
        a, b = x.split([3, 5], dim=1)
        c, d = torch.split(x, 4, 1)
        e, f, g = x.chunk(3, dim=3)
        h, i, j = x.chunk(4, dim=2)
        return a, b, c, d, e, f, g, h, i, j
"#;
    let out = infer(src, "S", "x=[2,8,5,7]");
    for line in [
        "8: a = [2, 3, 5, 7]",
        "8: b = [2, 5, 5, 7]",
        "9: c = [2, 4, 5, 7]",
        "9: d = [2, 4, 5, 7]",
        "10: e = [2, 8, 5, 3]",
        "10: f = [2, 8, 5, 3]",
        "10: g = [2, 8, 5, 1]",
        "11: h = [2, 8, 2, 7]",
        "11: i = [2, 8, 2, 7]",
        "11: j = [2, 8, 1, 7]",
    ] {
        assert!(out.lines().any(|l| l == line), "{line} not in\n{out}");
    }
}
