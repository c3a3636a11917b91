//! Marketplace and plugin manifests (M1-M4), helpers shipped by workspace crates (H1), and the
//! repository's own `.claude-plugin/marketplace.json`.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const GOOD: &str = r#"{
  "name": "demo-tools",
  "owner": { "name": "Demo Maintainer" },
  "plugins": [
    {
      "name": "demo",
      "source": "./",
      "strict": false,
      "skills": ["./skill/demo-skill"]
    }
  ]
}
"#;

/// A repository with the fixture skill under skill/ and `marketplace` as its manifest.
fn repo(marketplace: &str) -> TempDir {
    let tmp = TempDir::new().expect("tempdir");
    write_skill(&tmp.path().join("skill"), NAME);
    write(
        &tmp.path().join(".claude-plugin/marketplace.json"),
        marketplace,
    );
    tmp
}

fn check_repo(
    marketplace: &str,
    extra: impl FnOnce(&Path),
) -> (i32, Vec<String>, Vec<(String, String, u64)>) {
    let tmp = repo(marketplace);
    extra(tmp.path());
    let (code, findings) = validate_json(Path::new("."), tmp.path());
    (code, codes(&findings), findings)
}

/// Asserts that the repository with `marketplace` fails with exactly the rule `expected`.
fn assert_repo_error(marketplace: &str, expected: &str) {
    let (code, codes, findings) = check_repo(marketplace, |_| {});
    assert_eq!(code, 1, "{expected}: {findings:?}");
    assert_eq!(codes, vec![expected.to_string()], "{findings:?}");
}

#[test]
fn good_marketplace_passes_and_its_skill_is_validated() {
    let (code, codes, findings) = check_repo(GOOD, |_| {});
    assert_eq!(code, 0, "{findings:?}");
    assert!(codes.is_empty());
    // A defect in the listed skill is found through the marketplace, with the skill's path.
    let (code, codes, findings) = check_repo(GOOD, |root| {
        set_front_matter(
            &root.join("skill/demo-skill"),
            "name: demo-skill\ndescription: \"D.\"\nmodel: opus\n",
        )
    });
    assert_eq!(code, 1);
    assert_eq!(codes, vec!["SP-F2"]);
    assert_eq!(findings[0].1, "skill/demo-skill/SKILL.md");
}

#[test]
fn marketplace_flag_checks_the_given_file() {
    let tmp = repo(GOOD);
    let out = skill_pack(
        &[
            "validate",
            "--marketplace",
            ".claude-plugin/marketplace.json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn m1_missing_owner_and_reserved_name() {
    let bad = GOOD.replace("\"owner\": { \"name\": \"Demo Maintainer\" },", "");
    assert_repo_error(&bad, "SP-M1");
    let reserved = GOOD.replace("demo-tools", "claude-plugins-official");
    let (code, codes, findings) = check_repo(&reserved, |_| {});
    assert_eq!((code, codes), (1, vec!["SP-M1".to_string()]));
    assert_eq!(findings[0].2, 2, "the name is on line 2");
}

#[test]
fn m1_invalid_json() {
    let (code, codes, _) = check_repo("{ \"name\": \"x\", }", |_| {});
    assert_eq!((code, codes), (1, vec!["SP-M1".to_string()]));
}

#[test]
fn m2_duplicate_plugin_and_bad_source() {
    let twice = GOOD.replace(
        "  ]\n}",
        "    ,{ \"name\": \"demo\", \"source\": \"./\", \"strict\": false, \"skills\": [\"./skill/demo-skill\"] }\n  ]\n}",
    );
    assert_repo_error(&twice, "SP-M2");
    let absolute = GOOD.replace("\"source\": \"./\"", "\"source\": \"/etc\"");
    assert_repo_error(&absolute, "SP-M2");
}

#[test]
fn m3_skill_path_missing_or_not_a_skill() {
    let missing = GOOD.replace("./skill/demo-skill", "./skill/nope");
    assert_repo_error(&missing, "SP-M3");
    let not_skill = GOOD.replace("./skill/demo-skill", "./skill");
    assert_repo_error(&not_skill, "SP-M3");
}

#[test]
fn p2_skill_path_climbing_out_of_the_plugin() {
    let climbing = GOOD.replace("./skill/demo-skill", "./../../etc");
    assert_repo_error(&climbing, "SP-P2");
}

#[test]
fn p1_skill_path_through_a_symlink() {
    let linked = GOOD.replace("./skill/demo-skill", "./linked/demo-skill");
    let (code, codes, _) = check_repo(&linked, |root| {
        std::os::unix::fs::symlink(root.join("skill"), root.join("linked")).expect("symlink");
    });
    assert_eq!((code, codes), (1, vec!["SP-P1".to_string()]));
}

#[test]
fn m4_plugin_json_declaring_components_under_strict_false() {
    let (code, codes, findings) = check_repo(GOOD, |root| {
        write(
            &root.join(".claude-plugin/plugin.json"),
            "{\n  \"name\": \"demo\",\n  \"skills\": [\"./skill/demo-skill\"]\n}\n",
        );
    });
    assert_eq!((code, codes), (1, vec!["SP-M4".to_string()]));
    assert_eq!(findings[0].1, ".claude-plugin/plugin.json");
    assert_eq!(findings[0].2, 3);
    // Without components the manifest is fine.
    let (code, _, _) = check_repo(GOOD, |root| {
        write(
            &root.join(".claude-plugin/plugin.json"),
            "{ \"name\": \"demo\", \"version\": \"0.1.0\" }\n",
        );
    });
    assert_eq!(code, 0);
}

/// A Cargo workspace whose crate `demo-helper` ships (or not), with the fixture skill in it but
/// no bin/: only the workspace can ship the helper the skill calls.
fn workspace(ship: bool) -> TempDir {
    let tmp = TempDir::new().expect("tempdir");
    write(
        &tmp.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
    );
    write(
        &tmp.path().join("crates/demo-helper/Cargo.toml"),
        &format!(
            "[package]\nname = \"demo-helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [package.metadata.paper-replication]\nship = {ship}\n"
        ),
    );
    write(
        &tmp.path().join("crates/demo-helper/src/main.rs"),
        "fn main() {}\n",
    );
    let skill = write_skill(&tmp.path().join("skill"), NAME);
    std::fs::remove_dir_all(skill.join("bin")).expect("rm bin");
    tmp
}

#[test]
fn h1_helper_shipped_by_a_workspace_crate_counts_for_the_source_folder() {
    let tmp = workspace(true);
    let (code, findings) = validate_json(Path::new("skill/demo-skill"), tmp.path());
    assert_eq!(code, 0, "{findings:?}");
    let tmp = workspace(false);
    let (code, findings) = validate_json(Path::new("skill/demo-skill"), tmp.path());
    assert_eq!(code, 1);
    assert_eq!(codes(&findings), vec!["SP-H1"]);
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_repository_marketplace_is_valid() {
    let root = repo_root();
    let manifest = root.join(".claude-plugin/marketplace.json");
    assert!(manifest.is_file(), "{} is missing", manifest.display());
    let out = skill_pack(
        &[
            "validate",
            "--marketplace",
            ".claude-plugin/marketplace.json",
            "--json",
        ],
        &root,
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    // Only the manifest rules here: the skill itself is judged by its own validation in CI.
    let manifest_findings: Vec<_> = value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            let code = f["code"].as_str().unwrap_or_default();
            code.starts_with("SP-M")
                || f["file"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(".claude-plugin")
        })
        .collect();
    assert!(manifest_findings.is_empty(), "{manifest_findings:?}");
    // The plugin's skill is the repository's skill folder, with no plugin manifest inside it.
    assert!(root.join("skill/paper-replication/SKILL.md").is_file());
    assert!(!root.join("skill/paper-replication/.claude-plugin").exists());
}
