//! `validate --strict` (claude.ai's 200-character description becomes an error), `--explain`
//! (every rule's sources), and a multi-call binary in bin/ serving the helpers it names.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

/// A description of exactly `len` characters, counted as Unicode scalar values like the
/// uploaders do: CJK triggers count one each, not three bytes.
fn description(len: usize) -> String {
    let head = "Turns a paper into code. Use when asked 帮我复现这篇论文. ";
    let mut text = head.to_string();
    while text.chars().count() < len {
        text.push('x');
    }
    assert_eq!(text.chars().count(), len);
    text
}

fn skill_with_description(tmp: &Path, len: usize) -> std::path::PathBuf {
    let skill = write_skill(tmp, NAME);
    set_front_matter(
        &skill,
        &format!("name: demo-skill\ndescription: \"{}\"\n", description(len)),
    );
    skill
}

#[test]
fn description_of_200_chars_passes_even_strict() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = skill_with_description(tmp.path(), 200);
    for args in [vec!["validate"], vec!["validate", "--strict"]] {
        let mut args = args.clone();
        let path = skill.to_string_lossy().into_owned();
        args.push(&path);
        let out = skill_pack(&args, tmp.path());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stdout(&out));
        assert_eq!(stdout(&out), "0 error(s), 0 warning(s)\n");
    }
}

#[test]
fn description_of_201_chars_warns_and_fails_under_strict() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = skill_with_description(tmp.path(), 201);
    let path = skill.to_string_lossy().into_owned();

    let lenient = skill_pack(&["validate", &path], tmp.path());
    assert_eq!(lenient.status.code(), Some(0));
    let text = stdout(&lenient);
    assert!(
        text.contains("SP-W3 warning: `description` has 201 chars"),
        "{text}"
    );
    assert!(
        text.contains("support.claude.com/en/articles/12512198"),
        "{text}"
    );
    assert!(text.ends_with("0 error(s), 1 warning(s)\n"), "{text}");

    let strict = skill_pack(&["validate", "--strict", &path, "--json"], tmp.path());
    assert_eq!(strict.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&strict.stdout).expect("json");
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 0);
    assert_eq!(json["findings"][0]["code"], "SP-W3");
    assert_eq!(json["findings"][0]["severity"], "error");
}

#[test]
fn description_over_1024_is_an_error_without_strict() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = skill_with_description(tmp.path(), 1025);
    let (code, findings) = validate_json(&skill, tmp.path());
    assert_eq!(code, 1);
    assert_eq!(codes(&findings), vec!["SP-F6"]);
}

#[test]
fn strict_leaves_other_warnings_as_warnings() {
    // A long body (SP-W1) is guidance on every upload path: --strict does not fail on it.
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    write(
        &skill.join("SKILL.md"),
        &format!("{FRONT_MATTER}{BODY}{}", "line\n".repeat(500)),
    );
    let out = skill_pack(
        &["validate", "--strict", &skill.to_string_lossy()],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("SP-W1 warning"));
}

#[test]
fn explain_lists_every_rule_with_a_source() {
    let tmp = TempDir::new().expect("tempdir");
    let out = skill_pack(&["--explain"], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let rules = skill_pack(&["rules"], tmp.path());
    let codes: Vec<String> = stdout(&rules)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| c.starts_with("SP-"))
        .map(str::to_string)
        .collect();
    assert!(codes.len() >= 30, "{codes:?}");
    for code in &codes {
        let entry = text
            .split("\n\n")
            .find(|block| block.starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("{code} not explained"));
        assert!(entry.contains("  source: "), "{entry}");
    }
}

#[test]
fn explain_one_rule_and_refuse_an_unknown_code() {
    let tmp = TempDir::new().expect("tempdir");
    let out = skill_pack(&["--explain", "SP-W3"], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("SP-W3 warning (error under --strict): "),
        "{text}"
    );
    assert!(
        text.contains("https://support.claude.com/en/articles/12512198"),
        "{text}"
    );
    let bad = skill_pack(&["--explain", "SP-Q9"], tmp.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no rule 'SP-Q9'"));
}

#[test]
fn helper_served_by_a_multi_call_binary_in_bin_is_shipped() {
    // The skill calls demo-helper; bin/ holds only `tools`, whose bytes carry the manifest line.
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    fs::remove_file(skill.join("bin/demo-helper")).expect("rm");
    let mut binary = b"\x7fELF\x02\x01\x01\0junk".to_vec();
    binary.extend_from_slice(b"paper-tools-helpers: demo-helper other-helper\n\0tail");
    fs::write(skill.join("bin/tools"), &binary).expect("write");
    set_mode(&skill.join("bin/tools"), 0o755);
    let (code, findings) = validate_json(&skill, tmp.path());
    assert_eq!(code, 0, "{findings:?}");

    // Without the line the call is unshipped (SP-H1), as before.
    fs::write(skill.join("bin/tools"), b"\x7fELF\x02\x01\x01\0junk").expect("write");
    let (code, findings) = validate_json(&skill, tmp.path());
    assert_eq!(code, 1);
    assert_eq!(codes(&findings), vec!["SP-H1"]);
}
