//! Probe diagrams checked by both the checker and the live oracle (real Mermaid): verdicts must
//! agree on every one. The probes cover the lexer and grammar corners that real diagrams hit.

mod common;

use mermaid_gen::check::{Verdict, check_diagram};

/// Statement bodies, each wrapped in `flowchart TB` unless it starts with a header itself.
const PROBES: &[&str] = &[
    // Failures seen in real diagrams.
    "O[输出 y = F(x) + x]",
    "C[Conv1×1 + BN + ReLU<br/>[B, C_mid, H, W]]",
    "A --> end",
    "A --> end[End]",
    "end --> A",
    "subgraph 主路径 F(x)\nA\nend",
    "A -->|f(x)| B",
    "A -->|[B, C]| B",
    "A[task_type<br/>e.g. \"coding\"]",
    "A[/model 命令]",
    "A[/data/x]",
    "subgraph X\nA",
    "subgraph X {title}\nA\nend",
    "my node --> B",
    "A[\"x\"]::cls",
    "A --> B: text",
    "A <|-- B",
    "A[]",
    "A --> B %% note",
    "fill:rgb(225,245,254)",
    "A -- a--b --> B",
    "A --> B\nend",
    "A -->|O[n²]| B",
    "style A fill=#e1f5fe",
    "linkStyle 5 stroke:#f00",
    "A --> B\nlinkStyle 1 stroke:#f00",
    "A@{ shape: notashape }",
    "A@{ shape: Rect }",
    "A[a \\| b]",
    // Silent misparses (Mermaid accepts them).
    "S1[[B, 3, 224, 224]]",
    "A[\"He said \"hi\"\"]",
    "A---oB",
    "A---xB",
    "A[set direction LR here]",
    "style A fill:red;stroke:blue",
    "style A fill:#e1f5fe;stroke:#01579b",
    "A[Issue #123; fixed]",
    "classDef c fill:#f00\nclass A fill:#f00",
    "class A undefinedClass",
    "A -- text\nB --> C",
    // Verified OK.
    "A[a, b: c; d = e + f * g % h # i & j < k > l / m \\ n @ o ' p ~ q]",
    "A[`x`] --> B[...]",
    "A[100%] --> B[1. Step] --> C[__init__] --> D[llama.cpp]",
    "A[x² α·β → √d_k] --> B[（全角）]",
    "conv-1 --> layer1.conv --> 1x1conv --> 1 --> _a --> 中文节点",
    "classifier --> styleNode --> graphA",
    "Add((+))",
    "A1[\"Q × K^T<br/>B, N, N\"]",
    "A -->|\"÷ √d_k\"| B",
    "A -->|B, 64, 56, 56| B",
    "A -->|残差连接| B",
    "A -- text --> B",
    "A -. t .-> B",
    "A == t ==> B",
    "X --> Q & K & V",
    "A & B --> C & D",
    "A <--> B",
    "A --o B",
    "A --x B",
    "A e1@--> B",
    "A@{ shape: rect, label: \"Conv\" }",
    "A@{ shape: cyl }",
    "subgraph S[\"t\"]\nA\nend",
    "subgraph S [t]\nA\nend",
    "subgraph \"My Title\"\nA\nend",
    "subgraph Main Path\nA\nend",
    "subgraph E\nend",
    "subgraph O\nsubgraph I\nA\nend\nend",
    "subgraph S\ndirection LR\nA\nend",
    "subgraph S\nA\nend\nB --> S",
    "subgraph S\nA\nend\nS[box] --> A",
    "subgraph S\nA\nend\nstyle S fill:#fff\nclass S c",
    "classDef x fill:#e1f5fe,stroke:#01579b\nA --> B\nclass A,B x",
    "A:::x --> B\nclassDef x fill:#fff",
    "classDef default fill:#f9f",
    "style Z fill:#e1f5fe,stroke:#01579b\nZ --> Y",
    "A --> B\nlinkStyle 0 stroke:#f00",
    "A --> B\nlinkStyle default stroke:#f00",
    "A --> B & C\nlinkStyle 1 stroke:#f00",
    "A --> B\nstyle A stroke-dasharray: 5 5",
    "style A fill:#e1f5fe80",
    "style A fill:red",
    "A[user@host]",
    "A((circle)) --> B>odd] --> C{{hex}} --> D[(db)] --> E([stadium]) --> F[[sub]]",
    "A[/para/] --> B[\\alt\\] --> C[/trap\\] --> D[\\inv/]",
    "A(((double))) --> B{diamond}",
    "A[\"line1\\nline2\"]",
    "A[\"`**bold** md`\"]",
    "click A \"https://example.com\" \"tip\"",
    "click A callback",
    "accTitle: t\naccDescr: d\nA",
    "A-->B;B-->C;",
    "A --- B",
    "A ---> B",
    "A -----> B",
    "A ~~~ B",
    "A -->|text| B -->|more| C",
    "A[a] -- \"quoted text\" --> B",
    "end_node --> backend --> End --> END",
    "A[\"#quot;quoted#quot;\"]",
    "A[<b>bold</b> and <i>it</i>]",
    "A[\"<font color=\\\"red\\\">x</font>\"]",
    "A[a<font color=\"red\">x</font>]",
    // Headers.
    "graph TD;\nA-->B",
    "flowchart tb\nA",
    "graphTB\nA",
    "flowchart XY\nA",
    "flowchar TB\nA",
    "---\ntitle: T\n---\nflowchart LR\nA --> B",
    "%%{init: {\"theme\": \"dark\"}}%%\nflowchart LR\nA --> B",
    "flowchart TB\r\nA --> B\r\n",
    "flowchart TB\n\tA --> B",
    "%% comment first\nflowchart TB\nA",
    "graph\nA --> B",
    "%%{init: {'themeVariables': {'primaryColor': 'BB2528'}}}%%\nflowchart TB\nA",
    "%%{init: {'themeVariables': {'primaryColor': '#ff'}}}%%\nflowchart TB\nA",
    "%%{init: {'themeVariables': {'primaryColor': 'red', 'lineColor': '#F8B229'}}}%%\nflowchart TB\nA",
    "---\nconfig:\n  themeVariables:\n    primaryColor: \"#00100\"\n---\nflowchart TB\nA",
    "---\ntitle: \"unterminated\n---\nflowchart TB\nA",
    "flowchart LR\n  %% own line comment\n  A --> B",
];

#[test]
fn checker_verdicts_match_real_mermaid_on_probes() {
    let mut mismatches = Vec::new();
    for body in PROBES {
        let code = if ["flowchart", "graph", "---", "%%", "flowchar"]
            .iter()
            .any(|h| body.starts_with(h))
        {
            body.to_string()
        } else {
            format!("flowchart TB\n{body}\n")
        };
        let real = common::mermaid_parse(&code);
        let ours = check_diagram(&code);
        let ours_ok = ours.verdict == Verdict::Ok;
        assert_ne!(ours.verdict, Verdict::NotChecked, "{code}");
        if ours_ok != real.ok {
            mismatches.push(format!(
                "--- {code:?}\nreal: ok={} {:?}\nours: {:?}",
                real.ok, real.error, ours.diagnostics
            ));
        }
    }
    println!(
        "probe agreement: {}/{}",
        PROBES.len() - mismatches.len(),
        PROBES.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn silent_misparses_get_warnings() {
    for (body, code) in [
        ("S1[[B, 3, 224, 224]]", "W101"),
        ("A[\"He said \"hi\"\"]", "W102"),
        ("A---oB", "W103"),
        ("A[set direction LR here]", "W104"),
        ("A -- text\nB --> C", "W105"),
        ("classDef c fill:#f00\nA\nclass A fill:#f00", "W106"),
        ("A\nclass A undefinedClass", "W107"),
        ("A\nclass A 核心\nclassDef 核心x fill:#f9f", "W107"),
        ("style A fill:red;stroke:blue", "W108"),
        ("style A fill:e1f5fe", "W109"),
        ("A[Issue #123; fixed]", "W110"),
        ("subgraph S\nA\nend\nS[box] --> A", "W111"),
    ] {
        let diagram = format!("flowchart TB\n{body}\n");
        assert!(
            common::mermaid_parse(&diagram).ok,
            "real Mermaid rejects {diagram:?}"
        );
        let r = check_diagram(&diagram);
        assert_eq!(r.verdict, Verdict::Ok, "{diagram:?}");
        assert!(
            r.warnings().any(|w| w.code == code),
            "{diagram:?}: expected {code}, got {:?}",
            r.diagnostics
        );
    }
}

#[test]
fn correct_diagrams_get_no_warnings() {
    for body in [
        "A --> B\nclassDef 核心 fill:#f9f,stroke:#333\nclass A,B 核心",
        "A:::hot --> B\nclassDef hot fill:#f00",
        "subgraph S\nA\nend\nB --> S",
        "A --o B\nB --x C",
        "subgraph S\ndirection LR\nA\nend",
        "style A fill:#e1f5fe,stroke:#01579b",
        "A[\"F#40;x#41; = #35;1\"]",
    ] {
        let diagram = format!("flowchart TB\n{body}\n");
        assert!(
            common::mermaid_parse(&diagram).ok,
            "real Mermaid rejects {diagram:?}"
        );
        let r = check_diagram(&diagram);
        assert_eq!(r.verdict, Verdict::Ok, "{diagram:?}");
        assert_eq!(r.diagnostics, vec![], "{diagram:?}");
    }
}
