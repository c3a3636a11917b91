//! Constructor values from the instantiation sites: `self.block = Bottleneck(256, 128,
//! stride=2)` is the only place the file builds `Bottleneck`, so its comments are checked
//! with `stride = 2` instead of an unbound symbol.
//!
//! A parameter takes a site's value only when every site passes it as the same integer
//! literal; a site that leaves it out (its default), passes an expression, or another literal
//! leaves it a symbol. The class must be used only by direct calls (not passed as a value,
//! `block=Bottleneck`), and no other Python file of the tree (see [`super::imports`]) may
//! name it, since an instance built there could take other values.

use super::imports::tree_root;
use super::value::Val;
use pymodel::{ClassDef, ExprKind, ModelFile, ParamKind};
use std::path::Path;

/// Files of the tree read to make sure no other file names the class, at most.
const MAX_TREE_FILES: usize = 200;

/// One site's constructor call, for messages: `Bottleneck(256, 128, stride=2)` on line 50.
pub struct Sites {
    pub kwargs: Vec<(String, Val)>,
    pub shown: String,
}

/// The constructor values every instantiation site of `class` agrees on (see the module doc).
pub fn site_values(file: &ModelFile, class: &ClassDef, path: Option<&Path>) -> Option<Sites> {
    let name = class.name.as_str();
    let (_, init) = class.method("__init__")?;
    let params: Vec<&pymodel::Param> = init.params.iter().skip(1).collect();
    let mut names = 0usize;
    let mut calls: Vec<(&pymodel::Call, u32, pymodel::Span)> = Vec::new();
    for s in &file.module().body {
        s.walk(&mut |s| {
            for e in s.exprs() {
                e.walk(&mut |e| match &e.kind {
                    ExprKind::Name(n) if n == name => names += 1,
                    ExprKind::Call(c) if matches!(&c.func.kind, ExprKind::Name(n) if n == name) => {
                        calls.push((c, s.line, e.span))
                    }
                    _ => {}
                });
            }
        });
    }
    // Every mention is the callee of a call: the class is not used as a value.
    if calls.is_empty() || names != calls.len() {
        return None;
    }
    let mut values: Vec<Option<i64>> = Vec::new();
    for (i, (c, _, _)) in calls.iter().enumerate() {
        if c.args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred(_)))
            || c.keywords.iter().any(|k| k.name.is_none())
        {
            return None;
        }
        let mut site: Vec<Option<i64>> = vec![None; params.len()];
        for (j, a) in c.args.iter().enumerate() {
            let p = params.get(j)?;
            if !matches!(p.kind, ParamKind::Regular | ParamKind::PositionalOnly) {
                return None;
            }
            site[j] = a.as_int();
        }
        for k in &c.keywords {
            let j = params
                .iter()
                .position(|p| Some(&p.name) == k.name.as_ref())?;
            site[j] = k.value.as_int();
        }
        if i == 0 {
            values = site;
        } else {
            for (v, s) in values.iter_mut().zip(site) {
                if *v != s {
                    *v = None;
                }
            }
        }
    }
    let kwargs: Vec<(String, Val)> = params
        .iter()
        .zip(&values)
        .filter_map(|(p, v)| v.map(|v| (p.name.clone(), Val::Int(Some(pymodel::DimExpr::Int(v))))))
        .collect();
    if kwargs.is_empty() {
        return None;
    }
    if let Some(path) = path
        && named_elsewhere(path, name)
    {
        return None;
    }
    let (_, line, span) = calls[0];
    let text: String = file
        .text(span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shown = if calls.len() == 1 {
        format!("`{text}` on line {line}, the only instantiation")
    } else {
        format!(
            "the {} instantiations (first `{text}` on line {line})",
            calls.len()
        )
    };
    Some(Sites { kwargs, shown })
}

/// Whether a Python file of `path`'s tree other than `path` names `name` as a word.
fn named_elsewhere(path: &Path, name: &str) -> bool {
    let Ok(me) = std::fs::canonicalize(path) else {
        return true;
    };
    let Some(dir) = me.parent() else {
        return true;
    };
    let root = tree_root(dir);
    let mut stack = vec![(root, 0usize)];
    let mut seen = 0usize;
    while let Some((d, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| n.starts_with('.') || n == "__pycache__");
            if hidden {
                continue;
            }
            if p.is_dir() {
                if depth < 6 {
                    stack.push((p, depth + 1));
                }
                continue;
            }
            if p.extension().is_none_or(|x| x != "py") || p == me {
                continue;
            }
            seen += 1;
            if seen > MAX_TREE_FILES {
                return true;
            }
            let Ok(text) = cli_guard::read_text_limited(&p, super::imports::MAX_FILE_BYTES) else {
                return true;
            };
            if has_word(&text, name) {
                return true;
            }
        }
    }
    false
}

fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}
