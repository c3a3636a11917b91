//! Hostile input (issue 20): the crafted cases of the issue, built at test time, each refused
//! with exit 2, one line on stderr and no output folder; and each budget's edge, counted by
//! hand, with the flag that raises it.

mod common;

use common::Pdf;
use std::path::Path;
use std::process::{Command, Output};

fn pdf_figures(input: &Path, out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pdf-figures"))
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

/// Runs on `pdf`; expects exit 2 with exactly one line on stderr that contains `needle`, and
/// no output folder.
fn refused(pdf: &[u8], args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let out = dir.path().join("out");
    let o = pdf_figures(&input, &out, args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(!out.exists(), "{args:?} left {}", out.display());
}

fn passes(pdf: &[u8], args: &[&str]) {
    let (o, out, _d) = common::run(pdf, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.join("manifest.json").is_file());
}

/// One page whose `/Contents` is `contents` (a reference or an array) over streams added by
/// `setup`, with `resources`.
fn page_over(setup: impl FnOnce(&mut Pdf) -> (String, String)) -> Vec<u8> {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let (contents, resources) = setup(&mut pdf);
    let page = pdf.add(&format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 612 792] /Contents {contents} /Resources << {resources} >> >>"
    ));
    pdf.finish(pages, &[page], "")
}

/// A page that draws form 1 `fan` times, form 1 draws form 2 `fan` times, ... down to form
/// `levels`, which strokes a line: fan + fan^2 + ... + fan^levels form draws in all.
fn fan_out(fan: usize, levels: usize) -> Vec<u8> {
    page_over(|pdf| {
        let forms: Vec<usize> = (0..levels).map(|_| pdf.reserve()).collect();
        let draws = "q 0.9 0 0 0.9 1 1 cm /F Do Q ".repeat(fan);
        for (i, &form) in forms.iter().enumerate() {
            let (content, resources) = match forms.get(i + 1) {
                Some(next) => (draws.clone(), format!("/XObject << /F {next} 0 R >>")),
                None => ("0 0 m 100 100 l S".to_string(), String::new()),
            };
            pdf.set(
                form,
                &format!(
                    "<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << {resources} >> /Length {} >>\nstream\n{content}\nendstream",
                    content.len()
                ),
            );
        }
        let content = pdf.stream("", draws.as_bytes());
        (
            format!("{content} 0 R"),
            format!("/XObject << /F {} 0 R >>", forms[0]),
        )
    })
}

#[test]
fn forty_references_to_one_250_mb_content_stream_are_refused_before_decoding() {
    // The 243 KB file: 250 MB of spaces, Flate-compressed, named 40 times in one
    // page's /Contents (10 GB once concatenated). Each stream passes --max-stream-bytes.
    let pdf = page_over(|pdf| {
        let s = pdf.flate_stream("", &vec![b' '; 250 << 20]);
        (
            format!("[{}]", format!("{s} 0 R ").repeat(40)),
            String::new(),
        )
    });
    assert!(pdf.len() < 400_000, "{}", pdf.len());
    refused(&pdf, &[], "--max-content-bytes");
}

#[test]
fn a_stream_of_238_mb_of_path_operators_is_refused_by_the_operator_budget() {
    // 17 M copies of "0 0 m 1 1 l S\n": three operators in 14 bytes, 51 M operators.
    let ops = b"0 0 m 1 1 l S\n".repeat(17_000_000);
    let pdf = page_over(|pdf| (format!("{} 0 R", pdf.flate_stream("", &ops)), String::new()));
    drop(ops);
    // 17 M strokes: the paint budget (500 k paths) ends it first; without it, the operators.
    refused(&pdf, &[], "(raise the limit with --max-paints)");
    refused(&pdf, &["--max-paints", "100000000"], "--max-page-operators");
}

#[test]
fn forms_drawing_forms_6_to_the_8th_times_are_refused_by_the_draw_budget() {
    // 6 + 36 + ... + 6^8 = 2,015,538 form draws from a 3 KB file.
    let pdf = fan_out(6, 8);
    assert!(pdf.len() < 4_000, "{}", pdf.len());
    refused(&pdf, &[], "--max-nested-draws");
}

#[test]
fn nested_draws_are_counted_every_time_and_the_flag_raises_the_budget() {
    // 6 + 36 + 216 + 1296 = 1554 draws.
    let pdf = fan_out(6, 4);
    passes(&pdf, &[]);
    passes(&pdf, &["--max-nested-draws", "1554"]);
    refused(
        &pdf,
        &["--max-nested-draws", "1553"],
        "more than 1553 draws",
    );
}

#[test]
fn page_operators_are_counted_exactly() {
    // 100 x "0 0 m 1 1 l S": 300 operators on the page.
    let pdf = page_over(|pdf| {
        let s = pdf.stream("", "0 0 m 1 1 l S ".repeat(100).as_bytes());
        (format!("{s} 0 R"), String::new())
    });
    passes(&pdf, &["--max-page-operators", "300"]);
    refused(
        &pdf,
        &["--max-page-operators", "299"],
        "page 1: more than 299 content operators on one page (raise the limit with --max-page-operators)",
    );
}

#[test]
fn operators_drawn_in_forms_count_on_the_page_and_in_the_document() {
    // Two pages, each drawing a form of 3 operators 4 times with 4 operators of its own:
    // 4 + 4 x 3 = 16 operators per page, 32 in the document.
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let form = pdf.stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 612 792]",
        b"0 0 m 1 1 l S",
    );
    let kids: Vec<usize> = (0..2)
        .map(|_| {
            pdf.page(
                pages,
                b"/F Do /F Do /F Do /F Do",
                &format!("/XObject << /F {form} 0 R >>"),
                "",
            )
        })
        .collect();
    let pdf = pdf.finish(pages, &kids, "");
    passes(
        &pdf,
        &["--max-page-operators", "16", "--max-operators", "32"],
    );
    refused(
        &pdf,
        &["--max-page-operators", "15"],
        "page 1: more than 15",
    );
    refused(
        &pdf,
        &["--max-operators", "31"],
        "page 2: more than 31 content operators in the document",
    );
}

#[test]
fn content_bytes_count_every_reference_measured_or_not() {
    // A 1000-byte content stream named three times: hayro concatenates them with a space
    // after each, 3 x 1001 = 3003 bytes. Stored plainly its size is known from its length;
    // Flate-compressed it is measured before decoding.
    let text = format!("{}\n", "%".repeat(999));
    for flate in [false, true] {
        let pdf = page_over(|pdf| {
            let s = if flate {
                pdf.flate_stream("", text.as_bytes())
            } else {
                pdf.stream("", text.as_bytes())
            };
            (format!("[{s} 0 R {s} 0 R {s} 0 R]"), String::new())
        });
        passes(&pdf, &["--max-content-bytes", "3003"]);
        refused(
            &pdf,
            &["--max-content-bytes", "3002"],
            "more than 3002 bytes of decoded content",
        );
    }
}

#[test]
fn a_fifo_or_a_device_as_input_is_refused_before_opening() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.pdf");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (input, what) in [
        (fifo.as_path(), "a FIFO"),
        (Path::new("/dev/zero"), "a device"),
        (dir.path(), "a folder"),
    ] {
        let out = dir.path().join("out");
        let o = pdf_figures(input, &out, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("not a regular file ({what})")),
            "{err}"
        );
        assert!(!out.exists());
    }
}

/// A page that fills its area with a tiling pattern of the given box and steps, whose cell
/// strokes one line (3 operators); the page's own content is 4 operators (cs, scn, re, f).
fn tiling(bbox: &str, x_step: &str, y_step: &str) -> Vec<u8> {
    page_over(|pdf| {
        let cell = "0 0 m 1 1 l S";
        let pattern = pdf.stream(
            &format!(
                "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [{bbox}] /XStep {x_step} /YStep {y_step} /Resources << >>"
            ),
            cell.as_bytes(),
        );
        let content = pdf.stream("", b"/Pattern cs /P1 scn 0 0 612 792 re f");
        (
            format!("{content} 0 R"),
            format!("/Pattern << /P1 {pattern} 0 R >>"),
        )
    })
}

#[test]
fn a_tiling_pattern_counts_every_copy_of_its_cell() {
    // Per axis: the cell's extent over the step, rounded up, plus two: (10/10 + 2) x (10/5 + 2)
    // = 12 copies, so 12 draws and 4 + 12 x 3 = 40 operators.
    let pdf = tiling("0 0 10 10", "10", "5");
    passes(
        &pdf,
        &["--max-nested-draws", "12", "--max-page-operators", "40"],
    );
    refused(&pdf, &["--max-nested-draws", "11"], "more than 11 draws");
    refused(
        &pdf,
        &["--max-page-operators", "39"],
        "more than 39 content operators",
    );
}

#[test]
fn a_tiling_pattern_with_a_tiny_step_is_refused_not_rendered_for_ever() {
    // A step of 0.01 over a page-sized cell: (61,200 + 2) x (79,200 + 2) copies. Before the
    // budget, rendering this 1 KB file with --pages ran past a minute.
    refused(
        &tiling("0 0 612 792", "0.01", "0.01"),
        &["--pages"],
        "(raise the limit with --max-",
    );
}

/// Pages that each show the strings of `content` in Helvetica.
fn text_pages(content: &str, n: usize) -> Vec<u8> {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let kids: Vec<usize> = (0..n)
        .map(|_| {
            pdf.page(
                pages,
                content.as_bytes(),
                &format!("/Font << /F1 {font} 0 R >>"),
                "",
            )
        })
        .collect();
    pdf.finish(pages, &kids, "")
}

#[test]
fn shown_text_is_counted_per_page_and_per_document() {
    // (abc) Tj, [(de) 120 (f)] TJ and (gh) ': 3 + 3 + 2 = 8 bytes of text per page.
    let pdf = text_pages(
        "BT /F1 10 Tf 72 700 Td (abc) Tj [(de) 120 (f)] TJ (gh) ' ET",
        2,
    );
    passes(&pdf, &["--max-page-glyphs", "8", "--max-glyphs", "16"]);
    refused(
        &pdf,
        &["--max-page-glyphs", "7"],
        "page 1: more than 7 bytes of text shown on one page",
    );
    refused(
        &pdf,
        &["--max-glyphs", "15"],
        "page 2: more than 15 bytes of text shown in the document",
    );
}

#[test]
fn a_line_of_a_million_glyphs_is_refused_by_the_text_budget() {
    // What the fuzz loop found (pdf case 6955 of seed 20): a 1 MB string shown by a form
    // drawn twice took 14 s and 1.37 GB.
    let text = "ab cd ".repeat(170_000);
    let pdf = text_pages(&format!("BT /F1 10 Tf 72 700 Td ({text}) Tj ET"), 1);
    refused(&pdf, &[], "--max-page-glyphs");
}

/// A page showing `text` in a Type 3 font whose glyph `a` runs `proc_a` (with `resources`)
/// and whose glyph `b` is `10 0 d0` (one operator).
fn type3_page(text: &str, proc_a: &str, setup: impl FnOnce(&mut Pdf) -> String) -> Vec<u8> {
    type3_page_stored(text, proc_a, false, setup)
}

/// [`type3_page`] with the font dictionary stored as its own object, or (`inline`) written
/// directly in the page's `/Resources /Font`.
fn type3_page_stored(
    text: &str,
    proc_a: &str,
    inline: bool,
    setup: impl FnOnce(&mut Pdf) -> String,
) -> Vec<u8> {
    page_over(|pdf| {
        let resources = setup(pdf);
        let a = pdf.stream("", proc_a.as_bytes());
        let b = pdf.stream("", b"10 0 d0");
        let font = format!(
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 10 10] /FontMatrix [0.1 0 0 0.1 0 0] \
             /CharProcs << /a {a} 0 R /b {b} 0 R >> /Encoding << /Type /Encoding /Differences [97 /a /b] >> \
             /FirstChar 97 /LastChar 98 /Widths [10 10] /Resources << {resources} >> >>"
        );
        let font = if inline {
            font
        } else {
            format!("{} 0 R", pdf.add(&font))
        };
        let content = pdf.stream(
            "",
            format!("BT /T3 12 Tf 72 700 Td ({text}) Tj ET").as_bytes(),
        );
        (format!("{content} 0 R"), format!("/Font << /T3 {font} >>"))
    })
}

#[test]
fn each_type3_glyph_shown_counts_its_costliest_procedure() {
    // Page: BT, Tf, Td, Tj, ET = 5 operators. Selecting the font walks both procedures once
    // (a: d1, re, f = 3; b: d0 = 1) and is one draw; each of the 3 glyphs shown then costs
    // the costliest procedure (3 operators, no draw of its own): 5 + 4 + 9 = 18 operators,
    // 1 draw.
    let pdf = type3_page("aab", "10 0 0 0 10 10 d1 0 0 10 10 re f", |_| String::new());
    passes(
        &pdf,
        &["--max-page-operators", "18", "--max-nested-draws", "1"],
    );
    refused(&pdf, &["--max-page-operators", "17"], "more than 17");
    refused(&pdf, &["--max-nested-draws", "0"], "more than 0 draws");
}

#[test]
fn an_inline_type3_font_counts_its_glyphs_like_a_stored_one() {
    // The same page as above with the font dictionary written inside /Resources /Font: the
    // same 18 operators and 1 draw (before, its glyphs cost nothing: 5 + 4 = 9 operators).
    let pdf = type3_page_stored("aab", "10 0 0 0 10 10 d1 0 0 10 10 re f", true, |_| {
        String::new()
    });
    passes(
        &pdf,
        &["--max-page-operators", "18", "--max-nested-draws", "1"],
    );
    refused(&pdf, &["--max-page-operators", "17"], "more than 17");
    refused(&pdf, &["--max-nested-draws", "0"], "more than 0 draws");
    // Selected twice (the second `Tf` answered from the memo), each glyph still counts, as
    // for a stored font: page 7 operators (BT Tf Td Tj Tf Tj ET), each selection walks the
    // procedures (4 operators, one draw) twice, and 3 + 2 glyphs of 3 operators each:
    // 7 + 8 + 15 = 30.
    for inline in [false, true] {
        let pdf = page_over(|pdf| {
            let a = pdf.stream("", b"10 0 0 0 10 10 d1 0 0 10 10 re f");
            let b = pdf.stream("", b"10 0 d0");
            let content = pdf.stream("", b"BT /T3 12 Tf 72 700 Td (aab) Tj /T3 12 Tf (ab) Tj ET");
            let font = format!(
                "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 10 10] \
                 /FontMatrix [0.1 0 0 0.1 0 0] /CharProcs << /a {a} 0 R /b {b} 0 R >> \
                 /Encoding << /Type /Encoding /Differences [97 /a /b] >> /FirstChar 97 \
                 /LastChar 98 /Widths [10 10] >>"
            );
            let font = if inline {
                font
            } else {
                format!("{} 0 R", pdf.add(&font))
            };
            (format!("{content} 0 R"), format!("/Font << /T3 {font} >>"))
        });
        passes(&pdf, &["--max-page-operators", "30"]);
        refused(&pdf, &["--max-page-operators", "29"], "more than 29");
    }
    // A thousand glyphs whose procedure fans out, in an inline font: refused like the stored
    // one below.
    let fan = type3_page_stored(&"a".repeat(1000), "10 0 d0 /F Do", true, |pdf| {
        let leaf = pdf.stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10]",
            b"0 0 m 1 1 l S",
        );
        let mut next = leaf;
        for _ in 0..4 {
            next = pdf.stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /F {next} 0 R >> >>"
                ),
                "/F Do ".repeat(6).as_bytes(),
            );
        }
        format!("/XObject << /F {next} 0 R >>")
    });
    refused(&fan, &[], "(raise the limit with --max-page-operators)");
}

#[test]
fn type3_glyphs_that_draw_form_fan_outs_are_refused() {
    // Glyph `a` draws a form that draws 6 forms, each drawing 6, ... down to a stroke:
    // 1 + 6 + 36 + 216 + 1296 = 1555 draws per glyph, and the page shows 1000 of them: about
    // 1.56 M draws (and 1000 x 5444 = 5.4 M operators) from a 3 KB file. The operators run out first.
    let pdf = type3_page(&"a".repeat(1000), "10 0 d0 /F Do", |pdf| {
        let leaf = pdf.stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10]",
            b"0 0 m 1 1 l S",
        );
        let mut next = leaf;
        for _ in 0..3 {
            next = pdf.stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /F {next} 0 R >> >>"
                ),
                "/F Do ".repeat(6).as_bytes(),
            );
        }
        let top = pdf.stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /F {next} 0 R >> >>"
            ),
            "/F Do ".repeat(6).as_bytes(),
        );
        format!("/XObject << /F {top} 0 R >>")
    });
    // The Tj adds the 1000 glyphs' cost at once: past the page operators first; raised, the
    // 1000 x 1296 = 1.3 M strokes pass the paint budget (500 k); raised too, the draws.
    refused(&pdf, &[], "(raise the limit with --max-page-operators)");
    refused(
        &pdf,
        &["--max-page-operators", "100000000"],
        "(raise the limit with --max-paints)",
    );
    refused(
        &pdf,
        &[
            "--max-page-operators",
            "100000000",
            "--max-paints",
            "100000000",
        ],
        "(raise the limit with --max-nested-draws)",
    );
}

/// A page drawing `count` distinct `side` x `side` RGB image objects (all zero, Flate), each
/// drawn `draws` times, then the inline images of `inline`.
fn images_page(count: usize, side: usize, draws: usize, inline: &str) -> Vec<u8> {
    page_over(|pdf| {
        let pixels = vec![0u8; side * side * 3];
        let mut names = String::new();
        let mut content = String::new();
        for i in 0..count {
            let im = pdf.flate_stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceRGB /BitsPerComponent 8"
                ),
                &pixels,
            );
            names += &format!("/Im{i} {im} 0 R ");
            for _ in 0..draws {
                content += &format!("q 10 0 0 10 {} 700 cm /Im{i} Do Q\n", 20 + i % 50 * 11);
            }
        }
        content += inline;
        let c = pdf.stream("", content.as_bytes());
        (format!("{c} 0 R"), format!("/XObject << {names}>>"))
    })
}

#[test]
fn decoded_image_bytes_are_capped_for_the_whole_document() {
    // 100 image objects of 10 x 10 RGB, each drawn twice: decoded once each, 100 x 300 =
    // 30,000 bytes; an inline 4 x 5 gray image drawn by two operators: decoded both times,
    // 2 x 4 x 5 x 3 = 120 bytes (every image is decoded to RGB). 30,120 in all.
    let inline = "q 4 0 0 5 72 72 cm BI /W 4 /H 5 /CS /G /BPC 8 ID \
                  \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00 EI Q\n";
    let pdf = images_page(100, 10, 2, &format!("{inline}{inline}"));
    passes(&pdf, &["--max-image-bytes", "30120"]);
    refused(
        &pdf,
        &["--max-image-bytes", "30119"],
        "page 1: more than 30119 bytes of decoded images in the document (width x height x 3, plus the alpha plane) (raise the limit with --max-image-bytes)",
    );
    // Many small images past the default (512 MiB): 6,000 objects of 200 x 200 RGB are
    // 720,000,000 bytes once decoded, from a 3 MB file; refused before any is decoded.
    let many = images_page(6000, 200, 1, "");
    assert!(many.len() < 4 << 20, "{} bytes", many.len());
    refused(&many, &[], "more than 536870912 bytes of decoded images");
    // The flag raises it: 719,999,999 bytes still refused, and a page of half as many
    // passes the default (360,000,000 bytes).
    refused(
        &many,
        &["--max-image-bytes", "719999999"],
        "more than 719999999 bytes of decoded images",
    );
    passes(&images_page(3000, 200, 1, ""), &[]);
}

/// `pages` pages that all show one Flate content stream (`content`) in Helvetica.
fn pages_sharing(content: &[u8], pages: usize) -> Vec<u8> {
    let mut pdf = Pdf::default();
    let parent = pdf.reserve();
    let font = pdf.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let c = pdf.flate_stream("", content);
    let kids: Vec<usize> = (0..pages)
        .map(|_| {
            pdf.add(&format!(
                "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] /Contents {c} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>"
            ))
        })
        .collect();
    pdf.finish(parent, &kids, "")
}

#[test]
fn many_pages_each_just_under_the_page_budgets_are_caught_by_the_document_budgets() {
    // Eleven pages of 2,999,998 operators (`q Q` pairs), each under the page budget (3 M):
    // 32,999,978 in all, past the document's 30 M.
    let qq = pages_sharing(&b"q Q\n".repeat(1_499_999), 11);
    refused(
        &qq,
        &[],
        "page 11: more than 30000000 content operators in the document (raise the limit with --max-operators)",
    );
    // Ten pages of 999,999 strokes (2,999,997 operators each, under both operator budgets):
    // 10 M paths, past the paint budget (500 k) on the first page. At the old budgets (5 M a
    // page, 50 M in all) ten such pages ran 45 s and took 2.36 GB.
    let strokes: Vec<u8> = (0..999_999)
        .flat_map(|i| {
            format!(
                "{} {} m {} {} l S\n",
                i % 500,
                i / 500 % 700,
                i % 500 + 1,
                i / 500 % 700 + 1
            )
            .into_bytes()
        })
        .collect();
    refused(
        &pages_sharing(&strokes, 10),
        &[],
        "page 1: more than 500000 paths painted in the document",
    );
    // Five pages each just under the page text budget (200 k bytes), in 99,990 two-glyph runs
    // placed apart: 999,900 bytes, under the document's 1 M. Read, not refused (the line
    // builder was quadratic in the runs of a page: 67 s for these five pages).
    let runs: Vec<u8> = std::iter::once(b"BT /F1 1 Tf\n".to_vec())
        .chain(
            (0..99_990)
                .map(|i| format!("1 0 0 1 {} {} Tm (ab) Tj\n", i % 600, i % 700).into_bytes()),
        )
        .chain(std::iter::once(b"ET\n".to_vec()))
        .flatten()
        .collect();
    passes(&pages_sharing(&runs, 5), &[]);
}
