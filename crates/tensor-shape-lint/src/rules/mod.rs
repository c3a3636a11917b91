//! The rule registry: one unit struct per rule, whose doc comment is its help text.
//!
//! `--explain CODE`, `--list-rules` and `references/lint-rules.md` are all generated from these
//! doc comments, so the documentation cannot drift from the code. The checks themselves live in
//! the family modules (`structure`, `types`, `comments`, `unspecified`, `pitfalls`, and the shape
//! checker) and report through [`crate::diagnostic::Diagnostic::new`] with the rule's
//! [`RuleInfo`].

/// How serious a finding is. `Info` findings (notes, inference gaps) never fail a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Static description of a rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Whether `--fix` can repair it.
    pub fixable: bool,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`.
    pub doc: &'static str,
}

impl RuleInfo {
    /// The documentation as Markdown (the doc comment's leading space removed).
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first paragraph of "What it does", for tables.
    pub fn summary(&self) -> String {
        let doc = self.doc_text();
        let what = doc
            .split("## What it does")
            .nth(1)
            .unwrap_or(&doc)
            .trim_start();
        let para = what.split("\n\n").next().unwrap_or("");
        para.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Implemented by every rule struct.
pub trait Rule {
    const INFO: RuleInfo;
}

/// Declares a rule struct; its `///` lines become the rule's documentation.
macro_rules! rule {
    ($(#[doc = $doc:literal])* $ty:ident, $code:literal, $name:literal, $sev:ident, fixable = $fix:literal) => {
        $(#[doc = $doc])*
        pub struct $ty;
        impl Rule for $ty {
            const INFO: RuleInfo = RuleInfo {
                code: $code,
                name: $name,
                severity: Severity::$sev,
                fixable: $fix,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}

// ---------------------------------------------------------------------------------------------
// TSL1xx: structure
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Flags a class that defines `forward` but does not inherit from `nn.Module` (or from a
    /// class that does).
    ///
    /// ## Why is this bad?
    /// Without `nn.Module` the parameters are not registered: `model.parameters()` misses them,
    /// `.to(device)` does not move them and `state_dict()` does not save them.
    ///
    /// ## Example
    /// ```python
    /// class Head:                 # TSL101
    ///     def forward(self, x): ...
    /// class Head(nn.Module):      # ok
    ///     def forward(self, x): ...
    /// ```
    NotAModule, "TSL101", "not-an-nn-module", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Flags an `nn.Module` subclass whose `__init__` does not call `super().__init__()`.
    ///
    /// ## Why is this bad?
    /// Assigning a sub-module before `nn.Module.__init__` ran raises
    /// `AttributeError: cannot assign module before Module.__init__() call`.
    ///
    /// ## Example
    /// ```python
    /// def __init__(self) -> None:
    ///     super().__init__()
    ///     self.fc = nn.Linear(4, 2)
    /// ```
    MissingSuperInit, "TSL102", "missing-super-init", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a `forward` with more than 60 statements.
    ///
    /// ## Why is this bad?
    /// The coding standard builds models from sub-modules that mirror the paper's blocks
    /// (a `Bottleneck`, an `EncoderLayer`); a long `forward` usually inlines them, which hides
    /// the architecture and makes shape comments hard to follow.
    ///
    /// ## Example
    /// Move repeated parts into their own `nn.Module` classes and call them from `forward`.
    ForwardTooLong, "TSL103", "forward-too-long", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a top-level model class (an `nn.Module` not used as a layer by another class in
    /// the file) that has no `_init_weights` method, or has one that is never called. A class
    /// that owns no weights (no `nn.Parameter`, no layer with weights, no sub-module of a kind
    /// the linter cannot see; a loss) has nothing to initialise and is exempt.
    ///
    /// ## Why is this bad?
    /// Papers specify initialisation (He, Xavier, truncated normal 0.02, zero-init of the last
    /// BatchNorm in a residual branch); PyTorch's defaults differ and silently change results.
    /// `self.apply(self._init_weights)` at the end of `__init__` makes the choice explicit.
    ///
    /// ## Example
    /// ```python
    /// def __init__(self) -> None:
    ///     ...
    ///     self.apply(self._init_weights)
    /// ```
    MissingInitWeights, "TSL104", "missing-init-weights", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Checks a `set_seed` function: it must seed `random`, `numpy`, `torch` and CUDA and set
    /// `torch.backends.cudnn.deterministic = True` and `torch.backends.cudnn.benchmark = False`.
    ///
    /// ## Why is this bad?
    /// A replication compares numbers with the paper; an unseeded generator or a
    /// non-deterministic cuDNN algorithm makes runs irreproducible.
    ///
    /// ## Example
    /// ```python
    /// def set_seed(seed: int) -> None:
    ///     random.seed(seed)
    ///     np.random.seed(seed)
    ///     torch.manual_seed(seed)
    ///     torch.cuda.manual_seed_all(seed)
    ///     torch.backends.cudnn.deterministic = True
    ///     torch.backends.cudnn.benchmark = False
    /// ```
    IncompleteSetSeed, "TSL105", "incomplete-set-seed", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a top-level model class whose docstring does not name the paper (no docstring, or
    /// none of: "et al", an arXiv id, a year, the word "paper").
    ///
    /// ## Why is this bad?
    /// The reader of replicated code must be able to find the source of every design choice.
    ///
    /// ## Example
    /// ```python
    /// class ResNet50(nn.Module):
    ///     """ResNet-50 from "Deep Residual Learning for Image Recognition" (He et al., 2016)."""
    /// ```
    MissingPaperDocstring, "TSL106", "missing-paper-docstring", Warning, fixable = false
}

// ---------------------------------------------------------------------------------------------
// TSL2xx: type annotations
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Flags function parameters without a type annotation (`self` and `cls` excepted). One
    /// finding per function lists all of them.
    ///
    /// ## Why is this bad?
    /// The coding standard annotates every parameter (`x: torch.Tensor`, `dim: int`) so that the
    /// reader knows what flows where; type checkers then catch swapped arguments.
    ///
    /// ## Example
    /// ```python
    /// def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    /// ```
    MissingParamAnnotation, "TSL201", "missing-parameter-annotation", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags functions without a return annotation.
    ///
    /// ## Why is this bad?
    /// Return types document what `forward` gives back (a tensor, a tuple of tensors).
    ///
    /// ## Fix
    /// `--fix` adds `-> None` to `__init__` (always correct: `__init__` must return `None`).
    /// Other functions must be annotated by hand.
    MissingReturnAnnotation, "TSL202", "missing-return-annotation", Warning, fixable = true
}

rule! {
    /// ## What it does
    /// Flags a parameter whose default is `None` while its annotation does not allow `None`
    /// (`mask: torch.Tensor = None`).
    ///
    /// ## Why is this bad?
    /// The annotation lies: use `Optional[torch.Tensor]` or `torch.Tensor | None`.
    ///
    /// ## Example
    /// ```python
    /// def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    /// ```
    ImplicitOptional, "TSL203", "implicit-optional", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a function that returns a tuple (`return x, attn`) while its return annotation is
    /// not a tuple type.
    ///
    /// ## Why is this bad?
    /// Callers unpack the result; the annotation should say `Tuple[torch.Tensor, torch.Tensor]`.
    ///
    /// ## Example
    /// ```python
    /// def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    ///     return out, attn
    /// ```
    TupleReturnAnnotation, "TSL204", "tuple-return-annotation", Warning, fixable = false
}

// ---------------------------------------------------------------------------------------------
// TSL3xx: shape comments
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Flags a statement in `forward` that produces a tensor but has no shape comment
    /// `# name: [d1, d2, ...] <- description` on its line or directly below it. In a file with
    /// no shape comments at all, one finding per file is reported instead of one per statement.
    ///
    /// ## Why is this bad?
    /// Shape comments are how the replication standard documents the data flow; they are also
    /// what this linter checks against the layers. `tensor-shape-lint annotate FILE` writes the
    /// missing ones from the inferred shapes.
    ///
    /// ## Example
    /// ```python
    /// x = self.conv1(x)  # x: [B, 64, H//2, W//2] <- Conv2d(3, 64, k=7, s=2, p=3)
    /// ```
    MissingShapeComment, "TSL301", "missing-shape-comment", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a `forward` without an input-shape comment between the `def` line (or docstring)
    /// and the first statement.
    ///
    /// ## Why is this bad?
    /// The input comment binds the symbols (B, C, H, W, T, ...) that every later comment is
    /// written in; without it nothing can be checked.
    ///
    /// ## Example
    /// ```python
    /// def forward(self, x: torch.Tensor) -> torch.Tensor:
    ///     # x: [B, 3, H, W]
    /// ```
    MissingInputShape, "TSL302", "missing-input-shape", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a comment that starts like a shape comment (`# name: [` or `# name: (`) but does
    /// not follow the grammar: square brackets, dims made of integers, symbols, `+ - * //` and
    /// parentheses, then optionally `<- description`.
    ///
    /// ## Why is this bad?
    /// A malformed comment cannot be checked and is easy to misread (`H/2` is a float in Python).
    ///
    /// ## Example
    /// ```python
    /// # x: [B, C, H/2, W/2]     TSL303: use H//2
    /// # x: [B, C, H//2, W//2]   ok
    /// ```
    MalformedShapeComment, "TSL303", "malformed-shape-comment", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a shape comment whose name is not one of the variables the statement assigns.
    ///
    /// ## Why is this bad?
    /// `out = self.conv(x)  # x: [...]` documents the wrong tensor, usually after a copy-paste.
    ///
    /// ## Example
    /// ```python
    /// out = self.conv(x)  # out: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)
    /// ```
    ShapeCommentName, "TSL304", "shape-comment-name-mismatch", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a symbol in a shape comment that is neither a standard symbol (B C H W T D N E K L
    /// S G P, with suffixes such as `H_out`, `W2`), nor declared in a `# symbols: X, Y` comment,
    /// nor a name from the code (`__init__` parameters, `self.` attributes, local variables).
    ///
    /// ## Why is this bad?
    /// Undeclared symbols make comments ambiguous; the standard keeps the vocabulary small.
    ///
    /// ## Example
    /// ```python
    /// # symbols: R = reduction ratio
    /// ```
    UnknownShapeSymbol, "TSL305", "unknown-shape-symbol", Warning, fixable = false
}

// ---------------------------------------------------------------------------------------------
// TSL4xx: "Paper did not specify" blocks
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Flags a "Paper did not specify" comment block that lacks one of the lines
    /// `Recommended:`, `Reference:`, `Alternatives:`, `Impact:`.
    ///
    /// ## Why is this bad?
    /// Every value the paper leaves open is a decision the user must be able to review: what
    /// was chosen, where it comes from, what else is plausible, and what it changes.
    ///
    /// ## Example
    /// ```python
    /// # Paper did not specify: dropout rate
    /// # Recommended: 0.1
    /// # Reference: BERT (Devlin et al., 2019), Section 3.1
    /// # Alternatives: 0.0, 0.2
    /// # Impact: regularisation strength; small effect at this scale
    /// self.dropout = nn.Dropout(0.1)
    /// ```
    IncompleteUnspecifiedBlock, "TSL401", "incomplete-unspecified-block", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a "Paper did not specify" block that is not directly above a statement (a blank
    /// line or the end of the block follows it).
    ///
    /// ## Why is this bad?
    /// The block documents one value; separated from it, the reader cannot tell which.
    ///
    /// ## Example
    /// Put the block on the lines right above the assignment it describes.
    DetachedUnspecifiedBlock, "TSL402", "detached-unspecified-block", Warning, fixable = false
}

// ---------------------------------------------------------------------------------------------
// TSL5xx: pitfalls
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Flags `.view(...)` on the result of `.transpose(...)`, `.permute(...)`, `.T` or `.mT`
    /// without `.contiguous()` in between (directly chained, or through a variable).
    ///
    /// ## Why is this bad?
    /// `transpose`/`permute` return non-contiguous views; `.view` then raises
    /// `RuntimeError: view size is not compatible with input tensor's size and stride`.
    ///
    /// ## Example
    /// ```python
    /// x = x.transpose(1, 2).contiguous().view(B, N, C)   # or .reshape(B, N, C)
    /// ```
    ViewAfterTranspose, "TSL501", "view-after-transpose", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Flags `BatchNorm*(momentum=m)` with `m >= 0.5` (typically 0.9 or 0.99).
    ///
    /// ## Why is this bad?
    /// TensorFlow's `momentum` is the weight of the *old* running statistic; PyTorch's is the
    /// weight of the *new* batch. TF's 0.99 is PyTorch's 0.01; copying 0.99 makes the running
    /// statistics follow each batch.
    ///
    /// ## Example
    /// ```python
    /// nn.BatchNorm2d(64, momentum=0.01)   # TF momentum=0.99
    /// ```
    BatchNormTfMomentum, "TSL502", "batchnorm-tf-momentum", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags an in-place operation (`nn.ReLU(inplace=True)` layer, `F.relu(x, inplace=True)`,
    /// `x.relu_()`) applied to a variable that is read again later in `forward` while the
    /// result is stored under another name.
    ///
    /// ## Why is this bad?
    /// The later read (typically a residual `out + x`) sees the modified values, or autograd
    /// fails with "one of the variables needed for gradient computation has been modified by an
    /// inplace operation".
    ///
    /// ## Example
    /// ```python
    /// out = self.relu(x)   # TSL503 when x is used below and relu is inplace
    /// out = out + x
    /// ```
    InplaceBeforeReuse, "TSL503", "inplace-before-reuse", Warning, fixable = false
}

rule! {
    /// ## What it does
    /// Flags `nn.Softmax()`, `F.softmax(x)`, `torch.softmax(x)` and `x.softmax()` without `dim`.
    ///
    /// ## Why is this bad?
    /// The implicit dimension is deprecated and chooses dim 0 for 0-, 1- and 3-D inputs, which
    /// is the batch dimension for many tensors.
    ///
    /// ## Example
    /// ```python
    /// attn = attn.softmax(dim=-1)
    /// ```
    SoftmaxWithoutDim, "TSL504", "softmax-without-dim", Error, fixable = false
}

// ---------------------------------------------------------------------------------------------
// TSL6xx: static shape checking
// ---------------------------------------------------------------------------------------------

rule! {
    /// ## What it does
    /// Compares each shape comment with the shape inferred from the layers built in `__init__`
    /// and the operations in `forward`. Both sides are evaluated at several bindings of the
    /// symbols (B, H, W, ... get distinct sizes), so swapped H/W cannot pass by coincidence.
    /// Reported only where the inference is certain; unknown operations are skipped.
    ///
    /// Constructor parameters are symbols named after them, never their defaults: the class
    /// may be built with other values. A parameter is bound where the code consumes the input
    /// (`Conv2d(in_channels, ...)` on `[B, C, H, W]` gives `in_channels = C`, `LayerNorm(4*dim)`
    /// on `[..., 4*C]` gives `dim = C`) or by the first comment that meets it (`[B, N, 576]`
    /// against `[B, N, dim*3]` gives `dim = 192`), or by the instantiation sites: a block the
    /// file builds only as `Bottleneck(256, 128, stride=2)` (every site passing the same
    /// literal, no other file of the tree naming it) is checked with `stride = 2`; sites that
    /// disagree or leave the argument to its default bind nothing. TSL601 fires only on a
    /// contradiction that holds under every binding consistent with that; any other
    /// comment is undecided (TSL690 with `--verbose`, counted in the summary line); so is a
    /// comment that equals the inference only for some input sizes (U-Net's tiles). A
    /// comment that fixes an argument nothing had bound (`[B, 64, H, W]` against `[B,
    /// out_channels, H, W]`) has that dim taken as given, not checked: the summary line
    /// counts it apart ("N binding constructor arguments"). The fields of a dataclass config
    /// the class takes (`config: ModelConfig`) are such arguments too (`config.dim`). A
    /// block repeated an unknown number of times (`[Block(d) for _ in range(depth)]`) keeps
    /// a shape only when one copy keeps it. A
    /// `# symbols:` item whose
    /// meaning names a constructor parameter ties it to the symbol: `# symbols: P = patch
    /// size` makes `patch_size` the free symbol `P`, so `[B, D, H//P, W//P]` is decided.
    /// Write a size the paper fixes in code as a named parameter and declare clashing paper
    /// symbols once: `# symbols: n_box = boxes per cell (YOLO's B), n_cls = classes (C)`.
    ///
    /// Lists filled at run time are followed when their trips are known (`append` in a
    /// `range(3)` or `zip`/`enumerate` loop without `break`, `Sequential(*layers)`, a
    /// `ModuleList` grown by `append`, `torch.cat` of a list); otherwise (comprehensions, a
    /// loop over an argument) they are unknown, never identity. Classes and helpers imported
    /// from the files beside the model are followed (`from modules.block import Block`,
    /// `from .block import Block`, `from modules import block` + `block.Block`, `import
    /// modules.block as m`): an absolute import is looked for from the importing file's
    /// folder up to the first folder that is not a package (no `__init__.py`), or its parent
    /// when that one holds `model.py` (SKILL.md's `output/`). What cannot be read (a library,
    /// a missing file, an import cycle) stays unknown, and `--verbose` says why.
    ///
    /// With `--at "x=[2,3,224,224]"` (the size the model is validated at, the paper's), a
    /// comment whose short form differs from the exact one at that size is TSL601 too, where
    /// it is otherwise a TSL602 note: `H//4` after AlexNet's conv1 (k=11, s=4, p=2) is 56 at
    /// 224, the layers give 55. The sizes bind the input symbols of each linted model whose
    /// forward declares `x`; components (used by another class, imported by another linted
    /// file) are checked as without `--at`.
    ///
    /// ## Why is this bad?
    /// A wrong comment misleads the reader, and usually means the code does not do what the
    /// paper describes (a forgotten stride, a wrong channel count).
    ///
    /// ## Example
    /// ```python
    /// self.conv = nn.Conv2d(64, 128, kernel_size=3, stride=2, padding=1)
    /// x = self.conv(x)  # x: [B, 128, H, W]        TSL601: inferred [B, 128, H//2, W//2]
    /// ```
    ShapeMismatch, "TSL601", "shape-mismatch", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Notes a shape comment that equals the inferred shape only when the input sizes are
    /// divisible (`Conv2d(k=3, s=2, p=1)` gives `(H - 1)//2 + 1`, which is `H//2` for even H).
    /// The note names the divisor, the exact form, what the layers give at an odd size, and
    /// the later comments of the same forward that assume divisible sizes too. A comment
    /// equal to the exact size only at some sizes that no divisibility describes (`H//4`
    /// after `Conv2d(k=11, s=4, p=2)`: exactly `(H - 7)//4 + 1`, 55 at 224, not 56) gets its
    /// own note with the exact form and a size where the two differ, 224 first; one wrong at
    /// every size is TSL601. So is one wrong at a size `--at` gives (the size the model is
    /// validated at): with `--at "x=[2,3,224,224]"` the `H//4` above is TSL601, `H//2` after a
    /// stride-2 convolution (112 either way at 224) stays a note. A note also says when `--at`
    /// names a model's input but cannot be bound to it (another rank, another number in the
    /// input comment): that forward is checked as without `--at`.
    ///
    /// ## Why is this bad?
    /// The comment is right only at the sizes it assumes: at 224 (ResNet, ViT) every stride-2
    /// step halves an even size, but at 299 (Inception, Xception) the first one gives 150,
    /// not `299//2` = 149, and every comment after it is one short. Compare the divisor with
    /// the paper's input size: if the size is divisible by it, state the assumption once in
    /// the module docstring ("Assumes H and W divisible by 32."); if not, the comment is
    /// wrong at the paper's size (the lint's `--at` then makes it TSL601, exit 1): write the
    /// exact form the note gives (`annotate` writes it
    /// unless `--at` gives a size where the short form holds). `--runtime` at the paper's
    /// size reports each such comment as TSL605.
    ///
    /// ## Example
    /// `x: [B, 64, H//2, W//2]` after a stride-2 conv: note "hold only when H and W are
    /// divisible by 2; exactly it is (H - 1)//2 + 1, (W - 1)//2 + 1 (at H = 299 the layers
    /// give 150, the comment 149)". `x: [B, 64, H//4, W//4]` after AlexNet's conv1 (k=11,
    /// s=4, p=2): note "hold only for some input sizes; exactly it is (H - 7)//4 + 1,
    /// (W - 7)//4 + 1 (at H = 224 the layers give 55, the comment 56)".
    DivisibilityAssumption, "TSL602", "divisibility-assumption", Info, fixable = false
}

rule! {
    /// ## What it does
    /// Checks the `<- Layer(...)` description of a shape comment against the layer's real
    /// constructor in `__init__`: the layer type and every integer argument that the
    /// description states (`k=`, `s=`, `p=`, `d=`, `g=` and the positional channel counts).
    ///
    /// ## Why is this bad?
    /// The description is what a reader compares with the paper; if it disagrees with the
    /// code, one of them is wrong.
    ///
    /// ## Example
    /// ```python
    /// self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3)
    /// x = self.conv1(x)  # x: [B, 64, H//2, W//2] <- Conv2d(3, 64, k=3, s=2, p=1)   TSL603: k=7, p=3
    /// ```
    DescriptionMismatch, "TSL603", "description-mismatch", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Flags a layer called on a tensor whose known size does not fit the layer: the channel
    /// dimension of a Conv/BatchNorm/GroupNorm input, the last dimension of a Linear/LayerNorm
    /// input, or the rank expected by the layer.
    ///
    /// ## Why is this bad?
    /// This is the `mat1 and mat2 shapes cannot be multiplied` error, found before running:
    /// typically a wrong `in_features` after a Flatten.
    ///
    /// ## Example
    /// ```python
    /// self.fc = nn.Linear(512 * 7 * 7, 10)   # but the flattened input has 512 * 4 * 4 features
    /// ```
    LayerInputMismatch, "TSL604", "layer-input-mismatch", Error, fixable = false
}

rule! {
    /// ## What it does
    /// With `--runtime model.py:Class --input "x=[...]"`: runs the real forward pass twice
    /// (the given input and one with other batch and spatial/sequence sizes) through the skill's
    /// `scripts/trace_shapes.py`, binds the comment symbols from the real input shapes, and
    /// compares every recorded assignment with the shape comment of its line. `--input2` gives
    /// the second size; a model built for one size takes `--one-size "<why>"` instead, and the
    /// second run changes the batch alone (the summary line says the two-size check was skipped).
    ///
    /// ## Why is this bad?
    /// It is the ground truth: where the static checker cannot follow the code (loops over
    /// module lists, custom operations), the real run still checks every comment.
    ///
    /// ## Example
    /// `out = self.pool(x)  # out: [B, C, H//2, W//2]` but at run time `out` is
    /// `[2, 64, 56, 56]` for `x=[2, 64, 56, 56]` (the pool has stride 1).
    RuntimeShapeMismatch, "TSL605", "runtime-shape-mismatch", Error, fixable = false
}

rule! {
    /// ## What it does
    /// Reports (only with `--verbose`) where shape inference stops: an operation or layer the
    /// checker does not model, a sub-module it cannot resolve. The variable then takes the shape
    /// from its comment, if any. Also every shape comment left undecided, with the reason
    /// ("dim 3 depends on constructor argument `k` that nothing binds"), and every comment that
    /// only fixed a constructor argument ("comment binds constructor arguments (width = 16)").
    ///
    /// ## Why is this bad?
    /// It is not: it tells you which comments were not checked, so you know what to verify by
    /// hand or with `--runtime`.
    InferenceGap, "TSL690", "inference-gap", Info, fixable = false
}

/// Every rule, in code order.
pub const RULES: &[&RuleInfo] = &[
    &NotAModule::INFO,
    &MissingSuperInit::INFO,
    &ForwardTooLong::INFO,
    &MissingInitWeights::INFO,
    &IncompleteSetSeed::INFO,
    &MissingPaperDocstring::INFO,
    &MissingParamAnnotation::INFO,
    &MissingReturnAnnotation::INFO,
    &ImplicitOptional::INFO,
    &TupleReturnAnnotation::INFO,
    &MissingShapeComment::INFO,
    &MissingInputShape::INFO,
    &MalformedShapeComment::INFO,
    &ShapeCommentName::INFO,
    &UnknownShapeSymbol::INFO,
    &IncompleteUnspecifiedBlock::INFO,
    &DetachedUnspecifiedBlock::INFO,
    &ViewAfterTranspose::INFO,
    &BatchNormTfMomentum::INFO,
    &InplaceBeforeReuse::INFO,
    &SoftmaxWithoutDim::INFO,
    &ShapeMismatch::INFO,
    &DivisibilityAssumption::INFO,
    &DescriptionMismatch::INFO,
    &LayerInputMismatch::INFO,
    &RuntimeShapeMismatch::INFO,
    &InferenceGap::INFO,
];

/// Families, by code prefix, for documentation.
pub const FAMILIES: &[(&str, &str)] = &[
    ("TSL1", "Structure"),
    ("TSL2", "Type annotations"),
    ("TSL3", "Shape comments"),
    ("TSL4", "\"Paper did not specify\" blocks"),
    ("TSL5", "PyTorch pitfalls"),
    ("TSL6", "Static shape checking"),
];

/// Looks a rule up by code (`TSL601`) or name (`shape-mismatch`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Help text for `--explain`.
pub fn explain(rule: &RuleInfo) -> String {
    format!(
        "# {} ({})\n\nSeverity: {:?}. Fix available: {}.\n\n{}",
        rule.name,
        rule.code,
        rule.severity,
        if rule.fixable { "yes" } else { "no" },
        rule.doc_text().trim_end()
    )
}

/// The rule list as plain text (`CODE name: summary`) or as a Markdown reference.
pub fn list(markdown: bool) -> String {
    let mut out = String::new();
    if !markdown {
        for r in RULES {
            out.push_str(&format!("{}  {:<30} {}\n", r.code, r.name, r.summary()));
        }
        return out;
    }
    out.push_str("# tensor-shape-lint rules\n\n");
    out.push_str(
        "Generated by `tensor-shape-lint --list-rules --format markdown`; do not edit by hand.\n\
         Select or ignore rules by code prefix (`--select TSL3`, `--ignore TSL106`, or\n\
         `[tool.tensor-shape-lint]` in `pyproject.toml`); silence one line with `# noqa: TSL301`.\n\
         Symbols every file may use are declared once there too (`# symbols:` does it per file):\n\n\
         ```toml\n[tool.tensor-shape-lint]\nsymbols = [\"A\", \"n_box\"]  # anchors per cell, boxes per cell (YOLO's B)\n```\n\n",
    );
    out.push_str("## Contents\n\n");
    for (prefix, family) in FAMILIES {
        out.push_str(&format!("- {prefix}xx {family}\n"));
        for r in RULES.iter().filter(|r| r.code.starts_with(prefix)) {
            out.push_str(&format!(
                "  - [{} {}](#{}-{})\n",
                r.code,
                r.name,
                r.code.to_ascii_lowercase(),
                r.name
            ));
        }
    }
    for (prefix, family) in FAMILIES {
        out.push_str(&format!("\n## {prefix}xx {family}\n"));
        for r in RULES.iter().filter(|r| r.code.starts_with(prefix)) {
            out.push_str(&format!(
                "\n### {} {}\n\nSeverity: {:?}. Fix available: {}.\n\n",
                r.code,
                r.name,
                r.severity,
                if r.fixable { "yes" } else { "no" }
            ));
            // Demote the rule's own headings one level below the rule heading.
            for line in r.doc_text().trim_end().lines() {
                match line.strip_prefix("## ") {
                    Some(h) => out.push_str(&format!("#### {h}\n")),
                    None => {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} !< {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in RULES {
            assert!(r.doc.contains("## What it does"), "{}", r.code);
            assert!(!r.summary().is_empty(), "{}", r.code);
            assert!(
                FAMILIES.iter().any(|(p, _)| r.code.starts_with(p)),
                "{}",
                r.code
            );
        }
        assert_eq!(find("tsl601").unwrap().name, "shape-mismatch");
        assert_eq!(find("view-after-transpose").unwrap().code, "TSL501");
        assert!(find("TSL999").is_none());
    }
}
