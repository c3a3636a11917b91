//! The rule catalogue: every check `skill-pack validate` can report, with its stable code.
//!
//! Codes are `SP-` plus a family letter and a number. The families follow the sections of the
//! skill-format notes: `F` front matter, `Z` ZIP layout, `Y` strict YAML, `E` encoding,
//! `P` paths that escape the folder, `L` links and path mentions, `H` helpers called through the
//! launcher, `M` plugin marketplace manifests, `W` warnings (guidance only). `F1`..`F8` and
//! `Z1`..`Z6` keep the numbers of the notes' hard-rule table so a finding can be looked up there.

use std::fmt;

/// How bad a finding is: errors fail validation (exit 1), warnings are guidance only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so that width flags in the rule table apply.
        f.pad(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

macro_rules! rules {
    ($($variant:ident => ($code:literal, $severity:ident, $summary:literal),)*) => {
        /// One check. The code is stable: tests, scripts and users select findings by it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every rule, in code order (the order `--help` and the docs list them).
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code, e.g. `SP-F3`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// Errors fail validation; warnings do not.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule demands.
            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary,)* }
            }
        }
    };
}

rules! {
    F1 => ("SP-F1", Error, "SKILL.md exists at the folder root, starts with `---` + LF, the front matter ends at the next `---` line and parses to a YAML mapping"),
    F2 => ("SP-F2", Error, "front-matter keys are only name, description, license, compatibility, metadata, allowed-tools"),
    F3 => ("SP-F3", Error, "`name` is a string of 1-64 chars matching ^[a-z0-9]+(-[a-z0-9]+)*$"),
    F4 => ("SP-F4", Error, "`name` contains neither \"anthropic\" nor \"claude\""),
    F5 => ("SP-F5", Error, "`name` equals the skill folder name"),
    F6 => ("SP-F6", Error, "`description` is a non-empty string of at most 1024 chars without `<` or `>`"),
    F7 => ("SP-F7", Error, "`compatibility`, when present, is a string of 1-500 chars"),
    F8 => ("SP-F8", Error, "`metadata`, when present, maps string keys to string values"),
    Y1 => ("SP-Y1", Error, "strict YAML: no flow style, anchors, aliases, tags or duplicate keys; every key and value is a string (also under PyYAML's YAML 1.1 rules)"),
    E1 => ("SP-E1", Error, "text files are UTF-8 with LF line endings and no byte-order mark"),
    Z1 => ("SP-Z1", Error, "the ZIP holds exactly one top-level folder and nothing outside it"),
    Z2 => ("SP-Z2", Error, "SKILL.md sits directly in the top folder and is the only file named skill.md (any case)"),
    Z3 => ("SP-Z3", Error, "no `.claude-plugin/` inside the skill"),
    Z4 => ("SP-Z4", Error, "at most 200 files"),
    Z5 => ("SP-Z5", Error, "uncompressed size below 30,000,000 bytes"),
    Z6 => ("SP-Z6", Error, "no junk: __MACOSX/, ._*, .DS_Store, __pycache__/, *.pyc, node_modules/, .git*, root evals/"),
    P1 => ("SP-P1", Error, "no symbolic links (they are refused, never followed)"),
    P2 => ("SP-P2", Error, "no path leads outside the skill folder (absolute paths, `..`)"),
    L1 => ("SP-L1", Error, "every relative Markdown link resolves to a file or folder inside the skill"),
    L2 => ("SP-L2", Error, "every scripts/, references/ or assets/ path mentioned in SKILL.md or a reference exists"),
    H1 => ("SP-H1", Error, "every helper called as `scripts/run.py <helper>` is shipped (bin/<helper>, or a workspace crate with ship = true)"),
    M1 => ("SP-M1", Error, "marketplace.json is a JSON object with a kebab-case, unreserved `name`, `owner.name` and a non-empty `plugins` list"),
    M2 => ("SP-M2", Error, "each marketplace plugin has a unique kebab-case `name` and a valid `source` inside the repository"),
    M3 => ("SP-M3", Error, "each plugin `skills` path starts with ./ and names a skill folder inside the plugin"),
    M4 => ("SP-M4", Error, "a plugin.json is a JSON object with a kebab-case `name`, and declares no components when the entry is strict: false"),
    W1 => ("SP-W1", Warning, "SKILL.md body over 500 lines"),
    W2 => ("SP-W2", Warning, "reference file over 100 lines without a table of contents near its top"),
    W3 => ("SP-W3", Warning, "`description` over 200 chars (claude.ai's limit for uploaded skills; an error under --strict)"),
    W4 => ("SP-W4", Warning, "reference reached only through another reference (deeper than one level)"),
    W5 => ("SP-W5", Warning, "backslash in a path (use forward slashes)"),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Rule {
    /// Under `validate --strict` this rule counts as an error: a limit some upload path states
    /// but that validation otherwise only warns about (see `skill-pack --explain`).
    pub fn strict_severity(self) -> Severity {
        match self {
            Rule::W3 => Severity::Error,
            other => other.severity(),
        }
    }
}

/// The rule table as text, for `--help` and `skill-pack rules`.
pub fn rule_table() -> String {
    let mut out = String::from(
        "  Codes: SP-F front matter, SP-Z ZIP layout, SP-Y strict YAML, SP-E encoding, SP-P paths\n  \
         leaving the folder, SP-L links, SP-H helpers, SP-M marketplace, SP-W warnings.\n",
    );
    for rule in Rule::ALL {
        out.push_str(&format!(
            "  {:<6} {:<7} {}\n",
            rule.code(),
            rule.severity(),
            rule.summary()
        ));
    }
    out
}
