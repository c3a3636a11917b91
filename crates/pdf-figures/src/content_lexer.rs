//! A PDF content stream scanner that keeps byte offsets: each operator with its operands and
//! the range of bytes they span, so that a caller can cut operators out of the stream.
//! hayro-syntax's scanner does not expose offsets. This one recognises only what it must and
//! reports anything it is unsure of instead of guessing.

/// One operand, as far as its reader needs it: numbers and names, anything else opaque.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Operand<'a> {
    Number(f64),
    Name(&'a [u8]),
    Other,
}

impl Operand<'_> {
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(v) => Some(*v),
            _ => None,
        }
    }
}

/// An operator with its operands and where they lie in the content.
pub(crate) struct Op<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) operands: Vec<Operand<'a>>,
    /// Byte ranges of the operands.
    pub(crate) spans: Vec<(usize, usize)>,
    /// From the first operand (or the operator) to the end of the operator.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A content stream scanner that keeps byte offsets (hayro-syntax's does not expose them).
/// It only recognises what it must: any byte sequence it is unsure of ends the scan with an
/// error, and the page is then left as it is.
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

pub(crate) struct Unsure;

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self
                    .data
                    .get(self.pos)
                    .is_some_and(|&c| c != b'\n' && c != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.data.get(self.pos).is_some_and(|&b| is_regular(b)) {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// The next operator, `None` at the end, `Some(Err)` when unsure.
    pub(crate) fn next_op(&mut self) -> Option<Result<Op<'a>, Unsure>> {
        let mut operands = Vec::new();
        let mut spans = Vec::new();
        let mut start = None;
        loop {
            self.skip_space();
            let at = self.pos;
            let Some(&b) = self.data.get(at) else {
                return if operands.is_empty() {
                    None
                } else {
                    Some(Err(Unsure))
                };
            };
            start.get_or_insert(at);
            let operand = match b {
                b'/' => {
                    self.pos += 1;
                    Operand::Name(self.regular_run())
                }
                b'(' | b'<' | b'[' => {
                    if self.skip_object().is_err() {
                        return Some(Err(Unsure));
                    }
                    Operand::Other
                }
                b'+' | b'-' | b'.' | b'0'..=b'9' => {
                    let run = self.regular_run();
                    // PDF numbers have no exponent; a reader may split "1e5" where Rust's
                    // parser would not, so anything else is left to the reader alone.
                    let plain = run
                        .iter()
                        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-'));
                    match std::str::from_utf8(run)
                        .ok()
                        .and_then(|s| s.parse::<f64>().ok())
                    {
                        Some(v) if plain && v.is_finite() => Operand::Number(v),
                        _ => return Some(Err(Unsure)),
                    }
                }
                _ if is_regular(b) => {
                    let word = self.regular_run();
                    if matches!(word, b"true" | b"false" | b"null") {
                        Operand::Other
                    } else {
                        if word == b"BI" && self.skip_inline_image().is_err() {
                            return Some(Err(Unsure));
                        }
                        return Some(Ok(Op {
                            name: word,
                            operands,
                            spans,
                            start: start.unwrap_or(at),
                            end: self.pos,
                        }));
                    }
                }
                _ => return Some(Err(Unsure)),
            };
            // Operands pile up only in malformed content; so much of it is not worth a scan.
            if operands.len() >= 64 {
                return Some(Err(Unsure));
            }
            operands.push(operand);
            spans.push((at, self.pos));
        }
    }

    /// Skips a string, an array or a dictionary starting at the current byte.
    fn skip_object(&mut self) -> Result<(), Unsure> {
        let mut depth = 0usize;
        loop {
            self.skip_space();
            let Some(&b) = self.data.get(self.pos) else {
                return Err(Unsure);
            };
            match b {
                b'(' => self.skip_literal()?,
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    depth += 1;
                }
                b'<' => {
                    let end = memchr::memchr(b'>', &self.data[self.pos..]).ok_or(Unsure)?;
                    self.pos += end + 1;
                }
                b'[' => {
                    self.pos += 1;
                    depth += 1;
                }
                b']' => {
                    self.pos += 1;
                    depth = depth.checked_sub(1).ok_or(Unsure)?;
                }
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    depth = depth.checked_sub(1).ok_or(Unsure)?;
                }
                b'/' => {
                    self.pos += 1;
                    self.regular_run();
                }
                _ if is_regular(b) => {
                    self.regular_run();
                }
                _ => return Err(Unsure),
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// Skips an inline image's dictionary, data and `EI` after its `BI`. Only unfiltered
    /// images in device colour spaces (or masks) are understood: their data's length follows
    /// from the dictionary, where any other image's end would have to be guessed.
    fn skip_inline_image(&mut self) -> Result<(), Unsure> {
        let number = |v: &[u8]| -> Result<usize, Unsure> {
            std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(Unsure)
        };
        let (mut width, mut height, mut bits, mut components, mut mask) =
            (None, None, None, None, false);
        loop {
            self.skip_space();
            if self.data.get(self.pos) != Some(&b'/') {
                if self.regular_run() == b"ID" {
                    break;
                }
                return Err(Unsure);
            }
            self.pos += 1;
            let key = self.regular_run();
            self.skip_space();
            let value: &[u8] = match self.data.get(self.pos) {
                Some(b'/') => {
                    self.pos += 1;
                    self.regular_run()
                }
                Some(&b) if is_regular(b) => self.regular_run(),
                Some(_) => {
                    self.skip_object()?;
                    b""
                }
                None => return Err(Unsure),
            };
            match key {
                b"W" | b"Width" => width = Some(number(value)?),
                b"H" | b"Height" => height = Some(number(value)?),
                b"BPC" | b"BitsPerComponent" => bits = Some(number(value)?),
                b"IM" | b"ImageMask" => mask = value == b"true",
                b"CS" | b"ColorSpace" => {
                    components = Some(match value {
                        b"G" | b"DeviceGray" => 1,
                        b"RGB" | b"DeviceRGB" => 3,
                        b"CMYK" | b"DeviceCMYK" => 4,
                        _ => return Err(Unsure),
                    })
                }
                b"F" | b"Filter" => return Err(Unsure),
                _ => {}
            }
        }
        // Exactly one white-space byte separates `ID` from the data.
        if !self.data.get(self.pos).is_some_and(|&b| is_white(b)) {
            return Err(Unsure);
        }
        self.pos += 1;
        let (bits, components) = if mask {
            (1, 1)
        } else {
            (bits.ok_or(Unsure)?, components.ok_or(Unsure)?)
        };
        let row = width
            .ok_or(Unsure)?
            .checked_mul(bits * components)
            .ok_or(Unsure)?
            .div_ceil(8);
        let len = row.checked_mul(height.ok_or(Unsure)?).ok_or(Unsure)?;
        if len > self.data.len() - self.pos {
            return Err(Unsure);
        }
        self.pos += len;
        while self.data.get(self.pos).is_some_and(|&b| is_white(b)) {
            self.pos += 1;
        }
        let after = self.data.get(self.pos + 2).copied();
        if self.data.get(self.pos..self.pos + 2) != Some(b"EI") || after.is_some_and(is_regular) {
            return Err(Unsure);
        }
        self.pos += 2;
        Ok(())
    }

    fn skip_literal(&mut self) -> Result<(), Unsure> {
        let mut depth = 0usize;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(Unsure)
    }
}

/// A name's bytes with `#xx` escapes decoded, as dictionary keys are compared.
pub(crate) fn unescape(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut i = 0;
    while i < name.len() {
        if name[i] == b'#'
            && let Some(v) = name
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(name[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> Vec<(String, usize)> {
        let mut lexer = Lexer::new(data);
        let mut out = Vec::new();
        while let Some(op) = lexer.next_op() {
            let Ok(op) = op else {
                out.push(("?".into(), 0));
                break;
            };
            out.push((String::from_utf8_lossy(op.name).into(), op.operands.len()));
        }
        out
    }

    #[test]
    fn lexer_reads_strings_arrays_and_dictionaries_as_one_operand() {
        let got = ops(b"/F1 9.96 Tf [(a\\)b(c)) -250 <41 42>] TJ (x\\(y) Tj\n%c Tj\n/P <</MCID 3 /A [1 (]) ]>> BDC");
        assert_eq!(
            got,
            vec![
                ("Tf".to_string(), 2),
                ("TJ".to_string(), 1),
                ("Tj".to_string(), 1),
                ("BDC".to_string(), 2)
            ]
        );
    }

    #[test]
    fn lexer_is_unsure_of_broken_content() {
        assert_eq!(ops(b"(open Tj").last().unwrap().0, "?");
        assert_eq!(ops(b"--5 Tw").last().unwrap().0, "?");
        assert_eq!(ops(b"1e5 Tw").last().unwrap().0, "?");
        assert_eq!(ops(b"1 2 ] Td").last().unwrap().0, "?");
    }

    #[test]
    fn names_are_unescaped() {
        assert_eq!(unescape(b"F#201"), b"F 1");
        assert_eq!(unescape(b"A#zz"), b"A#zz");
    }
}
