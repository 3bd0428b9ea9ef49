#!/usr/bin/python3
"""Writes the image test corpus to udf/src/test/resources/images/corpus/.

Tiny files, one per decoding case the executors must handle: good images in every accepted format and mode
(each with PIL's decoded picture as the reference), and bad inputs with the error code they must give.
The table of files and outcomes is written to README.txt in that folder, which the tests read.

Reference pictures are what torchvision's loader sees with EXIF orientation applied:
ImageOps.exif_transpose(Image.open(f)).convert("RGB") (for TIFF, which Pillow already turns upright while loading,
Image.open(f).convert("RGB")), stored as 8-bit RGB PNG in corpus/expected/.

Needs Debian's python3-pil, python3-numpy, python3-skimage (photo content) and ghostscript's ICC profiles
(/usr/share/color/icc/ghostscript, a non-sRGB profile to embed). Run with /usr/bin/python3 from the repository root:
    /usr/bin/python3 scripts/make_test_images.py
"""
import io
import os
import shutil
import struct
import zlib

import numpy as np
import skimage
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "udf", "src", "test", "resources", "images", "corpus")
EXPECTED = os.path.join(OUT, "expected")
ICC_DIR = "/usr/share/color/icc/ghostscript"
SKIMAGE_DATA = os.path.join(os.path.dirname(skimage.__file__), "data")

rows = []  # (file, outcome, description)


def photo(width, height, source="chelsea.png", box=None):
    """A small real-photo patch, so codecs see natural content rather than flat synthetic colour."""
    im = Image.open(os.path.join(SKIMAGE_DATA, source)).convert("RGB")
    if box:
        im = im.crop(box)
    return im.resize((width, height), Image.BILINEAR)


def add(name, data, outcome, description):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    rows.append((name, outcome, description))
    if outcome != "OK":
        check_pil_rejects(name, data)
    else:
        save_reference(upright(data), os.path.join(EXPECTED, name + ".png"))


def save_reference(image, path):
    """8-bit RGB PNG, or greyscale PNG when all three channels are equal (a third of the size, same meaning)."""
    a = np.asarray(image)
    if (a[..., 0] == a[..., 1]).all() and (a[..., 0] == a[..., 2]).all():
        image = Image.fromarray(a[..., 0])
    image.save(path, optimize=True)


def upright(data):
    """The picture PIL gives, turned by its EXIF orientation.

    Pillow's TIFF plugin already applies the orientation tag while loading (and ImageOps.exif_transpose would then
    apply it a second time), so a TIFF is taken as loaded; every other format goes through exif_transpose."""
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if im.format == "TIFF":
            return im.convert("RGB")
        return ImageOps.exif_transpose(im).convert("RGB")


def encoded(im, fmt, **params):
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def raw_png(array, color_type, bit_depth, extra_chunks=b""):
    """A PNG written by hand, for modes PIL cannot write (16-bit RGB, RGBA and grey+alpha)."""
    height, width = array.shape[:2]
    samples = array.astype(">u2") if bit_depth == 16 else array.astype(np.uint8)
    scanlines = b"".join(b"\x00" + samples[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + extra_chunks
            + png_chunk(b"IDAT", zlib.compress(scanlines, 9)) + png_chunk(b"IEND", b""))


def sixteen_bit(im):
    """Spread 8-bit samples over 16 bits with distinct low bytes, so dropping the wrong byte shows."""
    a = np.asarray(im).astype(np.uint32)
    return (a * 257 + (np.arange(a.size).reshape(a.shape) * 37) % 251).clip(0, 65535).astype(np.uint16)


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def ycck_jpeg(im):
    """A YCCK JPEG (Adobe transform 2), which PIL cannot write directly.

    PIL writes CMYK samples inverted ("CMYK;I"); storing 255 - (Y, Cb, Cr of the inverted picture, 255) therefore puts
    YCC samples and K = 255 in the file. Relabelling the Adobe marker's transform from 0 to 2 then makes decoders
    read them as YCCK: YCC -> RGB gives the inverted picture, i.e. CMY, which PIL's CMYK -> RGB turns back."""
    y, cb, cr = ImageOps.invert(im).convert("YCbCr").split()
    k = Image.new("L", im.size, 255)
    data = encoded(Image.merge("CMYK", [ImageOps.invert(c) for c in (y, cb, cr, k)]), "JPEG", quality=90)
    at = data.index(b"Adobe")
    assert data[at + 11] == 0, "Adobe transform byte"
    return data[:at + 11] + b"\x02" + data[at + 12:]


def jpeg_with_size(data, width, height):
    """The same JPEG with its SOF0 frame header claiming another size."""
    at = data.index(b"\xff\xc0")
    return data[:at + 5] + struct.pack(">HH", height, width) + data[at + 9:]


def check_pil_rejects(name, data):
    """A bad file must be one that torchvision's loader cannot load either."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.convert("RGB")
    except (OSError, Image.DecompressionBombError):
        return
    raise AssertionError(f"PIL loads {name}, so it is not a bad input")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(EXPECTED)
    rgb = photo(48, 36)
    tall = photo(30, 42, "astronaut.png", (120, 0, 420, 420))

    # JPEG
    add("rgb-baseline.jpg", encoded(rgb, "JPEG", quality=90), "OK", "baseline JPEG, YCbCr 4:2:0")
    add("rgb-progressive.jpg", encoded(rgb, "JPEG", quality=90, progressive=True), "OK", "progressive JPEG")
    add("rgb-444.jpg", encoded(rgb, "JPEG", quality=90, subsampling=0), "OK", "baseline JPEG, no chroma subsampling")
    add("gray.jpg", encoded(rgb.convert("L"), "JPEG", quality=90), "OK", "greyscale JPEG")
    add("cmyk.jpg", encoded(rgb.convert("CMYK"), "JPEG", quality=90), "OK",
        "CMYK JPEG with Adobe marker (inverted samples); PIL's naive CMYK->RGB")
    add("ycck.jpg", ycck_jpeg(rgb), "OK", "YCCK JPEG (Adobe transform 2); libjpeg's YCCK->CMYK, then PIL's CMYK->RGB")
    cmyk_icc = open(os.path.join(ICC_DIR, "ps_cmyk.icc"), "rb").read()
    add("cmyk-icc.jpg", encoded(rgb.convert("CMYK"), "JPEG", quality=90, icc_profile=cmyk_icc), "OK",
        "CMYK JPEG with an embedded CMYK ICC profile, which PIL (and so the decoder) ignores")
    adobe_rgb = open(os.path.join(ICC_DIR, "a98.icc"), "rb").read()
    add("rgb-icc-adobergb.jpg", encoded(rgb, "JPEG", quality=90, icc_profile=adobe_rgb), "OK",
        "JPEG with an Adobe RGB (1998) ICC profile, which PIL (and so the decoder) ignores")
    for value in range(1, 9):
        add(f"exif-orientation-{value}.jpg", encoded(tall, "JPEG", quality=90, exif=exif_with_orientation(value)),
            "OK", f"JPEG with EXIF orientation {value}; the reference is upright (exif_transpose)")

    # PNG
    add("rgb.png", encoded(rgb, "PNG"), "OK", "8-bit RGB PNG")
    alpha = np.asarray(rgb.convert("L")).copy()
    alpha[:, :12] = 0  # fully transparent columns keep their colour: convert("RGB") drops alpha, it does not composite
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray(alpha))
    add("rgba.png", encoded(rgba, "PNG"), "OK", "8-bit RGBA PNG, partly fully transparent; alpha dropped")
    add("gray.png", encoded(rgb.convert("L"), "PNG"), "OK", "8-bit greyscale PNG")
    add("gray-alpha.png", encoded(rgba.convert("LA"), "PNG"), "OK", "8-bit grey+alpha PNG; alpha dropped")
    palette = rgb.convert("P", palette=Image.ADAPTIVE, colors=64)
    add("palette.png", encoded(palette, "PNG"), "OK", "palette PNG, 64 colours")
    add("palette-transparency.png", encoded(palette, "PNG", transparency=3), "OK",
        "palette PNG with a transparent index (tRNS); the index keeps its palette colour")
    add("bilevel.png", encoded(rgb.convert("1"), "PNG"), "OK", "1-bit PNG")
    grey16 = sixteen_bit(rgb.convert("L")) // 64  # a range where PIL's clipping to 255 is partly visible
    add("gray16.png", encoded(Image.fromarray(grey16.astype(np.uint16)), "PNG"), "OK",
        "16-bit greyscale PNG; PIL opens it as mode I and clips to 255 when converting to RGB")
    add("rgb16.png", raw_png(sixteen_bit(rgb), 2, 16), "OK", "16-bit RGB PNG; PIL keeps the high byte")
    add("rgba16.png", raw_png(sixteen_bit(rgba), 6, 16), "OK", "16-bit RGBA PNG; high byte, alpha dropped")
    add("gray-alpha16.png", raw_png(sixteen_bit(rgba.convert("LA")), 4, 16), "OK",
        "16-bit grey+alpha PNG; PIL opens it as RGBA from the high bytes")
    add("exif-orientation-6.png", encoded(tall, "PNG", exif=exif_with_orientation(6)), "OK",
        "PNG with an eXIf chunk, orientation 6")
    add("one-pixel.png", encoded(Image.new("RGB", (1, 1), (200, 30, 90)), "PNG"), "OK", "a 1x1 image")

    # BMP, GIF, WebP, TIFF
    add("rgb24.bmp", encoded(rgb, "BMP"), "OK", "24-bit BMP")
    add("palette8.bmp", encoded(palette, "BMP"), "OK", "8-bit palette BMP")
    add("rgba32.bmp", encoded(rgba, "BMP"), "OK", "32-bit BMP; the fourth byte is ignored")
    second = ImageOps.mirror(rgb).convert("P", palette=Image.ADAPTIVE, colors=32)
    add("two-frames.gif", encoded(palette, "GIF", save_all=True, append_images=[second], duration=100), "OK",
        "animated GIF; the first frame is the image")
    add("rgb-lossy.webp", encoded(rgb, "WEBP", quality=90), "OK", "lossy WebP (VP8)")
    add("rgba-lossless.webp", encoded(rgba, "WEBP", lossless=True), "OK", "lossless WebP with alpha; alpha dropped")
    add("exif-orientation-3.webp", encoded(tall, "WEBP", lossless=True, exif=exif_with_orientation(3)), "OK",
        "lossless WebP with an EXIF chunk, orientation 3")
    add("rgb-lzw.tif", encoded(rgb, "TIFF", compression="tiff_lzw"), "OK", "LZW-compressed RGB TIFF")
    add("cmyk.tif", encoded(rgb.convert("CMYK"), "TIFF"), "OK", "CMYK TIFF; PIL's naive CMYK->RGB")
    add("exif-orientation-8.tif", encoded(tall, "TIFF", tiffinfo={0x0112: 8}), "OK",
        "TIFF with orientation tag 8")

    # Bad input
    add("empty.jpg", b"", "EMPTY", "zero bytes")
    baseline = encoded(rgb, "JPEG", quality=90)
    add("truncated.jpg", baseline[: len(baseline) // 2], "CORRUPT", "baseline JPEG cut in half")
    progressive = encoded(rgb, "JPEG", quality=90, progressive=True)
    add("truncated-progressive.jpg", progressive[: len(progressive) * 2 // 3], "CORRUPT",
        "progressive JPEG cut at two thirds")
    png = encoded(rgb, "PNG")
    add("truncated.png", png[: len(png) // 2], "CORRUPT", "PNG cut in half")
    add("jpeg-signature-then-garbage.jpg", b"\xff\xd8\xff" + bytes(range(7, 250)), "CORRUPT",
        "a JPEG signature followed by garbage")
    add("png-signature-then-garbage.png", b"\x89PNG\r\n\x1a\n" + bytes(range(3, 200)), "CORRUPT",
        "a PNG signature followed by garbage")
    add("random.bin", np.random.default_rng(7).integers(0, 256, 2048, dtype=np.uint8).tobytes(),
        "UNSUPPORTED_FORMAT", "2 KiB of random bytes")
    add("text.txt", b"This is not an image, it is a text file.\n" * 20, "UNSUPPORTED_FORMAT", "plain text")
    big_rows = np.zeros((2, 40000 * 3), np.uint8)
    huge_png = raw_png(big_rows.reshape(2, 40000, 3), 2, 8)
    huge_png = huge_png[:16] + struct.pack(">II", 40000, 40000) + huge_png[24:29] + struct.pack(
        ">I", zlib.crc32(huge_png[12:16] + struct.pack(">II", 40000, 40000) + huge_png[24:29])) + huge_png[33:]
    add("huge-header.png", huge_png, "TOO_LARGE",
        "valid PNG header (CRC correct) claiming 40000x40000, with only two rows of data")
    add("huge-header.jpg", jpeg_with_size(baseline, 40000, 40000), "TOO_LARGE",
        "baseline JPEG whose frame header claims 40000x40000")

    with open(os.path.join(OUT, "README.txt"), "w") as f:
        f.write("# Image test corpus, written by scripts/make_test_images.py (do not edit by hand).\n")
        f.write("# One row per file, tab-separated: file, expected outcome, description.\n")
        f.write("# Outcome OK: the file decodes, and expected/<file>.png is the picture PIL gives for it\n")
        f.write("#   with its EXIF orientation applied (ImageOps.exif_transpose(Image.open(f)).convert('RGB'); for TIFF,\n")
        f.write("#   which Pillow turns upright itself, Image.open(f).convert('RGB')), as 8-bit RGB PNG\n")
        f.write("#   (or greyscale PNG when the three channels are equal).\n")
        f.write("# Any other outcome is the io.resnetspark.udf.image.ImageErrorCode the file must produce.\n")
        for name, outcome, description in rows:
            f.write(f"{name}\t{outcome}\t{description}\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d in (OUT, EXPECTED) for n in os.listdir(d)
                if os.path.isfile(os.path.join(d, n)))
    print(f"{len(rows)} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
