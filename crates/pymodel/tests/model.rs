//! The model-level view on a hand-written file whose structure is known line by line.

use pymodel::{ExprKind, ModelFile, ParamKind, StmtKind};

const SRC: &str = r#"import torch.nn as nn


class Block(nn.Module):
    """Residual block (He et al., 2016)."""

    def __init__(self, ch: int, stride=2) -> None:
        super().__init__()
        self.conv = nn.Conv2d(ch, ch * 2, kernel_size=3, stride=stride, padding=1)
        if stride > 1:
            self.pool: nn.Module = nn.MaxPool2d(2)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x, *rest, scale: float = 1.0, **kw):
        """Doc."""
        # x: [B, C, H, W]
        y = self.conv(x)  # y: [B, 2*C, H//2, W//2] <- Conv2d(C, 2*C, k=3, s=2, p=1)
        if self.training:
            y = self.act(y)
            # y: [B, 2*C, H//2, W//2]

            # an unrelated comment after a blank line
        q, k = y.chunk(2, dim=1)
        # q, k: [B, C, H//2, W//2]
        # second note
        return q
"#;

#[test]
fn classes_layers_and_methods() {
    let f = ModelFile::parse(SRC).unwrap();
    let classes = f.classes();
    assert_eq!(classes.len(), 1);
    let (stmt, block) = classes[0];
    assert_eq!((stmt.line, stmt.end_line), (4, 26));
    assert_eq!(
        block.docstring.as_deref(),
        Some("Residual block (He et al., 2016).")
    );
    assert_eq!(block.bases[0].dotted().as_deref(), Some("nn.Module"));
    let layers = f.layers(block);
    let got: Vec<(&str, &str, u32)> = layers
        .iter()
        .map(|l| (l.attr.as_str(), l.ctor.as_str(), l.stmt.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("conv", "nn.Conv2d", 9),
            ("pool", "nn.MaxPool2d", 11),
            ("act", "nn.ReLU", 12)
        ]
    );
    let conv = layers[0].call;
    assert_eq!(conv.arg(2, "kernel_size").and_then(|e| e.as_int()), Some(3));
    assert_eq!(
        conv.arg(3, "stride").and_then(|e| e.dotted()).as_deref(),
        Some("stride")
    );
    assert!(matches!(
        conv.arg(1, "out_channels").unwrap().kind,
        ExprKind::BinOp { .. }
    ));

    let (_, init) = block.method("__init__").unwrap();
    // `-> None` would be inserted right after the parameter list's `)`.
    assert_eq!(f.text(init.params_span), "(self, ch: int, stride=2)");
    let (_, fwd) = block.method("forward").unwrap();
    let kinds: Vec<(&str, ParamKind)> = fwd
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("self", ParamKind::Regular),
            ("x", ParamKind::Regular),
            ("rest", ParamKind::VarArgs),
            ("scale", ParamKind::KeywordOnly),
            ("kw", ParamKind::VarKeywords)
        ]
    );
    assert!(fwd.returns.is_none());
}

#[test]
fn forward_steps_carry_their_comments() {
    let f = ModelFile::parse(SRC).unwrap();
    let (_, block) = f.class("Block").unwrap();
    let body = f.forward(block).unwrap();
    assert_eq!(body.input.len(), 1);
    assert_eq!(body.input[0].shape().unwrap().shape_text(), "[B, C, H, W]");

    let lines: Vec<(u32, usize, Vec<String>, usize)> = body
        .steps
        .iter()
        .map(|s| (s.stmt.line, s.depth, s.targets.clone(), s.notes.len()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (17, 0, vec!["y".to_string()], 1),
            (18, 0, vec![], 0),
            (19, 1, vec!["y".to_string()], 1),
            (23, 0, vec!["q".to_string(), "k".to_string()], 2),
            (26, 0, vec![], 0),
        ]
    );
    let first = body.steps[0].shape().unwrap();
    assert_eq!(
        first.description.as_deref(),
        Some("Conv2d(C, 2*C, k=3, s=2, p=1)")
    );
    assert_eq!(first.dims[2].eval(&|s| (s == "H").then_some(225)), Ok(112));
    assert_eq!(body.steps[3].shape().unwrap().names, vec!["q", "k"]);
    assert!(body.steps[3].notes[1].shape.is_none());
    assert!(matches!(body.steps[4].stmt.kind, StmtKind::Return(Some(_))));
}

#[test]
fn syntax_errors_have_positions() {
    let Err(pymodel::ParseError::Syntax(err)) = ModelFile::parse("def f(:\n    pass\n") else {
        panic!("a syntax error expected");
    };
    assert_eq!(err.line, 1);
    assert!(err.col >= 6, "{err}");
}

#[test]
fn comments_match_pythons_tokenizer_count() {
    // `#` inside strings is not a comment.
    let src = "s = '# not'  # one\n# two\nx = \"\"\"\n# not either\n\"\"\"\n";
    let f = ModelFile::parse(src).unwrap();
    let texts: Vec<&str> = f.comments().iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, vec!["# one", "# two"]);
    assert!(!f.comments()[0].own_line && f.comments()[1].own_line);
}

#[test]
fn method_is_the_last_definition_of_its_name() {
    // typing.overload stubs precede the implementation; Python binds the last def.
    let src = "import typing\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n    @typing.overload\n    def forward(self, x: int) -> int: ...\n\n    @typing.overload\n    def forward(self, x: str) -> str: ...\n\n    def forward(self, x):\n        y = x\n        return y\n";
    let f = ModelFile::parse(src).unwrap();
    let (_, class) = f.class("M").unwrap();
    let (stmt, def) = class.method("forward").unwrap();
    assert_eq!(stmt.line, 12);
    assert_eq!(def.body.len(), 2);
}
