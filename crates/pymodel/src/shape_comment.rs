//! The shape-comment grammar: `# name: [d1, d2, ...] <- description`.
//!
//! Several names may share one shape (`# q, k: [B, N, D]`); a trailing `# noqa...` is not part
//! of the description. A comment whose names are followed by `[` or `(` is taken as an attempt at
//! a shape comment, so malformed ones are reported instead of ignored (PEP 484 `# type:`
//! comments excepted).

use crate::dims::{DimError, DimExpr};

#[derive(Clone, Debug, PartialEq)]
pub struct ShapeComment {
    pub names: Vec<String>,
    pub dims: Vec<DimExpr>,
    /// The description after `<-`, trimmed; `None` when there is no `<-`.
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeCommentError {
    #[error("the shape must be written in square brackets: `[B, C, H, W]`")]
    NotBrackets,
    #[error("missing `]` after the shape")]
    Unclosed,
    #[error("dimension {index}: {source}")]
    Dim { index: usize, source: DimError },
    #[error("unexpected text after the shape: `{0}` (expected `<- description`)")]
    Trailing(String),
}

/// A call written in a description: `Conv2d(C, 64, k=3, s=2, p=1)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescriptionCall {
    pub name: String,
    pub args: Vec<String>,
    pub kwargs: Vec<(String, String)>,
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

/// Splits on commas that are not inside brackets or parentheses.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Strips `# noqa...` (and anything after it) from a comment text.
fn without_noqa(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    match lower.find("# noqa").or_else(|| lower.find("#noqa")) {
        Some(i) if i > 0 => &text[..i],
        _ => text,
    }
}

impl ShapeComment {
    /// Parses a comment text (`#` included). `None` when it is not meant as a shape comment.
    pub fn parse(comment: &str) -> Option<Result<ShapeComment, ShapeCommentError>> {
        let body = without_noqa(comment.strip_prefix('#')?).trim();
        let colon = body.find(':')?;
        let names: Vec<String> = body[..colon]
            .split(',')
            .map(|n| n.trim().to_string())
            .collect();
        // `# type: (...) -> ...` is a PEP 484 type comment, not a shape.
        if names.iter().any(|n| !is_ident(n)) || names == ["type"] {
            return None;
        }
        let rest = body[colon + 1..].trim_start();
        let open = rest.chars().next()?;
        if open == '(' {
            return Some(Err(ShapeCommentError::NotBrackets));
        }
        if open != '[' {
            return None;
        }
        Some(Self::parse_shape(names, rest))
    }

    fn parse_shape(names: Vec<String>, rest: &str) -> Result<ShapeComment, ShapeCommentError> {
        let mut depth = 0i32;
        let mut close = None;
        for (i, c) in rest.char_indices() {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or(ShapeCommentError::Unclosed)?;
        let inner = rest[1..close].trim();
        let dims = if inner.is_empty() {
            Vec::new()
        } else {
            split_top_level(inner)
                .into_iter()
                .enumerate()
                .map(|(i, d)| {
                    DimExpr::parse(d).map_err(|source| ShapeCommentError::Dim {
                        index: i + 1,
                        source,
                    })
                })
                .collect::<Result<_, _>>()?
        };
        let tail = rest[close + 1..].trim();
        let description = if tail.is_empty() {
            None
        } else if let Some(d) = tail.strip_prefix("<-") {
            Some(d.trim().to_string())
        } else {
            return Err(ShapeCommentError::Trailing(tail.to_string()));
        };
        Ok(ShapeComment {
            names,
            dims,
            description,
        })
    }

    /// The shape as written in the standard format: `[B, 64, H//2, W//2]`.
    pub fn shape_text(&self) -> String {
        format_shape(&self.dims)
    }

    /// The description read as a call, when it looks like one (`Conv2d(C, 64, k=3)`).
    pub fn description_call(&self) -> Option<DescriptionCall> {
        let d = self.description.as_deref()?;
        let open = d.find('(')?;
        let name = d[..open].trim();
        if !is_ident(name) || !d.trim_end().ends_with(')') {
            return None;
        }
        let inner = &d[open + 1..d.trim_end().len() - 1];
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        for part in split_top_level(inner) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match part.split_once('=') {
                Some((k, v)) if is_ident(k.trim()) && !v.starts_with('=') => {
                    kwargs.push((k.trim().to_string(), v.trim().to_string()))
                }
                _ => args.push(part.to_string()),
            }
        }
        Some(DescriptionCall {
            name: name.to_string(),
            args,
            kwargs,
        })
    }
}

/// Formats dims as `[d1, d2, ...]`.
pub fn format_shape(dims: &[DimExpr]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_standard_form() {
        let c = ShapeComment::parse("# x: [B, 64, H//2, W//2] <- Conv2d(C, 64, k=3, s=2, p=1)")
            .unwrap()
            .unwrap();
        assert_eq!(c.names, vec!["x"]);
        assert_eq!(c.shape_text(), "[B, 64, H//2, W//2]");
        assert_eq!(
            c.description.as_deref(),
            Some("Conv2d(C, 64, k=3, s=2, p=1)")
        );
        let call = c.description_call().unwrap();
        assert_eq!(call.name, "Conv2d");
        assert_eq!(call.args, vec!["C", "64"]);
        assert_eq!(
            call.kwargs,
            vec![
                ("k".to_string(), "3".to_string()),
                ("s".to_string(), "2".to_string()),
                ("p".to_string(), "1".to_string())
            ]
        );
    }

    #[test]
    fn several_names_no_description_and_noqa() {
        let c = ShapeComment::parse("#q, k: [B, N, D]  # noqa: TSL301")
            .unwrap()
            .unwrap();
        assert_eq!(c.names, vec!["q", "k"]);
        assert_eq!(c.dims.len(), 3);
        assert_eq!(c.description, None);
        let scalar = ShapeComment::parse("# loss: []").unwrap().unwrap();
        assert!(scalar.dims.is_empty());
    }

    #[test]
    fn other_comments_are_not_shape_comments() {
        assert_eq!(ShapeComment::parse("# TODO: check this"), None);
        assert_eq!(ShapeComment::parse("# Recommended: 0.1"), None);
        assert_eq!(ShapeComment::parse("# see https://x.org/a: [1]"), None);
        assert_eq!(ShapeComment::parse("# plain text"), None);
        assert_eq!(
            ShapeComment::parse("# type: (list[Tensor]) -> Tensor"),
            None
        );
    }

    #[test]
    fn malformed_shape_comments_are_errors() {
        assert_eq!(
            ShapeComment::parse("# x: (B, C)"),
            Some(Err(ShapeCommentError::NotBrackets))
        );
        assert_eq!(
            ShapeComment::parse("# x: [B, C"),
            Some(Err(ShapeCommentError::Unclosed))
        );
        assert!(matches!(
            ShapeComment::parse("# x: [B, H/2]"),
            Some(Err(ShapeCommentError::Dim { index: 2, .. }))
        ));
        assert!(matches!(
            ShapeComment::parse("# x: [B, C] -> conv"),
            Some(Err(ShapeCommentError::Trailing(_)))
        ));
    }
}
