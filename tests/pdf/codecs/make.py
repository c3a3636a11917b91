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
    symbols 64x32: SYMBOLS placed at PLACEMENTS (JBIG2 symbol dictionary + text region)
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


def one_image_pdf(image_dict, data, extra=None):
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
    if extra is not None:
        objs.append(b"<< /Length %d >>\nstream\n" % len(extra) + extra + b"\nendstream")
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


def poppler_pixels(image_dict, data, extra=None):
    """Pixels of the image as poppler decodes it (8-bit gray or RGB samples)."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = pathlib.Path(tmp, "t.pdf")
        pdf.write_bytes(one_image_pdf(image_dict, data, extra))
        subprocess.run(["pdfimages", "-png", str(pdf), str(pathlib.Path(tmp, "x"))], check=True)
        png = Image.open(pathlib.Path(tmp, "x-000.png"))
        if png.mode == "1":
            png = png.convert("L")
        return png.tobytes()


def write(name, data, image_dict, expected, extra=None):
    got = poppler_pixels(image_dict, data, extra)
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

    # An sRGB ICC profile (LittleCMS's built-in) for the 16-bit ICC-based image test. It records
    # its creation time, so an existing one is kept to keep the tree unchanged.
    icc = HERE / "srgb.icc"
    if not icc.exists():
        icc.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())

    # JBIG2 (ITU-T T.88) as embedded in PDF: a page information segment and an immediate lossless
    # generic region coded with MMR, whose data is exactly a CCITT G4 image (libtiff's G4 strip
    # above, with white runs = JBIG2's 0 = white). PDF 32000-1 7.4.7 forbids the file header
    # and end-of-page segments in the stream. jbig2dec checks it too.
    jb2 = jbig2_mmr(g4, 64, 40)
    check_jbig2dec(jb2)
    write("bilevel.jb2", jb2, bi_dict + " /Filter /JBIG2Decode", bilevel_source())
    # The same picture as a generic region with arithmetic coding (template 0, the form
    # jbig2enc's generic mode writes); no Debian package ships a JBIG2 encoder, so the MQ coder
    # below follows T.88 Annex E, and the two decoders above must agree with the source.
    jb2 = jbig2_arith([[bilevel_black(x, y) for x in range(64)] for y in range(40)])
    check_jbig2dec(jb2)
    write("bilevel-arith.jb2", jb2, bi_dict + " /Filter /JBIG2Decode", bilevel_source())
    # Symbols kept in JBIG2Globals and placed by a text region on the page (what jbig2enc -s
    # writes for scanned text).
    globals_stream, page = jbig2_symbols()
    expected = bytes(0 if v else 255 for row in symbols_source() for v in row)
    check_jbig2dec(page, globals_stream, expected)
    (HERE / "symbols-globals.jb2").write_bytes(globals_stream)
    write("symbols-page.jb2", page, "/Width 64 /Height 32 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode /DecodeParms << /JBIG2Globals 6 0 R >>", expected, globals_stream)


def segment(number, kind, data, page=1):
    """A JBIG2 segment header (7.2) with no referred-to segments, then the data."""
    return struct.pack(">IBBBI", number, kind, 0, page, len(data)) + data


def jbig2_mmr(mmr, width, height):
    page_info = struct.pack(">IIIIBH", width, height, 0, 0, 0, 0)
    region_info = struct.pack(">IIIIB", width, height, 0, 0, 0)
    generic = region_info + bytes([0b0000_0001]) + mmr  # flags: MMR = 1
    return segment(0, 48, page_info) + segment(1, 39, generic)


# T.88 Table E.1: Qe, next index after an MPS, after an LPS, whether an LPS switches the MPS.
QE = [
    (0x5601, 1, 1, 1), (0x3401, 2, 6, 0), (0x1801, 3, 9, 0), (0x0AC1, 4, 12, 0),
    (0x0521, 5, 29, 0), (0x0221, 38, 33, 0), (0x5601, 7, 6, 1), (0x5401, 8, 14, 0),
    (0x4801, 9, 14, 0), (0x3801, 10, 14, 0), (0x3001, 11, 17, 0), (0x2401, 12, 18, 0),
    (0x1C01, 13, 20, 0), (0x1601, 29, 21, 0), (0x5601, 15, 14, 1), (0x5401, 16, 14, 0),
    (0x5101, 17, 15, 0), (0x4801, 18, 16, 0), (0x3801, 19, 17, 0), (0x3401, 20, 18, 0),
    (0x3001, 21, 19, 0), (0x2801, 22, 19, 0), (0x2401, 23, 20, 0), (0x2201, 24, 21, 0),
    (0x1C01, 25, 22, 0), (0x1801, 26, 23, 0), (0x1601, 27, 24, 0), (0x1401, 28, 25, 0),
    (0x1201, 29, 26, 0), (0x1101, 30, 27, 0), (0x0AC1, 31, 28, 0), (0x09C1, 32, 29, 0),
    (0x08A1, 33, 30, 0), (0x0521, 34, 31, 0), (0x0441, 35, 32, 0), (0x02A1, 36, 33, 0),
    (0x0221, 37, 34, 0), (0x0141, 38, 35, 0), (0x0111, 39, 36, 0), (0x0085, 40, 37, 0),
    (0x0049, 41, 38, 0), (0x0025, 42, 39, 0), (0x0015, 43, 40, 0), (0x0009, 44, 41, 0),
    (0x0005, 45, 42, 0), (0x0001, 45, 43, 0), (0x5601, 46, 46, 0),
]


class MQEncoder:
    """The MQ arithmetic encoder of T.88 Annex E (INITENC, ENCODE, RENORME, BYTEOUT, FLUSH)."""

    def __init__(self):
        self.a, self.c, self.ct = 0x8000, 0, 12
        self.buf = [0]  # buf[0] stands for the byte before the start (BPST - 1)
        self.index, self.mps = {}, {}

    def encode(self, cx, bit):
        i, mps = self.index.get(cx, 0), self.mps.get(cx, 0)
        qe, nmps, nlps, switch = QE[i]
        self.a -= qe
        if bit == mps:  # CODEMPS
            if self.a & 0x8000:
                self.c += qe
                return
            if self.a < qe:
                self.a = qe
            else:
                self.c += qe
            self.index[cx] = nmps
        else:  # CODELPS
            if self.a < qe:
                self.c += qe
            else:
                self.a = qe
            if switch:
                self.mps[cx] = 1 - mps
            self.index[cx] = nlps
        self.renorm()

    def renorm(self):
        while True:
            self.a <<= 1
            self.c <<= 1
            self.ct -= 1
            if self.ct == 0:
                self.byteout()
            if self.a & 0x8000:
                break

    def byteout(self):
        if self.buf[-1] == 0xFF:
            self.emit(20)
        elif self.c < 0x8000000:
            self.emit(19)
        else:
            self.buf[-1] += 1
            if self.buf[-1] == 0xFF:
                self.c &= 0x7FFFFFF
                self.emit(20)
            else:
                self.emit(19)

    def emit(self, shift):
        self.buf.append((self.c >> shift) & 0xFF)
        self.c &= (1 << shift) - 1
        self.ct = 27 - shift  # 8 after a plain byte, 7 after a stuffed one

    def flush(self):
        temp = self.c + self.a  # SETBITS
        self.c |= 0xFFFF
        if self.c >= temp:
            self.c -= 0x8000
        self.c <<= self.ct
        self.byteout()
        self.c <<= self.ct
        self.byteout()
        if self.buf[-1] != 0xFF:
            self.buf.append(0xFF)
        self.buf.append(0xAC)
        return bytes(self.buf[1:])


def jbig2_arith(rows):
    """Page information + immediate lossless generic region, GBTEMPLATE 0, nominal AT pixels."""
    height, width = len(rows), len(rows[0])
    at = [(3, -1), (-3, -1), (2, -2), (-2, -2)]
    coder = MQEncoder()
    generic_template0(coder, rows, width, height, at)
    data = coder.flush()
    page_info = struct.pack(">IIIIBH", width, height, 0, 0, 0, 0)
    region_info = struct.pack(">IIIIB", width, height, 0, 0, 0)
    at_bytes = struct.pack(">8b", *[v for p in at for v in p])
    generic = region_info + bytes([0]) + at_bytes + data  # flags: arithmetic, template 0
    return segment(0, 48, page_info) + segment(1, 39, generic)


def check_jbig2dec(stream, globals_stream=None, expected=None):
    """jbig2dec (a second, independent JBIG2 decoder) must give the source picture."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp, "page.jb2")
        path.write_bytes(stream)
        files = [str(path)]
        if globals_stream is not None:
            glob = pathlib.Path(tmp, "globals.jb2")
            glob.write_bytes(globals_stream)
            files = [str(glob), str(path)]
        out = pathlib.Path(tmp, "page.pbm")
        subprocess.run(["jbig2dec", "-q", "-e", "-t", "pbm", "-o", str(out), *files], check=True)
        pbm = Image.open(out).convert("L").tobytes()
    if pbm != (expected or bilevel_source()):
        sys.exit("JBIG2 stream: jbig2dec decodes other pixels than the source")


# Two symbols and where the text region places them (top-left corners), on a 64x32 page.
SYMBOLS = [
    ["#####", "#...#", "#.#.#", "#..##", "#####", "#...#", "#...#"],
    ["###.", "#..#", "###.", "#..#", "#..#", "###.", "...."],
]
PLACEMENTS = [(0, 3, 4), (1, 12, 4), (0, 20, 4), (1, 50, 4), (1, 6, 20), (0, 30, 20), (0, 58, 24)]


def symbols_source():
    page = [[0] * 64 for _ in range(32)]
    for sym, s0, t0 in PLACEMENTS:
        for dy, row in enumerate(SYMBOLS[sym]):
            for dx, ch in enumerate(row):
                if ch == "#":
                    page[t0 + dy][s0 + dx] = 1
    return page


class IntCoder:
    """Integer arithmetic coding procedures of T.88 Annex A on an MQ coder."""

    def __init__(self, coder):
        self.coder = coder

    def bits(self, name, prev, values):
        for bit in values:
            self.coder.encode((name, prev), bit)
            prev = (prev << 1) | bit if prev < 256 else (((prev << 1) | bit) & 511) | 256
        return prev

    def int(self, name, value):
        """A.2; `None` codes OOB."""
        sign, v = (1, 0) if value is None else (int(value < 0), abs(value))
        ranges = [
            ([0], 2, 0), ([1, 0], 4, 4), ([1, 1, 0], 6, 20),
            ([1, 1, 1, 0], 8, 84), ([1, 1, 1, 1, 0], 12, 340), ([1, 1, 1, 1, 1], 32, 4436),
        ]  # Table A.1
        for prefix, width, offset in ranges:
            if v - offset < (1 << width):
                payload = [((v - offset) >> (width - 1 - i)) & 1 for i in range(width)]
                self.bits(name, 1, [sign] + prefix + payload)
                return
        raise ValueError(value)

    def iaid(self, value, codelen):
        """A.3."""
        prev = 1
        for i in range(codelen):
            bit = (value >> (codelen - 1 - i)) & 1
            self.coder.encode(("IAID", prev), bit)
            prev = (prev << 1) | bit


def generic_template0(coder, rows, width, height, at):
    """Generic region coding, GBTEMPLATE 0 (6.2.5.3), contexts shared through `coder`."""

    def px(x, y):
        return 1 if 0 <= x < width and 0 <= y < height and rows[y][x] else 0

    for y in range(height):
        for x in range(width):
            neighbours = [
                (x - 1, y), (x - 2, y), (x - 3, y), (x - 4, y), (x + at[0][0], y + at[0][1]),
                (x + 2, y - 1), (x + 1, y - 1), (x, y - 1), (x - 1, y - 1), (x - 2, y - 1),
                (x + at[1][0], y + at[1][1]), (x + at[2][0], y + at[2][1]),
                (x + 1, y - 2), (x, y - 2), (x - 1, y - 2), (x + at[3][0], y + at[3][1]),
            ]
            cx = sum(px(nx, ny) << bit for bit, (nx, ny) in enumerate(neighbours))
            coder.encode(("GB", cx), px(x, y))


def jbig2_symbols():
    """(globals, page stream): a symbol dictionary in JBIG2Globals, a text region using it."""
    at = [(3, -1), (-3, -1), (2, -2), (-2, -2)]
    at_bytes = struct.pack(">8b", *[v for p in at for v in p])
    # Symbol dictionary (7.4.2, 6.5): one height class of height 7, widths 5 then 4.
    coder = MQEncoder()
    ints = IntCoder(coder)
    ints.int("IADH", 7)
    width = 0
    for sym in SYMBOLS:
        rows = [[1 if ch == "#" else 0 for ch in row] for row in sym]
        ints.int("IADW", len(sym[0]) - width)
        width = len(sym[0])
        generic_template0(coder, rows, width, 7, at)
    ints.int("IADW", None)
    ints.int("IAEX", 0)  # no input symbols to skip
    ints.int("IAEX", len(SYMBOLS))  # export both new symbols
    dictionary = struct.pack(">H", 0) + at_bytes + struct.pack(">II", 2, 2) + coder.flush()
    globals_stream = segment(0, 0, dictionary, page=0)
    # Immediate lossless text region (7.4.3, 6.4): REFCORNER top-left, strips of height 1.
    coder = MQEncoder()
    ints = IntCoder(coder)
    ints.int("IADT", 0)  # STRIPT starts at 0
    strip_t, strips = 0, {}
    for sym, s0, t0 in PLACEMENTS:
        strips.setdefault(t0, []).append((s0, sym))
    first_s = 0
    for t0 in sorted(strips):
        ints.int("IADT", t0 - strip_t)
        strip_t = t0
        cur_s = None
        for s0, sym in sorted(strips[t0]):
            if cur_s is None:
                ints.int("IAFS", s0 - first_s)
                first_s = s0
            else:
                ints.int("IADS", s0 - cur_s)
            ints.iaid(sym, 1)
            cur_s = s0 + len(SYMBOLS[sym][0]) - 1
        ints.int("IADS", None)
    region_info = struct.pack(">IIIIB", 64, 32, 0, 0, 0)
    text = region_info + struct.pack(">H", 1 << 4) + struct.pack(">I", len(PLACEMENTS)) + coder.flush()
    page_info = struct.pack(">IIIIBH", 64, 32, 0, 0, 0, 0)
    # The text region refers to the dictionary (segment 0): one referred-to segment.
    text_segment = struct.pack(">IBBBBI", 2, 7, 1 << 5, 0, 1, len(text)) + text
    return globals_stream, segment(1, 48, page_info) + text_segment


if __name__ == "__main__":
    main()
