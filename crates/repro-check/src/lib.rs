//! `repro-check`: the skill's verification checklist as a program.
//!
//! `init` writes the `output/` tree the skill prescribes from templates kept in the skill's
//! `assets/` folder; `verify` walks the checklist item by item and says PASS, FAIL or SKIP for
//! each, with the reason and the file:line to fix. A SKIP never counts as a pass.
//!
//! The checks reuse the other helpers as libraries (mermaid-gen's checker for diagrams,
//! tensor-shape-lint for code) rather than copying them.

pub mod checks;
pub mod error;
pub mod report;

pub use error::Error;
pub use report::{Item, Status};
