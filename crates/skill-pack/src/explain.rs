//! `skill-pack --explain [CODE]`: where each rule comes from.
//!
//! Every upload rule was reviewed against the public documentation and the error messages real
//! uploaders print (collected with the same source keys in the project's `skill-format.md`
//! notes). A rule that no public source states is marked "project rule" with its reason.

use crate::rules::Rule;

const SPEC: &str = "Agent Skills specification, https://agentskills.io/specification";
const REF: &str = "reference validator, agentskills/agentskills skills-ref/src/skills_ref/validator.py and parser.py";
const QV: &str = "Anthropic's skill-creator validator, anthropics/skills skills/skill-creator/scripts/quick_validate.py";
const PK: &str =
    "Anthropic's packager, anthropics/skills skills/skill-creator/scripts/package_skill.py";
const OV: &str = "Agent Skills overview, https://platform.claude.com/docs/en/agents-and-tools/agent-skills/overview";
const BP: &str = "Skill authoring best practices, https://platform.claude.com/docs/en/agents-and-tools/agent-skills/best-practices";
const API: &str =
    "Skills API guide, https://platform.claude.com/docs/en/build-with-claude/skills-guide";
const HC: &str = "claude.ai help center, How to create custom skills, https://support.claude.com/en/articles/12512198";
const CC: &str = "Claude Code skills, https://code.claude.com/docs/en/skills";
const MKT: &str =
    "Claude Code plugin marketplaces, https://code.claude.com/docs/en/plugin-marketplaces";
const PLG: &str =
    "Claude Code plugins reference, https://code.claude.com/docs/en/plugins-reference";

/// Why the rule exists and where it is written down.
fn sources(rule: Rule) -> (&'static str, Vec<&'static str>) {
    match rule {
        Rule::F1 => (
            "QV matches the front matter with ^---\\n(.*?)\\n--- and requires a YAML mapping",
            vec![QV, SPEC],
        ),
        Rule::F2 => (
            "claude.ai, the API and QV refuse any other top-level key (\"Unexpected key(s) in SKILL.md frontmatter\"); Claude Code's extra keys are Claude-Code-only",
            vec![QV, REF, CC],
        ),
        Rule::F3 => (
            "1-64 chars, lowercase letters, digits and single hyphens; uploads refuse other characters",
            vec![SPEC, REF, QV, OV],
        ),
        Rule::F4 => (
            "reserved words: \"Skill name in SKILL.md cannot contain the reserved word 'claude'\"",
            vec![OV, BP],
        ),
        Rule::F5 => (
            "the spec requires the name to match the parent folder; the API refuses \"The folder name ... must match the skill name\"",
            vec![SPEC, REF, HC],
        ),
        Rule::F6 => (
            "non-empty, at most 1024 chars (\"field 'description' in SKILL.md must be at most 1024 characters\"), no XML tags",
            vec![SPEC, REF, QV, OV],
        ),
        Rule::F7 => ("1-500 chars when present", vec![SPEC, REF]),
        Rule::F8 => ("a map from string keys to string values", vec![SPEC, REF]),
        Rule::Y1 => (
            "the reference parser is strictyaml (no flow style, anchors, tags, duplicate keys; strings only); PyYAML turns unquoted 3000 or yes into non-strings",
            vec![REF],
        ),
        Rule::E1 => (
            "QV's ^---\\n match fails on CRLF; a byte-order mark hides the opening ---",
            vec![QV],
        ),
        Rule::Z1 => (
            "\"Zip must contain exactly one top-level folder\"; \"All files must be inside the top-level folder\"",
            vec![HC, API],
        ),
        Rule::Z2 => (
            "\"Zip must contain exactly one SKILL.md file\" and \"SKILL.md file must be in the top-level folder, not nested deeper\"; a lowercase skill.md reportedly fails silently in Claude Code",
            vec![API, HC],
        ),
        Rule::Z3 => (
            "\"A skill cannot contain a plugin manifest (.claude-plugin/plugin.json)\" (claude.ai upload error, anthropics/claude-code#92902)",
            vec![HC],
        ),
        Rule::Z4 => (
            "\"Zip contains too many files (maximum 200)\" (claude.ai upload error, OWASP/secure-agent-playbook#23); not in the public docs",
            vec![HC],
        ),
        Rule::Z5 => (
            "the API takes skills \"under 30 MB (uncompressed)\"; claude.ai prints \"Zip file uncompressed size exceeds 30MB\"; decimal MB assumed",
            vec![API],
        ),
        Rule::Z6 => (
            "PK leaves these out; __MACOSX/ also breaks single-root detection in other importers",
            vec![PK],
        ),
        Rule::P1 => (
            "project rule: a symlink points outside what is uploaded, and following one could pack files from outside the skill",
            vec![],
        ),
        Rule::P2 => (
            "project rule: an absolute or .. path escapes the folder (zip-slip) and is meaningless after upload",
            vec![],
        ),
        Rule::L1 => (
            "project rule: a dead link is a missing file for Claude; links are relative to the skill root",
            vec![BP],
        ),
        Rule::L2 => (
            "project rule: a path SKILL.md tells Claude to open or run must exist in what is shipped",
            vec![BP],
        ),
        Rule::H1 => (
            "project rule: a helper the text calls through scripts/run.py must be shipped in bin/ (directly or inside bin/paper-tools)",
            vec![],
        ),
        Rule::M1 => (
            "marketplace.json needs a kebab-case name not on the reserved list, owner.name and plugins",
            vec![MKT],
        ),
        Rule::M2 => ("each plugin entry needs name and source", vec![MKT]),
        Rule::M3 => (
            "component paths are relative and start with ./; installed plugins are copied, so .. breaks",
            vec![MKT, PLG],
        ),
        Rule::M4 => (
            "plugin.json needs a kebab-case name; with strict: false the marketplace entry declares the components",
            vec![PLG, MKT],
        ),
        Rule::W1 => (
            "keep the SKILL.md body under 500 lines (about 5,000 tokens)",
            vec![SPEC, BP],
        ),
        Rule::W2 => (
            "reference files over 100 lines should start with a table of contents",
            vec![BP],
        ),
        Rule::W3 => (
            "claude.ai's guide to custom skills gives 200 characters as the description's maximum; \
             the API, the spec and QV allow 1024 (SP-F6), and Claude Code 2.1.86 and later cut the \
             /skills listing at 250 (backnotprop/plannotator#412). Whether claude.ai enforces 200 is \
             not documented, but a refused upload is the one failure a user cannot work around, so \
             `validate --strict` (used by scripts/check-dist.sh) treats it as an error",
            vec![HC, CC, SPEC],
        ),
        Rule::W4 => (
            "keep references one level deep from SKILL.md",
            vec![BP, SPEC],
        ),
        Rule::W5 => ("use forward slashes in paths", vec![BP]),
    }
}

/// The explanation of one rule: code, severity (and under --strict), why, and sources.
pub fn explain(rule: Rule) -> String {
    let (why, refs) = sources(rule);
    let strict = if rule.strict_severity() != rule.severity() {
        format!(" ({} under --strict)", rule.strict_severity())
    } else {
        String::new()
    };
    let mut out = format!(
        "{} {}{strict}: {}\n  why: {why}\n",
        rule.code(),
        rule.severity(),
        rule.summary()
    );
    if refs.is_empty() {
        out.push_str("  source: none public (project rule)\n");
    }
    for source in refs {
        out.push_str(&format!("  source: {source}\n"));
    }
    out
}

/// Every rule explained, in code order.
pub fn explain_all() -> String {
    let mut out = String::from(
        "Where each skill-pack rule comes from (reviewed against the public docs; quoted \
         messages are what real uploaders print).\n\n",
    );
    for rule in Rule::ALL {
        out.push_str(&explain(*rule));
        out.push('\n');
    }
    out
}

/// The rule with this code (`SP-W3`, `sp-w3` or `W3`).
pub fn rule_by_code(code: &str) -> Option<Rule> {
    let wanted = code.trim().to_ascii_uppercase();
    let wanted = wanted.strip_prefix("SP-").unwrap_or(&wanted);
    Rule::ALL
        .iter()
        .copied()
        .find(|r| r.code().strip_prefix("SP-") == Some(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;

    #[test]
    fn every_error_rule_names_a_source_or_says_it_is_a_project_rule() {
        for rule in Rule::ALL {
            let (why, refs) = sources(*rule);
            assert!(
                !refs.is_empty() || why.starts_with("project rule"),
                "{rule}: no source"
            );
        }
    }

    #[test]
    fn w3_cites_the_help_center_limit_and_is_an_error_only_when_strict() {
        let text = explain(Rule::W3);
        assert!(
            text.contains("support.claude.com/en/articles/12512198"),
            "{text}"
        );
        assert!(text.contains("200"), "{text}");
        assert_eq!(Rule::W3.severity(), Severity::Warning);
        assert_eq!(Rule::W3.strict_severity(), Severity::Error);
        assert_eq!(Rule::W1.strict_severity(), Severity::Warning);
    }

    #[test]
    fn codes_are_found_in_any_case_with_or_without_prefix() {
        assert_eq!(rule_by_code("SP-W3"), Some(Rule::W3));
        assert_eq!(rule_by_code("w3"), Some(Rule::W3));
        assert_eq!(rule_by_code("SP-Q9"), None);
    }
}
