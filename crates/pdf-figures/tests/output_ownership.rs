//! What pdf-figures may replace in an output folder (issue 20): `--force` replaces only the
//! files it listed in `.pdf-figures-files`; a folder holding the input PDF, a file it did not
//! write, a symbolic link or a FIFO is refused with exit 2 and left exactly as it was.
//! `--pages` adds page renders to a folder written earlier from the same PDF (issue 21), so
//! SKILL.md's two runs work as written.

mod common;

use common::one_page;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MARKER: &str = ".pdf-figures-files";

fn page(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 10 Tf 72 700 Td ({text}) Tj ET");
    one_page(content.as_bytes(), "", |pdf| {
        let f = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        format!("/Font << /F1 {f} 0 R >>")
    })
}

fn pdf_figures(pdf: &Path, out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
        .arg(pdf)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every entry under `dir` (not following links) with its bytes; folders and links marked.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let e = e.unwrap();
            let rel = rel.join(e.file_name());
            let kind = e.file_type().unwrap();
            let name = rel.display().to_string();
            if kind.is_dir() {
                out.push((format!("{name}/"), Vec::new()));
                stack.push(rel);
            } else if kind.is_symlink() {
                let to = std::fs::read_link(e.path()).unwrap();
                out.push((format!("{name} ->"), to.display().to_string().into_bytes()));
            } else if kind.is_file() {
                out.push((name, std::fs::read(e.path()).unwrap()));
            } else {
                out.push((format!("{name} (special)"), Vec::new()));
            }
        }
    }
    out.sort();
    out
}

/// A temp dir with `paper.pdf` and its output written once into `out/`.
fn written_once(args: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("paper.pdf");
    std::fs::write(&pdf, page("Hello")).unwrap();
    let out = dir.path().join("out");
    let o = pdf_figures(&pdf, &out, args);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, pdf, out)
}

fn refused(o: &Output, says: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(says), "expected {says:?} in {err:?}");
}

#[test]
fn the_list_names_every_file_written_and_the_input() {
    let (_d, pdf, out) = written_once(&[]);
    let listed: Vec<String> = std::fs::read_to_string(out.join(MARKER))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("file ").map(str::to_string))
        .collect();
    let on_disk: Vec<String> = snapshot(&out)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !n.ends_with('/') && n != MARKER)
        .collect();
    assert_eq!(listed, on_disk);
    assert!(listed.contains(&"manifest.json".to_string()));
    // The fingerprint is the SHA-256 of the input, checked against sha256sum's algorithm.
    let text = std::fs::read_to_string(out.join(MARKER)).unwrap();
    let sha = text
        .lines()
        .find_map(|l| l.strip_prefix("input-sha256 "))
        .unwrap();
    let want = Command::new("sha256sum").arg(&pdf).output().unwrap();
    assert_eq!(
        sha,
        String::from_utf8_lossy(&want.stdout)
            .split_whitespace()
            .next()
            .unwrap()
    );
}

#[test]
fn force_with_the_folder_holding_the_pdf_never_deletes_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("paper.pdf");
    let bytes = page("Hello");
    std::fs::write(&pdf, &bytes).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let before = snapshot(dir.path());
    for out in [dir.path().to_path_buf(), dir.path().join(".")] {
        let o = pdf_figures(&pdf, &out, &["--force"]);
        refused(&o, "holds the input PDF");
        assert_eq!(snapshot(dir.path()), before, "the folder changed");
    }
    // Also when the PDF sits deeper inside, and the folder is otherwise pdf-figures' own.
    let (_d, pdf, out) = written_once(&[]);
    let inside = out.join("figures").join("paper.pdf");
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    std::fs::rename(&pdf, &inside).unwrap();
    let before = snapshot(&out);
    let o = pdf_figures(&inside, &out, &["--force"]);
    refused(&o, "holds the input PDF");
    assert_eq!(snapshot(&out), before);
    assert_eq!(std::fs::read(&inside).unwrap(), bytes);
}

#[test]
fn force_refuses_a_folder_with_a_file_it_did_not_write() {
    for extra in ["notes.txt", "figures/mine.png", "deeper/still/x.bin"] {
        let (_d, pdf, out) = written_once(&[]);
        let path = out.join(extra);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "user data").unwrap();
        let before = snapshot(&out);
        for args in [&["--force"][..], &["--pages"], &["--force", "--pages"]] {
            let o = pdf_figures(&pdf, &out, args);
            refused(&o, "pdf-figures did not write");
            assert!(stderr(&o).contains(extra), "{}", stderr(&o));
            assert_eq!(
                snapshot(&out),
                before,
                "{extra} {args:?}: the folder changed"
            );
        }
    }
}

#[test]
fn force_refuses_a_folder_it_never_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("paper.pdf");
    std::fs::write(&pdf, page("Hello")).unwrap();
    let out = dir.path().join("results");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("manifest.json"), "{}").unwrap();
    let before = snapshot(dir.path());
    let o = pdf_figures(&pdf, &out, &["--force"]);
    refused(&o, "was not written by pdf-figures");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn force_refuses_an_output_reached_through_a_symbolic_link() {
    let (d, pdf, out) = written_once(&[]);
    let link = d.path().join("link");
    std::os::unix::fs::symlink(&out, &link).unwrap();
    let before = snapshot(d.path());
    let o = pdf_figures(&pdf, &link, &["--force"]);
    refused(&o, "is a symbolic link");
    assert_eq!(snapshot(d.path()), before);
}

#[test]
fn force_refuses_a_symbolic_link_inside_the_output() {
    // out/figures -> a folder of the user's: removing "figures/..." through it would delete
    // the user's files.
    let (d, pdf, out) = written_once(&[]);
    let theirs = d.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("fig-1.png"), "user data").unwrap();
    std::fs::write(theirs.join("manifest.json"), "user data").unwrap();
    std::os::unix::fs::symlink(&theirs, out.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(theirs.join("fig-1.png"), out.join("one-file")).unwrap();
    let before = snapshot(d.path());
    let o = pdf_figures(&pdf, &out, &["--force"]);
    refused(&o, "a symbolic link pdf-figures did not write");
    assert_eq!(snapshot(d.path()), before);
}

#[test]
fn a_fifo_in_the_output_is_refused_without_opening_it() {
    let (_d, pdf, out) = written_once(&[]);
    let fifo = out.join("pipe");
    let mk = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(mk.success());
    let o = pdf_figures(&pdf, &out, &["--force"]);
    refused(&o, "a special file pdf-figures did not write");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo_like()
    );
}

trait FifoLike {
    fn is_fifo_like(&self) -> bool;
}

impl FifoLike for std::fs::FileType {
    fn is_fifo_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_fifo()
    }
}

#[test]
fn force_replaces_its_own_output_and_leaves_nothing_beside_it() {
    let (d, pdf, out) = written_once(&["--dpi", "72"]);
    let old_manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(&pdf, page("World")).unwrap();
    let o = pdf_figures(&pdf, &out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let new_manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert_ne!(old_manifest, new_manifest);
    assert!(new_manifest.contains("\"dpi\": 200.0"), "{new_manifest}");
    // A fresh run into a new folder gives the same tree, and the parent holds only the PDF and
    // the output (no temporary or moved-aside sibling).
    let fresh = d.path().join("fresh");
    assert!(pdf_figures(&pdf, &fresh, &[]).status.success());
    assert_eq!(snapshot(&out), snapshot(&fresh));
    std::fs::remove_dir_all(&fresh).unwrap();
    let names: Vec<String> = snapshot(d.path())
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !n.contains('/') || n.ends_with('/') && n.matches('/').count() == 1)
        .collect();
    assert_eq!(names, ["out/", "paper.pdf"]);
    // An empty folder made by the user is taken with --force.
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(&pdf_figures(&pdf, &empty, &[]), "--force");
    assert!(pdf_figures(&pdf, &empty, &["--force"]).status.success());
    assert!(empty.join("manifest.json").is_file());
}

#[test]
fn pages_adds_renders_to_an_earlier_output_of_the_same_pdf() {
    // SKILL.md Phase 1: a first run, then `--pages` on the same folder.
    let (d, pdf, out) = written_once(&[]);
    let first = snapshot(&out);
    assert!(!out.join("pages").exists());
    let o = pdf_figures(&pdf, &out, &["--pages"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("pages/page-1.png").is_file());
    // Everything the first run wrote is unchanged except the manifest and the list.
    let second = snapshot(&out);
    for (name, bytes) in &first {
        if name != "manifest.json" && name != MARKER {
            let now = second.iter().find(|(n, _)| n == name);
            assert_eq!(now.map(|(_, b)| b), Some(bytes), "{name} changed");
        }
    }
    // The renders and the manifest are those a single `--pages` run writes.
    let once = d.path().join("once");
    assert!(pdf_figures(&pdf, &once, &["--pages"]).status.success());
    let once = snapshot(&once);
    let new_files: Vec<_> = second
        .iter()
        .filter(|(n, _)| n.starts_with("pages") || n == "manifest.json" || n == MARKER)
        .collect();
    let want: Vec<_> = once
        .iter()
        .filter(|(n, _)| n.starts_with("pages") || n == "manifest.json" || n == MARKER)
        .collect();
    assert_eq!(new_files, want);
    assert_eq!(second.len(), once.len());
}

#[test]
fn pages_refuses_the_output_of_another_pdf_or_other_options() {
    let (d, pdf, out) = written_once(&[]);
    let before = snapshot(&out);
    let other = d.path().join("other.pdf");
    std::fs::write(&other, page("World")).unwrap();
    refused(&pdf_figures(&other, &out, &["--pages"]), "another PDF");
    assert_eq!(snapshot(&out), before);
    // Same PDF, other resolution: the figure crops would change, so it is not "adding pages".
    refused(
        &pdf_figures(&pdf, &out, &["--pages", "--dpi", "72"]),
        "other options",
    );
    assert_eq!(snapshot(&out), before);
    // Without --pages or --force an existing output is refused, as before.
    refused(&pdf_figures(&pdf, &out, &[]), "--force");
    assert_eq!(snapshot(&out), before);
}

#[test]
fn pages_on_the_sample_paper_keeps_its_figures() {
    // The bundled sample has a figure; its crop is not byte-identical when the page is also
    // rendered whole, so the earlier crop is kept rather than compared.
    let dir = tempfile::tempdir().unwrap();
    let pdf = common::workspace_root().join("tests/pdf/sample/sample.pdf");
    let out = dir.path().join("paper");
    assert!(pdf_figures(&pdf, &out, &["--dpi", "72"]).status.success());
    let first = snapshot(&out);
    assert!(first.iter().any(|(n, _)| n.starts_with("figures/fig-")));
    let o = pdf_figures(&pdf, &out, &["--pages", "--dpi", "72"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let second = snapshot(&out);
    for (name, bytes) in first.iter().filter(|(n, _)| n.starts_with("figures/")) {
        assert_eq!(
            second.iter().find(|(n, _)| n == name).map(|(_, b)| b),
            Some(bytes)
        );
    }
    assert!(out.join("pages/page-1.png").is_file());
}
