//! PNG encoding of 8- and 16-bit pixel buffers (fast deflate: lossless, and quick enough for page
//! renders).

pub use png::ColorType;
use std::io::Write;

fn encode(data: &[u8], width: u32, height: u32, color: png::ColorType) -> Vec<u8> {
    encode_with(data, width, height, color, png::BitDepth::Eight, None)
}

/// 16-bit samples, big-endian (as PDF stores them), with an optional ICC profile (`iCCP`).
pub fn encode16(
    data: &[u8],
    width: u32,
    height: u32,
    color: ColorType,
    icc_profile: Option<&[u8]>,
) -> Vec<u8> {
    encode_with(
        data,
        width,
        height,
        color,
        png::BitDepth::Sixteen,
        icc_profile,
    )
}

fn encode_with(
    data: &[u8],
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    icc_profile: Option<&[u8]>,
) -> Vec<u8> {
    stream(width, height, color, depth, icc_profile, |s| {
        s.write_all(data)
    })
}

/// The PNG of the image `write` gives a stream writer, row after row: the writer filters and
/// compresses as the rows come and writes IDAT chunks as they fill, so no whole filtered or
/// compressed copy of the image is made besides the file's. Empty when `write` fails or gives
/// another number of bytes than the image holds.
fn stream(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    icc_profile: Option<&[u8]>,
    write: impl FnOnce(&mut png::StreamWriter<'_, &mut Vec<u8>>) -> std::io::Result<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut info = png::Info::with_size(width, height);
    info.color_type = color;
    info.bit_depth = depth;
    info.icc_profile = icc_profile.map(std::borrow::Cow::Borrowed);
    let Ok(mut encoder) = png::Encoder::with_info(&mut out, info) else {
        return Vec::new();
    };
    encoder.set_compression(png::Compression::Fast);
    // One filter for every row rather than the adaptive choice among five (the default of
    // `Fast`), which tries each filter on each row: over the 15 corpus papers pdf-figures took
    // 4.7% less CPU time, for PNGs 3.7% larger over all 25 (83.0 -> 86.1 MB). Paeth was the
    // smallest of the single filters (Up and Sub: +34%).
    encoder.set_filter(png::Filter::Paeth);
    let written = encoder.write_header().and_then(|mut w| {
        let mut s = w.stream_writer_with_size(IDAT_CHUNK)?;
        write(&mut s)?;
        // Fails when fewer bytes came than the image holds (more fail in `write`).
        s.finish()?;
        w.finish()
    });
    if written.is_err() {
        out.clear();
    }
    out
}

/// 8-bit RGB of `height` rows of `width` pixels each taken from premultiplied RGBA rows on
/// opaque white (so the straight colours), the first at `rows[0][left * 4..]`. Rows are
/// converted one at a time: no RGB copy of the whole crop (up to 11 MB for a Letter page at
/// 200 dpi, memory the kernel must zero when first touched).
pub fn encode_rgb_of_rgba<'r>(
    rows: impl Iterator<Item = &'r [u8]>,
    left: usize,
    width: u32,
    height: u32,
) -> Vec<u8> {
    let mut line = vec![0u8; width as usize * 3];
    stream(
        width,
        height,
        ColorType::Rgb,
        png::BitDepth::Eight,
        None,
        |s| {
            let mut count = 0;
            for row in rows.take(height as usize) {
                let row = &row[left * 4..(left + width as usize) * 4];
                // On an opaque white background the premultiplied pixels are the straight ones.
                for (o, p) in line.chunks_exact_mut(3).zip(row.chunks_exact(4)) {
                    o.copy_from_slice(&p[..3]);
                }
                s.write_all(&line)?;
                count += 1;
            }
            // Rows past the render's end (none when the crop lies inside it) are black.
            line.fill(0);
            for _ in count..height as usize {
                s.write_all(&line)?;
            }
            Ok(())
        },
    )
}

/// Most image bytes an IDAT chunk of a streamed PNG holds.
const IDAT_CHUNK: usize = 1 << 18;

/// 8-bit RGB.
pub fn encode_rgb(data: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(data, width, height, png::ColorType::Rgb)
}

/// 8-bit RGBA (straight alpha).
pub fn encode_rgba(data: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(data, width, height, png::ColorType::Rgba)
}

/// 8-bit gray.
pub fn encode_gray(data: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(data, width, height, png::ColorType::Grayscale)
}

/// 8-bit gray with alpha.
pub fn encode_gray_alpha(data: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(data, width, height, png::ColorType::GrayscaleAlpha)
}
