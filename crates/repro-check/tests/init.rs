//! `repro-check init`, run as the real binary on temporary folders: the files it writes, that
//! they are valid (Python parses, every Mermaid block passes mermaid-gen's checker, verify.toml
//! reads), `--force`, refusal without writing, `--hyperparams` pre-filling, and the templates
//! compiled into the binary being the skill's files.

mod core_common;

use core_common::tree;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_repro-check");

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../skill/paper-replication/assets/templates")
}

fn init(out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .args([
            "init",
            "--paper",
            "Deep Residual Learning for Image Recognition",
        ])
        .args(["--model", "ResNet50", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// `init --hyperparams <json_text> EXTRA` into `dir/name`: config.py (init must succeed).
fn config_from(dir: &Path, name: &str, json_text: &str, extra: &[&str]) -> String {
    let json = dir.join(format!("{name}.json"));
    std::fs::write(&json, json_text).unwrap();
    let out = dir.join(name);
    let mut args = vec!["--hyperparams", json.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = init(&out, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read(&out, "config.py")
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

const TREE: &[&str] = &[
    "README.md",
    "config.py",
    "docs/architecture.md",
    "docs/audit.md",
    "docs/diagrams/overview.md",
    "docs/diagrams/tensor_shapes.md",
    "docs/math/derivations.md",
    "docs/math/formulas.md",
    "docs/modules/bottleneck.md",
    "docs/modules/head.md",
    "docs/modules/stem.md",
    "losses.py",
    "model.py",
    "modules/__init__.py",
    "modules/bottleneck.py",
    "modules/head.py",
    "modules/stem.py",
    "requirements.txt",
    "tests/conftest.py",
    "tests/test_losses.py",
    "verify.toml",
];

#[test]
fn init_writes_the_prescribed_tree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let o = init(&out, &["--modules", "stem,bottleneck,head"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tree(&out), TREE);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.starts_with(&format!("wrote {} files under ", TREE.len())),
        "{stdout}"
    );
    for rel in TREE {
        assert!(!read(&out, rel).trim().is_empty(), "{rel} is empty");
    }
    // The values given on the command line reach the files.
    assert!(
        read(&out, "README.md")
            .starts_with("# ResNet50 复现：Deep Residual Learning for Image Recognition\n")
    );
    assert!(read(&out, "model.py").contains("\nclass ResNet50(nn.Module):\n"));
    assert!(read(&out, "modules/bottleneck.py").contains("\nclass Bottleneck(nn.Module):\n"));
    assert!(read(&out, "modules/__init__.py").contains("from .bottleneck import Bottleneck\n"));
    assert!(read(&out, "docs/modules/head.md").starts_with("# 模块：Head（`modules/head.py`）"));
}

#[test]
fn the_default_is_one_example_module() {
    let dir = tempfile::tempdir().unwrap();
    let o = init(dir.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = tree(dir.path());
    let docs: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("docs/modules/"))
        .collect();
    assert_eq!(docs, vec!["docs/modules/block.md"]);
    assert!(files.contains(&"modules/block.py".to_string()));
}

#[test]
fn the_skeleton_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let o = init(dir.path(), &["--modules", "stem,multi_head_attention"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut diagrams = 0;
    for rel in tree(dir.path()) {
        let text = read(dir.path(), &rel);
        if rel.ends_with(".py") {
            let parsed = pymodel::ModelFile::parse(text.as_str());
            assert!(parsed.is_ok(), "{rel}: {:?}", parsed.err());
        }
        if rel.ends_with(".md") {
            for block in mermaid_gen::markdown::mermaid_blocks(&text) {
                diagrams += 1;
                let report = mermaid_gen::check::check_diagram(&block.text);
                let errors: Vec<_> = report.errors().collect();
                assert!(errors.is_empty(), "{rel}:{}: {errors:?}", block.first_line);
                let warnings: Vec<_> = report.warnings().collect();
                assert!(
                    warnings.is_empty(),
                    "{rel}:{}: {warnings:?}",
                    block.first_line
                );
            }
        }
    }
    // architecture, overview, tensor_shapes and one per module document.
    assert_eq!(diagrams, 5);
    // The loss declares its input shapes (the MobileNetV2 dogfood's fresh losses.py got
    // TSL302), so the lint command SKILL.md gives starts without a finding about the scaffold.
    let settings = tensor_shape_lint::settings::Settings {
        select: vec!["TSL3".to_string()],
        ..tensor_shape_lint::settings::Settings::default()
    };
    let found =
        tensor_shape_lint::lint_source("losses.py", &read(dir.path(), "losses.py"), &settings)
            .unwrap();
    assert!(found.is_empty(), "{found:#?}");
    let toml: toml::Table = read(dir.path(), "verify.toml").parse().unwrap();
    assert_eq!(toml["model"]["target"].as_str(), Some("model.py:ResNet50"));
    let model = pymodel::ModelFile::parse(read(dir.path(), "model.py")).unwrap();
    let (_, class) = model.class("ResNet50").expect("the model class");
    let methods: Vec<&str> = class.methods().map(|(_, f)| f.name.as_str()).collect();
    for m in ["__init__", "_init_weights", "forward"] {
        assert!(methods.contains(&m), "model.py lacks {m}: {methods:?}");
    }
    let text = read(dir.path(), "model.py");
    for needle in [
        "def set_seed(",
        "torch.backends.cudnn.deterministic = True",
        "if __name__ == \"__main__\":",
        "SUMMARY:",
    ] {
        assert!(text.contains(needle), "model.py lacks {needle}");
    }
}

#[test]
fn a_fresh_tree_fails_verify_on_placeholders_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    assert!(init(dir.path(), &[]).status.success());
    let o = Command::new(BIN)
        .arg("verify")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let placeholder_lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("FAIL placeholders.todo  "))
        .collect();
    // Every file init writes carries a TODO(paper), except the three that need no paper value.
    let clean = [
        "modules/__init__.py",
        "requirements.txt",
        "tests/conftest.py",
    ];
    let with_placeholders: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|f| !clean.contains(&f.as_str()))
        .collect();
    let flagged: Vec<String> = placeholder_lines
        .iter()
        .map(|l| {
            l["FAIL placeholders.todo  ".len()..]
                .split(':')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(flagged, with_placeholders, "{stdout}");
    // model.py's first placeholder is in its docstring, on line 3 of the template.
    let model_line = placeholder_lines
        .iter()
        .find(|l| l.contains("  model.py:"))
        .expect("model.py has placeholders");
    let first = read(dir.path(), "model.py")
        .lines()
        .position(|l| l.contains("TODO(paper)"))
        .unwrap()
        + 1;
    assert!(
        model_line.contains(&format!("  model.py:{first}: ")),
        "{model_line}"
    );
}

#[test]
fn the_readme_is_clean_once_its_markers_are_replaced() {
    // The MobileNetV2 dogfood replaced every TODO(paper) of README.md and verify still failed
    // it: init's own HTML comment at its top named the marker.
    let dir = tempfile::tempdir().unwrap();
    assert!(init(dir.path(), &[]).status.success());
    let readme = dir.path().join("README.md");
    let filled: String = read(dir.path(), "README.md")
        .lines()
        .map(|l| {
            // The markers a user fills in; init's comment is left as written.
            if l.starts_with("<!--") {
                l.to_string()
            } else {
                l.replace("TODO(paper)", "filled")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(filled.starts_with("# "), "{filled}");
    assert!(
        filled.contains("<!-- Written by `repro-check init`."),
        "{filled}"
    );
    std::fs::write(&readme, filled).unwrap();
    let o = Command::new(BIN)
        .arg("verify")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("FAIL placeholders.todo  README.md:")),
        "{stdout}"
    );
    // The other files still fail: the check itself is on.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL placeholders.todo  model.py:")),
        "{stdout}"
    );
}

#[test]
fn refuses_without_force_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    assert!(init(out, &[]).status.success());
    // A user edit and a deleted file: refusal must keep the edit and not recreate the file.
    std::fs::write(out.join("README.md"), "my notes\n").unwrap();
    std::fs::remove_file(out.join("config.py")).unwrap();
    let o = init(out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("repro-check: "), "{stderr}");
    assert!(stderr.contains("README.md: exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(read(out, "README.md"), "my notes\n");
    assert!(
        !out.join("config.py").exists(),
        "nothing is written on refusal"
    );
    assert!(o.stdout.is_empty());
    // No temporary files left behind either.
    assert!(
        tree(out).iter().all(|f| !f.contains(".tmp")),
        "{:?}",
        tree(out)
    );
}

#[test]
fn force_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    assert!(init(out, &[]).status.success());
    let fresh = read(out, "README.md");
    std::fs::write(out.join("README.md"), "my notes\n").unwrap();
    std::fs::write(out.join("extra.txt"), "kept\n").unwrap();
    let o = init(out, &["--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(out, "README.md"), fresh);
    assert_eq!(
        read(out, "extra.txt"),
        "kept\n",
        "files init does not write are left alone"
    );
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "P",
            "3Net",
            "block",
            "--model 3Net: not a Python class name",
        ),
        ("P", "Net", "Stem", "--modules Stem: not a module file stem"),
        ("P", "Net", "a,a", "--modules a: given twice"),
        ("  ", "Net", "block", "--paper: the title is empty"),
    ];
    for (paper, model, modules, message) in cases {
        let o = Command::new(BIN)
            .args([
                "init",
                "--paper",
                paper,
                "--model",
                model,
                "--modules",
                modules,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{message}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.starts_with(&format!("repro-check: {message}")),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(!out.exists(), "no folder made for a refused call");
}

/// A hyperparams.json in pdf-figures' schema, written for this test: two sentence sources, a
/// table source, a repeated name, values of another setting (CIFAR), two values of one field in
/// the main setting, and two parameter counts, one for another model.
const HYPERPARAMS: &str = r#"{
  "hyperparameters": [
    {"name": "weight_decay", "value": "0.0001", "number": 0.0001, "page": 4, "section": "3.4. Implementation",
     "setting": {"path": "3 Method > 3.4. Implementation", "label": "main", "dataset": null},
     "source": {"sentence": "We use a weight decay of 0.0001 and a momentum of 0.9."}},
    {"name": "momentum", "value": "0.9", "number": 0.9, "page": 4, "section": "3.4. Implementation",
     "setting": {"path": "3 Method > 3.4. Implementation", "label": "main", "dataset": null},
     "source": {"sentence": "We use a weight decay of 0.0001 and a momentum of 0.9."}},
    {"name": "batch_size", "value": "256", "number": 256, "page": 4, "section": "3.4. Implementation",
     "setting": {"path": "3 Method > 3.4. Implementation", "label": "main", "dataset": "imagenet"},
     "source": {"sentence": "We use SGD with a mini-batch\nsize of 256."}},
    {"name": "momentum", "value": "0.95", "number": 0.95, "page": 5, "section": "3.5. Schedule",
     "setting": {"path": "3 Method > 3.5. Schedule", "label": "main", "dataset": null},
     "source": {"sentence": "The momentum is raised to 0.95 after warm-up."}},
    {"name": "learning_rate", "value": "0.1", "number": 0.1, "page": 7, "section": "4.2. CIFAR-10",
     "setting": {"path": "4 Experiments > 4.2. CIFAR-10", "label": "other-task", "dataset": "cifar"},
     "source": {"table": "5", "row": "ResNet-50", "column": "lr | base", "cell": "0.1"}},
    {"name": "batch_size", "value": "128", "number": 128, "page": 7, "section": "4.2. CIFAR-10",
     "setting": {"path": "4 Experiments > 4.2. CIFAR-10", "label": "other-task", "dataset": "cifar"},
     "source": {"sentence": "These models are trained with a mini-batch size of 128."}}
  ],
  "param_counts": [
    {"model": "ResNet-110", "value": "1.7M", "count": 1700000, "page": 7, "section": "4.2. CIFAR-10",
     "source": {"sentence": "ResNet-110 has 1.7M parameters."}},
    {"model": "ResNet-50", "value": "25.6 million", "count": 25600000, "page": 6, "section": "",
     "source": {"table": "3", "row": "ResNet-50", "column": "params", "cell": "25.6 million"}}
  ]
}"#;

#[test]
fn hyperparams_prefill_values_with_page_and_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperparams.json");
    std::fs::write(&json, HYPERPARAMS).unwrap();
    let out = dir.path().join("output");
    let o = init(&out, &["--hyperparams", json.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let config = read(&out, "config.py");
    assert!(config.contains(
        "    # Section 3.4, page 4: \"We use a weight decay of 0.0001 and a momentum of 0.9.\"\n    weight_decay: float = 0.0001  # Section 3.4, page 4\n"
    ), "{config}");
    // The sentence's line break is gone. The main setting states 256 and CIFAR 128: the setting
    // labels are guessed from the wording (the SSD dogfood run had its timing batch of 8 filled
    // in as "main" over the training batch of 32), so without --setting both are listed and
    // neither is chosen.
    assert!(config.contains(
        "    # TODO(paper): batch_size: one value for the main setting and 1 more in other settings; settings are guessed from the wording, so none is chosen (--setting fills from one); keep the value of the setting being replicated, delete the other lines:\n    #   256  (main; Section 3.4, page 4: \"We use SGD with a mini-batch size of 256.\")\n    #   128  (other-task, cifar; Section 4.2, page 7: \"These models are trained with a mini-batch size of 128.\")\n    batch_size: int = None  # TODO(paper): choose from the candidates above\n"
    ), "{config}");
    // Two values in the main setting: both listed with their page, none chosen.
    assert!(config.contains(
        "    # TODO(paper): momentum: 2 different values for the main setting; keep the value of the setting being replicated, delete the other lines:\n    #   0.9  (main; Section 3.4, page 4: \"We use a weight decay of 0.0001 and a momentum of 0.9.\")\n    #   0.95  (main; Section 3.5, page 5: \"The momentum is raised to 0.95 after warm-up.\")\n    momentum: float = None  # TODO(paper): choose from the candidates above\n"
    ), "{config}");
    // Only another setting states a learning rate: listed, not filled in.
    assert!(config.contains(
        "    # TODO(paper): learning_rate: no value for the main setting; only other settings state one; keep the value of the setting being replicated, delete the other lines:\n    #   0.1  (other-task, cifar; Table 5, page 7: row \"ResNet-50\", column \"lr | base\": \"0.1\")\n    learning_rate: float = None  # TODO(paper): choose from the candidates above\n"
    ), "{config}");
    assert!(
        config.contains("TODO(paper): the 4 fields below come from pdf-figures' quoted text"),
        "{config}"
    );
    assert!(
        pymodel::ModelFile::parse(config.as_str()).is_ok(),
        "{config}"
    );

    let audit = read(&out, "docs/audit.md");
    assert!(audit.contains(
        "| weight_decay | 0.0001 | Section 3.4, page 4 | 原文：\"We use a weight decay of 0.0001 and a momentum of 0.9.\" |\n"
    ), "{audit}");
    // A pipe inside a cell is escaped so the table keeps its columns.
    assert!(audit.contains(
        "| learning_rate | TODO(paper): one of 0.1 (Table 5, page 7, other-task, cifar) | TODO(paper): no value for the main setting; only other settings state one | 原文：row \"ResNet-50\", column \"lr \\| base\": \"0.1\" |\n"
    ), "{audit}");

    // The count printed for ResNet-50 (not ResNet-110), in validate_model.py's form.
    let toml: toml::Table = read(&out, "verify.toml").parse().unwrap();
    assert_eq!(toml["model"]["paper_params"].as_str(), Some("25.6M"));
    assert_eq!(
        toml["model"]["paper_params_source"].as_str(),
        Some("Table 3, page 6")
    );
    assert!(
        read(&out, "model.py")
            .contains("PAPER_PARAMS: Optional[str] = \"25.6M\"  # Table 3, page 6\n")
    );
}

#[test]
fn setting_chooses_which_experiment_fills_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_from(dir.path(), "output", HYPERPARAMS, &["--setting", "CIFAR"]);
    assert!(
        config.contains("    batch_size: int = 128  # Section 4.2, page 7\n"),
        "{config}"
    );
    assert!(
        config.contains("    learning_rate: float = 0.1  # Table 5, page 7\n"),
        "{config}"
    );
    // The main setting's weight decay is not CIFAR's: listed, not filled in.
    assert!(
        config.contains("    # TODO(paper): weight_decay: no value for setting \"CIFAR\"; only other settings state one;"),
        "{config}"
    );
    assert!(
        config.contains("    weight_decay: float = None  # TODO(paper)"),
        "{config}"
    );
}

/// A dataset word chooses the experiment trained on that dataset, not the pre-training or
/// fine-tuning stages that also name it: ConvNeXt's `--setting ImageNet` filled ImageNet-22K
/// pre-training's warm-up of 5 epochs and the 384 px fine-tuning size into the ImageNet-1K
/// config. `--setting pre-training` still picks the stage.
#[test]
fn a_dataset_setting_never_fills_a_pre_training_or_fine_tuning_value() {
    let json_text = r#"{"hyperparameters": [
    {"name": "warmup", "value": "5", "number": 5, "page": 6, "section": "3.1 Settings",
     "setting": {"path": "3 Evaluations on ImageNet > 3.1 Settings", "label": "pre-training", "dataset": "imagenet"},
     "source": {"sentence": "We pre-train ConvNeXts on ImageNet-22K for 90 epochs with a warmup of 5 epochs."}},
    {"name": "image_size", "value": "384", "number": 384, "page": 6, "section": "3.1 Settings",
     "setting": {"path": "3 Evaluations on ImageNet > 3.1 Settings", "label": "fine-tuning", "dataset": "imagenet"},
     "source": {"sentence": "We fine-tune at 384 resolution on ImageNet."}},
    {"name": "batch_size", "value": "4096", "number": 4096, "page": 6, "section": "3.1 Settings",
     "setting": {"path": "3 Evaluations on ImageNet > 3.1 Settings", "label": "main", "dataset": "imagenet"},
     "source": {"sentence": "We train ConvNeXts on ImageNet-1K with a batch size of 4096."}}
  ], "param_counts": []}"#;
    let dir = tempfile::tempdir().unwrap();
    let config = config_from(dir.path(), "output", json_text, &["--setting", "ImageNet"]);
    assert!(
        config.contains("    batch_size: int = 4096  # "),
        "{config}"
    );
    assert!(
        config.contains("    warmup: int = None  # TODO(paper)"),
        "{config}"
    );
    assert!(
        config.contains("    image_size: int = None  # TODO(paper)"),
        "{config}"
    );
    let config = config_from(
        dir.path(),
        "output2",
        json_text,
        &["--setting", "pre-training"],
    );
    assert!(config.contains("    warmup: int = 5  # "), "{config}");
}

/// A recipe table's columns are settings (ConvNeXt's Table 5, as pdf-figures mines it: one row
/// per hyper-parameter and column, the column's sized dataset as the setting's dataset, the
/// ImageNet-22K column pre-training). `--setting ImageNet-1K` fills the ImageNet-1K column's
/// values (and the text's ImageNet ones), never the 22K column's.
#[test]
fn a_sized_dataset_setting_fills_only_its_column() {
    let row = |name: &str, value: &str, label: &str, dataset: &str, column: &str| {
        format!(
            r#"{{"name": "{name}", "value": "{value}", "number": {value}, "page": 9, "section": "A.1 ImageNet (Pre-)training",
     "setting": {{"path": "A Experimental Settings > A.1 ImageNet (Pre-)training", "label": "{label}", "dataset": "{dataset}"}},
     "source": {{"table": "5", "row": "{name}", "column": "{column}", "cell": "{value}"}}}}"#
        )
    };
    let one_k = |name: &str, value: &str| {
        row(
            name,
            value,
            "main",
            "imagenet-1k",
            "ConvNeXt-T/S/B/L ImageNet-1K 224^2",
        )
    };
    let k22 = |name: &str, value: &str| {
        row(
            name,
            value,
            "pre-training",
            "imagenet-22k",
            "ConvNeXt-T/S/B/L/XL ImageNet-22K 224^2",
        )
    };
    let rows = [
        one_k("epochs", "300"),
        k22("epochs", "90"),
        one_k("warmup", "20"),
        k22("warmup", "5"),
        one_k("ema", "0.9999"),
        one_k("label_smoothing", "0.1"),
        k22("label_smoothing", "0.1"),
        r#"{"name": "batch_size", "value": "4096", "number": 4096, "page": 6, "section": "3.1 Settings",
     "setting": {"path": "3 Evaluations on ImageNet > 3.1 Settings", "label": "main", "dataset": "imagenet"},
     "source": {"sentence": "We train ConvNeXts on ImageNet with a batch size of 4096."}}"#
            .to_string(),
    ];
    let json_text = format!(
        r#"{{"hyperparameters": [{}], "param_counts": []}}"#,
        rows.join(",\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let config = config_from(
        dir.path(),
        "output",
        &json_text,
        &["--setting", "ImageNet-1K"],
    );
    for filled in [
        "    epochs: int = 300  # ",
        "    warmup: int = 20  # ",
        "    ema: float = 0.9999  # ",
        "    label_smoothing: float = 0.1  # ",
        "    batch_size: int = 4096  # ",
    ] {
        assert!(config.contains(filled), "{filled}\n{config}");
    }
    // Without --setting, the columns disagree and nothing is chosen for them.
    let config = config_from(dir.path(), "output2", &json_text, &[]);
    assert!(
        config.contains("    epochs: int = None  # TODO(paper)"),
        "{config}"
    );
    // Another size of the dataset is not the one asked for.
    let config = config_from(
        dir.path(),
        "output3",
        &json_text,
        &["--setting", "ImageNet-5K"],
    );
    assert!(
        config.contains("    epochs: int = None  # TODO(paper)"),
        "{config}"
    );
}

/// A value stated for another model of the paper is a candidate, never filled in: the SENet
/// dogfood's SE-ResNet-50 config got SENet-154's dropout 0.2 from the appendix about it. A
/// value stated for the model built (or one whose name holds it) is its own.
#[test]
fn a_value_of_another_model_is_never_filled_in() {
    let json_text = r#"{"hyperparameters": [
    {"name": "dropout", "value": "0.2", "number": 0.2, "page": 12, "section": "APPENDIX: DETAILS OF SENET-154",
     "model": "SENET-154",
     "setting": {"path": "APPENDIX: DETAILS OF SENET-154", "label": "main", "dataset": null},
     "source": {"sentence": "A dropout layer (with a dropout ratio of 0.2) was inserted before the classification layer."}},
    {"name": "image_size", "value": "224", "number": 224, "page": 4, "section": "4 Model",
     "model": "ResNet-50",
     "setting": {"path": "4 Model", "label": "main", "dataset": null},
     "source": {"sentence": "ResNet-50 requires 3.86 GFLOPs for a 224 x 224 pixel input image."}}
  ], "param_counts": []}"#;
    let dir = tempfile::tempdir().unwrap();
    // init() builds ResNet50.
    let config = config_from(dir.path(), "output", json_text, &[]);
    assert!(
        config.contains("    dropout: float = None  # TODO(paper)"),
        "{config}"
    );
    assert!(
        config.contains("    #   0.2  (main, model SENET-154; "),
        "{config}"
    );
    assert!(config.contains("    image_size: int = 224  # "), "{config}");
}

/// MobileNetV2 p.6 (issue 18 dogfood): "Following MobileNetV1[27] setup we use initial learning
/// rate of 0.045" was mined with `model: MobileNetV1`, and init said "only other settings state
/// one" though the main setting does: the reason it is left out is the model, and it says so.
#[test]
fn a_value_left_out_for_its_model_names_the_model() {
    let json_text = r#"{"hyperparameters": [
    {"name": "learning_rate", "value": "0.045", "number": 0.045, "page": 6, "section": "6.1. ImageNet Classification",
     "model": "MobileNetV1",
     "setting": {"path": "6. Experiments > 6.1. ImageNet Classification", "label": "main", "dataset": "imagenet"},
     "source": {"sentence": "Following MobileNetV1[27] setup we use initial learning rate of 0.045, and learning rate decay rate of 0.98 per epoch."}},
    {"name": "weight_decay", "value": "0.00004", "number": 0.00004, "page": 6, "section": "6.1. ImageNet Classification",
     "setting": {"path": "6. Experiments > 6.1. ImageNet Classification", "label": "other-task", "dataset": "detection"},
     "source": {"sentence": "We use batch normalization after every layer, and the standard weight decay is set to 0.00004."}}
  ], "param_counts": []}"#;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hp.json");
    std::fs::write(&json, json_text).unwrap();
    let out = dir.path().join("output");
    let o = Command::new(BIN)
        .args([
            "init",
            "--paper",
            "MobileNetV2",
            "--model",
            "MobileNetV2",
            "--out",
        ])
        .arg(&out)
        .args(["--hyperparams", json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = read(&out, "config.py");
    assert!(
        config.contains(
            "    # TODO(paper): learning_rate: no value for the main setting for model MobileNetV2; \
             the main setting states one only for model MobileNetV1;"
        ),
        "{config}"
    );
    assert!(
        config.contains("    #   0.045  (main, model MobileNetV1; "),
        "{config}"
    );
    // Left out for its setting alone: the setting is the reason.
    assert!(
        config.contains(
            "    # TODO(paper): weight_decay: no value for the main setting; only other settings state one;"
        ),
        "{config}"
    );
}

#[test]
fn rows_without_a_setting_never_pick_the_first_mention() {
    // An older hyperparams.json has no "setting": its rows all count as the main setting, so
    // two batch sizes are two candidates, not a value and a comment; two counts printed for the
    // model are listed in verify.toml, not chosen.
    let old = r#"{"hyperparameters": [
        {"name": "batch_size", "value": "256", "number": 256, "page": 4, "section": "3.4",
         "source": {"sentence": "mini-batch size of 256"}},
        {"name": "batch_size", "value": "128", "number": 128, "page": 7, "section": "4.2",
         "source": {"sentence": "mini-batch size of 128"}}],
      "param_counts": [
        {"model": "ResNet-50", "value": "25.6M", "count": 25600000, "page": 6, "section": "",
         "source": {"sentence": "ResNet-50 has 25.6M parameters"}},
        {"model": "ResNet50", "value": "25.5M", "count": 25500000, "page": 3, "section": "",
         "source": {"sentence": "ResNet50 has 25.5M parameters"}}]}"#;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperparams.json");
    std::fs::write(&json, old).unwrap();
    let out = dir.path().join("output");
    let o = init(&out, &["--hyperparams", json.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = read(&out, "config.py");
    assert!(
        config.contains("    batch_size: int = None  # TODO(paper)"),
        "{config}"
    );
    assert!(config.contains("    #   256  (main; Section 3.4, page 4: \"mini-batch size of 256\")\n    #   128  (main; Section 4.2, page 7: \"mini-batch size of 128\")\n"), "{config}");
    let verify = read(&out, "verify.toml");
    assert!(
        verify.contains(
            "# TODO(paper): the paper prints 2 count(s) for ResNet50 or a model of a similar name"
        ),
        "{verify}"
    );
    let toml: toml::Table = verify.parse().unwrap();
    assert_eq!(
        toml["model"]["paper_params"].as_str(),
        Some("TODO(paper): e.g. 25.6M")
    );
}

#[test]
fn a_bad_hyperparams_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperparams.json");
    std::fs::write(&json, "{\"hyperparameters\": [{\"name\": 1}]}").unwrap();
    let out = dir.path().join("output");
    let o = init(&out, &["--hyperparams", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with(&format!(
            "repro-check: {}: not a pdf-figures hyperparams.json",
            json.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    assert!(!out.exists());
}

#[test]
fn embedded_templates_are_the_skill_files() {
    let dir = templates_dir();
    let on_disk = tree(&dir);
    let embedded: Vec<&str> = repro_check::init::templates::EMBEDDED
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        on_disk, embedded,
        "every template in assets/templates/ is embedded, and only those"
    );
    for (name, text) in repro_check::init::templates::EMBEDDED {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            *text,
            "{name}"
        );
    }
}

#[test]
fn templates_are_read_from_the_skill_folder_when_present() {
    let dir = tempfile::tempdir().unwrap();
    let skill = dir.path().join("skill");
    let templates = skill.join("assets/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // Only one template edited: the others come from the binary.
    std::fs::write(
        templates.join("requirements.txt.tera"),
        "torch>=9.9  # edited for {{ model }}\n",
    )
    .unwrap();
    let out = dir.path().join("output");
    let o = init(&out, &["--skill-dir", skill.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        read(&out, "requirements.txt"),
        "torch>=9.9  # edited for ResNet50\n"
    );
    assert!(read(&out, "README.md").starts_with("# ResNet50 复现："));

    // A template that does not render is an input error naming the file; nothing is written.
    std::fs::write(templates.join("README.md.tera"), "{{ no_such_variable }}\n").unwrap();
    let out2 = dir.path().join("output2");
    let o = init(&out2, &["--skill-dir", skill.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("README.md.tera: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!out2.exists());
}

#[test]
fn the_scaffold_makes_the_loss_a_deliverable() {
    let dir = tempfile::tempdir().unwrap();
    let o = init(dir.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // verify.toml declares the loss, its target factory and the overfit settings, and reads.
    let cfg = repro_check::verify_config::read_all(dir.path()).unwrap();
    let loss = cfg.loss.expect("[loss]");
    assert_eq!(loss.target, "losses.py:ResNet50Loss");
    assert_eq!(loss.make_targets(), "losses.py:make_targets");
    assert_eq!(
        cfg.overfit.expect("[overfit]").optimizer(),
        "config.py:Config"
    );
    // losses.py: a (prediction, target) -> scalar module and the factory.
    let losses = pymodel::ModelFile::parse(read(dir.path(), "losses.py")).unwrap();
    let (_, class) = losses.class("ResNet50Loss").expect("the loss class");
    assert!(class.methods().any(|(_, f)| f.name == "forward"));
    let text = read(dir.path(), "losses.py");
    assert!(text.contains("def forward(self, prediction: Tensor, target: Tensor) -> Tensor:"));
    assert!(text.contains("\ndef make_targets(batch: int) -> Tensor:"));
    // At least three hand-computed cases, each failing with TODO(paper) until filled.
    let tests = read(dir.path(), "tests/test_losses.py");
    let cases = tests
        .matches("pytest.fail(\"TODO(paper): hand-computed case")
        .count();
    assert_eq!(cases, 3, "{tests}");
    // The audit's loss section names them.
    let audit = read(dir.path(), "docs/audit.md");
    assert!(audit.contains("tests/test_losses.py"), "{audit}");
}

/// The scaffold's own count check reads every form the paper may print and validate_model.py
/// accepts ("60 million" crashed it with decimal.InvalidOperation), and an unreadable count is a
/// failed check with the fix, not a traceback. The function is run alone (no PyTorch needed).
#[test]
fn the_scaffold_count_check_reads_words_and_refuses_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(init(&out, &[]).status.success());
    let script = r#"
import ast, sys
from decimal import Decimal, InvalidOperation
src = open(sys.argv[1]).read()
tree = ast.parse(src)
keep = [n for n in tree.body
        if (isinstance(n, ast.FunctionDef) and n.name == "paper_count_verdict")
        or (isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "").startswith("_SCALE"))
        or (isinstance(n, ast.Assign) and any(getattr(t, "id", "").startswith("_SCALE") for t in n.targets))]
ns = {"Decimal": Decimal, "InvalidOperation": InvalidOperation, "Tuple": tuple}
exec(compile(ast.Module(body=keep, type_ignores=[]), "model.py", "exec"), ns)
v = ns["paper_count_verdict"]
# AlexNet: 60,965,224 parameters against the printed "60 million" (unit 10M: |diff| 965,224 <= 5M).
print(v(60965224, "60 million")[0], v(60965224, "60M")[0], v(25557032, "25.6 million")[0],
      v(86567656, "86,567,656")[0], v(76000000, "60 million")[0])
# ConvNeXt-T: 28,589,128 against Table 9's "28.6 × 10^6" (unit 0.1M: |diff| 10,872 <= 50,000),
# also with a superscript exponent; 28.7 × 10^6 is off by 110,872 > 50,000.
print(v(28589128, "28.6 × 10^6")[0], v(28589128, "28.6 × 10⁶")[0], v(28589128, "28.6x10^6")[0],
      v(28589128, "28.7 × 10^6")[0], int(v(28589128, "28.6 × 10^6")[2]))
try:
    v(1, "about sixty million")
except ValueError as e:
    print("refused:", e)
"#;
    let run = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out.join("model.py"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut lines = stdout.lines();
    // 25.6 million: unit 0.1M, |25,557,032 - 25,600,000| = 42,968 <= 50,000; 76M vs 60 (unit 10M): mismatch.
    assert_eq!(lines.next(), Some("match match match match mismatch"));
    assert_eq!(lines.next(), Some("match match match mismatch 100000"));
    let refused = lines.next().unwrap_or("");
    assert!(
        refused.starts_with("refused: PAPER_PARAMS 'about sixty million' is not a count"),
        "{refused}"
    );
}

/// The scaffold's `__main__` validation on a model with two outputs (SSD's boxes and scores):
/// the dogfood run had to rewrite it, since it took the output for one tensor. Shapes, finite
/// values, gradient flow and determinism are checked per output. Needs PyTorch (scripts/deps.sh).
#[test]
fn the_scaffold_validation_checks_every_output_of_a_two_output_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(init(&out, &[]).status.success());
    let script = r#"
import runpy, sys, torch
ns = runpy.run_path(sys.argv[1], run_name="scaffold")
g = ns["validate"].__globals__

class TwoOut(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.loc = torch.nn.Linear(4, 3)
        self.conf = torch.nn.Linear(4, 5)

    def forward(self, x):
        return self.loc(x), self.conf(x)

g["build_model"] = TwoOut
g["INPUT_SHAPES"] = [(2, 4)]
g["ONE_SIZE_REASON"] = "a test of two outputs"
g["expected_output_shape"] = lambda shape: [(shape[0], 3), (shape[0], 5)]
sys.exit(g["validate"]())
"#;
    let run = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out.join("model.py"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for line in [
        "[PASS] output shape for input [2, 4]: [[2, 3], [2, 5]], expected [[2, 3], [2, 5]]",
        "[PASS] gradient flow",
        "[PASS] seed determinism",
        "SUMMARY: PASSED",
    ] {
        assert!(stdout.contains(line), "missing {line} in\n{stdout}");
    }
}

#[test]
fn the_scaffold_diagrams_draw_no_data_flow_they_cannot_know() {
    // Two modules whose order and wiring the scaffold does not know (a stem may feed both, a
    // head may join them): no edge between them is drawn, and each diagram says the edges are
    // still to do. The module doc's x -> op -> y placeholder is one module's own flow.
    let dir = tempfile::tempdir().unwrap();
    let o = init(dir.path(), &["--modules", "stem,head"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for rel in [
        "docs/architecture.md",
        "docs/diagrams/overview.md",
        "docs/diagrams/tensor_shapes.md",
    ] {
        let text = read(dir.path(), rel);
        let blocks = mermaid_gen::markdown::mermaid_blocks(&text);
        assert_eq!(blocks.len(), 1, "{rel}");
        assert!(!blocks[0].text.contains("-->"), "{rel}: {}", blocks[0].text);
        assert!(
            blocks[0].text.contains("%% TODO(paper): the edges."),
            "{rel}"
        );
        for m in ["stem", "head"] {
            assert!(blocks[0].text.contains(&format!("_{m}[")), "{rel}: {m}");
        }
    }
}

/// ResNeXt (Xie et al. 2017), Table 1, p.3 prints 25.0×10^6 for "ResNeXt-50 (32×4d)" and
/// 25.5×10^6 for ResNet-50. The dogfood's `--model ResNeXt50` left verify.toml's count a bare
/// TODO: a name that only holds the class name is now listed as a candidate (never filled, as
/// SE-ResNet-50 holds ResNet50 too), and `ResNeXt50_32x4d` (× written x) is the model itself.
#[test]
fn a_count_of_a_model_of_similar_name_is_a_candidate_and_x_matches_times() {
    let json_text = r##"{"hyperparameters": [],
      "param_counts": [
        {"model": "ResNet-50", "value": "25.5×10^6", "count": 25500000, "page": 3, "section": "",
         "source": {"table": "1", "row": "# params.", "column": "ResNet-50"}},
        {"model": "ResNeXt-50 (32×4d)", "value": "25.0×10^6", "count": 25000000, "page": 3,
         "section": "", "source": {"table": "1", "row": "# params.", "column": "ResNeXt-50 (32×4d)"}}]}"##;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperparams.json");
    std::fs::write(&json, json_text).unwrap();
    let run = |model: &str, out: &Path| {
        let o = Command::new(BIN)
            .args(["init", "--paper", "ResNeXt", "--model", model, "--out"])
            .arg(out)
            .args(["--hyperparams", json.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let verify = read(out, "verify.toml");
        let toml: toml::Table = verify.parse().unwrap();
        (
            verify,
            toml["model"]["paper_params"].as_str().unwrap().to_string(),
        )
    };
    let (verify, count) = run("ResNeXt50", &dir.path().join("a"));
    assert_eq!(count, "TODO(paper): e.g. 25.6M", "{verify}");
    assert!(
        verify.contains("the paper prints 1 count(s) for ResNeXt50 or a model of a similar name"),
        "{verify}"
    );
    assert!(
        verify.contains("#   \"25.0×10^6\" (Table 1, page 3"),
        "{verify}"
    );
    assert!(
        !verify.contains("25.5×10^6"),
        "ResNet-50's count is no candidate:\n{verify}"
    );
    let (verify, count) = run("ResNeXt50_32x4d", &dir.path().join("b"));
    assert_eq!(count, "25.0×10^6", "{verify}");
}
