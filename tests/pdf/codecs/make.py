#!/usr/bin/env python3
"""Regenerates the encoded image streams under tests/pdf/codecs/ from known source pixels.

Run it offline (needs Pillow with its bundled libtiff and OpenJPEG, poppler's pdfimages and
jbig2dec: `pip install pillow`, `apt-get install poppler-utils jbig2dec`):
    python3 tests/pdf/codecs/make.py
CI does not run it: the streams are committed and crates/pdf-figures/tests/codebuilt.rs wraps
them in PDFs and asserts the decoded pixels. Each stream is checked here first against an
independent decoder, poppler (`pdfimages`), so a wrong fixture cannot slip in. The source
pictures are defined by the formulas below, which the Rust test repeats on its own:
    gray   64x48, 8 bits: v = (x // 8) * 32 + y * 5  (mod 256): runs of 8 equal bytes
    rgb    32x24, 8 bits: (8x, 10y, 4(x + y))
    bilevel 64x40: black where ((x // 4) + (y // 4)) % 3 == 0 or x == y
"""

import io
import pathlib
import struct
import subprocess
import sys
import tempfile

from PIL import Image, ImageCms

HERE = pathlib.Path(__file__).resolve().parent


def gray_source():
    return bytes(((x // 8) * 32 + y * 5) % 256 for y in range(48) for x in range(64))


def rgb_source():
    return bytes(c for y in range(24) for x in range(32) for c in (8 * x, 10 * y, 4 * (x + y)))


def bilevel_black(x, y):
    return ((x // 4) + (y // 4)) % 3 == 0 or x == y


def bilevel_source():
    """8-bit gray rendering of the bilevel picture: 0 black, 255 white."""
    return bytes(0 if bilevel_black(x, y) else 255 for y in range(40) for x in range(64))


def tiff_strip(image, **save):
    """Encodes `image` as a one-strip TIFF with libtiff and returns the strip's bytes."""
    buf = io.BytesIO()
    image.save(buf, "TIFF", **save)
    tiff = Image.open(io.BytesIO(buf.getvalue()))
    offsets, counts = tiff.tag_v2[273], tiff.tag_v2[279]
    assert len(offsets) == 1, "expected one strip"
    return buf.getvalue()[offsets[0] : offsets[0] + counts[0]]


def one_image_pdf(image_dict, data):
    """A one-page PDF drawing one image XObject, for the poppler cross-check."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> >> >>",
    ]
    content = b"q 100 0 0 100 50 50 cm /Im0 Do Q"
    objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objs.append(
        b"<< /Type /XObject /Subtype /Image " + image_dict.encode() + b" /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def poppler_pixels(image_dict, data):
    """Pixels of the image as poppler decodes it (8-bit gray or RGB samples)."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = pathlib.Path(tmp, "t.pdf")
        pdf.write_bytes(one_image_pdf(image_dict, data))
        subprocess.run(["pdfimages", "-png", str(pdf), str(pathlib.Path(tmp, "x"))], check=True)
        png = Image.open(pathlib.Path(tmp, "x-000.png"))
        if png.mode == "1":
            png = png.convert("L")
        return png.tobytes()


def write(name, data, image_dict, expected):
    got = poppler_pixels(image_dict, data)
    if got != expected:
        sys.exit(f"{name}: poppler decodes other pixels than the source; fixture not written")
    (HERE / name).write_bytes(data)
    print(f"{name}: {len(data)} bytes, poppler agrees")


def main():
    gray = Image.frombytes("L", (64, 48), gray_source())
    rgb = Image.frombytes("RGB", (32, 24), rgb_source())
    # libtiff's fax coder codes 0 bits as white runs, while Pillow writes a bilevel TIFF as
    # min-is-black (0 = black): hand it the negative so the coded white runs are the source's
    # white, which PDF's default BlackIs1 false turns into 1 bits, i.e. white.
    negative = bytes(255 - v for v in bilevel_source())
    bilevel = Image.frombytes("L", (64, 40), negative).convert("1")
    bi_dict = "/Width 64 /Height 40 /ColorSpace /DeviceGray /BitsPerComponent 1"

    jp2 = io.BytesIO()
    gray.save(jp2, "JPEG2000", irreversible=False, no_jp2=False)
    write("gray.jp2", jp2.getvalue(), "/Width 64 /Height 48 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /JPXDecode", gray_source())
    jp2 = io.BytesIO()
    rgb.save(jp2, "JPEG2000", irreversible=False, no_jp2=False)
    write("rgb.jp2", jp2.getvalue(), "/Width 32 /Height 24 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /JPXDecode", rgb_source())

    g4 = tiff_strip(bilevel, compression="group4")
    write("bilevel.g4", g4, bi_dict + " /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 64 /Rows 40 >>", bilevel_source())
    g3 = tiff_strip(bilevel, compression="group3")
    write("bilevel.g3-1d", g3, bi_dict + " /Filter /CCITTFaxDecode /DecodeParms << /K 0 /Columns 64 /Rows 40 /EndOfLine true >>", bilevel_source())
    # T4Options bit 0: two-dimensional coding, one 1-D line per K (libtiff: K = 2 at low resolution).
    g3_2d = tiff_strip(bilevel, compression="group3", tiffinfo={292: 1})
    write("bilevel.g3-2d", g3_2d, bi_dict + " /Filter /CCITTFaxDecode /DecodeParms << /K 4 /Columns 64 /Rows 40 /EndOfLine true >>", bilevel_source())

    lzw = tiff_strip(gray, compression="tiff_lzw")
    write("gray.lzw", lzw, "/Width 64 /Height 48 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /LZWDecode", gray_source())
    # TIFF PackBits is PDF RunLength without the end-of-data byte 128.
    rl = tiff_strip(gray, compression="packbits") + b"\x80"
    write("gray.rl", rl, "/Width 64 /Height 48 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /RunLengthDecode", gray_source())

    # An sRGB ICC profile (LittleCMS's built-in) for the 16-bit ICC-based image test.
    (HERE / "srgb.icc").write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())

    # JBIG2 (ITU-T T.88) as embedded in PDF: a page information segment and an immediate lossless
    # generic region coded with MMR, whose data is exactly a CCITT G4 image (libtiff's G4 strip
    # above, with white runs = JBIG2's 0 = white). PDF 32000-1 7.4.7 forbids the file header
    # and end-of-page segments in the stream. jbig2dec checks it too.
    jb2 = jbig2_mmr(g4, 64, 40)
    check_jbig2dec(jb2)
    write("bilevel.jb2", jb2, bi_dict + " /Filter /JBIG2Decode", bilevel_source())


def segment(number, kind, data, page=1):
    """A JBIG2 segment header (7.2) with no referred-to segments, then the data."""
    return struct.pack(">IBBBI", number, kind, 0, page, len(data)) + data


def jbig2_mmr(mmr, width, height):
    page_info = struct.pack(">IIIIBH", width, height, 0, 0, 0, 0)
    region_info = struct.pack(">IIIIB", width, height, 0, 0, 0)
    generic = region_info + bytes([0b0000_0001]) + mmr  # flags: MMR = 1
    return segment(0, 48, page_info) + segment(1, 39, generic)


def check_jbig2dec(stream):
    """jbig2dec (a second, independent JBIG2 decoder) must give the source picture."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp, "page.jb2")
        path.write_bytes(stream)
        out = pathlib.Path(tmp, "page.pbm")
        subprocess.run(["jbig2dec", "-q", "-e", "-t", "pbm", "-o", str(out), str(path)], check=True)
        pbm = Image.open(out).convert("L").tobytes()
    if pbm != bilevel_source():
        sys.exit("JBIG2 stream: jbig2dec decodes other pixels than the source")


if __name__ == "__main__":
    main()
