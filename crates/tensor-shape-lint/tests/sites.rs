//! Constructor values from the instantiation sites (issue 16, item 3): a block built in one
//! place with literal arguments is checked with those values; two sites that disagree, a
//! site that leaves the argument to its default, or another file of the tree naming the block
//! leave it a symbol (undecided, never one of the values).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/resnet_bottleneck.py"),
    )
    .unwrap()
}

fn lint(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
        .args(["--select", "TSL6", "--format", "concise", "-v"])
        .arg(path)
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, src: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, src).unwrap();
    p
}

fn summary(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

#[test]
fn the_only_instantiation_decides_the_stride() {
    let dir = tempfile::tempdir().unwrap();
    // Bottleneck is built once, `Bottleneck(256, 128, stride=2)`: its H//2 comments (the 3x3
    // convolution and the 1x1 downsample with stride 2: (H + 2 - 3)//2 + 1 and (H - 1)//2 + 1,
    // both H//2 for even H) are decided. Without the site they depend on `stride`.
    let p = write(dir.path(), "model.py", &fixture());
    let o = lint(&p);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        // The classifier's `[B, 10]` only fixes `num_classes`: counted as binding, not checked.
        summary(&o).contains(
            "16 shape comments checked (0 undecided), \
             1 binding constructor arguments (dims taken as given), 0 findings"
        ),
        "{}",
        summary(&o)
    );
    // A comment that forgot the stride is now caught, and the note says where the value is from.
    let p = write(
        dir.path(),
        "model.py",
        &fixture().replace(
            "out = self.conv2(out)  # out: [B, 128, H//2, W//2]",
            "out = self.conv2(out)  # out: [B, 128, H, W]",
        ),
    );
    let o = lint(&p);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("TSL601"), "{out}");
    let o = Command::new(env!("CARGO_BIN_EXE_tensor-shape-lint"))
        .args(["--select", "TSL601"])
        .arg(&p)
        .output()
        .unwrap();
    let full = String::from_utf8_lossy(&o.stdout);
    assert!(
        full.contains(
            "stride = 2 from `Bottleneck(256, 128, stride=2)` on line 50, the only instantiation"
        ),
        "{full}"
    );
}

#[test]
fn sites_that_disagree_or_leave_a_default_bind_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let second = "        self.block = Bottleneck(256, 128, stride=2)\n";
    for (other, why) in [
        (
            "        self.extra = Bottleneck(256, 128, stride=1)\n",
            "another stride",
        ),
        (
            "        self.extra = Bottleneck(256, 128)\n",
            "the default stride",
        ),
        (
            "        self.extra = [Bottleneck][0](256, 128, stride=2)\n",
            "used as a value",
        ),
    ] {
        let src = fixture().replace(second, &format!("{second}{other}"));
        let p = write(dir.path(), "model.py", &src);
        let o = lint(&p);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{why}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        // The two comments right after the stride-2 layers depend on `stride` again.
        assert!(
            summary(&o).contains("(2 undecided)"),
            "{why}: {}",
            summary(&o)
        );
    }
}

#[test]
fn another_file_of_the_tree_naming_the_block_binds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "model.py", &fixture());
    // train.py builds its own Bottleneck: its stride may be anything.
    write(
        dir.path(),
        "train.py",
        "from model import Bottleneck\n\nb = Bottleneck(256, 128, stride=1)\n",
    );
    let o = lint(&p);
    assert!(summary(&o).contains("(2 undecided)"), "{}", summary(&o));
}
