//! `mermaid-gen code` against what the source says and what a real forward pass recorded
//! (ConvNeXt dogfood): a statement of forward that computes with a stored tensor is drawn, a
//! trace of the whole model serves each of its modules, and one chart never mixes measured
//! and symbolic shapes of the same run.
//!
//! `tests/data/layer_scale.py` is a small ConvNeXt-like network written for these tests. Its
//! traces are real runs of `skill/paper-replication/scripts/trace_shapes.py` (torch 2.14.1):
//!   layer_scale_trace.json:       layer_scale.py:Net --input "x=[2,3,32,32]"
//!   layer_scale_block_trace.json: layer_scale.py:Block --kwargs '{"dim": 8}' --input "x=[2,8,6,5]"
//! The shapes asserted below are read from those traces (the run's record), not from the
//! diagrams.

mod common;

use common::{assert_mermaid_ok, bin, data, run_ok};

/// The id of the one node whose label starts with `title` (`n_v4`).
fn node(diagram: &str, title: &str) -> String {
    let ids: Vec<String> = diagram
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (id, rest) = l.split_once(['(', '['])?;
            let label = rest.trim_start_matches(['(', '[']).strip_prefix('"')?;
            label.starts_with(title).then(|| id.to_string())
        })
        .collect();
    assert_eq!(ids.len(), 1, "one node titled {title:?} in\n{diagram}");
    ids[0].clone()
}

fn label_of(diagram: &str, id: &str) -> String {
    let line = diagram
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{id}(")) || l.starts_with(&format!("{id}[")))
        .unwrap_or_else(|| panic!("no node {id} in\n{diagram}"));
    line.split('"').nth(1).unwrap_or_default().to_string()
}

fn edge(diagram: &str, a: &str, b: &str) -> bool {
    diagram.lines().any(|l| l.trim() == format!("{a} --> {b}"))
}

fn trace(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(data(name)).unwrap()).unwrap()
}

/// `[2, 16, 8, 8]` as the diagrams write it with batch 2: `[B, 16, 8, 8]`.
fn batch_label(shape: &serde_json::Value) -> String {
    let dims: Vec<String> = shape
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i == 0 {
                "B".to_string()
            } else {
                d.to_string()
            }
        })
        .collect();
    format!("[{}]", dims.join(", "))
}

/// Block.forward line 37 is `x = self.gamma * x` (layer scale: a parameter times a tensor).
/// It was a pass-through: pwconv went straight to the permute, exit 0, no warning.
#[test]
fn layer_scale_is_a_node_between_its_neighbours() {
    let model = data("layer_scale.py");
    let out = run_ok(&["code", &model, "--class", "Block"]);
    assert_mermaid_ok(&out);
    let pw = node(&out, "pwconv: Linear");
    let scale = node(&out, "× gamma (layer scale)");
    let permute = node(&out, "permute (permute)<br/>[B, C, H, W]");
    assert!(edge(&out, &pw, &scale), "{out}");
    assert!(edge(&out, &scale, &permute), "{out}");
    assert!(!edge(&out, &pw, &permute), "{out}");
    assert!(label_of(&out, &scale).ends_with("[B, H, W, C]"), "{out}");
    // At module level a functional op is dropped, a stored tensor of the module is not.
    let coarse = run_ok(&["code", &model, "--class", "Block", "--max-nodes", "3"]);
    assert!(coarse.contains("module level"), "{coarse}");
    assert!(!coarse.contains("permute"), "{coarse}");
    let scale = node(&coarse, "× gamma");
    let pw = node(&coarse, "pwconv: Linear");
    assert!(edge(&coarse, &pw, &scale), "{coarse}");
    assert_mermaid_ok(&coarse);
}

/// ViT's embedding: the class token and the position embedding are parameters forward
/// computes with; both vanished (torch.cat drew x alone, `x + self.pos_embed` was x).
#[test]
fn stored_tensors_forward_computes_with_are_drawn() {
    let src = r#"import torch
import torch.nn as nn


class Embed(nn.Module):
    def __init__(self, dim: int = 32, n: int = 16) -> None:
        super().__init__()
        self.proj = nn.Linear(12, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        self.scale = 0.5

    def forward(self, x):
        # x: [B, N, 12]
        x = self.proj(x)  # x: [B, N, D] <- Linear(12, D)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)  # x: [B, N+1, D] <- class token
        x = x + self.pos_embed  # x: [B, N+1, D] <- position embedding
        return x * self.scale
"#;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("embed.py");
    std::fs::write(&p, src).unwrap();
    let out = run_ok(&["code", p.to_str().unwrap(), "--class", "Embed"]);
    assert_mermaid_ok(&out);
    // the shape __init__ builds the token with
    let token = node(&out, "cls_token (parameter)<br/>[1, 1, dim]");
    let expand = node(&out, "expand");
    let cat = node(&out, "concat (class token)");
    let proj = node(&out, "proj: Linear");
    let pos = node(&out, "+ pos_embed (position embedding)");
    let scale = node(&out, "× scale");
    let output = node(&out, "output");
    for (a, b) in [
        (&token, &expand),
        (&expand, &cat),
        (&proj, &cat),
        (&cat, &pos),
        (&pos, &scale),
        (&scale, &output),
    ] {
        assert!(edge(&out, a, b), "{a} --> {b} missing in\n{out}");
    }
}

/// A trace of the whole network holds every call of Block: the diagram of Block uses them.
/// Its three calls run at 8 and at 16 channels, so no measured shape is common to all of
/// them: every label stays the comment's, none is the width of one stage.
#[test]
fn a_model_trace_serves_a_module_called_at_several_widths() {
    let t = trace("layer_scale_trace.json");
    let block_outputs: Vec<String> = t["modules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "Block")
        .map(|m| batch_label(&m["outputs"][0]))
        .collect();
    assert_eq!(
        block_outputs,
        ["[B, 8, 16, 16]", "[B, 8, 16, 16]", "[B, 16, 8, 8]"]
    );
    let model = data("layer_scale.py");
    let trace_path = data("layer_scale_trace.json");
    let out = bin()
        .args(["code", &model, "--class", "Block", "--trace", &trace_path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diagram = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 call(s) of Block"), "{err}");
    assert!(!err.contains("not used"), "{err}");
    assert!(
        !diagram.contains("[B, 8") && !diagram.contains("[B, 16"),
        "{diagram}"
    );
    // drop_path's output is the value of `x = shortcut + self.drop_path(x)` in every call
    // (the trace's line-39 records equal the drop_path records), so it takes that shape.
    let dp = node(&diagram, "drop_path: DropPath");
    assert_eq!(
        label_of(&diagram, &dp),
        "drop_path: DropPath<br/>[B, C, H, W]"
    );
    assert!(diagram.contains("× gamma"), "{diagram}");
    assert_mermaid_ok(&diagram);
}

/// Head is called once in the trace: every node takes the measured shape, the operation
/// `x.mean(...)` (not a module) included, from the line tracer's record of its statement.
#[test]
fn a_model_trace_labels_a_module_called_once_with_measured_shapes_only() {
    let t = trace("layer_scale_trace.json");
    let head = t["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["path"] == "head")
        .unwrap();
    let pooled = t["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["module"] == "head" && a["line"] == 51)
        .unwrap();
    let model = data("layer_scale.py");
    let out = run_ok(&[
        "code",
        &model,
        "--class",
        "Head",
        "--trace",
        &data("layer_scale_trace.json"),
    ]);
    let x = node(&out, "x");
    assert_eq!(
        label_of(&out, &x),
        format!("x<br/>{}", batch_label(&head["inputs"][0]))
    );
    let mean = node(&out, "mean (global average pool)");
    assert_eq!(
        label_of(&out, &mean),
        format!(
            "mean (global average pool)<br/>{}",
            batch_label(&pooled["shape"])
        )
    );
    let output = node(&out, "output");
    assert_eq!(
        label_of(&out, &output),
        format!("output<br/>{}", batch_label(&head["outputs"][0]))
    );
    // no symbolic shape left beside the measured ones
    assert!(!out.contains("[B, C]") && !out.contains("[B, K]"), "{out}");
    assert_mermaid_ok(&out);
}

/// Block traced on its own (one call): the permutes and the add, operations of forward, take
/// the measured shapes as the modules do; the comment's `[B, H, W, C]` is not mixed in.
#[test]
fn one_call_of_the_class_gives_every_node_a_measured_shape() {
    let t = trace("layer_scale_block_trace.json");
    let recorded = |line: u64| -> String {
        let a = t["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["line"] == line)
            .unwrap();
        batch_label(&a["shape"])
    };
    let out = run_ok(&[
        "code",
        &data("layer_scale.py"),
        "--class",
        "Block",
        "--trace",
        &data("layer_scale_block_trace.json"),
    ]);
    for (title, line) in [
        ("permute (permute)<br/>[B, 6", 35),
        ("× gamma", 37),
        ("permute (permute)<br/>[B, 8", 38),
        ("+ (add)", 39),
        ("drop_path: DropPath", 39),
    ] {
        let id = node(&out, title);
        assert!(
            label_of(&out, &id).ends_with(&recorded(line)),
            "{title}: want {} in\n{out}",
            recorded(line)
        );
    }
    for symbolic in ["C]", "H, W", "[B, C"] {
        assert!(!out.contains(symbolic), "{symbolic} in\n{out}");
    }
}

/// DropPath in eval mode: every call returned x at once; the trace recorded no `mask`
/// (line 19, a commented tensor assignment), so the masking arm did not run in any call and
/// is not drawn. What is left is input to output: nothing to diagram, exit 1.
#[test]
fn the_arm_no_call_ran_is_not_drawn() {
    let t = trace("layer_scale_trace.json");
    assert!(
        !t["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["line"] == 19),
        "the fixture's run recorded a mask"
    );
    let out = bin()
        .args([
            "code",
            &data("layer_scale.py"),
            "--class",
            "DropPath",
            "--trace",
            &data("layer_scale_trace.json"),
        ])
        .output()
        .unwrap();
    let diagram = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{diagram}");
    assert!(
        !diagram.contains("bernoulli") && !diagram.contains("keep"),
        "{diagram}"
    );
    // Without the trace both arms are drawn, the masking one with its `/ keep`.
    let static_ = run_ok(&["code", &data("layer_scale.py"), "--class", "DropPath"]);
    assert!(static_.contains("/ keep"), "{static_}");
}

/// A trace whose Block is another file's class of that name says nothing of this Block.
#[test]
fn a_class_of_the_same_name_in_another_file_is_not_used() {
    let out = bin()
        .args([
            "code",
            &data("layer_scale.py"),
            "--class",
            "Block",
            "--trace",
            &data("tiny_resnet_trace.json"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no call of Block"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("[B, 16"));
}

/// The label of the edge `a -->|"label"| b` into node `b`, with `a`.
fn edges_into(diagram: &str, b: &str) -> Vec<(String, String)> {
    diagram
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (a, rest) = l.split_once(" -->")?;
            let (label, to) = match rest.strip_prefix("|\"") {
                Some(r) => {
                    let (label, to) = r.split_once("\"|")?;
                    (label.to_string(), to.trim())
                }
                None => (String::new(), rest.trim()),
            };
            (to == b).then(|| (a.to_string(), label))
        })
        .collect()
}

/// The head's global average pool is `x.mean((-2, -1))` in Head.forward (line 51), not a
/// module: the run recorded the stage's output at [2, 16, 8, 8] and the head's LayerNorm
/// taking [2, 16]. The shapes chart drew that change on an edge "Block + LayerNorm", as if
/// the LayerNorm removed H and W; the change is now an edge of its own naming the statement.
#[test]
fn a_change_of_shape_between_modules_is_not_put_on_a_module() {
    let t = trace("layer_scale_trace.json");
    let rec = |path: &str| {
        t["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["path"] == path)
            .unwrap()
            .clone()
    };
    let pooled = batch_label(&rec("head.norm")["inputs"][0]);
    let before = batch_label(&rec("stage2")["outputs"][0]);
    assert_eq!(
        (before.as_str(), pooled.as_str()),
        ("[B, 16, 8, 8]", "[B, 16]")
    );
    let path = data("layer_scale_trace.json");
    let shapes = run_ok(&["shapes", &path]);
    assert_mermaid_ok(&shapes);
    let pooled_node = node(&shapes, &format!("{pooled}\""));
    let into = edges_into(&shapes, &pooled_node);
    assert_eq!(into.len(), 1, "{shapes}");
    assert_eq!(into[0].1, "no module: Head.forward line 51", "{shapes}");
    let from = label_of(&shapes, &into[0].0);
    assert_eq!(from, before, "{shapes}");
    // The flow chart: the head's LayerNorm is fed by a node of the statement, not by the
    // stage directly.
    let flow = run_ok(&["trace", &path, "--depth", "2"]);
    assert_mermaid_ok(&flow);
    let op = node(&flow, "no module: Head.forward line 51");
    assert_eq!(
        label_of(&flow, &op),
        format!("no module: Head.forward line 51<br/>{pooled}")
    );
    let norm = node(&flow, "LayerNorm<br/>head.norm");
    assert_eq!(edges_into(&flow, &norm), vec![(op.clone(), String::new())]);
}

/// Python binds a name to its last `def`: torchvision's _DenseLayer declares `forward` twice
/// as `@torch.jit._overload_method` stubs (`pass`) before the real one, and `code` drew the
/// first stub: nothing to diagram, exit 1 (found by the sweep's `--classes`).
#[test]
fn the_last_definition_of_forward_is_the_one_drawn() {
    let src = r#"import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)

    @torch.jit._overload_method
    def forward(self, x):
        pass

    def forward(self, x):
        # x: [B, 4, H, W]
        return self.conv(x)  # [B, 4, H, W] <- Conv 1x1
"#;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("layer.py");
    std::fs::write(&p, src).unwrap();
    let out = run_ok(&["code", p.to_str().unwrap(), "--class", "Layer"]);
    let x = node(&out, "x<br/>[B, 4, H, W]");
    let conv = node(&out, "conv: Conv2d");
    assert!(edge(&out, &x, &conv), "{out}");
}
