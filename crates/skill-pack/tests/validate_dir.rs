//! `skill-pack validate DIR`: one fixture per rule, each a copy of the valid fixture skill with
//! exactly one defect, must be flagged with that rule's code (and only the valid one passes).

mod common;

use common::*;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

/// Builds the valid fixture in a temp dir, applies `defect`, validates, returns (exit, codes).
fn check(
    folder: &str,
    defect: impl FnOnce(&Path),
) -> (i32, Vec<String>, Vec<(String, String, u64)>) {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), folder);
    defect(&skill);
    let (code, findings) = validate_json(&skill, tmp.path());
    (code, codes(&findings), findings)
}

fn assert_error(folder: &str, expected: &str, defect: impl FnOnce(&Path)) {
    let (code, codes, findings) = check(folder, defect);
    assert_eq!(code, 1, "{expected}: exit code; findings {findings:?}");
    assert_eq!(
        codes,
        vec![expected.to_string()],
        "{expected}: findings {findings:?}"
    );
}

fn assert_warning(expected: &str, defect: impl FnOnce(&Path)) {
    let (code, codes, findings) = check(NAME, defect);
    assert_eq!(
        code, 0,
        "{expected}: warnings alone must pass; {findings:?}"
    );
    assert_eq!(codes, vec![expected.to_string()], "{findings:?}");
}

#[test]
fn valid_fixture_passes_without_findings() {
    let (code, codes, findings) = check(NAME, |_| {});
    assert_eq!(code, 0, "{findings:?}");
    assert!(codes.is_empty(), "{findings:?}");
}

#[test]
fn valid_fixture_text_output_has_summary_line() {
    let tmp = TempDir::new().expect("tempdir");
    let skill = write_skill(tmp.path(), NAME);
    let out = skill_pack(&["validate", &skill.to_string_lossy()], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "0 error(s), 0 warning(s)\n");
}

#[test]
fn f1_missing_opening_fence() {
    assert_error(NAME, "SP-F1", |s| {
        write(&s.join("SKILL.md"), "# No front matter\n")
    });
}

#[test]
fn f1_unclosed_front_matter() {
    assert_error(NAME, "SP-F1", |s| {
        write(&s.join("SKILL.md"), "---\nname: demo-skill\n# body\n")
    });
}

#[test]
fn f1_front_matter_is_not_a_mapping() {
    assert_error(NAME, "SP-F1", |s| set_front_matter(s, "- just\n- a list\n"));
}

#[test]
fn f1_no_skill_md() {
    let (code, codes, _) = check(NAME, |s| fs::remove_file(s.join("SKILL.md")).expect("rm"));
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-F1"]);
}

#[test]
fn f2_unknown_key() {
    assert_error(NAME, "SP-F2", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Demo.\"\nargument-hint: \"[file]\"\n",
        )
    });
}

#[test]
fn f3_bad_name_characters() {
    // The folder has the same (bad) name so F5 stays quiet and only F3 fires.
    assert_error("Demo_Skill", "SP-F3", |s| {
        set_front_matter(s, "name: Demo_Skill\ndescription: \"Demo.\"\n")
    });
}

#[test]
fn f3_name_too_long() {
    let long = "a".repeat(65);
    assert_error(&long.clone(), "SP-F3", |s| {
        set_front_matter(s, &format!("name: {long}\ndescription: \"Demo.\"\n"))
    });
}

#[test]
fn f3_name_is_a_number() {
    assert_error("3000", "SP-F3", |s| {
        set_front_matter(s, "name: 3000\ndescription: \"Demo.\"\n")
    });
}

#[test]
fn f4_reserved_word() {
    assert_error("claude-helper", "SP-F4", |s| {
        set_front_matter(s, "name: claude-helper\ndescription: \"Demo.\"\n")
    });
}

#[test]
fn f5_name_differs_from_folder() {
    assert_error(NAME, "SP-F5", |s| {
        set_front_matter(s, "name: other-skill\ndescription: \"Demo.\"\n")
    });
}

#[test]
fn f6_description_with_angle_brackets() {
    assert_error(NAME, "SP-F6", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Use with <Tag> inputs.\"\n",
        )
    });
}

#[test]
fn f6_description_too_long() {
    let long = "x".repeat(1025);
    assert_error(NAME, "SP-F6", |s| {
        set_front_matter(s, &format!("name: demo-skill\ndescription: \"{long}\"\n"))
    });
}

#[test]
fn f6_description_missing() {
    assert_error(NAME, "SP-F6", |s| set_front_matter(s, "name: demo-skill\n"));
}

#[test]
fn f7_compatibility_too_long() {
    let long = "y".repeat(501);
    assert_error(NAME, "SP-F7", |s| {
        set_front_matter(
            s,
            &format!("name: demo-skill\ndescription: \"Demo.\"\ncompatibility: \"{long}\"\n"),
        )
    });
}

#[test]
fn f8_metadata_value_not_a_string() {
    assert_error(NAME, "SP-F8", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Demo.\"\nmetadata:\n  version: 1.0\n",
        )
    });
}

#[test]
fn y1_flow_style() {
    assert_error(NAME, "SP-Y1", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Demo.\"\nallowed-tools: [Read, Bash]\n",
        )
    });
}

#[test]
fn y1_anchor_and_alias() {
    let (code, codes, findings) = check(NAME, |s| {
        set_front_matter(
            s,
            "name: &n demo-skill\ndescription: \"Demo.\"\nlicense: *n\n",
        )
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-Y1"]);
    // One for the anchor (line 2 of the file), one for the alias (line 4).
    let lines: Vec<u64> = findings.iter().map(|f| f.2).collect();
    assert_eq!(lines, vec![2, 4]);
}

#[test]
fn y1_tag() {
    assert_error(NAME, "SP-Y1", |s| {
        set_front_matter(s, "name: demo-skill\ndescription: !!str \"Demo.\"\n")
    });
}

#[test]
fn y1_duplicate_key() {
    assert_error(NAME, "SP-Y1", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Demo.\"\ndescription: \"Again.\"\n",
        )
    });
}

#[test]
fn y1_pyyaml_boolean() {
    assert_error(NAME, "SP-Y1", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: \"Demo.\"\nlicense: yes\n",
        )
    });
}

#[test]
fn f1_unquoted_colon_in_description_is_invalid_yaml() {
    assert_error(NAME, "SP-F1", |s| {
        set_front_matter(
            s,
            "name: demo-skill\ndescription: Use when: the paper is given\n",
        )
    });
}

#[test]
fn e1_crlf_in_a_reference() {
    let (code, codes, findings) = check(NAME, |s| {
        write(
            &s.join("references/guide.md"),
            &guide().replace('\n', "\r\n"),
        );
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-E1"], "{findings:?}");
}

#[test]
fn e1_crlf_in_skill_md_also_breaks_f1() {
    let (code, codes, _) = check(NAME, |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}").replace('\n', "\r\n"),
        );
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-E1", "SP-F1"]);
}

#[test]
fn e1_byte_order_mark() {
    assert_error(NAME, "SP-E1", |s| {
        write(
            &s.join("references/guide.md"),
            &format!("\u{feff}{}", guide()),
        );
    });
}

#[test]
fn p1_symlink_escaping_the_folder_is_refused() {
    let tmp_outside = TempDir::new().expect("tempdir");
    let secret = tmp_outside.path().join("secret.md");
    write(&secret, "# secret\n");
    let (code, codes, findings) = check(NAME, |s| {
        std::os::unix::fs::symlink(&secret, s.join("references/secret.md")).expect("symlink");
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-P1"]);
    assert!(
        findings[0].1.ends_with("references/secret.md"),
        "{findings:?}"
    );
}

#[test]
fn p1_symlinked_folder_is_not_followed() {
    let tmp_outside = TempDir::new().expect("tempdir");
    write(&tmp_outside.path().join("bad/SKILL.md"), "not a skill\n");
    let (code, codes, _) = check(NAME, |s| {
        std::os::unix::fs::symlink(tmp_outside.path().join("bad"), s.join("assets"))
            .expect("symlink");
    });
    // Followed, the nested SKILL.md would add SP-Z2; refused, only SP-P1 remains.
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-P1"]);
}

#[test]
fn p2_dotdot_link() {
    assert_error(NAME, "SP-P2", |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}See [notes](../outside.md).\n"),
        );
    });
}

#[test]
fn p2_absolute_link() {
    assert_error(NAME, "SP-P2", |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}See [passwd](/etc/passwd).\n"),
        );
    });
}

#[test]
fn l1_dangling_link_in_a_reference() {
    let (code, codes, findings) = check(NAME, |s| {
        write(
            &s.join("references/guide.md"),
            &format!("{}See [pitfalls](pitfalls.md#top).\n", guide()),
        );
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-L1"]);
    // The link is relative to references/, and the last line of the guide holds it.
    assert_eq!(findings[0].2 as usize, guide().lines().count() + 1);
}

#[test]
fn l1_link_resolves_relative_to_its_file() {
    // references/guide.md -> ../SKILL.md is inside the folder and exists: no finding.
    let (code, codes, _) = check(NAME, |s| {
        write(
            &s.join("references/guide.md"),
            &format!("{}Back to [the skill](../SKILL.md).\n", guide()),
        );
    });
    assert_eq!(code, 0);
    assert!(codes.is_empty());
}

#[test]
fn l2_mentioned_path_missing() {
    assert_error(NAME, "SP-L2", |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}Use the palette in `assets/palette.json`.\n"),
        );
    });
}

#[test]
fn l2_output_paths_are_not_skill_paths() {
    // `output/scripts/train.py` belongs to the user's project, not to the skill folder.
    let (code, codes, _) = check(NAME, |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}Write `output/scripts/train.py`.\n"),
        );
    });
    assert_eq!(code, 0);
    assert!(codes.is_empty());
}

#[test]
fn h1_unshipped_helper_call() {
    let (code, codes, findings) = check(NAME, |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}Then `python3 scripts/run.py ghost-helper x`.\n"),
        );
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-H1"]);
    assert!(findings[0].1.ends_with("SKILL.md"));
}

#[test]
fn h1_removing_the_binary_unships_the_helper() {
    assert_error(NAME, "SP-H1", |s| {
        fs::remove_file(s.join("bin/demo-helper")).expect("rm")
    });
}

#[test]
fn z2_second_skill_md_in_the_folder() {
    assert_error(NAME, "SP-Z2", |s| {
        write(&s.join("references/skill.md"), "# lower-case twin\n")
    });
}

#[test]
fn z3_plugin_manifest_inside_the_skill() {
    assert_error(NAME, "SP-Z3", |s| {
        write(
            &s.join(".claude-plugin/plugin.json"),
            "{\"name\": \"demo-skill\"}\n",
        )
    });
}

#[test]
fn z4_too_many_files() {
    // The fixture has 4 files; 197 more make 201.
    assert_error(NAME, "SP-Z4", |s| {
        for i in 0..197 {
            write(&s.join(format!("assets/a{i:03}.dat")), "x");
        }
    });
}

#[test]
fn z5_too_large() {
    assert_error(NAME, "SP-Z5", |s| {
        let file = fs::File::create(s.join("assets.bin")).expect("create");
        // Sparse: 30,000,000 bytes on paper, nothing on disk.
        file.set_len(30_000_000).expect("set_len");
    });
}

#[test]
fn junk_in_the_folder_is_ignored_because_build_never_packs_it() {
    let (code, codes, _) = check(NAME, |s| {
        write(&s.join("scripts/__pycache__/run.cpython-311.pyc"), "junk");
        write(&s.join(".DS_Store"), "junk");
    });
    assert_eq!(code, 0);
    assert!(codes.is_empty());
}

#[test]
fn w1_long_body_is_only_a_warning() {
    assert_warning("SP-W1", |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}{}", "line\n".repeat(500)),
        );
    });
}

#[test]
fn w2_long_reference_without_contents() {
    assert_warning("SP-W2", |s| {
        write(&s.join("references/guide.md"), &"plain line\n".repeat(101));
    });
}

#[test]
fn w3_long_description() {
    let desc = "word ".repeat(60);
    assert_warning("SP-W3", |s| {
        set_front_matter(
            s,
            &format!("name: demo-skill\ndescription: \"{}\"\n", desc.trim()),
        )
    });
}

#[test]
fn w4_reference_reached_only_through_another_reference() {
    let (code, codes, findings) = check(NAME, |s| {
        write(
            &s.join("references/guide.md"),
            &format!("{}More in [deep](deep.md).\n", guide()),
        );
        write(&s.join("references/deep.md"), "# Deep\n");
    });
    assert_eq!(code, 0);
    assert_eq!(codes, vec!["SP-W4"]);
    assert!(findings[0].1.ends_with("references/deep.md"));
}

#[test]
fn w5_backslash_in_a_link() {
    assert_warning("SP-W5", |s| {
        write(
            &s.join("SKILL.md"),
            &format!("{FRONT_MATTER}{BODY}See [guide](references\\guide.md).\n"),
        );
    });
}

#[test]
fn missing_path_is_a_usage_error() {
    let tmp = TempDir::new().expect("tempdir");
    let out = skill_pack(&["validate", "no-such-dir"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("skill-pack: no-such-dir: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn rules_command_lists_every_code() {
    let tmp = TempDir::new().expect("tempdir");
    let out = skill_pack(&["rules"], tmp.path());
    let text = stdout(&out);
    for code in [
        "SP-F1", "SP-F8", "SP-Z1", "SP-Z6", "SP-Y1", "SP-E1", "SP-P1", "SP-P2", "SP-L1", "SP-L2",
        "SP-H1", "SP-M1", "SP-M4", "SP-W1", "SP-W5",
    ] {
        assert!(text.contains(code), "{code} missing from:\n{text}");
    }
}
