//! Validate, build, pack and install the paper-replication Agent Skill.
//!
//! A skill is a folder with a `SKILL.md` (YAML front matter plus Markdown), optional
//! `references/`, `scripts/` and `assets/`, and here a `bin/` of helper executables. It reaches
//! users three ways: as a ZIP uploaded to claude.ai or the Skills API, as a folder under
//! `~/.claude/skills/` for Claude Code, and through a Claude Code plugin marketplace. Each path
//! refuses some skills; this crate enforces the strictest common set of rules (collected with
//! sources in the project's `skill-format.md` notes) before a user ever sees an upload error.
//!
//! [`validate::validate_path`] judges a folder, a ZIP or a repository root with
//! `.claude-plugin/marketplace.json` and returns a [`finding::Report`]: each finding has a file,
//! a line, a stable rule code and a message. Codes are `SP-` + family + number
//! ([`rules::Rule`]): `F` front matter, `Z` ZIP layout, `Y` strict YAML, `E` encoding, `P` paths
//! leaving the folder (symlinks, `..`, absolute), `L` links and path mentions, `H` helpers called
//! through `scripts/run.py`, `M` marketplace manifests, `W` warnings. Errors fail validation;
//! warnings are guidance.
//!
//! [`bundle::build`] builds the helpers of every workspace crate marked
//! `[package.metadata.paper-replication] ship = true` as static x86-64 Linux executables, copies
//! them into the skill's `bin/`, validates the packed bytes and writes a reproducible ZIP
//! ([`pack::pack`]: sorted entries, fixed timestamps, fixed modes) with its SHA-256.
//! [`bundle::install`] copies a valid skill into place without ever replacing a different one
//! unasked.
//!
//! Nothing outside the skill folder is ever read: symlinks are reported and never followed, and
//! every link or path is resolved against the in-memory file list, not the file system.

pub mod bundle;
pub mod error;
pub mod explain;
pub mod finding;
pub mod frontmatter;
pub mod layout;
pub mod links;
pub mod marketplace;
pub mod pack;
pub mod rules;
pub mod ship;
pub mod tree;
pub mod validate;

pub use error::{Error, Result};
pub use finding::{Finding, Report};
pub use rules::{Rule, Severity};
