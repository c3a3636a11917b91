//! Pages are read on several threads, each with its own image store; the merged store must be
//! the one a single thread reading the pages in order builds. A twelve-page document built here
//! draws shared image objects on pages far apart and inline images on two pages, so that with
//! three threads every image is first met by a different thread than in page order.

mod common;
use common::{Pdf, read_png, run_ok_with};
use serde_json::Value;

/// A 20x20 gray image XObject of one value.
fn gray_image(pdf: &mut Pdf, value: u8) -> usize {
    pdf.stream(
        "/Type /XObject /Subtype /Image /Width 20 /Height 20 /ColorSpace /DeviceGray /BitsPerComponent 8",
        &[value; 400],
    )
}

/// A 20x20 gray inline image of one value (ASCIIHex, so the content stays text).
fn inline_image(value: u8) -> String {
    let hex: String = std::iter::repeat_n(format!("{value:02x}"), 400).collect();
    format!("q 100 0 0 100 50 400 cm BI /W 20 /H 20 /CS /G /BPC 8 /F /AHx ID {hex}> EI Q\n")
}

fn draw(name: &str, y: u32) -> String {
    format!("q 100 0 0 100 50 {y} cm /{name} Do Q\n")
}

/// Pages 2: Y; 3: X, Y; 4: inline 30; 5: Z, X; 9: X; 11: inline 90; the rest a rule only.
fn document() -> (Vec<u8>, [usize; 3]) {
    let mut pdf = Pdf::default();
    let pages = pdf.reserve();
    let x = gray_image(&mut pdf, 50);
    let y = gray_image(&mut pdf, 200);
    let z = gray_image(&mut pdf, 120);
    let resources = format!("/XObject << /X {x} 0 R /Y {y} 0 R /Z {z} 0 R >>");
    let mut kids = Vec::new();
    for page in 1..=12 {
        let content = match page {
            2 => draw("Y", 600),
            3 => draw("X", 600) + &draw("Y", 300),
            4 => inline_image(30),
            5 => draw("Z", 600) + &draw("X", 300),
            9 => draw("X", 600),
            11 => inline_image(90),
            _ => "0 0 0 RG 72 72 m 540 72 l S\n".to_string(),
        };
        kids.push(pdf.page(pages, content.as_bytes(), &resources, ""));
    }
    (pdf.finish(pages, &kids, ""), [x, y, z])
}

fn extract(pdf: &[u8], threads: &str) -> (Value, std::path::PathBuf, tempfile::TempDir) {
    run_ok_with(pdf, &["--threads", threads])
}

#[test]
fn images_are_stored_in_first_draw_order_whatever_the_thread_count() {
    let (pdf, [x, y, z]) = document();
    for threads in ["1", "3"] {
        let (manifest, out, _dir) = extract(&pdf, threads);
        let images = manifest["images"].as_array().unwrap();
        let files: Vec<&str> = images.iter().map(|i| i["file"].as_str().unwrap()).collect();
        assert_eq!(
            files,
            [
                format!("images/img-{y}.png"),
                format!("images/img-{x}.png"),
                "images/inline-1.png".to_string(),
                format!("images/img-{z}.png"),
                "images/inline-2.png".to_string(),
            ],
            "--threads {threads}"
        );
        let pages = |i: usize| -> Vec<u64> {
            images[i]["placements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["page"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(pages(0), [2, 3], "Y, --threads {threads}");
        assert_eq!(pages(1), [3, 5, 9], "X, --threads {threads}");
        assert_eq!(pages(2), [4], "inline 30, --threads {threads}");
        assert_eq!(pages(3), [5], "Z, --threads {threads}");
        assert_eq!(pages(4), [11], "inline 90, --threads {threads}");
        for (file, value) in files.iter().zip([200, 50, 30, 120, 90]) {
            let (w, h, channels, samples) = read_png(&out.join(file));
            assert_eq!((w, h, channels), (20, 20, 1), "{file}");
            assert!(
                samples.iter().all(|&s| s == value),
                "{file}: not all {value}"
            );
        }
    }
}
