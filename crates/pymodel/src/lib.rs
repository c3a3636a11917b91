//! Python model reader: reads a PyTorch model file the way replication tools need it.
//!
//! [`ModelFile::parse`] parses Python source with a real parser (ruff's, behind the single
//! module `parse`) and keeps every comment with its position. On top of the crate's own small
//! syntax tree ([`syntax`]) it offers a model-level view:
//!
//! - [`ModelFile::classes`] / [`ModelFile::class`]: class definitions, bases, docstrings, methods;
//! - [`ModelFile::layers`]: `self.<attr> = Ctor(...)` constructions in `__init__`;
//! - [`ModelFile::forward`] / [`ModelFile::body`]: the statements of `forward` (nested blocks
//!   flattened) with the comments that follow each one and the input-shape comments at the top;
//! - [`ShapeComment`]: the shape-comment grammar `# name: [d1, d2, ...] <- description`;
//! - [`DimExpr`]: dimension expressions (integers, symbols, `+ - * //`, parentheses) with
//!   Python evaluation semantics.
//!
//! ```
//! let src = "class Net(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n        # x: [B, 4]\n        x = self.fc(x)  # x: [B, 2] <- Linear(4, 2)\n        return x\n";
//! let file = pymodel::ModelFile::parse(src).unwrap();
//! let (_, net) = file.class("Net").unwrap();
//! let layers = file.layers(net);
//! assert_eq!((layers[0].attr.as_str(), layers[0].ctor_name()), ("fc", "Linear"));
//! let fwd = file.forward(net).unwrap();
//! assert_eq!(fwd.input[0].shape().unwrap().names, vec!["x"]);
//! let shape = fwd.steps[0].shape().unwrap();
//! assert_eq!(shape.shape_text(), "[B, 2]");
//! let b4 = shape.dims[1].eval(&|_| None).unwrap();
//! assert_eq!(b4, 2);
//! ```
//!
//! The public API (this module's re-exports and the `syntax` types) is used by
//! `tensor-shape-lint` and `mermaid-gen`; keep it stable and extend rather than change it.

pub mod dims;
pub mod lines;
pub mod model;
pub mod nesting;
mod parse;
pub mod shape_comment;
pub mod syntax;

pub use dims::{DimError, DimExpr, floor_div};
pub use lines::LineIndex;
pub use model::{Body, Layer, ModelFile, Note, ParseError, Step};
pub use nesting::{NestingError, check_nesting, max_nesting, set_max_nesting};
pub use parse::SyntaxError;
pub use shape_comment::{DescriptionCall, ShapeComment, ShapeCommentError, format_shape};
pub use syntax::*;
