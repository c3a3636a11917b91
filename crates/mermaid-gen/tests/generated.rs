//! Every diagram mermaid-gen writes goes through real Mermaid (and through our own checker).

mod common;

use common::{assert_mermaid_ok, bin, data, run_ok};
use mermaid_gen::check::{Verdict, check_diagram};

fn assert_valid_everywhere(diagram: &str) {
    assert_mermaid_ok(diagram);
    let r = check_diagram(diagram);
    assert_eq!(
        r.verdict,
        Verdict::Ok,
        "checker rejects generated text: {r:?}"
    );
    assert_eq!(r.diagnostics, vec![], "checker warns on generated text");
}

#[test]
fn spec_with_hostile_labels_parses_in_real_mermaid() {
    let out = run_ok(&["spec", &data("resnet_block.yaml")]);
    assert_valid_everywhere(&out);
    // The node called `end` got a prefixed id; labels keep their text, quoted.
    assert!(out.contains("n_end(["), "{out}");
    assert!(out.contains(r#"n_add(("y = F(x) + x"))"#), "{out}");
    assert!(out.contains("#quot;gate#quot;"), "{out}");
    assert!(out.contains("#35;1;"), "{out}");
    assert!(out.contains("direction#160;LR"), "{out}");
    assert!(out.contains("Bottleneck x3"), "{out}");
    assert!(out.contains(r#"subgraph g_main["主路径 F(x)"]"#), "{out}");
    // Nested subgraph inside its parent, closed in order.
    let main = out.find("subgraph g_main").unwrap();
    let inner = out.find("subgraph g_inner").unwrap();
    assert!(main < inner);
    // Palette: one classDef per kind used, with commas.
    for (kind, fill, stroke) in [
        ("input", "#e1f5fe", "#01579b"),
        ("core", "#fff3e0", "#e65100"),
        ("feature", "#e8f5e9", "#2e7d32"),
        ("attention", "#fce4ec", "#c2185b"),
        ("loss", "#f3e5f5", "#7b1fa2"),
    ] {
        // The exact lines SKILL.md prescribes.
        let line = format!("classDef {kind} fill:{fill},stroke:{stroke}\n");
        assert!(out.contains(&line), "missing `{line}` in\n{out}");
    }
    assert!(
        out.contains("n_x -.-> n_add") || out.contains(r#"n_x -.->|"#),
        "{out}"
    );
}

#[test]
fn spec_errors_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yaml");
    std::fs::write(&p, "nodes:\n - {id: a, kind: blob}\n").unwrap();
    let out = bin().args(["spec", p.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("mermaid-gen: ") && err.contains("unknown kind `blob`"),
        "{err}"
    );
    let out = bin().args(["spec", "/nonexistent.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_file_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("arch.md");
    std::fs::write(&target, "keep me").unwrap();
    let spec = data("resnet_block.yaml");
    let args = [
        "spec",
        spec.as_str(),
        "--fence",
        "-o",
        target.to_str().unwrap(),
    ];
    let out = bin().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    let mut forced = args.to_vec();
    forced.push("--force");
    run_ok(&forced);
    let md = std::fs::read_to_string(&target).unwrap();
    assert!(md.starts_with("```mermaid\n") && md.ends_with("```\n"));
    let blocks = mermaid_gen::markdown::mermaid_blocks(&md);
    assert_eq!(blocks.len(), 1);
    assert_mermaid_ok(&blocks[0].text);
}

#[test]
fn trace_flow_collapses_repeated_blocks_at_module_level() {
    let trace = data("tiny_cnn_trace.json");
    // Leaf level fits in 20 nodes; the second ResBlock is identical to the first, so only the
    // first is opened up, in a subgraph titled for both with the true count and shapes (16
    // channels at 16x16 in and out: conv 3x3 with padding and no stride keeps the size).
    let fine = run_ok(&["trace", &trace]);
    assert_valid_everywhere(&fine);
    assert!(fine.contains("blocks.0.conv2"), "{fine}");
    assert!(!fine.contains("blocks.1.conv1"), "{fine}");
    assert!(
        fine.contains(
            r#"["blocks.0 .. blocks.1 (ResBlock x2, blocks.0 drawn)<br/>[B, 16, 16, 16] → [B, 16, 16, 16]"]"#
        ),
        "{fine}"
    );
    // Shapes chain the layers: stem.3 (MaxPool) feeds blocks.0.conv1, conv2 feeds the pool.
    assert!(
        fine.contains("n_u3_stem_3 --> n_u4_blocks_0_conv1"),
        "{fine}"
    );
    assert!(fine.contains("n_u6_blocks_0_conv2 --> n_u7_pool"), "{fine}");
    assert!(fine.contains("n_input --> n_u0_stem_0"), "{fine}");
    assert!(fine.contains("n_u9_fc --> n_output"), "{fine}");
    // The leaf level has 10 boxes; with at most 8 the chart moves up a level, where the two
    // ResBlocks are one box.
    let coarse = run_ok(&["trace", &trace, "--max-nodes", "8"]);
    assert_valid_everywhere(&coarse);
    assert!(
        coarse.contains("ResBlock x2<br/>blocks.0 .. blocks.1"),
        "{coarse}"
    );
    assert!(!coarse.contains("blocks.0.conv1"), "{coarse}");
    assert!(coarse.contains("Input<br/>x: [B, 3, 32, 32]"), "{coarse}");
    assert!(coarse.contains("Output<br/>[B, 10]"), "{coarse}");
    // stem.0..3, ResBlock x2, pool, flatten, fc = 8 boxes, plus input and output.
    let boxes = coarse
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("n_") && !l.contains("-->"))
        .count();
    assert_eq!(boxes, 10, "{coarse}");
}

#[test]
fn shapes_chart_follows_the_tensor() {
    let out = run_ok(&["shapes", &data("tiny_cnn_trace.json"), "--max-nodes", "8"]);
    assert_valid_everywhere(&out);
    assert!(
        out.starts_with("%% TinyCNN") && out.contains("flowchart LR\n"),
        "{out}"
    );
    // Shapes derived by hand from the layer definitions in the trace.
    for shape in [
        "[B, 3, 32, 32]",
        "[B, 16, 32, 32]",
        "[B, 16, 16, 16]",
        "[B, 16, 1, 1]",
        "[B, 16]",
        "[B, 10]",
    ] {
        assert!(
            out.contains(&format!("[\"{shape}\"]")),
            "missing {shape} in\n{out}"
        );
    }
    assert!(out.contains(r#"-->|"Conv 3x3"|"#), "{out}");
    assert!(
        out.contains(r#"-->|"BatchNorm + ReLU + MaxPool 2x2, s=2"|"#),
        "{out}"
    );
    assert!(
        out.contains(r#"-->|"ResBlock x2 + AdaptiveAvgPool"|"#),
        "{out}"
    );
    assert!(out.contains(r#"-->|"Linear 16→10"|"#), "{out}");
}

#[test]
fn trace_with_error_or_wrong_schema_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.json");
    std::fs::write(&p, r#"{"schema": "other/v9", "modules": []}"#).unwrap();
    let out = bin().args(["trace", p.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported trace schema"));
    std::fs::write(
        &p,
        r#"{"schema": "paper-replication/trace/v1", "modules": [], "error": {"type": "RuntimeError", "message": "shape mismatch", "module": "fc", "last_shapes": []}}"#,
    )
    .unwrap();
    let out = bin()
        .args(["shapes", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("RuntimeError in `fc`: shape mismatch"),
        "{err}"
    );
}

#[test]
fn code_mode_draws_forward_from_shape_comments() {
    let model = data("tiny_resnet.py");
    let out = run_ok(&["code", &model, "--class", "TinyResNet"]);
    assert_valid_everywhere(&out);
    // Nodes in forward order (ids v0..): x, stem, blocks, side, concat, pool, flatten, fc, output.
    for needle in [
        r#"n_v0(["x<br/>[B, 3, 32, 32]"])"#,
        r#"n_v1["stem: Conv2d (Conv 3x3, s=2)<br/>[B, 16, 16, 16]"]"#,
        r#"n_v2["blocks: Block x3<br/>[B, 16, 16, 16]"]"#,
        r#"n_v4(("concat (concat)<br/>[B, 32, 16, 16]"))"#,
        // The return has no shape comment: the output is the tensor fc returns, [B, 10].
        r#"n_v8(["output<br/>[B, 10]"])"#,
        "n_v0 --> n_v1",
        "n_v0 --> n_v3",
        "n_v2 --> n_v4",
        "n_v3 --> n_v4",
        "n_v7 --> n_v8",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    // At module level (fewer nodes allowed) the functional flatten disappears.
    let coarse = run_ok(&["code", &model, "--class", "TinyResNet", "--max-nodes", "8"]);
    assert_valid_everywhere(&coarse);
    assert!(!coarse.contains("flatten"), "{coarse}");
    assert!(coarse.contains("module level"), "{coarse}");

    let block = run_ok(&["code", &model, "--class", "Block"]);
    assert_valid_everywhere(&block);
    // The residual join takes the block input and conv2's output.
    assert!(
        block.contains(r#"n_v4(("+ (residual add)<br/>[B, C, H, W]"))"#),
        "{block}"
    );
    assert!(
        block.contains("n_v0 --> n_v4") && block.contains("n_v3 --> n_v4"),
        "{block}"
    );

    let out = bin()
        .args(["code", &model, "--class", "Nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no class `Nope`") && err.contains("TinyResNet"),
        "{err}"
    );
}

/// `tiny_resnet_trace.json` was written by the project's tracer
/// (`python3 skill/paper-replication/scripts/trace_shapes.py tests/data/tiny_resnet.py:TinyResNet
/// --input "x=[2,3,32,32]"`); the expected graph follows from the model's forward: `side` reads
/// the input, and the concatenation of `blocks` and `side` (a statement of forward, no
/// module: its node names the line the trace recorded it at) feeds `pool`.
#[test]
fn trace_edges_follow_shapes_across_a_branch_and_a_join() {
    let out = run_ok(&["trace", &data("tiny_resnet_trace.json")]);
    assert_valid_everywhere(&out);
    let src = std::fs::read_to_string(data("tiny_resnet.py")).unwrap();
    let cat_line = src.lines().position(|l| l.contains("torch.cat")).unwrap() + 1;
    let cat =
        format!(r#"n_op3("no module: TinyResNet.forward line {cat_line}<br/>[B, 32, 16, 16]")"#);
    for needle in [
        r#"subgraph g_blocks_0["blocks.0 .. blocks.2 (Block x3, blocks.0 drawn)<br/>[B, 16, 16, 16] → [B, 16, 16, 16]"]"#,
        "n_input --> n_u0_stem",
        // conv1 and conv2 of a Block: same class, same shapes in and out, one box.
        r#"n_u1_blocks_0_conv1["Conv2d x2<br/>blocks.0.conv1 .. blocks.0.conv2<br/>"#,
        "n_input --> n_u2_side",
        &cat,
        "n_u1_blocks_0_conv1 --> n_op3",
        "n_u2_side --> n_op3",
        "n_op3 --> n_u3_pool",
        "n_u4_fc --> n_output",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    assert!(!out.contains("n_u1_blocks_0_conv1 --> n_u2_side"), "{out}");
    // At depth 1 the stage box says what it holds: `blocks = nn.Sequential(*[Block(16) for _ in
    // range(3)])` in tiny_resnet.py.
    let top = run_ok(&["trace", &data("tiny_resnet_trace.json"), "--depth", "1"]);
    assert!(
        top.contains(r#"n_u1_blocks["Sequential: Block x3<br/>blocks<br/>[B, 16, 16, 16]"]"#),
        "{top}"
    );
    let shapes = run_ok(&["shapes", &data("tiny_resnet_trace.json")]);
    assert_valid_everywhere(&shapes);
    // `side` reads the model input, so its edge starts from the input shape, not from the
    // output of the blocks (which keep [B, 16, 16, 16] and end in a node of that shape).
    for needle in [
        r#"n_s0 -->|"Conv 3x3, s=2"| n_s1"#,
        r#"n_s1 -->|"Block x3"| n_s2"#,
        r#"n_s2["[B, 16, 16, 16]"]"#,
        r#"n_s0 -->|"Conv 1x1, s=2"| n_s3"#,
    ] {
        assert!(shapes.contains(needle), "missing {needle} in\n{shapes}");
    }
}

#[test]
fn code_mode_keeps_every_input_and_never_relabels_a_pass_through() {
    let out = run_ok(&["code", &data("tiny_resnet.py"), "--class", "TwoInputs"]);
    assert_valid_everywhere(&out);
    for needle in [
        // `mask = src[:, :1]` creates no node, so `src` keeps its own shape.
        r#"n_v0(["src<br/>[B, 8]"])"#,
        r#"n_v1(["tgt"])"#,
        r#"n_v2["enc: Linear<br/>[B, 8]"]"#,
        r#"n_v4(("+ (decoder + memory)<br/>[B, 8]"))"#,
        "n_v0 --> n_v2",
        "n_v1 --> n_v3",
        "n_v3 --> n_v4",
        "n_v2 --> n_v4",
        // `y * mask`: a join of the sum and the input the mask was sliced from.
        "n_v4 --> n_v5",
        "n_v0 --> n_v5",
        "n_v5 --> n_v6",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
}

/// A trace of the whole model holds the calls of its modules: `code --class Block` with
/// TinyResNet's trace labels Block from Block's three calls, never with the model's `[B, 10]`
/// (a dogfood run drew AlexNet's `[B, 1000]` on its feature extractor). Until the ConvNeXt
/// dogfood the trace was not used at all; the trace's records are the ground truth now: each
/// Block call takes and gives [2, 16, 16, 16] (stem: Conv 3x3, s=2 of 32x32 to 16 channels).
#[test]
fn code_of_a_module_uses_its_calls_in_a_model_trace() {
    let model = data("tiny_resnet.py");
    let trace = data("tiny_resnet_trace.json");
    let out = bin()
        .args(["code", &model, "--class", "Block", "--trace", &trace])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diagram = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!diagram.contains("[B, 10]"), "{diagram}");
    // The residual join of its shape-keeping convs, at the size all three calls recorded.
    assert!(
        diagram.contains(r#"n_v4(("+ (residual add)<br/>[B, 16, 16, 16]"))"#),
        "{diagram}"
    );
    assert!(
        err.contains("the trace is of TinyResNet: drawn from its 3 call(s) of Block"),
        "{err}"
    );
    // The model's own class still takes the measured output.
    let whole = run_ok(&["code", &model, "--class", "TinyResNet", "--trace", &trace]);
    assert!(whole.contains("[B, 10]"), "{whole}");
}

/// A whole-model trace whose blocks took the projection shortcut in one call and the identity
/// in two (tests/data/optional_downsample_trace.json, recorded by trace_shapes.py from
/// optional_downsample.py): both ways into the addition are drawn. The SENet dogfood's
/// bottleneck diagram lost its identity shortcut (12 of 16 calls) because the calls' recorded
/// sub-modules were merged as if every block had a downsample.
#[test]
fn a_shortcut_some_calls_skip_keeps_both_ways_in() {
    let model = data("optional_downsample.py");
    let trace = data("optional_downsample_trace.json");
    let diagram = run_ok(&["code", &model, "--class", "Block", "--trace", &trace]);
    let id = |label: &str| {
        diagram
            .lines()
            .find(|l| l.contains(label))
            .and_then(|l| l.trim().split(['(', '[']).next())
            .unwrap_or_else(|| panic!("no node {label} in:\n{diagram}"))
            .to_string()
    };
    let (x, down, add) = (
        id("x<br/>"),
        id("downsample: Conv2d"),
        id("+ (residual add)"),
    );
    for edge in [
        format!("{x} --> {add}"),
        // Some calls skip the downsample: its way in names the condition (optional_downsample.py).
        format!("{x} -->|\"if self.downsample is not None\"| {down}"),
        format!("{down} --> {add}"),
    ] {
        assert!(
            diagram.lines().any(|l| l.trim() == edge),
            "no `{edge}` in:\n{diagram}"
        );
    }
}

/// GoogLeNet's forward only calls `self._transform_input` and `self._forward`; FCN's is
/// inherited and returns a dict. delegating.py has all three: the diagram must follow the
/// methods into their bodies, take the trace of Net for Base (whose forward it ran), and feed
/// the output from both dict entries. The graph below is read by hand from delegating.py; the
/// shapes are the trace's (Conv 3x3 p=1 keeps 32x32, the 2x2 pool halves it).
#[test]
fn code_draws_through_own_methods_an_inherited_forward_and_a_dict_output() {
    let model = data("delegating.py");
    let trace = data("delegating_trace.json");
    let out = bin()
        .args(["code", &model, "--class", "Base", "--trace", &trace])
        .output()
        .unwrap();
    let diagram = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "no warning: the trace is of Base's forward");
    assert_valid_everywhere(&diagram);
    for needle in [
        r#"n_v0(["x<br/>[B, 3, 32, 32]"])"#,
        // The traced object is a Net: its __init__ built the layers, so they carry their type.
        r#"n_v1["conv: Conv2d<br/>[B, 8, 32, 32]"]"#,
        r#"n_v2["pool: MaxPool2d<br/>[B, 8, 16, 16]"]"#,
        r#"n_v3["head: Conv2d<br/>[B, 4, 16, 16]"]"#,
        r#"n_v4["aux: Conv2d<br/>[B, 2, 16, 16]"]"#,
        r#"n_v5(["output<br/>[B, 4, 16, 16], [B, 2, 16, 16]"])"#,
        "n_v0 --> n_v1",
        "n_v1 --> n_v2",
        "n_v2 --> n_v3",
        "n_v2 --> n_v4",
        "n_v3 --> n_v5",
        "n_v4 --> n_v5",
    ] {
        assert!(diagram.contains(needle), "missing {needle} in\n{diagram}");
    }
    assert_eq!(diagram.matches(" --> ").count(), 6, "{diagram}");
}

/// SKILL.md: the five-colour palette "as classDef lines, the same in every diagram". Each
/// generator writes all six classDef lines (input and output share a colour), used or not.
#[test]
fn every_generator_writes_the_whole_palette() {
    // The palette as SKILL.md writes it, not as mermaid-gen's source does.
    let skill =
        std::fs::read_to_string(common::workspace_root().join("skill/paper-replication/SKILL.md"))
            .unwrap();
    let palette: Vec<&str> = skill
        .lines()
        .filter(|l| l.starts_with("classDef "))
        .collect();
    assert_eq!(palette.len(), 6, "SKILL.md's palette block");
    let outputs = [
        run_ok(&["spec", &data("resnet_block.yaml")]),
        run_ok(&["trace", &data("tiny_cnn_trace.json")]),
        run_ok(&["shapes", &data("tiny_cnn_trace.json")]),
        run_ok(&["code", &data("tiny_resnet.py"), "--class", "TinyResNet"]),
    ];
    for out in &outputs {
        for line in &palette {
            assert_eq!(out.matches(line).count(), 1, "{line} in\n{out}");
        }
    }
}

/// The granularity is the author's: a method call whose statement carries a shape comment is
/// one box (transformer-base's `memory = self.encode(...)  # memory: [B, N, 512]`), one without
/// is drawn through (GoogLeNet's `self._forward(x)`). An optional parameter that nothing gives
/// a shape (`mask=None`) is no input node. The graph is read by hand from the source below.
#[test]
fn commented_method_calls_stay_boxes_and_optional_parameters_are_not_inputs() {
    let src = r#"import torch.nn as nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 8)
        self.head = nn.Linear(8, 2)

    def encode(self, x):
        return self.fc2(self.fc1(x))

    def forward(self, x, mask=None):
        # x: [B, 4]
        h = self.encode(x)
        # h: [B, 8] <- fc1, fc2
        return self.head(h)
        # [B, 2]
"#;
    let out = draw_code(src, "Net");
    assert_valid_everywhere(&out);
    for needle in [
        r#"n_v0(["x<br/>[B, 4]"])"#,
        r#"n_v1["encode (fc1, fc2)<br/>[B, 8]"]"#,
        r#"n_v2["head: Linear"]"#,
        "n_v0 --> n_v1",
        "n_v1 --> n_v2",
        "n_v2 --> n_v3",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    assert!(!out.contains("mask"), "{out}");
    assert!(!out.contains("fc1:"), "encode is one box: {out}");
}

#[test]
fn code_reads_an_enumerated_container_as_one_loop_box() {
    // timm's FastViT: `for idx, block in enumerate(self.stages)`. The loop variable is a call of
    // the container, drawn once between the stem and the head (before, an anonymous "call" box,
    // and the trace's `stages` was left out).
    let src = r#"import torch.nn as nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Linear(4, 8)
        self.stages = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = self.stem(x)
        for idx, block in enumerate(self.stages):
            x = block(x)
        return self.head(x)
"#;
    let out = draw_code(src, "Net");
    assert_valid_everywhere(&out);
    for needle in [
        r#"n_v1["stem: Linear"]"#,
        r#"n_v2["stages: Linear x3"]"#,
        r#"n_v3["head: Linear"]"#,
        "n_v1 --> n_v2",
        "n_v2 --> n_v3",
        "n_v3 --> n_v4",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    assert!(!out.contains("call"), "{out}");
}

#[test]
fn code_feeds_a_value_carried_around_a_loop_back_into_its_readers() {
    // timm's HRNet head: `y = incre(x) + down(y)` in a loop. Read by hand: `down` reads the y
    // of the previous iteration, which is the first arm's `inc` or the second arm's sum; before,
    // `down` had no input at all (y was None before the loop) and read as a second input.
    let src = r#"import torch.nn as nn


class Carried(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inc = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.down = nn.Linear(4, 4)

    def forward(self, x):
        y = None
        for i, blk in enumerate(self.inc):
            if y is None:
                y = blk(x)
            else:
                y = blk(x) + self.down(y)
        return y
"#;
    let out = draw_code(src, "Carried");
    assert_valid_everywhere(&out);
    for needle in [
        r#"n_v0(["x"])"#,
        r#"n_v1["inc: Linear x3"]"#,
        r#"n_v2["inc: Linear x3"]"#,
        r#"n_v3["down: Linear"]"#,
        r#"n_v4(("+"))"#,
        r#"n_v5(["output"])"#,
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    let mut edges: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" -->"))
        .collect();
    edges.sort();
    // The ways into the two arms carry the `if`'s condition and `else`.
    let mut want = vec![
        "n_v0 -->|\"if y is None\"| n_v1",
        "n_v0 -->|\"else\"| n_v2",
        "n_v1 --> n_v3",
        "n_v4 --> n_v3",
        "n_v2 --> n_v4",
        "n_v3 --> n_v4",
        "n_v1 --> n_v5",
        "n_v4 --> n_v5",
    ];
    want.sort();
    assert_eq!(edges, want, "{out}");
}

#[test]
fn code_looks_methods_up_along_the_class_and_its_bases() {
    // timm's LevitDistilled inherits forward but overrides forward_head to add head_dist; the
    // drawn head must be the override (before: Base's, with head_dist missing).
    let src = r#"import torch.nn as nn


class Base(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = self.stem(x)
        return self.forward_head(x)

    def forward_head(self, x):
        return self.head(x)


class Distilled(Base):
    def __init__(self) -> None:
        super().__init__()
        self.head_dist = nn.Linear(8, 2)

    def forward_head(self, x):
        return (self.head(x) + self.head_dist(x)) / 2
"#;
    let out = draw_code(src, "Distilled");
    assert_valid_everywhere(&out);
    for needle in [
        r#"n_v1["stem: Linear"]"#,
        r#"n_v2["head: Linear"]"#,
        r#"n_v3["head_dist: Linear"]"#,
        "n_v1 --> n_v2",
        "n_v1 --> n_v3",
    ] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
}

#[test]
fn code_reads_tensor_metadata_as_no_data_and_a_forward_with_nothing_to_draw_exits_1() {
    // SSD dogfood: the head's `x.shape[0]` drew an edge from x into the reshape, L2Norm's
    // `(x * x).sum(1)` an anonymous "call", and DefaultBoxes (forward returns a buffer) a lone
    // `output` box with exit 0.
    let src = r#"import torch
import torch.nn as nn


class Head(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.loc = nn.Conv2d(8, 16, 3, padding=1)

    def forward(self, x, feat):
        n = x.shape[0]
        y = self.loc(feat)
        return y.reshape(n, -1, 4)


class Norm(nn.Module):
    def forward(self, x):
        return x / (x * x).sum(1, keepdim=True).sqrt()


class Boxes(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("boxes", torch.zeros(8732, 4))

    def forward(self):
        return self.boxes
"#;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("net.py");
    std::fs::write(&p, src).unwrap();
    let path = p.to_str().unwrap();
    let head = run_ok(&["code", path, "--class", "Head"]);
    assert!(head.contains(r#"n_v2["loc: Conv2d"]"#), "{head}");
    assert!(head.contains(r#"n_v3("reshape")"#), "{head}");
    assert!(
        head.contains("n_v1 --> n_v2") && head.contains("n_v2 --> n_v3"),
        "{head}"
    );
    assert!(
        !head.contains("n_v0 --> n_v3"),
        "x only gives its batch size: {head}"
    );
    let norm = run_ok(&["code", path, "--class", "Norm"]);
    assert!(
        norm.contains(r#"("sum")"#) && norm.contains(r#"("sqrt")"#),
        "{norm}"
    );
    assert!(!norm.contains("call"), "{norm}");
    let out = bin()
        .args(["code", path, "--class", "Boxes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Boxes.forward draws no module call"), "{err}");
}

/// `mermaid-gen code` of class `class` in the Python source `src` (written to a temporary file).
fn draw_code(src: &str, class: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("net.py");
    std::fs::write(&p, src).unwrap();
    run_ok(&["code", p.to_str().unwrap(), "--class", class])
}

/// An output returned from two arms (a residual added only when the block keeps its shape, the
/// EfficientNet dogfood's MBConv) takes the shape both arms' comments give; arms that disagree
/// leave it without one, with the warning, rather than borrowing one arm's.
#[test]
fn an_output_from_two_arms_takes_the_shape_they_agree_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mb.py");
    let agree = "import torch\nimport torch.nn as nn\n\n\nclass MB(nn.Module):\n    def __init__(self, c: int, use_res: bool) -> None:\n        super().__init__()\n        self.conv = nn.Conv2d(c, c, kernel_size=3, padding=1)\n        self.use_res = use_res\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, C, H, W] <- input\n        out = self.conv(x)  # out: [B, C, H, W] <- Conv2d(C, C, k=3, p=1)\n        if self.use_res:\n            out = out + x  # out: [B, C, H, W] <- residual add\n        return out\n";
    std::fs::write(&p, agree).unwrap();
    let out = bin()
        .args(["code", p.to_str().unwrap(), "--class", "MB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_valid_everywhere(&text);
    assert!(text.contains(r#"(["output<br/>[B, C, H, W]"])"#), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("output node"));
    // The same block whose add arm doubles the channels (a concat): the arms disagree.
    let disagree = agree.replace(
        "out = out + x  # out: [B, C, H, W] <- residual add",
        "out = torch.cat([out, x], dim=1)  # out: [B, 2*C, H, W] <- concat",
    );
    std::fs::write(&p, disagree).unwrap();
    let out = bin()
        .args(["code", p.to_str().unwrap(), "--class", "MB"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#"(["output"])"#), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("output node `output` has no tensor shape"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Without a trace, an `if` whose arm cannot be decided is drawn with both arms, and each way in
/// carries its condition: unlabelled, the two arms joining at the next layer read as two
/// paths that both run and merge (the "draws both if-arms" dogfood finding). Expected edges by
/// hand from the source: conv (v1) feeds pool (v2) under `if self.use_pool`, down (v3) under
/// `else`, and both feed head (v4) unlabelled; in the `elif` chain the inner `if` names its
/// own condition and its `else`; with no `else`, only the arm's way in is labelled and the
/// skip edge stays plain.
#[test]
fn undecided_if_arms_are_labelled_with_their_condition() {
    let head = "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self, mode: str = \"pool\") -> None:\n        super().__init__()\n        self.mode = mode\n        self.conv = nn.Conv2d(3, 16, 3, padding=1)\n        self.pool = nn.MaxPool2d(2)\n        self.down = nn.Conv2d(16, 16, 3, stride=2, padding=1)\n        self.avg = nn.AvgPool2d(2)\n        self.head = nn.Conv2d(16, 8, 1)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 3, H, W]\n        x = self.conv(x)  # x: [B, 16, H, W] <- Conv2d(3, 16, k=3, p=1)\n";
    let tail = "        x = self.head(x)  # x: [B, 8, H//2, W//2] <- Conv2d(16, 8, k=1)\n        return x\n";
    let if_else = format!(
        "{head}        if self.mode == \"pool\":\n            x = self.pool(x)  # x: [B, 16, H//2, W//2] <- MaxPool2d(2)\n        else:\n            x = self.down(x)  # x: [B, 16, H//2, W//2] <- Conv2d(16, 16, k=3, s=2, p=1)\n{tail}"
    );
    let out = draw_code(&if_else, "Net");
    assert_valid_everywhere(&out);
    // The label's quotes are Mermaid's entity `#quot;` (the label is a quoted string).
    assert!(
        out.contains("n_v1 -->|\"if self.mode == #quot;pool#quot;\"| n_v2\n"),
        "{out}"
    );
    assert!(out.contains("n_v1 -->|\"else\"| n_v3\n"), "{out}");
    assert!(
        out.contains("n_v2 --> n_v4\n") && out.contains("n_v3 --> n_v4\n"),
        "{out}"
    );

    let elif = format!(
        "{head}        if self.mode == \"pool\":\n            x = self.pool(x)  # x: [B, 16, H//2, W//2] <- MaxPool2d(2)\n        elif self.mode == \"avg\":\n            x = self.avg(x)  # x: [B, 16, H//2, W//2] <- AvgPool2d(2)\n        else:\n            x = self.down(x)  # x: [B, 16, H//2, W//2] <- Conv2d(16, 16, k=3, s=2, p=1)\n{tail}"
    );
    let out = draw_code(&elif, "Net");
    assert_valid_everywhere(&out);
    assert!(
        out.contains("n_v1 -->|\"if self.mode == #quot;pool#quot;\"| n_v2\n"),
        "{out}"
    );
    assert!(
        out.contains("n_v1 -->|\"if self.mode == #quot;avg#quot;\"| n_v3\n"),
        "{out}"
    );
    assert!(out.contains("n_v1 -->|\"else\"| n_v4\n"), "{out}");
    for arm in ["n_v2", "n_v3", "n_v4"] {
        assert!(out.contains(&format!("{arm} --> n_v5\n")), "{out}");
    }

    let no_else = format!(
        "{head}        if self.mode == \"pool\":\n            x = self.pool(x)  # x: [B, 16, H//2, W//2] <- MaxPool2d(2)\n{tail}"
    );
    let out = draw_code(&no_else, "Net");
    assert_valid_everywhere(&out);
    assert!(
        out.contains("n_v1 -->|\"if self.mode == #quot;pool#quot;\"| n_v2\n"),
        "{out}"
    );
    assert!(
        out.contains("n_v1 --> n_v3\n") && out.contains("n_v2 --> n_v3\n"),
        "{out}"
    );
    assert!(!out.contains("\"else\""), "{out}");

    // A condition with Mermaid's own syntax in it (pipes, quotes, brackets, braces, `#`, `;`,
    // `<`, `-->`) and longer than the label allows: still one valid edge, cut with `…`.
    let hostile = format!(
        "{head}        if x.shape[-1] < 3 and \"a|b\" in {{1: \"#;\"}} or \"-->\" in self.mode:\n            x = self.pool(x)  # x: [B, 16, H//2, W//2] <- MaxPool2d(2)\n{tail}"
    );
    let out = draw_code(&hostile, "Net");
    assert_valid_everywhere(&out);
    let labelled: Vec<&str> = out.lines().filter(|l| l.contains("-->|")).collect();
    assert_eq!(labelled.len(), 1, "{out}");
    assert!(
        labelled[0].trim().starts_with("n_v1 -->|\"if x.shape")
            && labelled[0].ends_with("…\"| n_v2"),
        "{out}"
    );
}
