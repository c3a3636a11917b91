//! Shared helpers for the integration tests: a known-valid fixture skill and a runner for the
//! real `skill-pack` binary.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NAME: &str = "demo-skill";

pub const FRONT_MATTER: &str = "---
name: demo-skill
description: \"Turns demo input into demo output. Use when a test needs a skill that is valid.\"
license: \"MIT\"
compatibility: \"Linux x86-64, Python 3.8+\"
metadata:
  version: \"1.0\"
---
";

pub const BODY: &str = "# Demo skill

Read [the guide](references/guide.md) before you start, and see `references/` for more.

Run the helper through the launcher:

```bash
python3 scripts/run.py demo-helper --json input.txt
```

The launcher is `scripts/run.py`.
";

/// A reference over 100 lines that opens with a table of contents (so no SP-W2).
pub fn guide() -> String {
    let mut text = String::from("# Guide\n\n## Contents\n- [Steps](#steps)\n\n## Steps\n");
    for i in 1..=110 {
        text.push_str(&format!("{i}. Step number {i}.\n"));
    }
    text
}

/// Writes the valid fixture skill as `<root>/<folder>/` and returns its path.
pub fn write_skill(root: &Path, folder: &str) -> PathBuf {
    let skill = root.join(folder);
    write(&skill.join("SKILL.md"), &format!("{FRONT_MATTER}{BODY}"));
    write(&skill.join("references/guide.md"), &guide());
    write(
        &skill.join("scripts/run.py"),
        "print('launcher stand-in')\n",
    );
    write_exec(&skill.join("bin/demo-helper"), "#!/bin/sh\necho demo\n");
    skill
}

pub fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

pub fn write_exec(path: &Path, text: &str) {
    write(path, text);
    set_mode(path, 0o755);
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Replaces the front matter of `<skill>/SKILL.md` with `yaml` (without the `---` lines).
pub fn set_front_matter(skill: &Path, yaml: &str) {
    write(&skill.join("SKILL.md"), &format!("---\n{yaml}---\n{BODY}"));
}

pub fn skill_pack(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skill-pack"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .output()
        .expect("run skill-pack")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// (code, file, line) of every finding of `skill-pack validate <target> --json`, plus the exit code.
pub fn validate_json(target: &Path, cwd: &Path) -> (i32, Vec<(String, String, u64)>) {
    let output = skill_pack(&["validate", &target.to_string_lossy(), "--json"], cwd);
    let code = output.status.code().expect("exit code");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "validate printed no JSON ({e}); stdout: {} stderr: {}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = value["findings"]
        .as_array()
        .expect("findings list")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    (code, findings)
}

/// Just the codes, sorted and deduplicated.
pub fn codes(findings: &[(String, String, u64)]) -> Vec<String> {
    let mut codes: Vec<String> = findings.iter().map(|f| f.0.clone()).collect();
    codes.sort();
    codes.dedup();
    codes
}
