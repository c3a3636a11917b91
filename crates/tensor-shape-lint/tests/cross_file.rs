//! Cross-file class resolution on the fixture tree `tests/fixtures/tree` (model.py plus
//! modules/*.py, SKILL.md's layout), whose shape comments hold in a real forward pass
//! (tests/python/test_lint_fixtures_torch.py::test_tree_fixture_comments_hold_at_run_time).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tree")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
        .args(args)
        .output()
        .expect("run tensor-shape-lint")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of the fixture tree to change.
fn copy_tree(dir: &Path) -> PathBuf {
    let root = dir.join("tree");
    std::fs::create_dir_all(root.join("modules")).unwrap();
    for rel in [
        "model.py",
        "modules/__init__.py",
        "modules/block.py",
        "modules/down.py",
        "modules/head.py",
        "modules/util.py",
    ] {
        std::fs::copy(tree().join(rel), root.join(rel)).unwrap();
    }
    root
}

#[test]
fn classes_imported_from_modules_are_followed_and_every_comment_is_decided() {
    // Before cross-file resolution all 6 comments of model.py were undecided. Two of them only
    // fix a constructor argument in one dim (`[B, 16, H, W]` meets `width`, `[B, 10]` meets
    // `num_classes`): that dim is taken as given, so they are counted as binding, not checked.
    let model = tree().join("model.py");
    let o = run(&["--format", "concise", model.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(
        text(&o.stderr).trim(),
        "tensor-shape-lint: 1 file, 1 class, 4 shape comments checked (0 undecided), \
         2 binding constructor arguments (dims taken as given), 0 findings"
    );
    let o = run(&["--format", "concise", tree().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(
        text(&o.stderr).trim(),
        "tensor-shape-lint: 6 files, 4 classes, 13 shape comments checked (0 undecided), \
         2 binding constructor arguments (dims taken as given), 0 findings"
    );
}

#[test]
fn infer_follows_every_import_form_to_the_shapes_of_the_real_forward_pass() {
    // x = [2, 3, 40, 56]: conv_bn (3x3, padding 1) keeps H and W with 16 channels; Block keeps
    // the shape; each Down halves H and W (40 -> 20 -> 10, 56 -> 28 -> 14) and doubles the
    // channels; Head pools and maps 64 features to 10 classes. The same shapes are asserted
    // at run time by the Python test named in the module doc.
    let target = format!("{}:TinyNet", tree().join("model.py").display());
    let o = run(&["infer", &target, "--input", "x=[2,3,40,56]"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    // The first line names the defaults the class was built with.
    assert!(
        stdout.starts_with(
            "# TinyNet built with its defaults in_channels=3, width=16, num_classes=10"
        ),
        "{stdout}"
    );
    let shapes: Vec<String> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split("  <-").next().unwrap().to_string())
        .collect();
    assert_eq!(
        shapes,
        [
            "39: x = [2, 16, 40, 56]", // util.conv_bn: a submodule bound to a name
            "40: x = [2, 16, 40, 56]", // Block: re-exported by modules/__init__.py
            "41: x = [2, 32, 20, 28]", // down_mod.Down: `import modules.down as down_mod`
            "42: x = [2, 64, 10, 14]", // Down imports Block and conv_bn itself
            "43: x = [2, 64, 10, 14]", // modules.block.Block: `import modules.block`
            "44: logits = [2, 10]",    // Head: `from modules.head import Head`
        ]
    );
}

#[test]
fn a_wrong_comment_after_an_imported_class_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_tree(dir.path());
    let model = root.join("model.py");
    let src = std::fs::read_to_string(&model).unwrap();
    // Down halves H and W: after two of them the size is H//4, not H//2.
    let wrong = src.replace(
        "# x: [B, 64, H//4, W//4] <- Down(32, 64)",
        "# x: [B, 64, H//2, W//2] <- Down(32, 64)",
    );
    assert_ne!(wrong, src);
    std::fs::write(&model, wrong).unwrap();
    let o = run(&["--format", "concise", model.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("TSL601") && out.contains("H//4"), "{out}");
    // The next line's comment (block2 keeps [B, 64, H//4, W//4]) is true: the code, not the
    // wrong comment, is what reaches it, so the one wrong comment is the one finding.
    assert_eq!(out.matches("TSL601").count(), 1, "{out}");
}

#[test]
fn an_import_that_cannot_be_read_stays_unknown_and_verbose_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_tree(dir.path());
    let model = root.join("model.py");
    let src = std::fs::read_to_string(&model).unwrap();
    let changed = src
        .replace(
            "from modules.head import Head",
            "from modules.missing import Head",
        )
        .replace(
            "import modules.block\n",
            "import modules.block\nfrom modules.cycle_a import Ring\n",
        )
        .replace(
            "        self.block2 = modules.block.Block(4 * width)",
            "        self.block2 = Ring(4 * width)",
        );
    std::fs::write(&model, changed).unwrap();
    // An import cycle: each file takes `Ring` from the other.
    std::fs::write(
        root.join("modules/cycle_a.py"),
        "from .cycle_b import Ring\n",
    )
    .unwrap();
    std::fs::write(
        root.join("modules/cycle_b.py"),
        "from .cycle_a import Ring\n",
    )
    .unwrap();
    let o = run(&["--format", "concise", "--verbose", model.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("`Head` is imported from `modules.missing`, which is not a file of the tree"),
        "{out}"
    );
    assert!(out.contains("import chain longer than"), "{out}");
    // What comes before the unknown classes is still decided (the first comment binds `width`);
    // the rest is not.
    assert!(
        text(&o.stderr).contains(
            "5 shape comments checked (2 undecided), \
             1 binding constructor arguments (dims taken as given), 0 findings"
        ),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_source_given_without_its_file_follows_no_import() {
    let src = std::fs::read_to_string(tree().join("model.py")).unwrap();
    let settings = tensor_shape_lint::settings::Settings::default();
    let (_, _, stats) =
        tensor_shape_lint::lint_source_stats("not/on/disk/model.py", &src, &settings).unwrap();
    assert_eq!((stats.comments, stats.undecided), (6, 6));
}

#[test]
fn annotate_follows_imports_and_takes_constructor_values_only_from_kwargs() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_tree(dir.path());
    let model = root.join("model.py");
    let src = std::fs::read_to_string(&model).unwrap();
    let bare = src.replace("  # logits: [B, 10] <- Head(64, 10)", "");
    assert_ne!(bare, src);
    std::fs::write(&model, &bare).unwrap();
    let target = format!("{}:TinyNet", model.display());
    // Head (imported) ends in Linear(in_channels, num_classes): without a value the comment
    // names the parameter, never its default 10.
    let o = run(&["annotate", &target, "--diff"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("# logits: [B, num_classes] <- self.head(x)"),
        "{}",
        text(&o.stdout)
    );
    // The caller's value, given with --kwargs, is used.
    let o = run(&[
        "annotate",
        &target,
        "--diff",
        "--kwargs",
        r#"{"num_classes": 7}"#,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("# logits: [B, 7] <- self.head(x)"),
        "{}",
        text(&o.stdout)
    );
    // Bad JSON is a usage error.
    let o = run(&["annotate", &target, "--diff", "--kwargs", "{dim: 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&model).unwrap(), bare);
}

/// An installed package's own absolute imports (`from timm.layers import X` in
/// `timm/models/m.py`) resolve inside a tree that lacks the package's top `__init__.py` (the
/// PyTorch corpus keeps only `timm/models` and `timm/layers`): the import names the tree
/// root's own folder, found from its parent. By hand: Conv2d(8, 16, 3, stride 2, padding 1)
/// on 10 x 12 gives (10 + 2 - 3)//2 + 1 = 5 and (12 + 2 - 3)//2 + 1 = 6.
#[test]
fn an_absolute_import_naming_the_tree_root_resolves_from_its_parent() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("timm");
    std::fs::create_dir_all(pkg.join("models")).unwrap();
    std::fs::create_dir_all(pkg.join("layers")).unwrap();
    std::fs::write(pkg.join("models/__init__.py"), "").unwrap();
    std::fs::write(pkg.join("layers/__init__.py"), "from .down import Down\n").unwrap();
    std::fs::write(
        pkg.join("layers/down.py"),
        "from torch import nn\n\n\nclass Down(nn.Module):\n    def __init__(self, cin: int, cout: int) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(cin, cout, 3, stride=2, padding=1)\n\n    def forward(self, x):\n        y = self.conv(x)\n        return y\n",
    )
    .unwrap();
    let model = pkg.join("models/m.py");
    std::fs::write(
        &model,
        "from torch import nn\n\nfrom timm.layers import Down\n\n\nclass Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.down = Down(8, 16)\n\n    def forward(self, x):\n        y = self.down(x)\n        return y\n",
    )
    .unwrap();
    let o = run(&[
        "infer",
        &format!("{}:Net", model.display()),
        "--input",
        "x=[2,8,10,12]",
    ]);
    assert!(
        text(&o.stdout).contains("12: y = [2, 16, 5, 6]"),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// timm's factories as the layers they build: `create_conv2d(in, out, k, stride=2,
/// depthwise=True)` is `nn.Conv2d(in, out, k, stride, padding=((stride - 1) + dilation *
/// (k - 1))//2, groups=in)` (timm's `get_padding` for the default padding ''), `to_2tuple(1)`
/// is `(1, 1)`, and `out_chs or in_chs` is `in_chs` when `out_chs` is None. The stand-in
/// files below implement the same rules. By hand: k = 3, stride 2, dilation 1 give padding
/// (1 + 2)//2 = 1 and (10 + 2 - 3)//2 + 1 = 5, (12 + 2 - 3)//2 + 1 = 6; the 1x1 convolution
/// keeps 16 channels.
#[test]
fn timm_conv_factories_and_tuple_helpers_are_the_layers_they_build() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("timm");
    std::fs::create_dir_all(pkg.join("models")).unwrap();
    std::fs::create_dir_all(pkg.join("layers")).unwrap();
    std::fs::write(pkg.join("models/__init__.py"), "").unwrap();
    std::fs::write(
        pkg.join("layers/__init__.py"),
        "from .create_conv2d import create_conv2d\nfrom .helpers import to_2tuple\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("layers/helpers.py"),
        "def to_2tuple(x):\n    return tuple(x) if isinstance(x, (tuple, list)) else (x, x)\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("layers/create_conv2d.py"),
        "from torch import nn\n\n\ndef create_conv2d(in_channels, out_channels, kernel_size, **kwargs):\n    stride = kwargs.pop('stride', 1)\n    dilation = kwargs.pop('dilation', 1)\n    groups = in_channels if kwargs.pop('depthwise', False) else kwargs.pop('groups', 1)\n    padding = ((stride - 1) + dilation * (kernel_size - 1)) // 2\n    return nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups)\n",
    )
    .unwrap();
    let model = pkg.join("models/m.py");
    std::fs::write(
        &model,
        "from torch import nn\n\nfrom timm.layers import create_conv2d, to_2tuple\n\n\nclass Block(nn.Module):\n    def __init__(self, in_chs: int = 16, out_chs=None, dilation=1) -> None:\n        super().__init__()\n        out_chs = out_chs or in_chs\n        dilation = to_2tuple(dilation)\n        self.dw = create_conv2d(in_chs, out_chs, 3, stride=2, dilation=dilation[0], depthwise=True)\n        self.pw = create_conv2d(out_chs, out_chs, kernel_size=1)\n\n    def forward(self, x):\n        y = self.dw(x)\n        z = self.pw(y)\n        return z\n",
    )
    .unwrap();
    let o = run(&[
        "infer",
        &format!("{}:Block", model.display()),
        "--input",
        "x=[2,16,10,12]",
    ]);
    let out = text(&o.stdout);
    for line in ["15: y = [2, 16, 5, 6]", "16: z = [2, 16, 5, 6]"] {
        assert!(
            out.contains(line),
            "{line} not in\n{out}{}",
            text(&o.stderr)
        );
    }
}

/// `get_act_layer('gelu')` / `create_act_layer('relu')` of timm are activations (shape kept),
/// and `partial(Mlp, hidden=32)` builds `Mlp(..., hidden=32)` when called; `f(x)()` calls
/// the class a call returned. The stand-in files implement the same rules (run with torch:
/// [2, 5, 32] both). By hand: Linear(8, 32) on [2, 5, 8] gives [2, 5, 32], GELU and ReLU keep it.
#[test]
fn timm_activation_factories_and_partial_classes_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("timm");
    std::fs::create_dir_all(pkg.join("models")).unwrap();
    std::fs::create_dir_all(pkg.join("layers")).unwrap();
    std::fs::write(pkg.join("models/__init__.py"), "").unwrap();
    std::fs::write(
        pkg.join("layers/__init__.py"),
        "from .create_act import create_act_layer, get_act_layer\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("layers/create_act.py"),
        "from torch import nn\n\n_ACT = dict(gelu=nn.GELU, relu=nn.ReLU)\n\n\ndef get_act_layer(name='relu'):\n    return _ACT[name] if isinstance(name, str) else name\n\n\ndef create_act_layer(name, inplace=None, **kwargs):\n    return get_act_layer(name)(**kwargs)\n",
    )
    .unwrap();
    let model = pkg.join("models/m.py");
    std::fs::write(
        &model,
        "from functools import partial\n\nfrom torch import nn\n\nfrom timm.layers import create_act_layer, get_act_layer\n\n\nclass Mlp(nn.Module):\n    def __init__(self, dim: int, hidden: int = 4, act_layer='relu') -> None:\n        super().__init__()\n        self.fc1 = nn.Linear(dim, hidden)\n        self.act = get_act_layer(act_layer)()\n\n    def forward(self, x):\n        return self.act(self.fc1(x))\n\n\nclass Block(nn.Module):\n    def __init__(self, dim: int = 8) -> None:\n        super().__init__()\n        mlp_layer = partial(Mlp, hidden=32, act_layer='gelu')\n        self.mlp = mlp_layer(dim)\n        self.act = create_act_layer('relu', inplace=True)\n\n    def forward(self, x):\n        y = self.mlp(x)\n        z = self.act(y)\n        return z\n",
    )
    .unwrap();
    let o = run(&[
        "infer",
        &format!("{}:Block", model.display()),
        "--input",
        "x=[2,5,8]",
    ]);
    let out = text(&o.stdout);
    for line in ["26: y = [2, 5, 32]", "27: z = [2, 5, 32]"] {
        assert!(
            out.contains(line),
            "{line} not in\n{out}{}",
            text(&o.stderr)
        );
    }
}
