//! The three cases of issue 17, drawn from traces of real models: every stage is present, every
//! leaf call is counted, ids are unique, and real Mermaid parses the result.
//!
//! Fixtures (recorded with skill/paper-replication/scripts/trace_shapes.py at batch 2, then cut
//! to the fields mermaid-gen reads with `scripts/sweep-diagrams.py --strip`):
//! - `swin_t_trace.json`: torchvision 0.29.2 `swin_t(weights=None)`, input [2, 3, 224, 224];
//! - `mobilenet_v2_trace.json`: torchvision 0.29.2 `mobilenet_v2(weights=None)`, same input;
//! - `yolo_like_trace.json`: `yolo_like.py:YoloV1` (the 24 convs of YOLOv1), [2, 3, 448, 448];
//! - `shared_relu_trace.json`: `shared_relu.py:SharedRelu` (one ReLU called at five places),
//!   [2, 3, 64, 64]. It and the Swin-T trace carry each call's place (`seq`).
//! - `tiny_unet_trace.json`: `tiny_unet.py:TinyUNet` (two levels, two skips), [2, 1, 32, 32].
//! - `branchy_trace.json`: `branchy.py:Branchy` (branches the trace decides), [2, 3, 16, 16],
//!   with the modules never called and the root's attribute kinds.
//! - `flatten_head_trace.json`: `flatten_head.py:VGGish` (VGG's features / avgpool / flatten /
//!   classifier), [2, 3, 32, 32], with the root forward's assignments.
//!
//! Expected stages come from the papers, not from mermaid-gen: Swin-T (Liu et al. 2021, Table 7
//! and Sec. 3.1) has C = 96 and 2-2-6-2 blocks at H/4, H/8, H/16, H/32 with a patch merging
//! (2x down, 2x channels) before stages 2-4; MobileNetV2 (Sandler et al. 2018, Table 2) has
//! 17 bottlenecks in 7 groups (n = 1, 2, 3, 4, 3, 3, 1; c = 16, 24, 32, 64, 96, 160, 320);
//! YOLOv1 (Redmon et al. 2016, Figure 3) has 24 convolutions and 4 max-pools before the head.

mod common;

use std::collections::BTreeSet;

use common::{assert_mermaid_ok, bin, data, run_ok};
use mermaid_gen::check::{Verdict, check_diagram};

/// Leaf calls of a trace counted straight from the JSON: modules that are nobody's parent.
fn leaf_calls(trace: &str) -> u64 {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(trace).unwrap()).unwrap();
    let mods = v["modules"].as_array().unwrap();
    let parents: BTreeSet<&str> = mods.iter().filter_map(|m| m["parent"].as_str()).collect();
    mods.iter()
        .filter(|m| !parents.contains(m["path"].as_str().unwrap()))
        .map(|m| m["calls"].as_u64().unwrap_or(1))
        .sum()
}

/// Valid in real Mermaid and in our checker, ids declared once, and the header counts every
/// leaf call of the trace.
fn assert_sound(diagram: &str, trace: &str) {
    assert_mermaid_ok(diagram);
    let r = check_diagram(diagram);
    assert_eq!(r.verdict, Verdict::Ok, "{r:?}");
    assert_eq!(r.diagnostics, vec![], "checker warns on generated text");
    let mut ids = BTreeSet::new();
    for line in diagram.lines().map(str::trim) {
        let id = match line.strip_prefix("subgraph ") {
            Some(rest) => rest.split('[').next(),
            None if line.starts_with("n_") && !line.contains("-->") => line
                .split(['[', '(', '{'])
                .next()
                .filter(|_| line.contains(['[', '(', '{'])),
            None => None,
        };
        if let Some(id) = id {
            assert!(
                ids.insert(id.to_string()),
                "id {id} declared twice:\n{diagram}"
            );
        }
    }
    let n = leaf_calls(trace);
    assert!(
        diagram.contains(&format!("; {n} of {n} leaf module calls drawn)")),
        "expected all {n} leaf calls drawn:\n{diagram}"
    );
}

/// Shape-node labels of a `shapes` chart, in order.
fn shape_nodes(diagram: &str) -> Vec<String> {
    diagram
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("n_s") && !l.contains("-->"))
        .filter_map(|l| {
            l.split_once("[\"")
                .map(|(_, r)| r.trim_end_matches("\"]").to_string())
        })
        .collect()
}

/// `needles` occur in `hay` in this order.
fn assert_in_order(hay: &[String], needles: &[&str]) {
    let mut at = 0;
    for n in needles {
        match hay[at..].iter().position(|h| h == n) {
            Some(i) => at += i + 1,
            None => panic!("{n} missing (or out of order) in {hay:?}"),
        }
    }
}

/// Sum of the repeat counts of boxes or edge steps naming `ty` (`CNNBlock`, `CNNBlock x2`).
fn count_of(diagram: &str, ty: &str) -> usize {
    let mut n = 0;
    for (i, _) in diagram.match_indices(ty) {
        let rest = &diagram[i + ty.len()..];
        if rest.starts_with(|c: char| c.is_alphanumeric()) {
            continue; // a longer name
        }
        n += rest
            .strip_prefix(" x")
            .and_then(|r| {
                let d: String = r.chars().take_while(char::is_ascii_digit).collect();
                d.parse().ok()
            })
            .unwrap_or(1);
    }
    n
}

#[test]
fn swin_t_keeps_all_four_stages_and_every_patch_merging() {
    let trace = data("swin_t_trace.json");
    let flow = run_ok(&["trace", &trace]);
    assert_sound(&flow, &trace);
    for needle in [
        r#"["SwinTransformerBlock x2<br/>features.1.0 .. features.1.1<br/>[B, 56, 56, 96] → [B, 56, 56, 96]"]"#,
        r#"["SwinTransformerBlock x2<br/>features.3.0 .. features.3.1<br/>[B, 28, 28, 192] → [B, 28, 28, 192]"]"#,
        r#"["SwinTransformerBlock x6<br/>features.5.0 .. features.5.5<br/>[B, 14, 14, 384] → [B, 14, 14, 384]"]"#,
        r#"["SwinTransformerBlock x2<br/>features.7.0 .. features.7.1<br/>[B, 7, 7, 768] → [B, 7, 7, 768]"]"#,
        r#"["features.2 (PatchMerging)<br/>[B, 56, 56, 96] → [B, 28, 28, 192]"]"#,
        r#"["features.4 (PatchMerging)<br/>[B, 28, 28, 192] → [B, 14, 14, 384]"]"#,
        r#"["features.6 (PatchMerging)<br/>[B, 14, 14, 384] → [B, 7, 7, 768]"]"#,
        r#"n_output(["Output<br/>[B, 1000]"])"#,
    ] {
        assert!(flow.contains(needle), "missing {needle} in\n{flow}");
    }
    assert_eq!(count_of(&flow, "SwinTransformerBlock"), 2 + 2 + 6 + 2);
    // One box per top-level stage: features holds all of it, and still every call is counted.
    let top = run_ok(&["trace", &trace, "--depth", "1"]);
    assert_sound(&top, &trace);
    // torchvision's Swin-T `features` holds the patch embedding and the four stages (five
    // Sequentials) and three PatchMerging layers between the stages (`[type(c).__name__ for c
    // in swin_t().features]`): the box says so.
    assert!(
        top.contains(
            r#"["Sequential: Sequential x5, PatchMerging x3<br/>features<br/>[B, 7, 7, 768]"]"#
        ),
        "{top}"
    );
    let shapes = run_ok(&["shapes", &trace]);
    assert_sound(&shapes, &trace);
    assert_in_order(
        &shape_nodes(&shapes),
        &[
            "[B, 3, 224, 224]",
            "[B, 56, 56, 96]",
            "[B, 28, 28, 192]",
            "[B, 14, 14, 384]",
            "[B, 7, 7, 768]",
            "[B, 1000]",
        ],
    );
}

#[test]
fn mobilenet_v2_keeps_every_bottleneck_group() {
    let trace = data("mobilenet_v2_trace.json");
    let flow = run_ok(&["trace", &trace, "--depth", "2"]);
    assert_sound(&flow, &trace);
    // The first bottleneck of a group changes the shape and stands alone; the rest of the
    // group keeps it and shares one box.
    for needle in [
        r#"["InvertedResidual<br/>features.4<br/>[B, 32, 28, 28]"]"#,
        r#"["InvertedResidual x2<br/>features.5 .. features.6<br/>[B, 32, 28, 28] → [B, 32, 28, 28]"]"#,
        r#"["InvertedResidual x3<br/>features.8 .. features.10<br/>[B, 64, 14, 14] → [B, 64, 14, 14]"]"#,
        r#"["InvertedResidual x2<br/>features.12 .. features.13<br/>[B, 96, 14, 14] → [B, 96, 14, 14]"]"#,
        r#"["InvertedResidual x2<br/>features.15 .. features.16<br/>[B, 160, 7, 7] → [B, 160, 7, 7]"]"#,
        r#"["InvertedResidual<br/>features.17<br/>[B, 320, 7, 7]"]"#,
    ] {
        assert!(flow.contains(needle), "missing {needle} in\n{flow}");
    }
    assert_eq!(
        count_of(&flow, "InvertedResidual"),
        1 + 2 + 3 + 4 + 3 + 3 + 1
    );
    let shapes = run_ok(&["shapes", &trace]);
    assert_sound(&shapes, &trace);
    assert_in_order(
        &shape_nodes(&shapes),
        &[
            "[B, 3, 224, 224]",
            "[B, 32, 112, 112]",
            "[B, 16, 112, 112]",
            "[B, 24, 56, 56]",
            "[B, 32, 28, 28]",
            "[B, 64, 14, 14]",
            "[B, 96, 14, 14]",
            "[B, 160, 7, 7]",
            "[B, 320, 7, 7]",
            "[B, 1280, 7, 7]",
            "[B, 1000]",
        ],
    );
}

#[test]
fn yolo_like_stack_shows_all_24_convolutions() {
    let trace = data("yolo_like_trace.json");
    for args in [vec!["--depth", "2"], vec!["--max-nodes", "200"]] {
        let mut flow_args = vec!["trace", trace.as_str()];
        flow_args.extend(&args);
        let flow = run_ok(&flow_args);
        assert_sound(&flow, &trace);
        let mut shapes_args = vec!["shapes", trace.as_str()];
        shapes_args.extend(&args);
        let shapes = run_ok(&shapes_args);
        assert_sound(&shapes, &trace);
        // Figure 3: 448 -> 7x7 through 24 convs (strides 2 at conv 1 and conv 22) and 4 pools.
        assert_in_order(
            &shape_nodes(&shapes),
            &[
                "[B, 3, 448, 448]",
                "[B, 64, 224, 224]",
                "[B, 64, 112, 112]",
                "[B, 192, 112, 112]",
                "[B, 192, 56, 56]",
                "[B, 512, 56, 56]",
                "[B, 512, 28, 28]",
                "[B, 1024, 28, 28]",
                "[B, 1024, 14, 14]",
                "[B, 1024, 7, 7]",
                "[B, 1470]",
                "[B, 7, 7, 30]",
            ],
        );
        if args[0] == "--depth" {
            assert_eq!(count_of(&flow, "CNNBlock"), 24, "{flow}");
            assert_eq!(count_of(&shapes, "CNNBlock"), 24, "{shapes}");
        } else {
            // Leaf level: each CNNBlock opens into conv, batch norm and activation, except the
            // last two (identical 3x3, 1024 -> 1024 at 7x7), drawn once as "CNNBlock x2".
            assert_eq!(count_of(&shapes, "CNNBlock"), 2, "{shapes}");
            assert_eq!(count_of(&shapes, "Conv"), 22, "{shapes}");
            assert_eq!(count_of(&shapes, "BatchNorm"), 22, "{shapes}");
        }
        assert_eq!(count_of(&shapes, "MaxPool 2x2, s=2"), 4, "{shapes}");
    }
}

#[test]
fn a_trace_whose_calls_cannot_all_be_drawn_exits_1_naming_them() {
    // `b` has a parent that is neither in the trace nor a prefix of its path, and sits under
    // a module with no path at all: the only way to lose it is a bug, so fake one by giving
    // the tree a cycle (`a` is its own parent's child): the leaf under it is unreachable.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.json");
    std::fs::write(
        &p,
        r#"{"schema": "paper-replication/trace/v1", "inputs": {"x": [2, 4]}, "modules": [
{"path": "", "type": "Net", "order": 0, "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "a", "type": "Block", "parent": "a.b", "order": 1, "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "a.b", "type": "Block", "parent": "a", "order": 2, "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "a.b.c", "type": "Linear", "parent": "a.b", "order": 3, "inputs": [[2, 4]], "outputs": [[2, 4]]}
]}"#,
    )
    .unwrap();
    for cmd in ["trace", "shapes"] {
        let out = bin().args([cmd, p.to_str().unwrap()]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {err}");
        assert!(
            err.contains("represents 0 of 1 leaf module calls; not drawn: a.b.c"),
            "{cmd}: {err}"
        );
    }
}

/// Node labels of a `trace` flowchart (type and path lines), in declaration order.
fn flow_nodes(diagram: &str) -> Vec<String> {
    diagram
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("n_u") && !l.contains("-->"))
        .filter_map(|l| l.split_once("[\"").map(|(_, r)| r.to_string()))
        .map(|r| {
            let parts: Vec<&str> = r.split("<br/>").collect();
            format!("{} {}", parts[0], parts.get(1).unwrap_or(&""))
        })
        .collect()
}

#[test]
fn a_module_called_at_five_places_is_drawn_at_each() {
    // shared_relu.py's forward, read by hand: one `self.relu` after conv1, conv2, conv3, fc1
    // and fc2; one `self.pool` after the first two; one `self.drop` before fc1 and fc2.
    let trace = data("shared_relu_trace.json");
    let flow = run_ok(&["trace", &trace]);
    assert_sound(&flow, &trace);
    let want = [
        "Conv2d conv1",
        "ReLU relu (call 1 of 5)",
        "MaxPool2d pool (call 1 of 2)",
        "Conv2d conv2",
        "ReLU relu (call 2 of 5)",
        "MaxPool2d pool (call 2 of 2)",
        "Conv2d conv3",
        "ReLU relu (call 3 of 5)",
        "Dropout drop (call 1 of 2)",
        "Linear fc1",
        "ReLU relu (call 4 of 5)",
        "Dropout drop (call 2 of 2)",
        "Linear fc2",
        "ReLU relu (call 5 of 5)",
        "Linear fc3",
    ];
    assert_eq!(flow_nodes(&flow), want, "{flow}");
    // A chain: every node feeds the next one (no branch in this forward), except where
    // forward's own `torch.flatten(x, 1)` (no module) turns [B, 32, 8, 8] into [B, 2048]:
    // that step is a node of its own between the third ReLU and the first Dropout.
    let ids: Vec<&str> = flow
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("n_u") && !l.contains("-->"))
        .map(|l| l.split('[').next().unwrap())
        .collect();
    assert!(
        flow.contains(r#"n_op8("in forward, no module<br/>[B, 2048]")"#),
        "{flow}"
    );
    for w in ids.windows(2) {
        let direct = flow.contains(&format!("{} --> {}", w[0], w[1]));
        let via_flatten = w[0] == "n_u7_relu__call_3_of_5_"
            && flow.contains(&format!("{} --> n_op8", w[0]))
            && flow.contains(&format!("n_op8 --> {}", w[1]));
        assert!(direct || via_flatten, "{w:?}:\n{flow}");
    }
    // The shapes chart puts each ReLU on the edge where it runs: five in all, and the last
    // edge carries the two after fc1 and fc2.
    let shapes = run_ok(&["shapes", &trace]);
    assert_sound(&shapes, &trace);
    assert_eq!(count_of(&shapes, "ReLU"), 5, "{shapes}");
    assert!(
        shapes.contains("|\"ReLU + Dropout + Linear 64→64 + ReLU + Linear 64→10\"|"),
        "{shapes}"
    );
}

#[test]
fn without_call_order_a_reused_module_is_drawn_once_and_says_so() {
    // The same trace as an older harness wrote it: no `seq`.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("shared_relu_trace.json")).unwrap())
            .unwrap();
    for m in v["modules"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("seq");
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("old.json");
    std::fs::write(&p, v.to_string()).unwrap();
    let out = bin().args(["trace", p.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for named in [
        "3 module(s) run more than once",
        "`relu` x5",
        "`pool` x2",
        "`drop` x2",
    ] {
        assert!(err.contains(named), "{named} missing: {err}");
    }
    assert!(err.contains("does not say where each call sits"), "{err}");
    assert_eq!(err.lines().count(), 1, "one warning line: {err}");
}

/// A trace of hand-written calls: `seq` spans in the count of calls started.
fn hand_trace(modules: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"schema": "paper-replication/trace/v1", "inputs": {{"x": [2, 4]}}, "modules": [{modules}]}}"#
        ),
    )
    .unwrap();
    let s = p.to_str().unwrap().to_string();
    (dir, s)
}

#[test]
fn calls_that_follow_each_other_stay_one_box_with_their_count() {
    // A cell run three times in a row (starts 1, 2, 3: nothing else starts between them), then
    // a head: one box "Cell (3 calls)", not three.
    let (_d, p) = hand_trace(
        r#"{"path": "", "type": "Net", "order": 0, "seq": [[0, 5]], "inputs": [[2, 4]], "outputs": [[2, 3]]},
{"path": "cell", "type": "Cell", "parent": "", "order": 1, "calls": 3, "seq": [[1, 2], [2, 3], [3, 4]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "head", "type": "Linear", "parent": "", "order": 2, "seq": [[4, 5]], "inputs": [[2, 4]], "outputs": [[2, 3]]}"#,
    );
    let out = bin().args(["trace", &p]).output().unwrap();
    let flow = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        flow_nodes(&flow),
        ["Cell (3 calls) cell", "Linear head"],
        "{flow}"
    );
    assert!(
        flow.contains("(depth 1; 4 of 4 leaf module calls drawn)"),
        "{flow}"
    );
}

#[test]
fn a_shared_block_is_split_with_its_inside() {
    // `block` (with a child `fc`) runs at starts 1 and 4, and `mid` at 3 between them: two
    // pieces, each holding its own call of `fc` (starts 2 and 5), drawn open at depth 2.
    let (_d, p) = hand_trace(
        r#"{"path": "", "type": "Net", "order": 0, "seq": [[0, 6]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "block", "type": "Block", "parent": "", "order": 1, "calls": 2, "seq": [[1, 3], [4, 6]], "inputs": [[2, 4]], "outputs": [[2, 4]], "call_shapes": [{"inputs": [[2, 4]], "outputs": [[2, 4]]}, {"inputs": [[2, 4]], "outputs": [[2, 4]]}]},
{"path": "block.fc", "type": "Linear", "parent": "block", "order": 2, "calls": 2, "seq": [[2, 3], [5, 6]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "mid", "type": "ReLU", "parent": "", "order": 3, "seq": [[3, 4]], "inputs": [[2, 4]], "outputs": [[2, 4]]}"#,
    );
    let flow = run_ok(&["trace", &p, "--depth", "2"]);
    assert_eq!(
        flow_nodes(&flow),
        [
            "Linear block (call 1 of 2).fc",
            "ReLU mid",
            "Linear block (call 2 of 2).fc"
        ],
        "{flow}"
    );
    assert!(flow.contains("3 of 3 leaf module calls drawn"), "{flow}");
}

#[test]
fn a_call_outside_its_owner_is_not_placed_and_says_so() {
    // `a.x` belongs to `a` (called once, span [1, 3)) but its second call starts at 4, inside
    // `b`: it has no place under `a`, so nothing is split and a warning says why.
    let (_d, p) = hand_trace(
        r#"{"path": "", "type": "Net", "order": 0, "seq": [[0, 5]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "a", "type": "Block", "parent": "", "order": 1, "seq": [[1, 3]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "a.x", "type": "ReLU", "parent": "a", "order": 2, "calls": 2, "seq": [[2, 3], [4, 5]], "inputs": [[2, 4]], "outputs": [[2, 4]]},
{"path": "b", "type": "Block", "parent": "", "order": 3, "seq": [[3, 5]], "inputs": [[2, 4]], "outputs": [[2, 4]]}"#,
    );
    let out = bin().args(["trace", &p]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let flow = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("runs outside the calls of the module that owns it"),
        "{err}"
    );
    // Leaves: a.x (two calls) and b (one).
    assert!(flow.contains("3 of 3 leaf module calls drawn"), "{flow}");
}

#[test]
fn u_net_skips_are_drawn_into_the_up_blocks() {
    // tiny_unet.py's forward, read by hand: up1(x3, x2) and up2(y, x1). Each up-block is fed by
    // the path below it and by the encoder level of its resolution (the dogfood U-Net lost all
    // four skips when only the first input was followed).
    let trace = data("tiny_unet_trace.json");
    let flow = run_ok(&["trace", &trace, "--depth", "1"]);
    assert_sound(&flow, &trace);
    let mut edges: Vec<&str> = flow
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" --> "))
        .collect();
    edges.sort();
    let mut want = vec![
        "n_input --> n_u0_inc",
        "n_u0_inc --> n_u1_down1",
        "n_u1_down1 --> n_u2_down2",
        "n_u2_down2 --> n_u3_up1",
        "n_u1_down1 --> n_u3_up1",
        "n_u3_up1 --> n_u4_up2",
        "n_u0_inc --> n_u4_up2",
        "n_u4_up2 --> n_u5_outc",
        "n_u5_outc --> n_output",
    ];
    want.sort();
    assert_eq!(edges, want, "{flow}");
}

/// `(from, to)` titles of a `code` diagram's edges, the node ids replaced by their first label
/// line.
fn titled_edges(diagram: &str) -> Vec<(String, String)> {
    let mut titles = std::collections::BTreeMap::new();
    for line in diagram.lines().map(str::trim) {
        if let Some((id, rest)) = line.split_once(['[', '('])
            && id.starts_with("n_")
            && !id.contains(' ')
        {
            let title = rest.trim_start_matches(['[', '(', '"']);
            let title = title.split(['<', '"']).next().unwrap_or("").to_string();
            titles.insert(id.to_string(), title);
        }
    }
    // An edge into an undecided `if` arm carries a label: `a -->|"if ..."| b`.
    let mut edges: Vec<(String, String)> = diagram
        .lines()
        .filter_map(|l| l.trim().split_once(" -->"))
        .map(|(a, b)| {
            let b = b.trim_start();
            let b = match b.strip_prefix('|') {
                Some(rest) => rest.split_once("| ").map_or(rest, |(_, id)| id),
                None => b,
            };
            (titles[a].clone(), titles[b.trim()].clone())
        })
        .collect();
    edges.sort();
    edges
}

#[test]
fn code_draws_only_the_branches_the_trace_ran() {
    // branchy.py read by hand (its docstring): stem -> down[0..2] -> concat with the stem's
    // output kept in a list -> merge -> head. `aux` is None, `pool` is never called, the early
    // return of _features and the pre_logits arm of _head never run.
    let src = data("branchy.py");
    let trace = data("branchy_trace.json");
    let diagram = run_ok(&["code", &src, "--class", "Branchy", "--trace", &trace]);
    assert_mermaid_ok(&diagram);
    let e = |a: &str, b: &str| (a.to_string(), b.to_string());
    let mut want = vec![
        e("x", "stem: Conv2d"),
        e("stem: Conv2d", "down: Conv2d x2"),
        e("down: Conv2d x2", "concat"),
        e("stem: Conv2d", "concat"),
        e("concat", "merge: Conv2d"),
        e("merge: Conv2d", "head: Conv2d"),
        e("head: Conv2d", "output"),
    ];
    want.sort();
    assert_eq!(titled_edges(&diagram), want, "{diagram}");
    // Both down convolutions output [2, 8, 16, 16]: one shape for the box of two calls.
    assert!(
        diagram.contains("down: Conv2d x2<br/>[B, 8, 16, 16]"),
        "{diagram}"
    );
}

#[test]
fn without_a_trace_undecided_branches_are_alternatives_that_reach_the_output() {
    // No evidence: `aux` and `pool` may run, so both are drawn, and each joins the flow again
    // (before, the arm not drawn last was a dead end repro-check read as an unshaped output).
    // The pre_logits default is a literal, so _head's identity arm is still out.
    let src = data("branchy.py");
    let diagram = run_ok(&["code", &src, "--class", "Branchy"]);
    assert_mermaid_ok(&diagram);
    let edges = titled_edges(&diagram);
    let e = |a: &str, b: &str| (a.to_string(), b.to_string());
    for want in [
        e("stem: Conv2d", "aux"),
        e("aux", "head: Conv2d"),
        e("down: Conv2d x2", "pool: MaxPool2d"),
        e("pool: MaxPool2d", "concat"),
        e("down: Conv2d x2", "concat"),
        e("merge: Conv2d", "head: Conv2d"),
        e("head: Conv2d", "output"),
    ] {
        assert!(edges.contains(&want), "missing {want:?} in {diagram}");
    }
    let sources: BTreeSet<&String> = edges.iter().map(|(a, _)| a).collect();
    let sinks: Vec<&String> = edges
        .iter()
        .map(|(_, b)| b)
        .filter(|b| !sources.contains(b))
        .collect();
    assert!(
        sinks.iter().all(|s| *s == "output"),
        "dead ends: {sinks:?}\n{diagram}"
    );
    // Each undecided arm's way in names its condition (branchy.py lines 25 and 30), so two
    // ways that join read as alternatives, not as two paths that both run.
    for label in ["if self.aux is not None", "if self.use_pool"] {
        assert!(
            diagram.contains(&format!(" -->|\"{label}\"| ")),
            "no edge labelled {label:?} in {diagram}"
        );
    }
}

#[test]
fn a_positional_input_of_the_trace_shapes_forwards_first_parameter() {
    // trace_shapes.py labels an input given without a name `arg0` (its InputSpec.label); the
    // first parameter of forward is that input. Branchy's trace, re-labelled as if traced with
    // `--input "[2,3,16,16]"`.
    let text = std::fs::read_to_string(data("branchy_trace.json")).unwrap();
    let relabelled = text.replace(r#""inputs": {"x":"#, r#""inputs": {"arg0":"#);
    assert_ne!(text, relabelled);
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.json");
    std::fs::write(&trace, relabelled).unwrap();
    let src = data("branchy.py");
    let diagram = run_ok(&[
        "code",
        &src,
        "--class",
        "Branchy",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert!(
        diagram.contains(r#"n_v0(["x<br/>[B, 3, 16, 16]"])"#),
        "{diagram}"
    );
}

/// The lines of `diagram` inside the subgraph whose id starts with `g_{name}`.
fn subgraph_body<'d>(diagram: &'d str, name: &str) -> Vec<&'d str> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in diagram.lines().map(str::trim) {
        if l.starts_with(&format!("subgraph g_{name}")) {
            inside = true;
        } else if inside && l == "end" {
            break;
        } else if inside {
            out.push(l);
        }
    }
    out
}

#[test]
fn a_flatten_in_the_root_forward_is_drawn_before_the_classifier_not_inside_it() {
    // flatten_head.py line 20, read by hand: `x = torch.flatten(x, 1)` in VGGish.forward turns
    // avgpool's [B, 16, 2, 2] into [B, 64], which classifier.0 (Linear 64 -> 32) takes. The
    // step belongs to the root's forward: drawn between avgpool and the classifier subgraph.
    // With the assignments (line known) and without them (the classifier is an nn.Sequential,
    // whose forward only chains its children), the same.
    let full = data("flatten_head_trace.json");
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("assignments");
    let bare = dir.path().join("bare.json");
    std::fs::write(&bare, v.to_string()).unwrap();
    for (trace, step) in [
        (full.as_str(), "no module: VGGish.forward line 20"),
        (bare.to_str().unwrap(), "in forward, no module"),
    ] {
        let flow = run_ok(&["trace", trace, "--depth", "2"]);
        assert_sound(&flow, trace);
        let body = subgraph_body(&flow, "classifier");
        assert_eq!(body.len(), 4, "{flow}");
        assert!(body.iter().all(|l| !l.contains("no module")), "{flow}");
        let titles = titled_edges(&flow);
        assert!(
            titles.contains(&("AdaptiveAvgPool2d".to_string(), step.to_string())),
            "{titles:?}"
        );
        assert!(
            titles.contains(&(step.to_string(), "Linear".to_string())),
            "{titles:?}"
        );
    }
}
