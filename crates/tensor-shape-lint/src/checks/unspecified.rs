//! TSL4xx: "Paper did not specify" blocks are complete and sit right above their value.

use super::Ctx;
use crate::rules::*;

const REQUIRED: [&str; 4] = ["Recommended:", "Reference:", "Alternatives:", "Impact:"];

pub fn check(ctx: &mut Ctx) {
    let file = ctx.file;
    let comments = file.comments();
    let mut i = 0;
    while i < comments.len() {
        let c = &comments[i];
        if !c
            .text
            .to_ascii_lowercase()
            .contains("paper did not specify")
        {
            i += 1;
            continue;
        }
        // The block: this comment and the own-line comments on the following lines.
        let mut last = i;
        while last + 1 < comments.len()
            && comments[last + 1].own_line
            && comments[last + 1].line == comments[last].line + 1
            && !comments[last + 1]
                .text
                .to_ascii_lowercase()
                .contains("paper did not specify")
        {
            last += 1;
        }
        let block = &comments[i..=last];
        let has = |key: &str| {
            block.iter().any(|b| {
                b.text
                    .trim_start_matches('#')
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with(&key.to_ascii_lowercase())
            })
        };
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|k| !has(k)).collect();
        if !missing.is_empty() {
            ctx.report_line(
                &IncompleteUnspecifiedBlock::INFO,
                c.line,
                format!(
                    "\"Paper did not specify\" block lacks: {}",
                    missing.join(" ")
                ),
            );
        }
        if c.own_line {
            let next_line = block[block.len() - 1].line + 1;
            let next = file.line_text(next_line).trim();
            let beyond_end = next_line as usize > file.lines().len();
            if beyond_end || next.is_empty() {
                ctx.report_line(
                    &DetachedUnspecifiedBlock::INFO,
                    c.line,
                    "\"Paper did not specify\" block is not directly above the value it describes",
                );
            }
        }
        i = last + 1;
    }
}
