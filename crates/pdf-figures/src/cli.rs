//! Command line for pdf-figures: flags in, files out, one summary or error line.

use crate::{Error, Limits, Options, extract, output, ownership};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  pdf-figures paper.pdf -o out/            everything below, into out/
  pdf-figures paper.pdf -o out/ --pages    also render every page to out/pages/page-N.png
  pdf-figures paper.pdf -o out/ --json     print the manifest instead of the summary
  pdf-figures paper.pdf -o out/ --pages    on an out/ written before from paper.pdf: add the
                                           page renders (the other files stay as they are)
  pdf-figures paper.pdf -o out/ --force    replace an out/ that pdf-figures wrote

Output:
  out/manifest.json        document info; figures (id as printed, 1-based page, bbox in PDF
                           points from the top-left, caption, kind raster/vector/mixed, files)
  out/figures/fig-3.png    each figure rendered at --dpi
  out/images/              embedded rasters: JPEG as stored, others as PNG (alpha from SMask;
                           16-bit gray/RGB images as 16-bit PNG, see `bits` in the manifest)
  out/text/page-5.txt      page text in reading order
  out/paper.md             the paper in reading order with section headings; figures, tables
                           and equations replaced by links to their files (read this first)
  out/tables/table-3.md    each captioned table as cells (also .csv and a .png crop)
  out/equations/eq-4.png   each display equation cropped (numbered: eq-<number>.png), with its
                           number and linear Unicode text under `equations` in the manifest
  out/hyperparams.json     hyper-parameters and reported parameter counts with page, section
                           and the sentence or table cell they come from (.md: the same table)

Limits: a file past --max-image-pixels, --max-stream-bytes, --max-depth (nested forms,
Type 3 glyphs, patterns), --max-page-operators, --max-operators, --max-content-bytes,
--max-nested-draws, --max-page-glyphs, --max-glyphs, --max-image-bytes or --max-paints is
refused with one line naming the flag, before any page is interpreted; a reference cycle is refused at any
depth. The input must be a regular file (not a FIFO or a device). Each default leaves a real
paper at least ten times the room.

Output folder: pdf-figures lists the files it wrote in out/.pdf-figures-files. It refuses an
existing out/ unless --force is given or --pages adds renders, and even then it refuses a
folder that holds the input PDF, any file it did not write, or a symbolic link (out/ itself or
inside it); --force removes only the listed files.

Exit codes: 0 ok, 2 bad input or usage (one line on stderr, nothing written).";

/// Read a paper PDF exactly: figures, tables, equations, hyper-parameters, text and paper.md.
#[derive(Parser, Debug)]
#[command(name = "pdf-figures", version, after_help = EXAMPLES)]
struct Cli {
    /// The PDF to read.
    pdf: PathBuf,
    /// Output folder (created; an existing one only with --force, or --pages to add page
    /// renders, and only if pdf-figures wrote everything in it).
    #[arg(short, long)]
    output: PathBuf,
    /// Render resolution for figure crops and pages, in dots per inch.
    #[arg(long, default_value_t = 200.0)]
    dpi: f64,
    /// Also render every page to pages/page-N.png.
    #[arg(long)]
    pages: bool,
    /// Print manifest.json on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    /// Replace the output folder if it exists and holds only files pdf-figures wrote.
    #[arg(long)]
    force: bool,
    /// Threads for reading, rendering and mining (0: one per core, at most 4); writing the
    /// files always uses two. The output is the same for any number.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Largest image to decode, in pixels (width x height).
    #[arg(long, default_value_t = Limits::default().max_image_pixels)]
    max_image_pixels: u64,
    /// Largest decoded size of one Flate, LZW or RunLength stream, in bytes.
    #[arg(long, default_value_t = Limits::default().max_stream_bytes)]
    max_stream_bytes: u64,
    /// Deepest nesting of form XObjects, Type 3 glyphs, tiling patterns and soft-mask groups
    /// (reference cycles are refused at any depth).
    #[arg(long, default_value_t = Limits::default().max_depth,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::limits::HAYRO_MAX_DEPTH)))]
    max_depth: u32,
    /// Most content operators interpreted for one page, nested forms counted each time they
    /// are drawn.
    #[arg(long, default_value_t = Limits::default().max_page_operators)]
    max_page_operators: u64,
    /// Most content operators interpreted for the whole document.
    #[arg(long, default_value_t = Limits::default().max_operators)]
    max_operators: u64,
    /// Most decoded content bytes for the whole document (page contents, forms, patterns,
    /// glyph programs), each stream counted every time it is drawn.
    #[arg(long, default_value_t = Limits::default().max_content_bytes)]
    max_content_bytes: u64,
    /// Most draws of forms, tiling pattern cells (every copy), soft masks and Type 3 fonts
    /// for the whole document.
    #[arg(long, default_value_t = Limits::default().max_nested_draws)]
    max_nested_draws: u64,
    /// Most bytes of text shown (Tj, TJ, ', ") on one page, forms counted each time they are
    /// drawn: at least one per glyph.
    #[arg(long, default_value_t = Limits::default().max_page_glyphs)]
    max_page_glyphs: u64,
    /// Most bytes of text shown for the whole document.
    #[arg(long, default_value_t = Limits::default().max_glyphs)]
    max_glyphs: u64,
    /// Most bytes of decoded images for the whole document (width x height x 3 per image
    /// object, plus its alpha plane; inline images each time they are drawn).
    #[arg(long, default_value_t = Limits::default().max_image_bytes)]
    max_image_bytes: u64,
    /// Most paths painted (S, f, B, sh, ...) for the whole document, forms counted each time
    /// they are drawn.
    #[arg(long, default_value_t = Limits::default().max_paints)]
    max_paints: u64,
}

pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    // Panics from the PDF libraries are caught and reported as one line; keep their default
    // message off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    // Installed after (and wrapping) the silent hook: a closed stdout pipe ends with status 0.
    cli_guard::quiet_broken_pipe();
    let cli = Cli::parse_from(args);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pdf-figures: {}: {e}", cli.pdf.display());
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Error> {
    if !(cli.dpi >= 10.0 && cli.dpi <= 2400.0) {
        return Err(Error::Input(format!(
            "--dpi {} is outside 10..=2400",
            cli.dpi
        )));
    }
    let data = crate::input::read_regular(&cli.pdf)?;
    let sha256 = ownership::sha256_hex(&data);
    let plan = ownership::plan(&cli.output, &cli.pdf, &sha256, cli.force, cli.pages)?;
    let opts = Options {
        dpi: cli.dpi,
        pages: cli.pages,
        limits: Limits {
            max_image_pixels: cli.max_image_pixels,
            max_stream_bytes: cli.max_stream_bytes,
            max_depth: cli.max_depth,
            max_page_operators: cli.max_page_operators,
            max_operators: cli.max_operators,
            max_content_bytes: cli.max_content_bytes,
            max_nested_draws: cli.max_nested_draws,
            max_page_glyphs: cli.max_page_glyphs,
            max_glyphs: cli.max_glyphs,
            max_image_bytes: cli.max_image_bytes,
            max_paints: cli.max_paints,
        },
        progress: true,
        threads: cli.threads,
    };
    let name = cli.pdf.file_name().map_or_else(
        || cli.pdf.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut ex = extract(data, &name, &opts)?;
    if let ownership::Plan::AddPages(owned) = &plan {
        output::keep_earlier(&mut ex, &cli.output, owned)?;
    }
    let mut timer = crate::extract::Timer::from_env();
    output::write(&ex, &cli.output, &plan, &sha256)?;
    timer.lap("write");
    if cli.json {
        print!("{}", output::manifest_json(&ex));
    } else {
        print!("{}", output::summary(&ex, &cli.output));
    }
    Ok(())
}
