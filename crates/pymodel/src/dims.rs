//! Dimension expressions of shape comments: integers, symbols, `+ - * //` and parentheses.
//!
//! `H//2`, `C*4`, `N+1`, `(H - 1)//2 + 1`. Evaluation follows Python: `//` floors toward
//! negative infinity.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DimExpr {
    Int(i64),
    Sym(String),
    Neg(Box<DimExpr>),
    Add(Box<DimExpr>, Box<DimExpr>),
    Sub(Box<DimExpr>, Box<DimExpr>),
    Mul(Box<DimExpr>, Box<DimExpr>),
    FloorDiv(Box<DimExpr>, Box<DimExpr>),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DimError {
    #[error("cannot read dimension `{text}`: {reason}")]
    Syntax { text: String, reason: String },
    #[error("unbound symbol `{0}`")]
    Unbound(String),
    #[error("division by zero")]
    DivByZero,
    #[error("integer overflow")]
    Overflow,
}

/// Python's `a // b`.
pub fn floor_div(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let q = a.checked_div(b)?;
    Some(if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

impl DimExpr {
    /// Parses one dimension, e.g. `H//2 + 1`.
    pub fn parse(text: &str) -> Result<DimExpr, DimError> {
        let err = |reason: &str| DimError::Syntax {
            text: shorten(text.trim()),
            reason: reason.to_string(),
        };
        let tokens = tokenize(text).map_err(|r| err(&r))?;
        if tokens.is_empty() {
            return Err(err("empty"));
        }
        if nesting_bound(&tokens) > MAX_DIM_NESTING {
            return Err(err(&format!("nested deeper than {MAX_DIM_NESTING} levels")));
        }
        let mut p = Parser { tokens, pos: 0 };
        let e = p.sum().map_err(|r| err(&r))?;
        if p.pos != p.tokens.len() {
            return Err(err("unexpected text after the expression"));
        }
        Ok(e)
    }

    /// Evaluates with symbol values from `lookup`.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<i64>) -> Result<i64, DimError> {
        Ok(match self {
            DimExpr::Int(v) => *v,
            DimExpr::Sym(s) => lookup(s).ok_or_else(|| DimError::Unbound(s.clone()))?,
            DimExpr::Neg(a) => a.eval(lookup)?.checked_neg().ok_or(DimError::Overflow)?,
            DimExpr::Add(a, b) => a
                .eval(lookup)?
                .checked_add(b.eval(lookup)?)
                .ok_or(DimError::Overflow)?,
            DimExpr::Sub(a, b) => a
                .eval(lookup)?
                .checked_sub(b.eval(lookup)?)
                .ok_or(DimError::Overflow)?,
            DimExpr::Mul(a, b) => a
                .eval(lookup)?
                .checked_mul(b.eval(lookup)?)
                .ok_or(DimError::Overflow)?,
            DimExpr::FloorDiv(a, b) => {
                let d = b.eval(lookup)?;
                if d == 0 {
                    return Err(DimError::DivByZero);
                }
                floor_div(a.eval(lookup)?, d).ok_or(DimError::Overflow)?
            }
        })
    }

    /// Symbols used, sorted and deduplicated.
    pub fn symbols(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_symbols(&mut out);
        out.sort();
        out.dedup();
        out
    }

    fn collect_symbols(&self, out: &mut Vec<String>) {
        match self {
            DimExpr::Int(_) => {}
            DimExpr::Sym(s) => out.push(s.clone()),
            DimExpr::Neg(a) => a.collect_symbols(out),
            DimExpr::Add(a, b)
            | DimExpr::Sub(a, b)
            | DimExpr::Mul(a, b)
            | DimExpr::FloorDiv(a, b) => {
                a.collect_symbols(out);
                b.collect_symbols(out);
            }
        }
    }

    /// Replaces symbols for which `f` returns an expression.
    pub fn substitute(&self, f: &dyn Fn(&str) -> Option<DimExpr>) -> DimExpr {
        let bin = |a: &DimExpr, b: &DimExpr| (Box::new(a.substitute(f)), Box::new(b.substitute(f)));
        match self {
            DimExpr::Int(v) => DimExpr::Int(*v),
            DimExpr::Sym(s) => f(s).unwrap_or_else(|| self.clone()),
            DimExpr::Neg(a) => DimExpr::Neg(Box::new(a.substitute(f))),
            DimExpr::Add(a, b) => {
                let (a, b) = bin(a, b);
                DimExpr::Add(a, b)
            }
            DimExpr::Sub(a, b) => {
                let (a, b) = bin(a, b);
                DimExpr::Sub(a, b)
            }
            DimExpr::Mul(a, b) => {
                let (a, b) = bin(a, b);
                DimExpr::Mul(a, b)
            }
            DimExpr::FloorDiv(a, b) => {
                let (a, b) = bin(a, b);
                DimExpr::FloorDiv(a, b)
            }
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            DimExpr::Add(..) | DimExpr::Sub(..) => 1,
            DimExpr::Mul(..) | DimExpr::FloorDiv(..) => 2,
            DimExpr::Neg(_) => 3,
            DimExpr::Int(v) if *v < 0 => 3,
            DimExpr::Int(_) | DimExpr::Sym(_) => 4,
        }
    }
}

impl fmt::Display for DimExpr {
    /// Minimal parentheses; `+`/`-` spaced, `*` and `//` tight: `(H - 1)//2 + 1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |f: &mut fmt::Formatter<'_>, e: &DimExpr, min: u8| {
            if e.precedence() < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        };
        match self {
            DimExpr::Int(v) => write!(f, "{v}"),
            DimExpr::Sym(s) => write!(f, "{s}"),
            DimExpr::Neg(a) => {
                write!(f, "-")?;
                side(f, a, 3)
            }
            DimExpr::Add(a, b) => {
                side(f, a, 1)?;
                write!(f, " + ")?;
                side(f, b, 2)
            }
            DimExpr::Sub(a, b) => {
                side(f, a, 1)?;
                write!(f, " - ")?;
                side(f, b, 2)
            }
            DimExpr::Mul(a, b) => {
                side(f, a, 2)?;
                write!(f, "*")?;
                side(f, b, 3)
            }
            DimExpr::FloorDiv(a, b) => {
                side(f, a, 2)?;
                write!(f, "//")?;
                side(f, b, 3)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Int(i64),
    Sym(String),
    Plus,
    Minus,
    Star,
    SlashSlash,
    LParen,
    RParen,
}

/// `text` itself, or its first 60 characters and `…` when longer: a message stays one short line.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// How deep one dimension may nest. The parser, evaluation and printing recurse, so a comment
/// of 100k `+` terms or parentheses would overflow the stack; real dimensions such as
/// `(H + 2*p - d*(k - 1) - 1)//s + 1` nest under 15.
pub const MAX_DIM_NESTING: usize = 100;

/// An upper bound of the parsed tree's depth: every operator may add a level above its
/// operands, and every parenthesis a parser frame.
fn nesting_bound(tokens: &[Tok]) -> usize {
    let ops = tokens
        .iter()
        .filter(|t| matches!(t, Tok::Plus | Tok::Minus | Tok::Star | Tok::SlashSlash))
        .count();
    let (mut open, mut deepest) = (0usize, 0usize);
    for t in tokens {
        match t {
            Tok::LParen => {
                open += 1;
                deepest = deepest.max(open);
            }
            Tok::RParen => open = open.saturating_sub(1),
            _ => {}
        }
    }
    ops + deepest
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '0'..='9' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                    i += 1;
                }
                let digits: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                out.push(Tok::Int(
                    digits
                        .parse()
                        .map_err(|_| "integer too large".to_string())?,
                ));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Sym(chars[start..i].iter().collect()));
            }
            '+' => {
                out.push(Tok::Plus);
                i += 1;
            }
            '-' => {
                out.push(Tok::Minus);
                i += 1;
            }
            '*' => {
                out.push(Tok::Star);
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                out.push(Tok::SlashSlash);
                i += 2;
            }
            '/' => return Err("`/` is not allowed, use `//` (floor division)".into()),
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            other => return Err(format!("unexpected character `{other}`")),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn sum(&mut self) -> Result<DimExpr, String> {
        let mut left = self.product()?;
        loop {
            match self.peek() {
                Some(Tok::Plus) => {
                    self.pos += 1;
                    left = DimExpr::Add(Box::new(left), Box::new(self.product()?));
                }
                Some(Tok::Minus) => {
                    self.pos += 1;
                    left = DimExpr::Sub(Box::new(left), Box::new(self.product()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn product(&mut self) -> Result<DimExpr, String> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some(Tok::Star) => {
                    self.pos += 1;
                    left = DimExpr::Mul(Box::new(left), Box::new(self.unary()?));
                }
                Some(Tok::SlashSlash) => {
                    self.pos += 1;
                    left = DimExpr::FloorDiv(Box::new(left), Box::new(self.unary()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn unary(&mut self) -> Result<DimExpr, String> {
        if self.peek() == Some(&Tok::Minus) {
            self.pos += 1;
            return Ok(DimExpr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<DimExpr, String> {
        let tok = self.peek().cloned();
        self.pos += 1;
        match tok {
            Some(Tok::Int(v)) => Ok(DimExpr::Int(v)),
            Some(Tok::Sym(s)) => Ok(DimExpr::Sym(s)),
            Some(Tok::LParen) => {
                let e = self.sum()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                Ok(e)
            }
            Some(_) => Err("expected a number, a symbol or `(`".into()),
            None => Err("expression ends too early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(text: &str, vars: &[(&str, i64)]) -> Result<i64, DimError> {
        let e = DimExpr::parse(text)?;
        e.eval(&|s| vars.iter().find(|(n, _)| *n == s).map(|(_, v)| *v))
    }

    #[test]
    fn arithmetic_follows_python() {
        assert_eq!(ev("H//2", &[("H", 225)]), Ok(112));
        assert_eq!(ev("(H - 1)//2 + 1", &[("H", 225)]), Ok(113));
        assert_eq!(ev("C*4", &[("C", 64)]), Ok(256));
        assert_eq!(ev("N+1", &[("N", 196)]), Ok(197));
        assert_eq!(ev("2 + 3 * 4", &[]), Ok(14));
        assert_eq!(ev("-7//2", &[]), Ok(-4)); // Python: -7 // 2 == -4
        assert_eq!(ev("7//-2", &[]), Ok(-4));
        assert_eq!(ev("10 - 3 - 2", &[]), Ok(5));
        assert_eq!(ev("H_out*W_out", &[("H_out", 7), ("W_out", 5)]), Ok(35));
    }

    #[test]
    fn errors_are_reported() {
        assert_eq!(ev("H", &[]), Err(DimError::Unbound("H".into())));
        assert_eq!(ev("4//0", &[]), Err(DimError::DivByZero));
        assert!(matches!(
            DimExpr::parse("H/2"),
            Err(DimError::Syntax { .. })
        ));
        assert!(matches!(DimExpr::parse("(H"), Err(DimError::Syntax { .. })));
        assert!(matches!(
            DimExpr::parse("H H"),
            Err(DimError::Syntax { .. })
        ));
        assert!(matches!(DimExpr::parse(""), Err(DimError::Syntax { .. })));
        // Over the nesting budget: a refusal, not a stack overflow (parse, eval and Display
        // all recurse).
        for deep in [
            format!("{}H{}", "(".repeat(100_000), ")".repeat(100_000)),
            vec!["H"; 100_000].join(" + "),
            format!("{}H", "-".repeat(100_000)),
        ] {
            let e = DimExpr::parse(&deep).unwrap_err().to_string();
            assert!(e.contains("nested deeper than 100 levels"), "{e}");
            assert!(e.len() < 200, "{e}");
        }
        let at_budget = vec!["H"; 101].join("+");
        assert!(DimExpr::parse(&at_budget).is_ok());
    }

    #[test]
    fn display_round_trips_with_minimal_parentheses() {
        for text in [
            "(H - 1)//2 + 1",
            "C*4",
            "H//2",
            "N + 1",
            "B*(H//16)*(W//16)",
            "H - (W - 1)",
        ] {
            let e = DimExpr::parse(text).unwrap();
            assert_eq!(DimExpr::parse(&e.to_string()).unwrap(), e, "{text}");
        }
        assert_eq!(
            DimExpr::parse("( H-1 )//2+1").unwrap().to_string(),
            "(H - 1)//2 + 1"
        );
        assert_eq!(DimExpr::parse("a*(b*c)").unwrap().to_string(), "a*(b*c)");
    }

    #[test]
    fn symbols_and_substitution() {
        let e = DimExpr::parse("W*H + H").unwrap();
        assert_eq!(e.symbols(), vec!["H".to_string(), "W".to_string()]);
        let s = e.substitute(&|n| (n == "H").then_some(DimExpr::Int(3)));
        assert_eq!(s.eval(&|_| Some(2)), Ok(9));
    }
}
