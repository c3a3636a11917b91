//! mermaid-gen: Mermaid architecture diagrams that always render, and a checker for the ones
//! written by hand.
//!
//! Generation goes through the `mermaid-writer` crate, whose output is valid by construction
//! (quoted labels, safe ids, comma-separated styles). Three inputs are supported: a YAML
//! architecture spec ([`spec`]), the shape comments of a model's `forward` read with the shared
//! `pymodel` crate ([`code`]), and a runtime trace written by the skill's Python harness
//! ([`trace`], which also draws the "tensor shape changes" chart, [`trace::shapes`]). The trace
//! generators draw a module called at several places at each of them ([`calls`]), account for
//! every module call ([`units`]: which calls share a box, and the count
//! that makes a lost call an exit 1), and every generator judges its input and output nodes by
//! the one definition of a tensor shape in a label that repro-check also uses
//! ([`tensor_shape`]).
//!
//! The checker ([`check`]) finds every Mermaid block in Markdown, and for flowcharts runs a
//! re-implementation of Mermaid's own pipeline: the preprocessing of `mermaid.parse`
//! ([`preprocess`]), the jison lexer of `flow.jison` rule by rule ([`lexer`]) and its grammar as
//! an Earley recogniser ([`grammar`]). Verdicts are compared in the tests with the real library
//! (mermaid 12.3.0 under Node) on a corpus of real-world blocks. Failures come with the line and
//! a fix; silent misparses (Mermaid accepts them but draws something else) are warnings.

mod calls;
pub mod check;
pub mod class_calls;
pub mod cli;
pub mod code;
pub mod grammar;
pub mod lexer;
pub mod markdown;
pub mod preprocess;
pub mod spec;
pub mod tensor_shape;
pub mod trace;
mod unicode;
pub mod units;
pub mod yaml_budget;
