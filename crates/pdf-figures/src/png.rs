//! PNG encoding of 8-bit pixel buffers (fast deflate: lossless, and quick enough for page renders).

fn encode(data: &[u8], width: u32, height: u32, color: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // Writing into a Vec only fails on a size mismatch, which the decoders rule out.
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(data).and_then(|_| w.finish()));
    if written.is_err() {
        out.clear();
    }
    out
}

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
