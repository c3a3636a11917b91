//! Embedded raster images: deduplicated by object, JPEG passed through, everything else decoded
//! by hayro (colour spaces, Indexed, CMYK, bit depths, Decode arrays, SMask) and written as PNG.

use hayro_interpret::{Image, ImageData, LumaData};
use hayro_syntax::Filter;
use hayro_syntax::object::{Array, Dict, Object, Stream};
use pdf_layout::Rect;
use std::collections::HashMap;

/// One draw of an image on a page.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Index into [`ImageStore::images`].
    pub image: usize,
    /// 1-based page.
    pub page: usize,
    /// Where it was drawn, in page points (top-left origin), clipped.
    pub bbox: Rect,
}

/// A decoded or passed-through image, ready to be written.
#[derive(Clone, Debug)]
pub struct StoredImage {
    /// `(object number, generation)`, `None` for inline images.
    pub object: Option<(u32, i32)>,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// File extension of `bytes`: "jpg" or "png"; empty when decoding failed.
    pub ext: &'static str,
    /// The file contents.
    pub bytes: Vec<u8>,
    /// The original JPEG stream when the written file is a PNG (the JPEG had a soft mask).
    pub raw_jpeg: Option<Vec<u8>>,
    /// Whether the PNG has an alpha channel from an SMask or Mask.
    pub alpha: bool,
    /// Stream filters, for the manifest ("DCTDecode", "FlateDecode", ...).
    pub filters: Vec<String>,
    /// Whether this was a stencil mask (drawn in the fill colour, written as gray).
    pub stencil: bool,
    /// Bits per sample of the written file: 16 for 16-bit gray or RGB written exactly, else 8.
    pub bits: u8,
    /// `/BitsPerComponent` in the PDF, when the stream states it.
    pub pdf_bits: Option<u8>,
    /// For an 8-bit PNG written from decoded samples: the columns and rows holding ink (see
    /// `ink::ink_bounds`), `Some(None)` when none do. `None` for every other file.
    pub ink: Option<Option<[u32; 4]>>,
}

/// Images of a document, each stored once however often it is drawn.
#[derive(Default)]
pub struct ImageStore {
    /// The stored images in first-draw order.
    pub images: Vec<StoredImage>,
    by_object: HashMap<(u32, i32), usize>,
    /// The 1-based page each image was first drawn on, parallel to `images`.
    first_page: Vec<usize>,
    /// Stencil masks too small to be pictures (1x1 masks scaled into table rules and bars).
    pub stencil_rules: usize,
    /// Whether image files should be produced at all (off when only text is wanted).
    pub decode: bool,
}

impl ImageStore {
    /// A store that decodes images when `decode` is set.
    pub fn new(decode: bool) -> Self {
        ImageStore {
            decode,
            ..Self::default()
        }
    }

    /// Records an image draw; returns the store index, or `None` for stencil rules.
    pub fn add(&mut self, image: &Image<'_, '_>, page: usize) -> Option<usize> {
        let (width, height) = (image.width(), image.height());
        let stream = match image {
            Image::Stencil(s) => {
                if width < 16 || height < 16 {
                    self.stencil_rules += 1;
                    return None;
                }
                s.stream()
            }
            Image::Raster(r) => r.stream(),
        };
        let id = stream.obj_id();
        let object = (id.obj_number != 0).then_some((id.obj_number, id.gen_number));
        if let Some(key) = object
            && let Some(&i) = self.by_object.get(&key)
        {
            return Some(i);
        }
        let filters: Vec<String> = stream.filters().iter().map(filter_name).collect();
        let mut stored = StoredImage {
            object,
            width,
            height,
            ext: "",
            bytes: Vec::new(),
            raw_jpeg: None,
            alpha: false,
            filters,
            stencil: matches!(image, Image::Stencil(_)),
            bits: 8,
            pdf_bits: bits_per_component(stream.dict()),
            ink: None,
        };
        if self.decode {
            encode(image, &mut stored);
        }
        let index = self.images.len();
        self.images.push(stored);
        self.first_page.push(page);
        if let Some(key) = object {
            self.by_object.insert(key, index);
        }
        Some(index)
    }
}

impl ImageStore {
    /// One store from stores that each saw some of the pages, as if one store had seen every
    /// page in order: images sorted by the page they were first drawn on (a store's pages come
    /// in increasing order, so its images of one page are in draw order), an object seen by
    /// several stores kept once, at its earliest draw. Returns, per input store, where each of
    /// its indices went.
    pub fn merge(stores: Vec<ImageStore>) -> (ImageStore, Vec<Vec<usize>>) {
        let mut order: Vec<(usize, usize, usize)> = stores
            .iter()
            .enumerate()
            .flat_map(|(s, st)| {
                st.first_page
                    .iter()
                    .enumerate()
                    .map(move |(i, &p)| (p, s, i))
            })
            .collect();
        order.sort_unstable();
        let mut maps: Vec<Vec<usize>> = stores.iter().map(|s| vec![0; s.images.len()]).collect();
        let mut merged = ImageStore {
            stencil_rules: stores.iter().map(|s| s.stencil_rules).sum(),
            decode: stores.first().is_some_and(|s| s.decode),
            ..ImageStore::default()
        };
        let mut slots: Vec<Vec<Option<StoredImage>>> = stores
            .into_iter()
            .map(|s| s.images.into_iter().map(Some).collect())
            .collect();
        for (page, s, i) in order {
            let image = slots[s][i].take().expect("each image is placed once");
            if let Some(key) = image.object
                && let Some(&j) = merged.by_object.get(&key)
            {
                maps[s][i] = j;
                continue;
            }
            let j = merged.images.len();
            if let Some(key) = image.object {
                merged.by_object.insert(key, j);
            }
            merged.images.push(image);
            merged.first_page.push(page);
            maps[s][i] = j;
        }
        (merged, maps)
    }
}

pub(crate) fn filter_name(f: &Filter) -> String {
    match f {
        Filter::AsciiHexDecode => "ASCIIHexDecode",
        Filter::Ascii85Decode => "ASCII85Decode",
        Filter::LzwDecode => "LZWDecode",
        Filter::FlateDecode => "FlateDecode",
        Filter::RunLengthDecode => "RunLengthDecode",
        Filter::CcittFaxDecode => "CCITTFaxDecode",
        Filter::Jbig2Decode => "JBIG2Decode",
        Filter::DctDecode => "DCTDecode",
        Filter::JpxDecode => "JPXDecode",
        Filter::Crypt => "Crypt",
    }
    .to_string()
}

/// Number of colour components in a JPEG's frame header, if one is found.
pub fn jpeg_components(data: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return Some(data[i + 9]);
        }
        if marker == 0xD8 || marker == 0x01 || (0xD0..=0xD7).contains(&marker) || marker == 0xFF {
            i += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        i += 2 + len;
    }
    None
}

/// The JPEG without the white space that can follow its end-of-image marker: the end-of-line
/// before an inline image's `EI`, or before `endstream` when `/Length` counts it.
fn jpeg_file(raw: &[u8]) -> &[u8] {
    let trimmed = raw.trim_ascii_end();
    if trimmed.ends_with(&[0xFF, 0xD9]) {
        trimmed
    } else {
        raw
    }
}

fn encode(image: &Image<'_, '_>, out: &mut StoredImage) {
    match image {
        Image::Stencil(s) => s.with_stencil(
            |luma, _| {
                out.bytes = crate::png::encode_gray(&luma.data, luma.width, luma.height);
                out.ext = "png";
                (out.width, out.height) = (luma.width, luma.height);
            },
            None,
        ),
        Image::Raster(r) => {
            let stream = r.stream();
            let dict = stream.dict();
            let only_dct = stream.filters().as_slice() == [Filter::DctDecode];
            let masked = dict.contains_key(b"SMask") || dict.contains_key(b"Mask");
            let raw = stream.raw_data();
            // CMYK JPEGs (often Adobe-inverted) and Decode arrays need decoding to look right.
            let plain_jpeg = only_dct
                && !dict.contains_key(b"Decode")
                && matches!(jpeg_components(&raw), Some(1 | 3));
            if plain_jpeg && !masked {
                out.bytes = jpeg_file(&raw).to_vec();
                out.ext = "jpg";
                return;
            }
            if plain_jpeg {
                out.raw_jpeg = Some(jpeg_file(&raw).to_vec());
            }
            let exact = sixteen_bit_samples(stream, out.width, out.height);
            r.with_rgba(
                |data, alpha| {
                    let (w, h) = (data.width(), data.height());
                    let alpha = alpha.filter(|a| a.width == w && a.height == h);
                    out.alpha = alpha.is_some();
                    out.ext = "png";
                    (out.width, out.height) = (w, h);
                    if let Some(samples) = exact.as_ref().filter(|s| (s.width, s.height) == (w, h))
                    {
                        out.bytes = samples.encode(alpha.as_ref());
                        out.bits = 16;
                    } else {
                        out.bytes = encode_raster(&data, alpha.as_ref());
                        out.ink = Some(ink_of(&data, alpha.as_ref()));
                    }
                },
                None,
            );
        }
    }
}

fn bits_per_component(dict: &Dict<'_>) -> Option<u8> {
    dict.get::<u8>(b"BitsPerComponent")
        .or_else(|| dict.get::<u8>(b"BPC"))
}

/// A 16-bit image's samples exactly as the PDF stores them (big-endian, like PNG).
struct Samples16 {
    data: Vec<u8>,
    width: u32,
    height: u32,
    color: crate::png::ColorType,
    icc_profile: Option<Vec<u8>>,
}

impl Samples16 {
    fn channels(&self) -> usize {
        match self.color {
            crate::png::ColorType::Rgb => 3,
            _ => 1,
        }
    }

    /// The PNG, with `alpha` (hayro's 8-bit soft mask or colour-key mask) widened to 16 bits.
    fn encode(&self, alpha: Option<&LumaData>) -> Vec<u8> {
        let Some(alpha) = alpha else {
            return crate::png::encode16(
                &self.data,
                self.width,
                self.height,
                self.color,
                self.icc_profile.as_deref(),
            );
        };
        let pixel = 2 * self.channels();
        let data: Vec<u8> = self
            .data
            .chunks_exact(pixel)
            .zip(&alpha.data)
            .flat_map(|(p, a)| p.iter().copied().chain([*a, *a]))
            .collect();
        let color = match self.color {
            crate::png::ColorType::Rgb => crate::png::ColorType::Rgba,
            _ => crate::png::ColorType::GrayscaleAlpha,
        };
        crate::png::encode16(
            &data,
            self.width,
            self.height,
            color,
            self.icc_profile.as_deref(),
        )
    }
}

/// The samples of a 16-bit image that a PNG can hold without any conversion: DeviceGray or
/// DeviceRGB (or an ICC-based space with one or three components, whose profile goes into the
/// PNG), the default Decode array, and only general-purpose filters (predictors are undone by
/// hayro-syntax). Anything else (Indexed, Lab, CMYK, Separation, JPX's own 16 bits) goes
/// through hayro's 8-bit conversion; the manifest's `bits` says which happened.
fn sixteen_bit_samples(stream: &Stream<'_>, width: u32, height: u32) -> Option<Samples16> {
    let dict = stream.dict();
    if bits_per_component(dict) != Some(16) {
        return None;
    }
    if stream.filters().iter().any(|f| {
        matches!(
            f,
            Filter::DctDecode | Filter::JpxDecode | Filter::Jbig2Decode | Filter::CcittFaxDecode
        )
    }) {
        return None;
    }
    let space = dict
        .get::<Object<'_>>(b"ColorSpace")
        .or_else(|| dict.get::<Object<'_>>(b"CS"))?;
    let (color, icc_profile) = match &space {
        Object::Name(n) => match n.as_ref() {
            b"DeviceGray" | b"G" => (crate::png::ColorType::Grayscale, None),
            b"DeviceRGB" | b"RGB" => (crate::png::ColorType::Rgb, None),
            _ => return None,
        },
        Object::Array(a) => {
            let mut items = a.iter::<Object<'_>>();
            let is_icc = matches!(items.next(), Some(Object::Name(n)) if n.as_ref() == b"ICCBased");
            let Some(Object::Stream(profile)) = items.next().filter(|_| is_icc) else {
                return None;
            };
            let color = match profile.dict().get::<u8>(b"N") {
                Some(1) => crate::png::ColorType::Grayscale,
                Some(3) => crate::png::ColorType::Rgb,
                _ => return None,
            };
            // A profile that is not ICC (no "acsp" signature) would make the PNG unreadable;
            // hayro then uses the plain device space of N components, and so do we.
            let bytes = profile.decoded().ok()?.into_owned();
            let valid = bytes.get(36..40) == Some(b"acsp".as_slice());
            (color, valid.then_some(bytes))
        }
        _ => return None,
    };
    let channels = if color == crate::png::ColorType::Rgb {
        3
    } else {
        1
    };
    if let Some(decode) = dict
        .get::<Array<'_>>(b"Decode")
        .or_else(|| dict.get::<Array<'_>>(b"D"))
    {
        let values: Vec<f64> = decode.iter::<f64>().collect();
        let default: Vec<f64> = (0..channels).flat_map(|_| [0.0, 1.0]).collect();
        if values != default {
            return None;
        }
    }
    let len = width as usize * height as usize * channels * 2;
    let decoded = stream.decoded().ok()?;
    let mut data = decoded.get(..len)?.to_vec();
    data.shrink_to_fit();
    Some(Samples16 {
        data,
        width,
        height,
        color,
        icc_profile,
    })
}

fn ink_of(data: &ImageData, alpha: Option<&LumaData>) -> Option<[u32; 4]> {
    let alpha = alpha.map(|a| a.data.as_slice());
    match data {
        ImageData::Rgb(rgb) => crate::ink::ink_bounds(&rgb.data, alpha, rgb.width as usize, 3),
        ImageData::Luma(l) => crate::ink::ink_bounds(&l.data, alpha, l.width as usize, 1),
    }
}

fn encode_raster(data: &ImageData, alpha: Option<&LumaData>) -> Vec<u8> {
    match (data, alpha) {
        (ImageData::Rgb(rgb), None) => crate::png::encode_rgb(&rgb.data, rgb.width, rgb.height),
        (ImageData::Luma(l), None) => crate::png::encode_gray(&l.data, l.width, l.height),
        (ImageData::Rgb(rgb), Some(a)) => {
            let rgba: Vec<u8> = rgb
                .data
                .chunks_exact(3)
                .zip(&a.data)
                .flat_map(|(p, a)| [p[0], p[1], p[2], *a])
                .collect();
            crate::png::encode_rgba(&rgba, rgb.width, rgb.height)
        }
        (ImageData::Luma(l), Some(a)) => {
            let la: Vec<u8> = l
                .data
                .iter()
                .zip(&a.data)
                .flat_map(|(g, a)| [*g, *a])
                .collect();
            crate::png::encode_gray_alpha(&la, l.width, l.height)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store that met `(object, page)` images in this order (`None`: inline).
    fn store(met: &[(Option<u32>, usize)]) -> ImageStore {
        let mut s = ImageStore::new(true);
        for &(object, page) in met {
            let object = object.map(|n| (n, 0));
            if let Some(key) = object {
                s.by_object.insert(key, s.images.len());
            }
            s.images.push(StoredImage {
                object,
                width: 1,
                height: 1,
                ext: "png",
                bytes: vec![page as u8],
                raw_jpeg: None,
                alpha: false,
                filters: Vec::new(),
                stencil: false,
                bits: 8,
                pdf_bits: Some(8),
                ink: None,
            });
            s.first_page.push(page);
        }
        s.stencil_rules = 1;
        s
    }

    #[test]
    fn merged_stores_equal_one_store_reading_every_page_in_order() {
        // In page order: p1 draws 7; p2 draws inline, 8; p3 draws 7, 9; p4 draws 8, inline.
        // Thread a read pages 1 and 4, thread b pages 2 and 3.
        let a = store(&[(Some(7), 1), (Some(8), 4), (None, 4)]);
        let b = store(&[(None, 2), (Some(8), 2), (Some(7), 3), (Some(9), 3)]);
        let (merged, maps) = ImageStore::merge(vec![a, b]);
        let order: Vec<(Option<(u32, i32)>, u8)> = merged
            .images
            .iter()
            .map(|i| (i.object, i.bytes[0]))
            .collect();
        assert_eq!(
            order,
            [
                (Some((7, 0)), 1),
                (None, 2),
                (Some((8, 0)), 2),
                (Some((9, 0)), 3),
                (None, 4)
            ]
        );
        assert_eq!(maps, [vec![0, 2, 4], vec![1, 2, 0, 3]]);
        assert_eq!(merged.first_page, [1, 2, 2, 3, 4]);
        assert_eq!(merged.by_object[&(8, 0)], 2);
        assert_eq!(merged.stencil_rules, 2);
    }

    #[test]
    fn jpeg_component_count_is_read_from_the_frame_header() {
        // SOI, APP0 of length 4, SOF0 with 3 components.
        let data = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x10, 0x00, 0x10, 0x03, 0, 0, 0, 0,
        ];
        assert_eq!(jpeg_components(&data), Some(3));
        assert_eq!(jpeg_components(&[0xFF, 0xD8]), None);
    }
}
