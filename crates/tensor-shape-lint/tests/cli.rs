//! Runs the real binary on the fixtures and on temporary copies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run tensor-shape-lint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn hand_written_models_pass_clean() {
    for m in [
        "resnet_bottleneck",
        "vit_encoder",
        "unet_block",
        "transformer_layer",
        "dynamic_stages",
    ] {
        let p = fixture(&format!("models/{m}.py"));
        let o = run(&["--format", "concise", p.to_str().unwrap()]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{m}:\n{out}");
        // Only notes (the divisibility assumption) may remain.
        assert!(out.lines().all(|l| l.contains("TSL602")), "{m}:\n{out}");
    }
}

#[test]
fn seeded_mistakes_are_caught() {
    let expect = [
        ("wrong_channel", "TSL601"),
        ("wrong_in_channels", "TSL604"),
        ("swapped_hw", "TSL601"),
        ("stride_forgotten", "TSL601"),
        ("wrong_flatten", "TSL604"),
    ];
    for (name, code) in expect {
        let p = fixture(&format!("mistakes/{name}.py"));
        let o = run(&["--format", "concise", p.to_str().unwrap()]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{name}:\n{out}");
        assert!(out.contains(code), "{name} should report {code}:\n{out}");
    }
    // The forgotten stride is also visible in the description.
    let o = run(&[
        "--format",
        "concise",
        fixture("mistakes/stride_forgotten.py").to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains(
        "TSL603 description disagrees with the constructor: s=2 but the layer has stride=1"
    ));
}

#[test]
fn infer_gives_hand_computed_sizes() {
    // 224 -> conv 7/2/3 -> 112 -> maxpool 3/2/1 -> 56 -> bottleneck stride 2 -> 28.
    let target = format!(
        "{}:ResNetStage",
        fixture("models/resnet_bottleneck.py").display()
    );
    let o = run(&["infer", &target, "--input", "x=[2,3,224,224]"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for line in [
        "x = [2, 256, 112, 112]",
        "x = [2, 256, 56, 56]",
        "x = [2, 512, 28, 28]",
        "x = [2, 512, 1, 1]",
        "x = [2, 512]",
        "x = [2, 10]",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    // ViT: 224x160 with 16x16 patches gives 14*10 = 140 patches, plus the class token.
    let target = format!("{}:ViTEncoder", fixture("models/vit_encoder.py").display());
    let out = stdout(&run(&["infer", &target, "--input", "x=[2,3,224,160]"]));
    assert!(
        out.contains("x = [2, 140, 192]") && out.contains("x = [2, 141, 192]"),
        "{out}"
    );
}

/// Where inference cannot follow a call, the checker continues from the statement's comment;
/// `infer` says so on every line computed from it, so a comment's claim (here a deliberately
/// wrong `3*C`: the Linear gives 4*16 = 64 channels) never reads as inferred. The first line,
/// before the unknown call, is inferred (a 3x3 convolution with padding 1 keeps 8x8).
#[test]
fn infer_marks_shapes_that_continue_from_a_comment() {
    let (_dir, p) = model_file(
        "block.py",
        "import torch\nimport torch.nn as nn\nfrom elsewhere import Mystery\n\n\nclass Block(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(16, 16, kernel_size=3, padding=1)\n        self.mystery = Mystery()\n        self.fc = nn.Linear(16, 64)\n        self.act = nn.GELU()\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 16, H, W]\n        x = self.conv(x)  # x: [B, 16, H, W] <- Conv2d(16, 16, k=3, p=1)\n        y = self.mystery(x)  # y: [B, H, W, 16] <- Mystery\n        y = self.fc(y)  # y: [B, H, W, 3*16] <- Linear(16, 64)\n        z = self.act(y)  # z: [B, H, W, 3*16] <- GELU\n        return z\n",
    );
    let target = format!("{}:Block", p.display());
    let o = run(&["infer", &target, "--input", "x=[2,16,8,8]"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let line = |n: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{n}: ")))
            .unwrap_or_else(|| panic!("no line {n} in:\n{out}"))
            .to_string()
    };
    assert!(line("16").starts_with("16: x = [2, 16, 8, 8]"), "{out}");
    assert!(!line("16").contains("not inferred"), "{out}");
    assert!(line("17").starts_with("17: y = ?"), "{out}");
    for n in ["18", "19"] {
        assert!(
            line(n).ends_with("(not inferred: continues from the shape comment of line 17)"),
            "{out}"
        );
    }
}

#[test]
fn infer_takes_repeated_inputs_like_runtime() {
    // Two inputs given as two --input flags, one with the runtime harness's dtype suffix:
    // the same strings --runtime takes. cat along dim 1: 3 + 5 = 8 channels.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("two.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Two(nn.Module):\n    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:\n        y = torch.cat([a, b], dim=1)\n        return y\n",
    )
    .unwrap();
    let target = format!("{}:Two", p.display());
    let o = run(&[
        "infer",
        &target,
        "--input",
        "a=[2,3,8]",
        "--input",
        "b=[2,5,8]:float32",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("y = [2, 8, 8]"), "{}", stdout(&o));
}

#[test]
fn annotate_writes_missing_comments_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    let src = "import torch\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)\n        self.fc = nn.Linear(16, 4)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        x = self.conv(x)\n        x = x.mean(dim=(2, 3))  # keep this comment\n        x = self.fc(x)  # x: [B, 4] <- mine\n        return x\n";
    std::fs::write(&p, src).unwrap();
    let target = format!("{}:M", p.display());
    let o = run(&["annotate", &target, "--diff"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        src,
        "--diff must not write"
    );
    let o = run(&["annotate", &target]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let new = std::fs::read_to_string(&p).unwrap();
    // No input size known: the exact form (H//2 is one less for odd H), on the line below
    // since it does not fit beside the statement.
    assert!(
        new.contains(
            "x = self.conv(x)\n        # x: [B, 16, (H - 1)//2 + 1, (W - 1)//2 + 1] <- Conv2d(3, 16, k=3, s=2, p=1)\n"
        ),
        "{new}"
    );
    assert!(new.contains("x = x.mean(dim=(2, 3))  # keep this comment\n        # x: [B, 16] <- x.mean(dim=(2, 3))\n"), "{new}");
    assert!(
        new.contains("x = self.fc(x)  # x: [B, 4] <- mine\n"),
        "{new}"
    );
    // A second run finds nothing to add and leaves the file as it is.
    let o = run(&["annotate", &target]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), new);
    // The annotated file lints clean of shape mismatches and missing comments.
    let o = run(&[
        "--format",
        "concise",
        "--select",
        "TSL301,TSL601",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn annotate_names_the_assignments_it_left_without_a_comment() {
    // `self.proj` is built from a constructor argument the checker cannot follow, so the shape
    // of `y` and of everything computed from it cannot be derived: the run must say so, line
    // by line, instead of stopping silently after the lines it could write (SENet dogfood).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    let src = "import torch\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self, proj: nn.Module) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 16, kernel_size=1)\n        self.proj = proj\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv(x)\n        y = self.proj(x)\n        z = torch.relu(y)\n        return z\n";
    std::fs::write(&p, src).unwrap();
    let target = format!("{}:M", p.display());
    let o = run(&["annotate", &target, "--input", "x=[B,3,H,W]"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let new = std::fs::read_to_string(&p).unwrap();
    // The input line carries `<- input`, as the coding standard asks of the first line.
    assert!(
        new.contains("        # x: [B, 3, H, W] <- input\n"),
        "{new}"
    );
    assert!(
        new.contains("x = self.conv(x)  # x: [B, 16, H, W] <- Conv2d(3, 16, k=1)\n"),
        "{new}"
    );
    let err = stderr(&o);
    // The input line and the convolution's.
    assert!(err.contains("2 comment(s) added"), "{err}");
    // Lines 14 (`y = self.proj(x)`) and 15 (`z = torch.relu(y)`) of the file as written:
    // 13 and 14 before the input comment was inserted above them.
    assert!(
        err.contains("2 assignment(s) of M.forward left without a comment (lines 14, 15)"),
        "{err}"
    );
    assert!(err.contains(":14: unknown: call of a module"), "{err}");
    assert!(err.contains(":15: only partly known: z = ?"), "{err}");
    let lines: Vec<&str> = new.lines().collect();
    assert_eq!(lines[13].trim(), "y = self.proj(x)", "{new}");
    assert_eq!(lines[14].trim(), "z = torch.relu(y)", "{new}");
}

/// The lines a run names as left without a comment are those of the file it wrote (dogfood
/// MED: "left without a comment (lines 65, 67)" counted the lines before its own inserts, so
/// they pointed one line or more above the statements). Comments written below a statement
/// move what follows as the input comment does; `--diff` names the lines its `+` side shows.
#[test]
fn annotate_names_the_lines_of_the_file_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    let src = "import torch\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self, proj: nn.Module) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)\n        self.pool = nn.MaxPool2d(3, stride=2, padding=1)\n        self.proj = proj\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv(x)\n        x = self.pool(x)\n        y = self.proj(x)\n        x = self.pool(x)\n        z = torch.relu(y)\n        return z\n";
    std::fs::write(&p, src).unwrap();
    let target = format!("{}:M", p.display());
    let o = run(&["annotate", &target, "--input", "x=[B,3,H,W]", "--diff"]);
    let err = stderr(&o);
    // The input comment (one line above all) and the exact form below `conv` (too long
    // beside it): y is line 15 + 2 = 17, z is 17 + 2 = 19.
    assert!(
        err.contains("left without a comment (lines 17, 19 of the annotated file)"),
        "{err}"
    );
    // The lines the diff's `+` side shows.
    let diff = stdout(&o);
    assert!(
        diff.contains(&format!(
            "+{}:15:         # x: [B, 16, (H - 1)//2 + 1, (W - 1)//2 + 1] <- Conv2d",
            p.display()
        )),
        "{diff}"
    );
    let o = run(&["annotate", &target, "--input", "x=[B,3,H,W]"]);
    let err = stderr(&o);
    assert!(err.contains("(lines 17, 19)"), "{err}");
    let new = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<&str> = new.lines().collect();
    assert_eq!(lines[16].trim(), "y = self.proj(x)", "{new}");
    assert_eq!(lines[18].trim(), "z = torch.relu(y)", "{new}");
    assert!(
        err.contains(&format!("{}:17: unknown", p.display())),
        "{err}"
    );
}

#[test]
fn class_attributes_are_read_through_self_and_through_the_class() {
    // `expansion = 2` in the class body: `self.expansion` in __init__ and `block.expansion` on
    // the class passed as a value (torchvision's ResNet pattern). Real PyTorch gives
    // y [2, 16, 8, 8] (8 * 2 channels) and w [2, 2, 512] (16 * 8 * 8 / 2); the SENet dogfood's
    // `width * self.expansion` left half of its bottleneck unknown.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blk.py");
    std::fs::write(&p, "import torch\nimport torch.nn as nn\n\n\nclass Blk(nn.Module):\n    expansion = 2\n\n    def __init__(self, c: int, w: int) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(c, w * self.expansion, kernel_size=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W] <- input\n        y = self.conv(x)\n        return y\n\n\nclass Net(nn.Module):\n    def __init__(self, block=Blk) -> None:\n        super().__init__()\n        self.a = block(3, 8)\n        self.fc = nn.Linear(8 * block.expansion, 10)\n        self.k = block.expansion\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        y = self.a(x)\n        w = y.reshape(y.shape[0], self.k, -1)\n        z = y.mean((2, 3))\n        z = self.fc(z)\n        return z\n").unwrap();
    let o = run(&[
        "infer",
        &format!("{}:Net", p.display()),
        "--input",
        "x=[2,3,8,8]",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("27: y = [2, 16, 8, 8]"), "{out}");
    assert!(out.contains("28: w = [2, 2, 512]"), "{out}");
    // Blk alone: its required arguments are unknown, and infer says that is why `?` prints;
    // given them, w * expansion = 4 * 2 = 8 channels.
    let blk = format!("{}:Blk", p.display());
    let o = run(&["infer", &blk, "--input", "x=[2,3,8,8]"]);
    assert!(
        stdout(&o).contains("# Blk needs c, w (no default): unknown here"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("14: y = [2, ?, 8, 8]"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "infer",
        &blk,
        "--input",
        "x=[2,3,8,8]",
        "--kwargs",
        r#"{"c": 3, "w": 4}"#,
    ]);
    assert!(!stdout(&o).contains("needs"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("14: y = [2, 8, 8, 8]"),
        "{}",
        stdout(&o)
    );
    // Annotated form `expansion: int = 2`, checked on its own: the width stays a symbol.
    let src = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, src.replace("expansion = 2", "expansion: int = 2")).unwrap();
    let o = run(&["annotate", &format!("{}:Blk", p.display()), "--diff"]);
    assert!(
        stdout(&o).contains("# y: [B, w*2, H, W] <- Conv2d(c, 2*w, k=1)"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn infer_says_the_forward_raises_inside_a_block_at_a_size_it_cannot_take() {
    // Head's Linear takes 4 * (32 // 2 ** 2) ** 2 = 4 * 8 * 8 = 256 features. At 8x8 the
    // flattened map has 4 * 8 * 8 = 256 (PyTorch runs it: [2, 10]); at 4x4 it has 64 and
    // PyTorch raises "mat1 and mat2 shapes cannot be multiplied". infer printed [2, 10] for
    // both (VGG dogfood at 100x100): the mismatch inside the block was dropped with the
    // block's state, and `2 ** n` was unknown, so the size was never compared.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("net.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Head(nn.Module):\n    def __init__(self, d: int) -> None:\n        super().__init__()\n        self.fc1 = nn.Linear(d, 16)\n        self.fc2 = nn.Linear(16, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.fc1(x)\n        x = self.fc2(x)\n        return x\n\n\nclass Net(nn.Module):\n    def __init__(self, size: int = 32) -> None:\n        super().__init__()\n        side = size // 2 ** 2\n        self.head = Head(4 * side * side)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        y = torch.flatten(x, 1)\n        y = self.head(y)\n        return y\n",
    )
    .unwrap();
    let target = format!("{}:Net", p.display());
    let o = run(&["infer", &target, "--input", "x=[2,4,8,8]"]);
    assert!(stdout(&o).contains("25: y = [2, 10]"), "{}", stdout(&o));
    let o = run(&["infer", &target, "--input", "x=[2,4,4,4]"]);
    // A forward that raises at the given input is a finding: exit 1 (AlexNet dogfood).
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("24: y = [2, 64]"), "{out}");
    assert!(
        out.contains("25: y = ?  (unknown: the forward raises inside `Head`: in_features expects 256, input has 64)"),
        "{out}"
    );
}

#[test]
fn fix_adds_none_return_to_init() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    std::fs::write(&p, "import torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self, n: int):\n        super().__init__()\n").unwrap();
    let o = run(&["--select", "TSL202", "--fix", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        std::fs::read_to_string(&p)
            .unwrap()
            .contains("def __init__(self, n: int) -> None:\n")
    );
}

#[test]
fn formats_and_rule_docs() {
    let p = fixture("mistakes/wrong_channel.py");
    let path = p.to_str().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "json", path]).stdout).unwrap();
    assert_eq!(json[0]["code"], "TSL601");
    assert_eq!(json[0]["location"]["row"], 20);
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&["--format", "sarif", path]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "TSL601");
    let gh = stdout(&run(&["--format", "github", path]));
    assert!(
        gh.starts_with("::error title=tensor-shape-lint (TSL601),file="),
        "{gh}"
    );
    let full = stdout(&run(&[path]));
    assert!(
        full.contains(":20:32: TSL601") && full.contains("20 |"),
        "{full}"
    );
    let explain = stdout(&run(&["--explain", "TSL601"]));
    assert!(explain.contains("## What it does"));
    let md = stdout(&run(&["--list-rules", "--format", "markdown"]));
    assert!(md.contains("## Contents") && md.contains("### TSL504 softmax-without-dim"));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.py");
    std::fs::write(&p, "def f(:\n").unwrap();
    let o = run(&[p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("tensor-shape-lint: ") && err.contains("bad.py: syntax error at 1:"),
        "{err}"
    );
    // Issue 20: exit 2 prints ONE line (the error, then the run's totals), not two.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.ends_with("1 file not parsed\n"), "{err}");
    // With a second bad file and a good one: still one line, naming the first bad file and
    // counting the other; the good file's finding is still reported on stdout.
    std::fs::write(dir.path().join("bad2.py"), "class (:\n").unwrap();
    std::fs::copy(
        fixture("mistakes/wrong_channel.py"),
        dir.path().join("good.py"),
    )
    .unwrap();
    let o = run(&[dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.py: syntax error at 1:")
            && err.contains("(and 1 more file); 3 files,")
            && err.ends_with("2 files not parsed\n"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("TSL"), "{o:?}");
    let o = run(&["/nonexistent/x.py"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["infer", "nocolon", "--input", "x=[1]"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--explain", "TSL999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pyproject_selects_and_ignores() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("mistakes/wrong_channel.py"),
        dir.path().join("m.py"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.tensor-shape-lint]\nignore = [\"TSL6\"]\n",
    )
    .unwrap();
    let o = run(&[
        "--format",
        "concise",
        dir.path().join("m.py").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.tensor-shape-lint]\nbogus = 1\n",
    )
    .unwrap();
    let o = run(&[dir.path().join("m.py").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pyproject_symbols_are_declared_for_every_file() {
    // `A` (anchors per cell) is in no table of symbols and no constructor parameter: TSL305
    // until `symbols = ["A"]` in pyproject.toml declares it, as lint-rules.md documents.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.py"),
        "import torch\nfrom torch import nn\n\n\nclass Head(nn.Module):\n    def __init__(self, c: int) -> None:\n        super().__init__()\n        self.proj = nn.Conv2d(c, 45, 1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, S, S]\n        y = self.proj(x)  # y: [B, A*5, S, S]\n        return y\n",
    )
    .unwrap();
    let m = dir.path().join("m.py");
    let lint = || {
        let o = run(&[
            "--format",
            "concise",
            "--select",
            "TSL3",
            m.to_str().unwrap(),
        ]);
        stdout(&o)
    };
    assert!(
        lint().contains("TSL305 unknown shape symbol(s) `A`"),
        "{}",
        lint()
    );
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.tensor-shape-lint]\nsymbols = [\"A\"]\n",
    )
    .unwrap();
    assert!(!lint().contains("TSL305"), "{}", lint());
}

#[test]
fn skill_rule_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/references/lint-rules.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = stdout(&run(&["--list-rules", "--format", "markdown"]));
    assert!(
        on_disk == generated,
        "{} is stale; regenerate with: tensor-shape-lint --list-rules --format markdown > skill/paper-replication/references/lint-rules.md",
        path.display()
    );
}

/// Needs python3 with torch (the real forward pass is the ground truth); fails if missing.
#[test]
fn runtime_checks_comments_against_real_forward_passes() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/scripts/trace_shapes.py");
    assert!(script.is_file(), "{} missing", script.display());
    let runtime = |target: &str, input: &str| {
        bin()
            .env("TSL_TRACE_SCRIPT", &script)
            .args(["--runtime", target, "--input", input, "--format", "concise"])
            .output()
            .unwrap()
    };
    let ok = runtime(
        &format!("{}:UNetLevel", fixture("models/unet_block.py").display()),
        "x=[2,64,64,96]",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "needs python3 + torch: {}{}",
        stdout(&ok),
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = runtime(
        &format!("{}:Stem", fixture("mistakes/swapped_hw.py").display()),
        "x=[2,3,64,96]",
    );
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(
        stdout(&bad).contains("TSL605 runtime: `x` is [2, 64, 32, 48]"),
        "{}",
        stdout(&bad)
    );
}

#[test]
fn component_classes_are_not_models() {
    // A block in its own file, imported by model.py: only the model needs _init_weights and
    // a paper docstring.
    let dir = tempfile::tempdir().unwrap();
    let block = "import torch\nimport torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        return x\n";
    std::fs::write(dir.path().join("block.py"), block).unwrap();
    std::fs::write(
        dir.path().join("model.py"),
        format!(
            "from block import Block\n{}",
            // The model owns weights (a class with none needs no initialisation, TSL104).
            block.replace("class Block", "class Net").replace(
                "        super().__init__()\n",
                "        super().__init__()\n        self.fc = nn.Linear(2, 2)\n"
            )
        ),
    )
    .unwrap();
    let o = run(&[
        "--format",
        "concise",
        "--select",
        "TSL104,TSL106",
        dir.path().to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(!out.contains("`Block`"), "{out}");
    assert!(
        out.contains("TSL104 model class `Net` has no `_init_weights` method"),
        "{out}"
    );
    // Alone, block.py in a `modules/` folder is a component as well.
    let modules = dir.path().join("modules");
    std::fs::create_dir(&modules).unwrap();
    std::fs::write(modules.join("block.py"), block).unwrap();
    let o = run(&[
        "--format",
        "concise",
        "--select",
        "TSL104,TSL106",
        modules.join("block.py").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// Needs python3 with torch. A wrong comment in a block imported from another file is found.
#[test]
fn runtime_follows_blocks_into_their_files() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/scripts/trace_shapes.py");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("block.py"),
        "import torch\nimport torch.nn as nn\n\n\nclass Down(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.pool = nn.MaxPool2d(2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        y = self.pool(x)  # y: [B, C, H, W//2] <- MaxPool2d(2)\n        return y\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("model.py"),
        "import torch\nimport torch.nn as nn\nfrom block import Down\n\n\nclass Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.down = Down()\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        z = self.down(x)  # z: [B, 3, H//2, W//2] <- Down\n        return z\n",
    )
    .unwrap();
    let target = format!("{}:Net", dir.path().join("model.py").display());
    let o = bin()
        .env("TSL_TRACE_SCRIPT", &script)
        .args([
            "--runtime",
            &target,
            "--input",
            "x=[2,3,32,48]",
            "--format",
            "concise",
        ])
        .output()
        .unwrap();
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("block.py:12:") && out.contains("`H` = 32 but the real size is 16"),
        "{out}"
    );
    assert!(!out.contains("model.py"), "{out}");
}

/// `ceil_mode=True` pooling, expected sizes from PyTorch's rule (checked by real forward passes
/// in tests/python/test_lint_ceil_pool.py): `o = ceil((L + 2p - (k-1) - 1)/s) + 1`, minus one
/// when the last window would start in the right padding, `(o-1)s >= L + p`.
#[test]
fn ceil_mode_pooling_follows_pytorch() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pool.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Pools(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.a = nn.MaxPool2d(3, 2, 0, ceil_mode=True)\n        self.b = nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True)\n        self.c = nn.MaxPool2d(kernel_size=2, stride=2, padding=1, ceil_mode=True)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        a = self.a(x)\n        b = self.b(x)\n        c = self.c(x)\n        return a\n",
    )
    .unwrap();
    let target = format!("{}:Pools", p.display());
    let infer = |input: &str| {
        let o = run(&["infer", &target, "--input", input]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        stdout(&o)
    };
    // H=112 (k=3, s=2, p=0): ceil(109/2)+1 = 56, 55*2 = 110 < 112 keeps it.
    // W=7 (k=2, s=2, p=1): ceil(7/2)+1 = 5, 4*2 = 8 >= 7+1 drops it to 4.
    // H=7 (k=3, s=2, p=0): ceil(4/2)+1 = 3, 2*2 = 4 < 7 keeps it.
    // W=112 (k=2, s=2, p=1): ceil(112/2)+1 = 57, 56*2 = 112 < 113 keeps it.
    let out = infer("x=[2,3,112,7]");
    for line in [
        "a = [2, 3, 56, 3]",
        "b = [2, 3, 57, 4]",
        "c = [2, 3, 57, 4]",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    let out = infer("x=[2,3,7,112]");
    for line in [
        "a = [2, 3, 3, 56]",
        "b = [2, 3, 4, 57]",
        "c = [2, 3, 4, 57]",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
}

/// A pool's stride defaults to its kernel size, so a stride that is given is written: the
/// ShuffleNet dogfood's `nn.AvgPool2d(kernel_size=3, stride=2, padding=1)` was annotated
/// `AvgPool2d(k=3, p=1)`, which reads as stride 3. The coding standard writes
/// `MaxPool2d(k=3, s=2, p=1)`; a pool without a stride keeps `MaxPool2d(k=2)`.
#[test]
fn annotate_says_a_pools_stride() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pool.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Pools(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.a = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)\n        self.b = nn.MaxPool2d(3, 2, 1)\n        self.c = nn.MaxPool2d(2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        a = self.a(x)\n        b = self.b(x)\n        c = self.c(x)\n        return a + b\n",
    )
    .unwrap();
    let o = run(&["annotate", &format!("{}:Pools", p.display())]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let src = std::fs::read_to_string(&p).unwrap();
    // k=3, s=2, p=1 gives (H - 1)//2 + 1, one more than H//2 for odd H: the exact form.
    for line in [
        "a = self.a(x)  # a: [B, C, (H - 1)//2 + 1, (W - 1)//2 + 1] <- AvgPool2d(k=3, s=2, p=1)",
        "b = self.b(x)  # b: [B, C, (H - 1)//2 + 1, (W - 1)//2 + 1] <- MaxPool2d(k=3, s=2, p=1)",
        "c = self.c(x)  # c: [B, C, H//2, W//2] <- MaxPool2d(k=2)",
    ] {
        assert!(src.contains(line), "missing `{line}` in:\n{src}");
    }
}

/// Exit 1 is for warnings and errors: a file whose only finding is the TSL602 note (stride-2
/// conv commented `H//2`, exact only for even H) exits 0; one warning (TSL104, weights never
/// initialised) on the same model exits 1.
#[test]
fn info_note_alone_exits_0_and_a_warning_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let noted = "\"\"\"Stem of ResNet (He et al., 2016).\"\"\"\n\nimport torch\nimport torch.nn as nn\n\n\nclass Stem(nn.Module):\n    \"\"\"Stem of ResNet (He et al., 2016).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 64, kernel_size=3, stride=2, padding=1)\n        self._init_weights()\n\n    def _init_weights(self) -> None:\n        nn.init.zeros_(self.conv.bias)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        x = self.conv(x)  # x: [B, 64, H//2, W//2] <- Conv2d(3, 64, k=3, s=2, p=1)\n        return x\n";
    let p = dir.path().join("noted.py");
    std::fs::write(&p, noted).unwrap();
    let o = run(&["--format", "json", p.to_str().unwrap()]);
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{}", stdout(&o));
    assert_eq!(found[0]["code"], "TSL602");
    assert_eq!(found[0]["severity"], "info");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let warned = noted.replace("        self._init_weights()\n", "").replace(
        "    def _init_weights(self) -> None:\n        nn.init.zeros_(self.conv.bias)\n\n",
        "",
    );
    let p = dir.path().join("warned.py");
    std::fs::write(&p, warned).unwrap();
    let o = run(&["--format", "concise", p.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("TSL104"), "{out}");
    assert!(
        out.lines()
            .all(|l| l.contains("TSL104") || l.contains("TSL602")),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(1), "{out}");
}

/// Needs python3 with torch. A block shared by two calls with different lengths (one embedding
/// for source and target) binds its input comment from each call's own input: `T` is 10 in the
/// first call and 7 in the second, so correct comments pass and a wrong one is still found.
#[test]
fn runtime_binds_each_call_of_a_shared_block() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/scripts/trace_shapes.py");
    let dir = tempfile::tempdir().unwrap();
    let model = |last: &str| {
        format!(
            "import torch\nimport torch.nn as nn\n\n\nclass Scale(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, T, D]\n        y = x * 2.0  # y: [B, T, D] <- scale\n        return y\n\n\nclass Pair(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.scale = Scale()\n\n    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:\n        # src: [B, N, D]\n        # tgt: [B, T, D]\n        a = self.scale(src)  # a: [B, N, D] <- Scale\n        b = self.scale(tgt)  # b: [B, {last}, D] <- Scale\n        return b\n"
        )
    };
    let run_on = |name: &str, src: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, src).unwrap();
        bin()
            .env("TSL_TRACE_SCRIPT", &script)
            .args(["--runtime", &format!("{}:Pair", p.display())])
            .args(["--input", "src=[2,10,8]", "--input", "tgt=[2,7,8]"])
            .args(["--format", "concise"])
            .output()
            .unwrap()
    };
    let ok = run_on("ok.py", model("T"));
    assert_eq!(
        ok.status.code(),
        Some(0),
        "needs python3 + torch: {}{}",
        stdout(&ok),
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = run_on("bad.py", model("N"));
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    assert!(
        stdout(&bad).contains("`N` = 10 but the real size is 7"),
        "{}",
        stdout(&bad)
    );
}

/// The example replications in examples/ follow the coding standard: linting their trees finds
/// nothing worse than the divisibility note.
#[test]
fn example_trees_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let dirs: Vec<String> = ["resnet50", "vit-b16", "transformer-base", "ssd300"]
        .iter()
        .map(|e| root.join(e).display().to_string())
        .collect();
    for d in &dirs {
        assert!(
            Path::new(d).join("model.py").is_file(),
            "{d}/model.py missing"
        );
    }
    let mut args = vec!["--format", "concise"];
    args.extend(dirs.iter().map(String::as_str));
    let o = run(&args);
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.lines().all(|l| l.contains("TSL602")), "{out}");
}

/// Needs python3 with torch. A model that runs only at its configured size (a Linear after
/// flatten, like ViT's fixed position table) fails the grown second input; the batch-only
/// retry still catches a comment that hard-codes the batch of the first input.
#[test]
fn runtime_retries_a_fixed_size_model_with_batch_only() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/scripts/trace_shapes.py");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fixed.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Fixed(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.fc = nn.Linear(3 * 8 * 8, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        y = x.flatten(1)  # y: [B, 192] <- flatten(1)\n        z = self.fc(y)  # z: [2, 10] <- Linear(192, 10)\n        return z\n",
    )
    .unwrap();
    let o = bin()
        .env("TSL_TRACE_SCRIPT", &script)
        .args(["--runtime", &format!("{}:Fixed", p.display())])
        .args(["--input", "x=[2,3,8,8]", "--format", "concise"])
        .output()
        .unwrap();
    let (out, err) = (stdout(&o), String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(1),
        "needs python3 + torch: {out}{err}"
    );
    // The retry is said in the summary line, as a SKIP of the two-size check.
    assert!(
        err.contains("SKIP two-size check: x=[3,3,40,72] raised (")
            && err.contains("batch-only x=[3,3,8,8]"),
        "{err}"
    );
    assert!(
        out.contains("fixed.py:13:") && out.contains("`2` = 2 but the real size is 3"),
        "{out}"
    );
    assert!(!out.contains("fixed.py:12:"), "{out}");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every static run ends with one summary line. The mistakes fixtures by hand: five files with
/// one class each; shape comments 1 + 1 + 2 + 4 + 2 = 10, all decided; findings: TSL601 +
/// TSL603 (stride_forgotten), TSL601 (swapped_hw, wrong_channel), TSL604 (wrong_flatten,
/// wrong_in_channels) = 6.
#[test]
fn summary_line_on_every_static_run() {
    let o = run(&["--format", "concise", fixture("mistakes").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "tensor-shape-lint: 5 files, 5 classes, 10 shape comments checked (0 undecided), 6 findings"
        ),
        "{}",
        stderr(&o)
    );
    // A clean run prints it too (ruff's "All checks passed!"), and JSON output stays one
    // document on stdout.
    let o = run(&[
        "--format",
        "json",
        fixture("models/unet_block.py").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    assert!(
        stderr(&o).contains("tensor-shape-lint: 1 file, 2 classes, ")
            && stderr(&o).contains(" 0 findings"),
        "{}",
        stderr(&o)
    );
}

/// Constructor parameters are symbols, never their defaults. Swin's patch merging: with
/// `dim = 96` substituted, `[B, N, 2*C]` was "wrong" (192); `LayerNorm(4*dim)` on
/// `[B, N, 4*C]` forces `dim = C`, so `2*C` is right for every binding and `3*C` wrong for
/// every binding. The pooled size `(4096 - k)//k + 1` depends on `k`, which nothing binds:
/// undecided, visible with --verbose, never TSL601. `z: [B, N, 4096]` against the inferred
/// `[B, N, hidden]` contradicts nothing but only fixes `hidden = 4096`: taken as given, so the
/// summary counts it apart ("binding"), not as checked.
#[test]
fn constructor_parameters_are_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let src = "import torch\nimport torch.nn as nn\n\n\nclass Merge(nn.Module):\n    def __init__(self, dim: int = 96, hidden: int = 4096, k: int = 2) -> None:\n        super().__init__()\n        self.norm = nn.LayerNorm(4 * dim)\n        self.reduction = nn.Linear(4 * dim, 2 * dim)\n        self.fc = nn.Linear(2 * dim, hidden)\n        self.pool = nn.MaxPool1d(k, stride=k)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, N, 4*C]\n        x = self.norm(x)  # x: [B, N, 4*C] <- LayerNorm(4*C)\n        y = self.reduction(x)  # y: [B, N, 2*C] <- Linear(4*C, 2*C)\n        z = self.fc(y)  # z: [B, N, 4096] <- Linear(2*C, 4096)\n        w = self.pool(z)  # w: [B, N, 2048] <- MaxPool1d(2)\n        return w\n";
    let good = dir.path().join("good.py");
    std::fs::write(&good, src).unwrap();
    let o = run(&[
        "--select",
        "TSL6",
        "--format",
        "concise",
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains(
            "1 file, 1 class, 3 shape comments checked (1 undecided), \
             1 binding constructor arguments (dims taken as given), 0 findings"
        ),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "-v",
        "--select",
        "TSL6",
        "--format",
        "concise",
        good.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains(
            "good.py:18:27: TSL690 comment undecided: `w`: dim 3 depends on constructor argument `k`"
        ),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains(
            "good.py:17:25: TSL690 comment binds constructor arguments (hidden = 4096): those dims are taken as given, not checked"
        ),
        "{}",
        stdout(&o)
    );
    let bad = dir.path().join("bad.py");
    std::fs::write(&bad, src.replace("y: [B, N, 2*C]", "y: [B, N, 3*C]")).unwrap();
    let o = run(&[
        "--select",
        "TSL6",
        "--format",
        "concise",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("bad.py:16:32: TSL601 `y`: comment says [B, N, 3*C]"),
        "{}",
        stdout(&o)
    );
}

/// A list filled by `append` in a loop and unpacked into `nn.Sequential` is not "no layers":
/// the loop's two trips are known, so two 2x2 poolings halve H twice (32 -> 8), and the comment
/// that says so is decided and clean. (Unknown trip counts and `break`: tests/containers.rs.)
#[test]
fn containers_built_at_run_time_are_followed_not_identity() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("stage.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Stage(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        layers = []\n        for _ in range(2):\n            layers.append(nn.MaxPool2d(2))\n        self.body = nn.Sequential(*layers)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 8, H, W]\n        y = self.body(x)  # y: [B, 8, H//4, W//4] <- 2 x MaxPool2d(2)\n        return y\n",
    )
    .unwrap();
    let target = format!("{}:Stage", p.display());
    let o = run(&["infer", &target, "--input", "x=[2,8,32,32]"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("15: y = [2, 8, 8, 8]"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "--select",
        "TSL6",
        "--format",
        "concise",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("1 shape comment checked (0 undecided), 0 findings"),
        "{}",
        stderr(&o)
    );
    // The same comment with one pooling forgotten is now caught.
    let src = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, src.replace("H//4, W//4", "H//2, W//2")).unwrap();
    let o = run(&[
        "--select",
        "TSL6",
        "--format",
        "concise",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// Needs python3 with torch. `--input2` sets the second size; a model that only runs at its
/// configured size (Linear after flatten of an 8x8 map) falls back to a batch-only second run,
/// and the summary says the two-size check was skipped, never "two sizes".
#[test]
fn runtime_second_size_is_explicit_or_a_skip() {
    let unet = format!("{}:UNetLevel", fixture("models/unet_block.py").display());
    let o = runtime(
        &unet,
        &["--input", "x=[2,64,64,96]", "--input2", "x=[3,64,32,64]"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o)
            .contains("tensor-shape-lint --runtime: two sizes: x=[2,64,64,96] and x=[3,64,32,64];"),
        "{}",
        stderr(&o)
    );
    // The planted H/W swap is caught at the explicit non-square second size as well.
    let swap = format!("{}:Stem", fixture("mistakes/swapped_hw.py").display());
    let o = runtime(
        &swap,
        &["--input", "x=[2,3,64,64]", "--input2", "x=[3,3,32,96]"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("TSL605 runtime: `x` is [3, 64, 16, 48]"),
        "{}",
        stdout(&o)
    );

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fixed.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Fixed(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1)\n        self.fc = nn.Linear(4 * 8 * 8, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, 8, 8]\n        y = self.conv(x)  # y: [B, 4, 8, 8] <- Conv2d(3, 4, k=3, p=1)\n        y = y.flatten(1)  # y: [B, 256] <- flatten\n        y = self.fc(y)  # y: [B, 10] <- Linear(256, 10)\n        return y\n",
    )
    .unwrap();
    let fixed = format!("{}:Fixed", p.display());
    let o = runtime(&fixed, &["--input", "x=[2,3,8,8]"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("tensor-shape-lint --runtime: SKIP two-size check: x=[3,3,40,72] raised (")
            && err.contains("ran x=[2,3,8,8] and batch-only x=[3,3,8,8]"),
        "{err}"
    );
    assert!(!err.contains("two sizes:"), "{err}");
    // An explicit second size is never replaced by a guess.
    let o = runtime(
        &fixed,
        &["--input", "x=[2,3,8,8]", "--input2", "x=[3,3,16,16]"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("SKIP two-size check: second run with x=[3,3,16,16] raised (")
            && stderr(&o).contains("ran x=[2,3,8,8] only"),
        "{}",
        stderr(&o)
    );
    let o = runtime(
        &fixed,
        &["--input", "x=[2,3,8,8]", "--input2", "x=[3,3,8,8]"],
    );
    assert!(
        stderr(&o).contains("SKIP two-size check: the second size x=[3,3,8,8] differs from the first only in the batch"),
        "{}",
        stderr(&o)
    );
}

/// Needs python3 with torch. The runs are in `model.eval()`, so a comment under
/// `if self.training:` is never compared with a real shape: the summary must name it as not
/// reached and not checked, or a wrong training-only comment passes as checked.
#[test]
fn runtime_names_comments_no_run_reached() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("noisy.py");
    // Line 13's comment is wrong (the conv gives 4 channels, not 5); it is only reached in
    // training mode.
    let source = "import torch\nimport torch.nn as nn\n\n\nclass Noisy(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, kernel_size=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        if self.training:\n            x = self.conv(x)  # x: [B, 5, H, W] <- Conv2d(3, 4, k=1)\n        y = x * 2  # y: [B, 3, H, W] <- mul\n        return y\n";
    std::fs::write(&p, source).unwrap();
    let target = format!("{}:Noisy", p.display());
    let o = runtime(&target, &["--input", "x=[2,3,8,8]"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    // Two runs (two sizes), each comparing line 14's comment only.
    assert!(
        err.contains(&format!(
            "; 2 assignments compared, 1 comment not reached by the runs and not checked ({}:13), 0 findings"
        , p.display())),
        "{err}"
    );
}

/// Needs python3 with torch. A fully convolutional model whose comments are concrete (SSD300's
/// case: its grids are built for 300x300) runs at the guessed second size, where every concrete
/// comment is false. `--one-size REASON` makes the second run batch-only and the two-size check a
/// SKIP with the reason; a comment with a hard-coded batch is still caught.
#[test]
fn runtime_one_size_runs_batch_only_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("grid.py");
    let source = "import torch\nimport torch.nn as nn\n\n\nclass Grid(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, 16, 16]\n        y = self.conv(x)  # y: [B, 4, 8, 8] <- Conv2d(3, 4, k=3, s=2, p=1)\n        return y\n";
    std::fs::write(&p, source).unwrap();
    let grid = format!("{}:Grid", p.display());
    // At the guessed second size (H and W grow) the conv gives a larger grid than 8x8.
    let o = runtime(&grid, &["--input", "x=[2,3,16,16]"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("TSL605"), "{}", stdout(&o));
    let o = runtime(
        &grid,
        &[
            "--input",
            "x=[2,3,16,16]",
            "--one-size",
            "the grid is built for 16x16",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "tensor-shape-lint --runtime: SKIP two-size check: one input size (the grid is built for 16x16); ran x=[2,3,16,16] and batch-only x=[3,3,16,16];"
        ),
        "{err}"
    );
    assert!(!err.contains("two sizes:"), "{err}");
    // A batch written as a number is caught by the batch-only run.
    std::fs::write(&p, source.replace("# y: [B, 4, 8, 8]", "# y: [2, 4, 8, 8]")).unwrap();
    let o = runtime(
        &grid,
        &["--input", "x=[2,3,16,16]", "--one-size", "16x16 only"],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("TSL605 runtime: `y` is [3, 4, 8, 8]"),
        "{}",
        stdout(&o)
    );
    // Usage errors: a reason is required, and it contradicts an explicit second size.
    let o = runtime(&grid, &["--input", "x=[2,3,16,16]", "--one-size", " "]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--one-size: say why"), "{}", stderr(&o));
    let o = runtime(
        &grid,
        &[
            "--input",
            "x=[2,3,16,16]",
            "--one-size",
            "16x16 only",
            "--input2",
            "x=[3,3,32,32]",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Needs python3 with torch. A block with a required constructor argument is built with
/// `--kwargs` (the ConvNeXt dogfood could not runtime-check its Block alone).
#[test]
fn runtime_builds_the_class_with_kwargs() {
    let (_dir, p) = model_file(
        "block.py",
        "import torch\nimport torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self, dim: int) -> None:\n        super().__init__()\n        self.fc = nn.Linear(dim, 2 * dim)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, N, C]\n        y = self.fc(x)  # y: [B, N, 2*C] <- Linear(C, 2*C)\n        return y\n",
    );
    let target = format!("{}:Block", p.display());
    let runtime = |args: &[&str]| runtime(&target, args);
    let o = runtime(&["--input", "x=[2,5,8]", "--kwargs", "{\"dim\": 8}"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("tensor-shape-lint --runtime: two sizes: x=[2,5,8] and "),
        "{}",
        stderr(&o)
    );
    // Without the argument the class cannot be built: a usage error, not a pass.
    let o = runtime(&["--input", "x=[2,5,8]"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let o = runtime(&["--input", "x=[2,5,8]", "--kwargs", "[8]"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--kwargs: expected a JSON object"),
        "{}",
        stderr(&o)
    );
}

/// `--runtime TARGET --format concise ARGS` with the skill's trace script (needs python3 + torch).
fn runtime(target: &str, args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../skill/paper-replication/scripts/trace_shapes.py");
    bin()
        .env("TSL_TRACE_SCRIPT", &script)
        .args(["--runtime", target, "--format", "concise"])
        .args(args)
        .output()
        .unwrap()
}

/// ConvNeXt's block with a deliberately wrong `3*C` after an expansion the checker cannot size
/// (`mlp_ratio` is unbound): the next comment's true `4*C` met the carried `3*C`, the checker
/// solved `3*dim = 4*dim` as `dim = 0` and printed `[B, 0, H, W]` two lines later. No size is
/// 0: the two comments contradict each other, and the message says it is a comment carried
/// through the code (one of the two is wrong), in the comment's symbols (C, not `dim`).
#[test]
fn a_carried_comment_is_named_and_no_size_is_solved_to_zero() {
    let (_dir, p) = model_file(
        "block.py",
        "import torch\nimport torch.nn as nn\n\n\nclass Block(nn.Module):\n    \"\"\"Block of Liu et al. 2022.\"\"\"\n\n    def __init__(self, dim: int, mlp_ratio: int = 4) -> None:\n        super().__init__()\n        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)\n        self.fc1 = nn.Linear(dim, mlp_ratio * dim)\n        self.act = nn.GELU()\n        self.fc2 = nn.Linear(mlp_ratio * dim, dim)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        x = self.dwconv(x)  # x: [B, C, H, W] <- Conv2d(C, C, k=7, p=3, groups=C)\n        x = x.permute(0, 2, 3, 1)  # x: [B, H, W, C] <- permute\n        x = self.fc1(x)  # x: [B, H, W, 3*C] <- Linear(C, 4*C)\n        x = self.act(x)  # x: [B, H, W, 4*C] <- GELU\n        x = self.fc2(x)  # x: [B, H, W, C] <- Linear(4*C, C)\n        x = x.permute(0, 3, 1, 2)  # x: [B, C, H, W] <- permute\n        return x\n",
    );
    let o = run(&[
        "--format",
        "concise",
        "--select",
        "TSL6",
        p.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(!out.contains(", 0,") && !out.contains("[B, 0"), "{out}");
    assert!(
        out.contains(":20:")
            && out.contains(
                "comment says [B, H, W, 4*C] but the comment of line 19, carried through the code, gives [B, H, W, C*3] (dim 4 differ): one of the two comments is wrong"
            ),
        "{out}"
    );
    // The last permute's comment is true and carries the channel through as C.
    assert!(!out.contains(":22:"), "{out}");
}

/// `infer` builds the class with its defaults and says which, so `[B, C, H, W]` after a
/// `stride=stride` convolution reads as the default stride 1's, not as wrong for stride 2;
/// `--kwargs` builds another (hand arithmetic: (16 + 2 - 3)//2 + 1 = 8).
#[test]
fn infer_names_the_defaults_it_built_with() {
    let (_dir, p) = model_file(
        "down.py",
        "import torch\nimport torch.nn as nn\n\n\nclass Down(nn.Module):\n    def __init__(self, c: int = 4, stride: int = 1) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(c, c, kernel_size=3, stride=stride, padding=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 4, H, W]\n        y = self.conv(x)  # y: [B, 4, H, W] <- Conv2d(4, 4, k=3, p=1)\n        return y\n",
    );
    let target = format!("{}:Down", p.display());
    let out = stdout(&run(&["infer", &target, "--input", "x=[2,4,16,16]"]));
    assert!(
        out.starts_with("# Down built with its defaults c=4, stride=1 (--kwargs builds another)\n"),
        "{out}"
    );
    assert!(out.contains("y = [2, 4, 16, 16]"), "{out}");
    let out = stdout(&run(&[
        "infer",
        &target,
        "--input",
        "x=[2,4,16,16]",
        "--kwargs",
        "{\"stride\": 2}",
    ]));
    assert!(
        out.starts_with("# Down built with its defaults c=4 (--kwargs builds another)\n"),
        "{out}"
    );
    assert!(out.contains("y = [2, 4, 8, 8]"), "{out}");
}

/// A comment's bare `width` meeting the inferred `width` bound the parameter to itself, so a
/// later `2*width` against the code's `4*width` was "not comparable" (the SENet dogfood's
/// planted BatchNorm comment passed with exit 0). No size satisfies 2*width = 4*width.
#[test]
fn a_parameter_met_as_itself_stays_free_for_a_contradiction() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bottle.py");
    let source = "import torch\nimport torch.nn as nn\n\n\nclass Bottle(nn.Module):\n    \"\"\"Bottleneck of He et al. 2016.\"\"\"\n\n    def __init__(self, c_in: int, width: int) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(c_in, width, 1)\n        self.conv3 = nn.Conv2d(width, 4 * width, 1)\n        self.bn3 = nn.BatchNorm2d(4 * width)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        out = self.conv1(x)  # out: [B, width, H, W] <- Conv2d(C, width, k=1)\n        out = self.conv3(out)  # out: [B, 4*width, H, W] <- Conv2d(width, 4*width, k=1)\n        out = self.bn3(out)  # out: [B, 4*width, H, W] <- BatchNorm2d(4*width)\n        return out\n";
    std::fs::write(&p, source).unwrap();
    let lint = || {
        run(&[
            "--format",
            "concise",
            "--select",
            "TSL6",
            p.to_str().unwrap(),
        ])
    };
    let o = lint();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    std::fs::write(
        &p,
        source.replace(
            "# out: [B, 4*width, H, W] <- BatchNorm2d",
            "# out: [B, 2*width, H, W] <- BatchNorm2d",
        ),
    )
    .unwrap();
    let o = lint();
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(":18:") && out.contains("TSL601") && out.contains("2*width"),
        "{out}"
    );
}

/// A Python file written into a fresh folder (kept alive by the returned guard).
/// AlexNet dogfood: infer printed `(unknown: the forward raises inside Classifier ...)` and
/// exited 0. By hand at 224: conv k=11 s=4 p=0 gives (224 - 11)//4 + 1 = 54, the three
/// k=3 s=2 pools 26, 12, 5; the flatten has 256 * 5 * 5 = 6400 features, Linear(256 * 6 * 6)
/// expects 9216, so PyTorch raises. At 227: 55, 27, 13, 6 and 9216: it runs.
#[test]
fn infer_exits_1_when_the_forward_raises_at_the_given_input() {
    let head = "import torch\nimport torch.nn as nn\n\n\nclass Classifier(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.fc = nn.Linear(256 * 6 * 6, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.fc(x)\n        return x\n\n\nclass AlexNet(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 256, kernel_size=11, stride=4, padding=0)\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n        self.classifier = Classifier()\n        self.fc = nn.Linear(256 * 6 * 6, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv1(x)\n        x = self.pool(x)\n        x = self.pool(x)\n        x = self.pool(x)\n        y = torch.flatten(x, 1)\n";
    // Line 29: the Linear inside a block; then the Linear of forward itself.
    for (tail, raise_line, what) in [
        (
            "        z = self.classifier(y)\n        return z\n",
            29,
            "inside `Classifier`: in_features expects 9216, input has 6400",
        ),
        (
            "        z = self.fc(y)\n        return z\n",
            29,
            "in_features expects 9216, input has 6400",
        ),
    ] {
        let (_dir, p) = model_file("alexnet.py", &format!("{head}{tail}"));
        let target = format!("{}:AlexNet", p.display());
        let o = run(&["infer", &target, "--input", "x=[2,3,224,224]"]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{out}{err}");
        for line in [
            "24: x = [2, 256, 54, 54]",
            "27: x = [2, 256, 5, 5]",
            "28: y = [2, 6400]",
        ] {
            assert!(out.contains(line), "{line}:\n{out}");
        }
        // The raising line has no value: never the [2, 10] the Linear would give.
        let at = out
            .lines()
            .find(|l| l.starts_with(&format!("{raise_line}: z = ?")))
            .unwrap_or("");
        assert!(
            at.ends_with(&format!(
                "(unknown: the forward raises{}{what})",
                if what.starts_with("inside") {
                    " "
                } else {
                    ": "
                }
            )),
            "{out}"
        );
        assert!(!out.contains("z = [2, 10]"), "{out}");
        assert!(
            err.contains(&format!(
                "alexnet.py:{raise_line}: AlexNet.forward raises at x=[2,3,224,224]: {what}"
            )),
            "{err}"
        );
        let o = run(&["infer", &target, "--input", "x=[2,3,227,227]"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).contains("29: z = [2, 10]"), "{}", stdout(&o));
    }
}

/// `infer --json` says what the text says, and that the forward raises (AlexNet dogfood: the
/// raise must be machine-readable too). By hand at 224: conv k=11 s=4 gives 54, the k=3 s=2
/// pool 26; 256 * 26 * 26 = 173056 features, the Linear expects 256 * 6 * 6 = 9216.
#[test]
fn infer_json_says_the_forward_raises() {
    let (_dir, p) = model_file(
        "alexnet.py",
        "import torch\nimport torch.nn as nn\n\n\nclass AlexNet(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 256, kernel_size=11, stride=4, padding=0)\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n        self.fc = nn.Linear(256 * 6 * 6, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv1(x)\n        x = self.pool(x)\n        y = torch.flatten(x, 1)\n        z = self.fc(y)\n        return z\n",
    );
    let target = format!("{}:AlexNet", p.display());
    let o = run(&["infer", &target, "--input", "x=[2,3,224,224]", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let shapes: Vec<(u64, &str)> = doc["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["shape"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shapes,
        [
            (13, "[2, 256, 54, 54]"),
            (14, "[2, 256, 26, 26]"),
            (15, "[2, 173056]"),
            (16, "?")
        ]
    );
    assert_eq!(doc["raises"]["line"], 16);
    assert_eq!(
        doc["raises"]["why"],
        "the forward raises: in_features expects 9216, input has 173056"
    );
    assert_eq!(doc["lines"][3]["unknown"], doc["raises"]["why"]);
    // At 227 the flatten has 256 * 27 * 27 features: still raises; the text mode says the same.
    let o = run(&["infer", &target, "--input", "x=[2,3,227,227]"]);
    assert_eq!(o.status.code(), Some(1));
}

/// AlexNet dogfood: with `stride=cfg.conv1_stride`, annotate wrote
/// `# x: [B, 96, (H - 7)//cfg.conv1_stride + 1, ...]`, which its own linter rejects (TSL303,
/// exit 1). It now writes only comments the grammar takes and names the others with the reason.
#[test]
fn annotate_never_writes_a_comment_its_linter_rejects() {
    let (_dir, p) = model_file(
        "cfgnet.py",
        "from dataclasses import dataclass\n\nimport torch\nimport torch.nn as nn\n\n\n@dataclass\nclass Config:\n    conv1_stride: int = 4\n\n\nclass AlexNet(nn.Module):\n    def __init__(self, cfg: Config) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 96, kernel_size=11, stride=cfg.conv1_stride, padding=2)\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv1(x)\n        x = self.pool(x)\n        y = x.mean(dim=(2, 3))\n        return y\n",
    );
    let target = format!("{}:AlexNet", p.display());
    let o = run(&[
        "annotate",
        &target,
        "--input",
        "x=[B,3,H,W]",
        "--at",
        "x=[2,3,224,224]",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(&p).unwrap();
    assert!(!written.contains("cfg.conv1_stride +"), "{written}");
    assert!(
        written.contains("# y: [B, 96] <- x.mean(dim=(2, 3))"),
        "{written}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("2 assignment(s) of AlexNet.forward left without a comment (lines 20, 21)"),
        "{err}"
    );
    assert!(
        err.contains("cfgnet.py:20: its shape [B, 96, (H - 7)//cfg.conv1_stride + 1, (W - 7)//cfg.conv1_stride + 1] uses `cfg.conv1_stride`, which a shape comment cannot hold (TSL303)"),
        "{err}"
    );
    // What it wrote, the linter takes.
    let o = run(&["--format", "concise", p.to_str().unwrap()]);
    assert!(!stdout(&o).contains("TSL303"), "{}", stdout(&o));
}

/// Needs python3 with torch. AlexNet dogfood: a shape comment that does not parse (a config
/// field in it) was dropped from `--runtime`'s count (60 of 62 compared) with exit 0; it is
/// a TSL303 finding, as statically. By hand at 16x16: conv k=3 s=2 p=1 gives 8, pool k=2 4.
#[test]
fn runtime_reports_a_comment_it_cannot_parse() {
    let (_dir, p) = model_file(
        "net.py",
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)\n        self.pool = nn.MaxPool2d(2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        x = self.conv(x)  # x: [B, 8, (H - 1)//cfg.s + 1, (W - 1)//2 + 1]\n        y = self.pool(x)  # y: [B, 8, (H - 1)//4 + 1, (W - 1)//4 + 1]\n        return y\n",
    );
    let target = format!("{}:Net", p.display());
    let o = runtime(
        &target,
        &["--input", "x=[2,3,16,16]", "--input2", "x=[3,3,24,24]"],
    );
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("net.py:13:") && out.contains("TSL303 malformed shape comment, not checked against the run (`x` is [2, 8, 8, 8] with x=[2,3,16,16]): "),
        "{out}"
    );
    assert!(err.contains("2 assignments compared, 1 finding"), "{err}");
}

/// Needs python3 with torch. `--runtime` exited 2 (usage error) when the forward raised at the
/// size given (`mat1 and mat2 shapes cannot be multiplied`): that is a finding about the code.
/// By hand: 8x8 flattened is 4 * 8 * 8 = 256 features; the Linear takes 4 * 6 * 6 = 144.
#[test]
fn runtime_reports_a_forward_that_raises_as_a_finding() {
    let (_dir, p) = model_file(
        "net.py",
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.fc = nn.Linear(4 * 6 * 6, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 4, H, W] <- input\n        y = torch.flatten(x, 1)  # y: [B, 4*H*W]\n        z = self.fc(y)  # z: [B, 10]\n        return z\n",
    );
    let target = format!("{}:Net", p.display());
    let o = runtime(
        &target,
        &["--input", "x=[2,4,8,8]", "--input2", "x=[3,4,6,6]"],
    );
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("net.py:13:") && out.contains("TSL605 runtime: Net.forward raised with x=[2,4,8,8]: mat1 and mat2 shapes cannot be multiplied (2x256 and 144x10)"),
        "{out}"
    );
    assert!(
        err.contains("SKIP two-size check: the forward raised with x=[2,4,8,8]"),
        "{err}"
    );
}

/// AlexNet dogfood: hand-written `H//4 ... H//32` after conv1 (k=11, s=4, p=2) and three
/// k=3, s=2, p=0 pools gave "0 findings (7 undecided)": TSL690, seen only with --verbose. By
/// hand at 224: (224 + 4 - 11)//4 + 1 = 55, (55 - 3)//2 + 1 = 27, 13, 6; the comments say 56,
/// 28, 14, 7. Each is now a TSL602 note shown by default with the exact form and that size.
#[test]
fn a_floor_form_right_only_at_some_sizes_is_a_visible_note() {
    let (_dir, p) = model_file(
        "features.py",
        "\"\"\"AlexNet features (Krizhevsky et al., 2012).\"\"\"\n\nimport torch\nimport torch.nn as nn\n\n\nclass Features(nn.Module):\n    \"\"\"Conv1 and the max pools of AlexNet (Krizhevsky et al., 2012).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n        self.apply(self._init_weights)\n\n    def _init_weights(self, m: nn.Module) -> None:\n        pass\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        x = self.conv1(x)  # x: [B, 64, H//4, W//4] <- Conv2d(3, 64, k=11, s=4, p=2)\n        x = self.pool(x)  # x: [B, 64, H//8, W//8] <- MaxPool2d(k=3, s=2)\n        x = self.pool(x)  # x: [B, 64, H//16, W//16] <- MaxPool2d(k=3, s=2)\n        x = self.pool(x)  # x: [B, 64, H//32, W//32] <- MaxPool2d(k=3, s=2)\n        return x\n",
    );
    let o = run(&["--format", "concise", p.to_str().unwrap()]);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    for (line, says, exact, real, comment) in [
        (21, "H//4, W//4", "(H - 7)//4 + 1, (W - 7)//4 + 1", 55, 56),
        (22, "H//8, W//8", "(H - 15)//8 + 1, (W - 15)//8 + 1", 27, 28),
        (
            23,
            "H//16, W//16",
            "(H - 31)//16 + 1, (W - 31)//16 + 1",
            13,
            14,
        ),
        (
            24,
            "H//32, W//32",
            "(H - 63)//32 + 1, (W - 63)//32 + 1",
            6,
            7,
        ),
    ] {
        let want = format!(
            "features.py:{line}:{}: TSL602 `x`: {says} hold only for some input sizes; exactly it is {exact} (at H = 224 the layers give {real}, the comment {comment})",
            if line == 21 { 28 } else { 27 }
        );
        assert!(out.contains(&want), "{want}\n{out}");
    }
    assert!(
        err.contains("4 shape comments checked (0 undecided), 0 findings (+4 notes)"),
        "{err}"
    );
}

fn model_file(name: &str, source: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, source).unwrap();
    (dir, p)
}

/// Needs python3 with torch. VGG dogfood: a wrong comment binds a new symbol (`S` at the
/// convolution's output, written as if the convolution halved the map); the correct next
/// comment is the one that fails, and the message names the line that bound `S`.
#[test]
fn runtime_names_the_comment_that_bound_a_symbol() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vggish.py");
    std::fs::write(
        &p,
        "import torch\nimport torch.nn as nn\n\n\nclass Vggish(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, kernel_size=3, padding=1)\n        self.pool = nn.MaxPool2d(2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        y = self.conv(x)  # y: [B, 8, S, S]\n        z = self.pool(y)  # z: [B, 8, H//2, S]\n        return z\n",
    )
    .unwrap();
    let target = format!("{}:Vggish", p.display());
    // Square inputs keep H = W; the 3x3 convolution with padding 1 keeps 16x16 (and 12x12 at
    // the second size), so line 13 binds S = 16 where the author meant 8. The pool gives
    // [2, 8, 8, 8]; line 14's last dim S = 16 is not the real 8.
    let o = runtime(
        &target,
        &["--input", "x=[2,3,16,16]", "--input2", "x=[3,3,12,12]"],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "TSL605 runtime: `z` is [2, 8, 8, 8] with x=[2,3,16,16]; `S` = 16 but the real size is 8 (`S` = 16 bound at line 13; one of the two comments is wrong)"
        ),
        "{out}"
    );
}

/// Xception's entry flow at 299x299 (dogfood HIGH): stride-2 convolutions k=3, p=1 and max
/// pools k=3, s=2, p=1 give (H - 1)//2 + 1 each. By hand: 299 -> (299 + 2 - 3)//2 + 1 = 150
/// -> (150 + 2 - 3)//2 + 1 = 75 -> (75 - 1)//2 + 1 = 38 -> (38 - 1)//2 + 1 = 19.
const XCEPTION_LIKE: &str = "\"\"\"Entry flow of Xception (Chollet, 2017), validated at 299x299.\"\"\"\n\nimport torch\nimport torch.nn as nn\n\n\nclass EntryFlow(nn.Module):\n    \"\"\"Entry flow of Xception (Chollet, 2017), Fig. 5.\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, stride=2, padding=1)\n        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)\n        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=1)\n        self.pool2 = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        x = self.conv1(x)\n        x = self.pool1(x)\n        x = self.conv2(x)\n        x = self.pool2(x)\n        return x\n\n\nif __name__ == \"__main__\":\n    out = EntryFlow()(torch.randn(2, 3, 299, 299))\n    assert out.shape == (2, 64, 19, 19), out.shape\n";

/// The `(name, [dims])` of every shape comment annotate wrote after `forward`'s input line.
fn written_shapes(src: &str) -> Vec<Vec<pymodel::DimExpr>> {
    src.lines()
        .filter_map(|l| l.split_once("# x: [").map(|(_, rest)| rest))
        .filter(|rest| !rest.ends_with("<- input"))
        .map(|rest| {
            let inner = &rest[..rest.find("] <-").expect("a written comment")];
            let sc = pymodel::ShapeComment::parse(&format!("# x: [{inner}]"))
                .and_then(Result::ok)
                .expect("parses");
            sc.dims
        })
        .collect()
}

fn annotate_xception(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("xception.py");
    std::fs::write(&p, XCEPTION_LIKE).unwrap();
    let target = format!("{}:EntryFlow", p.display());
    let mut args = vec!["annotate", target.as_str()];
    args.extend(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let new = std::fs::read_to_string(&p).unwrap();
    // Whatever form was written, the static lint accepts it without an error.
    let o = run(&[
        "--format",
        "concise",
        "--select",
        "TSL3,TSL6",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{new}", stdout(&o));
    new
}

#[test]
fn annotate_is_exact_at_xceptions_299() {
    let at = |dims: &[pymodel::DimExpr], v: i64| -> Vec<i64> {
        dims[2..]
            .iter()
            .map(|d| d.eval(&|_| Some(v)).unwrap())
            .collect()
    };
    // No size given, or the paper's 299 given: every comment is right at 299.
    for extra in [&[][..], &["--at", "x=[2,3,299,299]"][..]] {
        let new = annotate_xception(extra);
        let shapes = written_shapes(&new);
        let sizes: Vec<i64> = shapes.iter().map(|d| at(d, 299)[0]).collect();
        assert_eq!(sizes, [150, 75, 38, 19], "{extra:?}:\n{new}");
        for d in &shapes {
            assert_eq!(at(d, 299), [at(d, 299)[0]; 2], "{new}");
        }
        assert!(
            new.contains(
                "# x: [B, 32, (H - 1)//2 + 1, (W - 1)//2 + 1] <- Conv2d(3, 32, k=3, s=2, p=1)"
            ),
            "{new}"
        );
        assert!(
            new.contains(
                "# x: [B, 64, (H - 1)//16 + 1, (W - 1)//16 + 1] <- MaxPool2d(k=3, s=2, p=1)"
            ),
            "{new}"
        );
        assert!(!new.contains("H//2,"), "{new}");
        // The exact form is what the layers give: no TSL602 note either.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.py");
        std::fs::write(&p, &new).unwrap();
        let o = run(&[
            "--format",
            "concise",
            "--select",
            "TSL3,TSL6",
            p.to_str().unwrap(),
        ]);
        assert_eq!(stdout(&o), "", "{new}");
    }
}

/// The short form is kept for the ResNet-style case where it is right: the size the model is
/// validated at is even all the way down (224 -> 112 -> 56 -> 28 -> 14).
#[test]
fn annotate_writes_the_short_form_where_the_validated_size_allows_it() {
    let new = annotate_xception(&["--at", "x=[2,3,224,224]"]);
    assert!(
        new.contains("x = self.conv1(x)  # x: [B, 32, H//2, W//2] <- Conv2d(3, 32, k=3, s=2, p=1)"),
        "{new}"
    );
    assert!(
        new.contains("x = self.pool2(x)  # x: [B, 64, H//16, W//16] <- MaxPool2d(k=3, s=2, p=1)"),
        "{new}"
    );
    // One of the sizes odd (both --runtime sizes given): exact again.
    let new = annotate_xception(&["--at", "x=[2,3,224,224]", "--at", "x=[3,3,299,299]"]);
    assert!(!new.contains("H//2,"), "{new}");
    assert_eq!(
        written_shapes(&new)
            .iter()
            .map(|d| d[2].eval(&|_| Some(299)).unwrap())
            .collect::<Vec<_>>(),
        [150, 75, 38, 19]
    );
    // A size for an input forward does not have is an error, not silently ignored.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("xception.py");
    std::fs::write(&p, XCEPTION_LIKE).unwrap();
    let o = run(&[
        "annotate",
        &format!("{}:EntryFlow", p.display()),
        "--at",
        "y=[2,3,224,224]",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--at `y`: forward has no input of that name"),
        "{}",
        stderr(&o)
    );
}

/// TSL602 on floor forms (written with `--at` 224, or by hand) says for which sizes they hold
/// and what the layers give at an odd one, and names every later comment that assumes it: the
/// note read "holds only for divisible input sizes" once, which SKILL.md said needed no
/// change, while at Xception's 299 all four comments were wrong.
#[test]
fn the_divisibility_note_names_the_divisor_the_odd_size_and_every_line() {
    let new = annotate_xception(&["--at", "x=[2,3,224,224]"]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    std::fs::write(&p, &new).unwrap();
    let o = run(&["--format", "json", "--select", "TSL6", p.to_str().unwrap()]);
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{}", stdout(&o));
    assert_eq!(found[0]["code"], "TSL602");
    assert_eq!(found[0]["location"]["row"], 19);
    assert_eq!(
        found[0]["message"],
        "`x`: H//2, W//2 hold only when H and W are divisible by 2; exactly it is (H - 1)//2 + 1, (W - 1)//2 + 1 (at H = 299 the layers give 150, the comment 149)"
    );
    let notes: Vec<&str> = found[0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(notes[0].contains("write the exact form"), "{notes:?}");
    assert_eq!(
        notes[1],
        "the comments of lines 20, 21, 22 of this forward assume divisible sizes too (sizes divisible by up to 16)"
    );
}

/// A file named twice on the command line (`m.py m.py`, or a folder and a file in it, as
/// `model.py modules/ modules/block.py`) is linted once: every finding was printed once per
/// mention and the summary counted the file twice (dogfood LOW "each finding twice").
#[test]
fn a_file_named_twice_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("modules");
    std::fs::create_dir(&sub).unwrap();
    let p = sub.join("m.py");
    std::fs::write(&p, XCEPTION_LIKE).unwrap();
    let dotted = format!("{}/./m.py", sub.display());
    for args in [
        vec![p.to_str().unwrap(), p.to_str().unwrap()],
        vec![sub.to_str().unwrap(), p.to_str().unwrap(), dotted.as_str()],
    ] {
        let mut all = vec!["--format", "concise"];
        all.extend(&args);
        let o = run(&all);
        let out = stdout(&o);
        let lines: Vec<&str> = out.lines().collect();
        assert!(!lines.is_empty(), "{args:?}");
        let codes: Vec<&str> = lines
            .iter()
            .map(|l| l.split_once(".py:").map_or(*l, |(_, rest)| rest))
            .collect();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "{args:?}:\n{out}");
        assert!(
            stderr(&o).starts_with("tensor-shape-lint: 1 file, 1 class"),
            "{}",
            stderr(&o)
        );
    }
}

/// The full format says each message once: the `path:line:col: CODE message` line, then the
/// code frame with the severity under the marked span (the frame's own title repeated the
/// message on the next line).
#[test]
fn the_full_format_says_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.py");
    std::fs::write(&p, XCEPTION_LIKE.replace("(H - 1)", "H")).unwrap();
    let o = run(&[p.to_str().unwrap()]);
    let out = stdout(&o);
    let message = "has no `_init_weights` method";
    assert_eq!(out.matches(message).count(), 1, "{out}");
    let shown = p.display().to_string();
    assert!(
        out.contains(&format!(
            "{shown}:7:1: TSL104 model class `EntryFlow` {message}\n --> {shown}:7:1\n"
        )),
        "{out}"
    );
    assert!(out.contains("^^^^^^^^^^^^^^^ warning\n"), "{out}");
    assert!(!out.contains("warning[TSL104]"), "{out}");
}

/// `annotate --diff` ends every line it prints, the summary line on stderr included, with a
/// newline, so what a caller prints next starts on its own line (dogfood LOW).
#[test]
fn annotate_diff_ends_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("xception.py");
    std::fs::write(&p, XCEPTION_LIKE).unwrap();
    let o = run(&["annotate", &format!("{}:EntryFlow", p.display()), "--diff"]);
    assert_eq!(o.status.code(), Some(0));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        out.ends_with('\n') && err.ends_with('\n'),
        "{out:?}\n{err:?}"
    );
    assert_eq!(err, "tensor-shape-lint: 4 comment(s) would be added\n");
}

/// AlexNet dogfood (second pass): with conv1's padding removed, `annotate --at 224` wrote every
/// comment, `Linear(9216, 4096)` included, and exited 0, though the forward raises there (6400
/// features). By hand here: conv k=3 s=2 p=1 gives 8 at 16 (4 * 8 * 8 = 256 features) and 6 at
/// 12 (4 * 6 * 6 = 144, what the Linear takes).
#[test]
fn annotate_exits_1_when_the_forward_raises_at_the_size_given() {
    let src = "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1)\n        self.fc = nn.Linear(4 * 6 * 6, 10)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        x = self.conv(x)\n        y = torch.flatten(x, 1)\n        z = self.fc(y)\n        return z\n";
    for (at, code) in [("x=[2,3,16,16]", 1), ("x=[2,3,12,12]", 0)] {
        let (_dir, p) = model_file("net.py", src);
        let o = run(&[
            "annotate",
            &format!("{}:Net", p.display()),
            "--input",
            "x=[B,3,H,W]",
            "--at",
            at,
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{at}: {err}");
        assert_eq!(
            err.contains(&format!("Net.forward raises at {at}: ")),
            code == 1,
            "{at}: {err}"
        );
    }
    // A concrete input comment decides without --at.
    let concrete = src.replace(
        "        x = self.conv(x)\n",
        "        # x: [B, 3, 16, 16] <- input\n        x = self.conv(x)\n",
    );
    let (_dir, p) = model_file("net.py", &concrete);
    let o = run(&["annotate", &format!("{}:Net", p.display())]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Net.forward raises at its input comment: "),
        "{}",
        stderr(&o)
    );
}

/// AlexNet's conv1 (k=11, s=4, p=2) with a stride-2 max pool (k=3, p=0) after it, commented
/// with the floor forms a user writes by hand.
const ALEXNET_FEATURES: &str = "\"\"\"AlexNet features (Krizhevsky et al., 2012).\"\"\"\n\nimport torch\nimport torch.nn as nn\n\n\nclass Features(nn.Module):\n    \"\"\"Conv1 and a max pool of AlexNet (Krizhevsky et al., 2012).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv1 = nn.Conv2d(3, 64, 11, stride=4, padding=2)\n        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)\n        self.apply(self._init_weights)\n\n    def _init_weights(self, m: nn.Module) -> None:\n        pass\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W] <- input\n        x = self.conv1(x)  # x: [B, 64, H//4, W//4] <- Conv2d(3, 64, k=11, s=4, p=2)\n        x = self.pool(x)  # x: [B, 64, H//8, W//8] <- MaxPool2d(k=3, s=2)\n        return x\n";

/// AlexNet dogfood, third pass: `H//4 ... H//32`, wrong at the paper's 224, gave "0 findings
/// (+N notes)" and exit 0, and the skill trusts exit statuses. With `--at` the size the model is
/// validated at is known, and a short form that differs from the exact one there is TSL601.
/// By hand at H = W = 224: conv1 (224 + 2*2 - 11)//4 + 1 = 217//4 + 1 = 55, the comment
/// 224//4 = 56; the pool (55 - 3)//2 + 1 = 27, the comment 224//8 = 28.
#[test]
fn lint_at_the_paper_size_makes_a_wrong_floor_form_a_finding() {
    let (_dir, p) = model_file("features.py", ALEXNET_FEATURES);
    let path = p.to_str().unwrap();
    // Without --at: notes only, exit 0, as before.
    let o = run(&["--format", "concise", path]);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.lines().all(|l| l.contains("TSL602")), "{out}");
    let o = run(&["--format", "concise", path, "--at", "x=[2,3,224,224]"]);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    for (line, col, says, real, comment) in [
        (21, 28, "[B, 64, H//4, W//4]", 55, 56),
        (22, 27, "[B, 64, H//8, W//8]", 27, 28),
    ] {
        let want = format!(
            "features.py:{line}:{col}: TSL601 `x`: comment says {says}, wrong at --at x=[2,3,224,224], the size the model is validated at: at H = 224 the layers give {real}, the comment {comment}; at W = 224 the layers give {real}, the comment {comment}"
        );
        assert!(out.contains(&want), "{want}\n{out}");
    }
    assert!(!out.contains("TSL602"), "{out}");
    assert!(
        err.contains(
            "2 shape comments checked (0 undecided), 1 class also at the --at sizes, 2 findings"
        ),
        "{err}"
    );
    // JSON carries them like any other finding.
    let o = run(&["--format", "json", path, "--at", "x=[2,3,224,224]"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    for (f, row) in found.iter().zip([21, 22]) {
        assert_eq!(f["code"], "TSL601");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["location"]["row"], row);
    }
    assert!(
        found[0]["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("H//4 is exactly (H - 7)//4 + 1, W//4 is exactly (W - 7)//4 + 1"),
        "{found:?}"
    );
}

/// A stride-2 convolution with k=3, p=1 gives exactly (H + 2 - 3)//2 + 1 = (H - 1)//2 + 1.
/// By hand: at 224, (224 - 1)//2 + 1 = 111 + 1 = 112 = 224//2, so `H//2` holds there (a note,
/// exit 0); at 225, (225 - 1)//2 + 1 = 113 but 225//2 = 112 (exit 1). Of two --at sizes, the
/// one where it differs decides.
#[test]
fn lint_at_keeps_a_floor_form_that_holds_at_the_size_a_note() {
    let src = ALEXNET_FEATURES
        .replace(
            "nn.Conv2d(3, 64, 11, stride=4, padding=2)",
            "nn.Conv2d(3, 64, 3, stride=2, padding=1)",
        )
        .replace(
            "[B, 64, H//4, W//4] <- Conv2d(3, 64, k=11, s=4, p=2)",
            "[B, 64, H//2, W//2] <- Conv2d(3, 64, k=3, s=2, p=1)",
        )
        .replace(
            "        x = self.pool(x)  # x: [B, 64, H//8, W//8] <- MaxPool2d(k=3, s=2)\n",
            "",
        );
    let (_dir, p) = model_file("stem.py", &src);
    let path = p.to_str().unwrap();
    for (at, code) in [
        (&["--at", "x=[2,3,224,224]"][..], 0),
        (&["--at", "x=[2,3,225,225]"][..], 1),
        (
            &["--at", "x=[2,3,224,224]", "--at", "x=[3,3,225,225]"][..],
            1,
        ),
    ] {
        let mut args = vec!["--format", "concise", path];
        args.extend(at);
        let o = run(&args);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(code), "{at:?}\n{out}{err}");
        if code == 0 {
            assert!(out.contains("stem.py:21:28: TSL602 `x`: H//2, W//2 hold only when H and W are divisible by 2"), "{out}");
            assert!(
                err.contains("1 class also at the --at sizes, 0 findings (+1 note)"),
                "{err}"
            );
        } else {
            let want = format!(
                "stem.py:21:28: TSL601 `x`: comment says [B, 64, H//2, W//2], wrong at --at {}, the size the model is validated at: at H = 225 the layers give 113, the comment 112; at W = 225 the layers give 113, the comment 112",
                at.last().unwrap()
            );
            assert!(out.contains(&want), "{want}\n{out}");
        }
    }
}

/// A bad --at is a usage error: one stderr line naming the value, exit 2, nothing linted.
#[test]
fn lint_at_bad_syntax_is_one_line_and_exit_2() {
    let (_dir, p) = model_file("features.py", ALEXNET_FEATURES);
    for (bad, why) in [
        ("x=[2,3", "expected NAME=[d1, d2, ...]"),
        ("x", "expected NAME=[d1, d2, ...]"),
        ("", "expected NAME=[d1, d2, ...]"),
        ("x=[2,3,H,W]", "give integer sizes"),
    ] {
        let o = run(&[p.to_str().unwrap(), "--at", bad]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert_eq!(err.lines().count(), 1, "{bad}: {err}");
        assert!(
            err.starts_with(&format!("tensor-shape-lint: --at `{bad}`: {why}")),
            "{bad}: {err}"
        );
        assert!(stdout(&o).is_empty(), "{bad}: {}", stdout(&o));
    }
}

/// `--at x=[...]` binds to the models whose forward declares `x`: a class another class of the
/// file uses, or another linted file imports, is a component whose `x` is a feature map, and
/// is checked as without --at (counted in the summary: a note on every block would bury the
/// others). By hand at 224: the stem gives
/// (224 - 1)//2 + 1 = 112 = 224//2 (holds); the block (k=11, s=4, p=2) then
/// (112 + 4 - 11)//4 + 1 = 27, the model's comment 224//8 = 28 (TSL601). The block's own
/// `H//4` would be 56 against 55 at 224, but its H is not the image's: a note only.
#[test]
fn lint_at_binds_to_the_model_and_names_what_it_skips() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("modules")).unwrap();
    std::fs::write(
        dir.path().join("modules/block.py"),
        "\"\"\"A block (Krizhevsky et al., 2012).\"\"\"\n\nimport torch\nimport torch.nn as nn\n\n\nclass Down(nn.Module):\n    \"\"\"Downsampling block (Krizhevsky et al., 2012).\"\"\"\n\n    def __init__(self, c: int) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(c, c, 11, stride=4, padding=2)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        x = self.conv(x)  # x: [B, C, H//4, W//4] <- Conv2d(C, C, k=11, s=4, p=2)\n        return x\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("model.py"),
        "\"\"\"Net (Krizhevsky et al., 2012).\"\"\"\n\nimport torch\nimport torch.nn as nn\n\nfrom modules.block import Down\n\n\nclass Stem(nn.Module):\n    \"\"\"Stem (Krizhevsky et al., 2012).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(3, 3, 3, stride=2, padding=1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W]\n        x = self.conv(x)  # x: [B, C, H//2, W//2] <- Conv2d(3, 3, k=3, s=2, p=1)\n        return x\n\n\nclass Net(nn.Module):\n    \"\"\"Net (Krizhevsky et al., 2012).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.stem = Stem()\n        self.down = Down(3)\n        self._init_weights()\n\n    def _init_weights(self) -> None:\n        pass\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        x = self.stem(x)  # x: [B, 3, H//2, W//2]\n        x = self.down(x)  # x: [B, 3, H//8, W//8]\n        return x\n",
    )
    .unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args([
            "--format",
            "concise",
            "model.py",
            "modules",
            "--at",
            "x=[2,3,224,224]",
        ])
        .output()
        .unwrap();
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let failing: Vec<&str> = out.lines().filter(|l| !l.contains("TSL602")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(
        failing[0].starts_with("model.py:37:27: TSL601 `x`: comment says [B, 3, H//8, W//8], wrong at --at x=[2,3,224,224], the size the model is validated at: at H = 224 the layers give 27, the comment 28"),
        "{out}"
    );
    assert!(
        out.contains("block.py:16:27: TSL602 `x`: H//4, W//4 hold only for some input sizes"),
        "{out}"
    );
    assert!(!out.contains("--at not applied"), "{out}");
    assert!(
        err.contains("1 class also at the --at sizes (2 components as without --at), 1 finding"),
        "{err}"
    );
    // A size no model's forward can take: the check asked for was not made (exit 2, one line),
    // whether the name is not an input or its rank differs (then a note says why).
    for (at, note) in [("y=[2,3,224,224]", false), ("x=[2,224,224]", true)] {
        let o = bin()
            .current_dir(dir.path())
            .args(["--format", "concise", "model.py", "modules", "--at", at])
            .output()
            .unwrap();
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(2), "{at}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{at}: {err}");
        assert!(
            err.starts_with(&format!(
                "tensor-shape-lint: --at {at}: no linted model's forward"
            )),
            "{err}"
        );
        assert_eq!(
            out.contains("TSL602 --at not applied to `Net.forward` (--at `x`: 3 dims, but the input is [B, 3, H, W])"),
            note,
            "{at}: {out}"
        );
    }
}

#[test]
fn help_documents_the_lint_at() {
    let o = run(&["--help"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.contains("--at <NAME=[...]>"), "{out}");
    assert!(
        out.contains("Exit 2 if no forward takes the sizes"),
        "{out}"
    );
    assert!(
        out.contains("  tensor-shape-lint model.py --at \"x=[2,3,224,224]\"\n                                                   comments checked at the paper's size too"),
        "{out}"
    );
}
