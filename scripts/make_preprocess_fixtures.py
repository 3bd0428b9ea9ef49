#!/usr/bin/python3
"""Writes the preprocessing parity fixtures to udf/src/test/resources/images/.

parity/   Real photographs (Debian's python-matplotlib-data and python3-skimage), re-encoded small, plus versions of
          them in other modes and shapes, each with torchvision's output for it:
              Resize(resize) -> CenterCrop(crop) -> ToTensor() -> Normalize(ImageNet mean, std)
          applied to ImageOps.exif_transpose(Image.open(f)).convert("RGB") (torchvision's pil_loader, plus the
          EXIF orientation the product applies).
          The reference is stored compactly and losslessly as the 8-bit RGB image that enters ToTensor
          (<input>.<resize>-<crop>.png): ToTensor and Normalize are per-value float32 maps of those bytes, and this
          script asserts that mapping the stored bytes with float32 (v / 255 - mean) / std reproduces torchvision's
          tensor bit for bit. parity.json lists the cases with per-channel statistics of torchvision's tensor.
resize/   resize.json: tiny random images (RGB bytes, row-major, base64) resized by PIL's Image.resize(BILINEAR)
          and by torchvision's Resize/CenterCrop, torchvision's output sizes for Resize(int) and its centre-crop
          offsets, for the unit tests of the resampler.

Run from the repository root with Debian's Python (torch 1.13, torchvision 0.14, Pillow 9.4):
    /usr/bin/python3 scripts/make_preprocess_fixtures.py
"""
import base64
import io
import json
import os
import shutil
import struct
import zlib

import numpy as np
import skimage
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES = os.path.join(ROOT, "udf", "src", "test", "resources", "images")
PARITY = os.path.join(IMAGES, "parity")
RESIZE = os.path.join(IMAGES, "resize")
SKIMAGE_DATA = os.path.join(os.path.dirname(skimage.__file__), "data")
GRACE_HOPPER = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def skimage_photo(name):
    return Image.open(os.path.join(SKIMAGE_DATA, name)).convert("RGB")


def encoded(im, fmt, **params):
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def rgb16_png(im):
    """A 16-bit RGB PNG (PIL cannot write one): each sample v becomes v * 257, so its high byte is v."""
    a = (np.asarray(im).astype(np.uint32) * 257).astype(">u2")
    height, width = a.shape[:2]
    scanlines = b"".join(b"\x00" + a[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(scanlines, 9))
            + png_chunk(b"IEND", b""))


def with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def inputs():
    """(file name, encoded bytes, description) of every parity input."""
    grace = Image.open(GRACE_HOPPER).convert("RGB")
    astronaut = skimage_photo("astronaut.png")
    chelsea = skimage_photo("chelsea.png")
    coffee = skimage_photo("coffee.png")
    rocket = Image.open(os.path.join(SKIMAGE_DATA, "rocket.jpg"))
    rocket_icc = rocket.info.get("icc_profile")
    rocket = rocket.convert("RGB")
    # Stored turned a quarter counter-clockwise with orientation 6 ("turn clockwise to view"): upright is the photo.
    rocket_sideways = rocket.transpose(Image.Transpose.ROTATE_90)
    rgba = chelsea.resize((240, 160), Image.BILINEAR)
    alpha = np.asarray(rgba.convert("L")).copy()
    alpha[:, :60] = 0
    rgba.putalpha(Image.fromarray(alpha))
    return [
        ("grace_hopper.jpg", open(GRACE_HOPPER, "rb").read(),
         "matplotlib's grace_hopper.jpg as shipped, 512x600 baseline JPEG"),
        ("astronaut.jpg", encoded(astronaut, "JPEG", quality=85), "skimage astronaut, 512x512 JPEG"),
        ("chelsea.jpg", encoded(chelsea, "JPEG", quality=90), "skimage chelsea (cat), 451x300 JPEG"),
        ("coffee.jpg", encoded(coffee, "JPEG", quality=80), "skimage coffee, 600x400 JPEG"),
        ("rocket.jpg", encoded(rocket, "JPEG", quality=80, icc_profile=rocket_icc),
         "skimage rocket, 640x427 JPEG with its embedded ICC profile"),
        ("coffee-gray.jpg", encoded(coffee.convert("L"), "JPEG", quality=85), "greyscale JPEG (mode L)"),
        ("astronaut-progressive.jpg", encoded(astronaut, "JPEG", quality=80, progressive=True), "progressive JPEG"),
        ("chelsea-cmyk.jpg", encoded(chelsea.convert("CMYK"), "JPEG", quality=70), "CMYK JPEG (Adobe, inverted)"),
        ("rocket-exif6.jpg", encoded(rocket_sideways, "JPEG", quality=80, exif=with_orientation(6)),
         "427x640 JPEG stored sideways with EXIF orientation 6"),
        ("grace_hopper-small.jpg", encoded(grace.resize((150, 176), Image.BILINEAR), "JPEG", quality=90),
         "150x176 JPEG, smaller than the crop: upscaled"),
        ("coffee-panorama.jpg", encoded(coffee.crop((0, 150, 600, 250)), "JPEG", quality=85),
         "600x100 panorama (6:1), resized to 1536x256"),
        ("chelsea-alpha.png", encoded(rgba, "PNG", optimize=True), "240x160 RGBA PNG, a quarter fully transparent"),
        ("astronaut-palette.png", encoded(astronaut.resize((256, 256), Image.BILINEAR).convert(
            "P", palette=Image.ADAPTIVE, colors=256), "PNG", optimize=True), "256x256 palette PNG (256 colours)"),
        ("chelsea-rgb16.png", rgb16_png(chelsea.resize((150, 100), Image.BILINEAR)), "150x100 16-bit RGB PNG"),
        ("coffee.webp", encoded(coffee.resize((300, 200), Image.BILINEAR), "WEBP", quality=85),
         "300x200 lossy WebP (decoded by a different VP8 decoder than PIL's libwebp)"),
    ]


def torchvision_tensor(image, resize, crop):
    pipeline = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(MEAN, STD)])
    return pipeline(image)


def loaded(data):
    with Image.open(io.BytesIO(data)) as im:
        mode = im.mode
        return ImageOps.exif_transpose(im).convert("RGB"), mode


def parity_case(name, data, description, resize, crop):
    image, mode = loaded(data)
    tensor = torchvision_tensor(image, resize, crop)
    cropped = F.center_crop(F.resize(image, resize), crop)
    u8 = np.asarray(cropped)
    # ToTensor then Normalize, in float32, from the stored bytes: must be torchvision's tensor exactly.
    rebuilt = (u8.astype(np.float32) / np.float32(255) - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    assert np.array_equal(rebuilt.transpose(2, 0, 1), tensor.numpy()), name
    reference = f"{name}.{resize}-{crop}.png"
    if (u8[..., 0] == u8[..., 1]).all() and (u8[..., 0] == u8[..., 2]).all():
        cropped = Image.fromarray(u8[..., 0])  # greyscale PNG: a third of the size, same bytes per channel
    cropped.save(os.path.join(PARITY, reference), optimize=True)
    t = tensor.numpy().astype(np.float64)
    return {
        "input": name,
        "description": description,
        "pil_mode": mode,
        "size": list(Image.open(io.BytesIO(data)).size),
        "resize": resize,
        "crop": crop,
        "reference": reference,
        "tensor_channel_mean": [float(t[c].mean()) for c in range(3)],
        "tensor_channel_min": [float(t[c].min()) for c in range(3)],
        "tensor_channel_max": [float(t[c].max()) for c in range(3)],
    }


def b64(array):
    """RGB bytes, row-major, base64-encoded."""
    return base64.b64encode(np.ascontiguousarray(array, np.uint8).tobytes()).decode("ascii")


def resize_fixtures():
    rng = np.random.default_rng(2024)
    cases = []
    for (w, h), (ow, oh) in [((7, 5), (3, 2)), ((5, 4), (11, 9)), ((9, 6), (9, 3)), ((9, 6), (4, 6)),
                             ((50, 40), (7, 5)), ((37, 23), (16, 10)), ((16, 10), (37, 23)), ((3, 3), (1, 1)),
                             ((1, 1), (4, 3)), ((64, 3), (20, 7))]:
        pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        # Smooth ramps as well as noise: saturated sums exercise the clamping.
        if w * h > 40:
            pixels[: h // 2] = np.linspace(0, 255, w, dtype=np.uint8)[None, :, None]
        out = np.asarray(Image.fromarray(pixels).resize((ow, oh), Image.BILINEAR))
        cases.append({"width": w, "height": h, "pixels": b64(pixels), "out_width": ow, "out_height": oh,
                      "expected": b64(out)})
    crops = []
    for (w, h), resize, crop in [((45, 30), 20, 16), ((30, 45), 21, 16), ((100, 33), 33, 32), ((19, 61), 17, 16),
                                 ((8, 8), 11, 9)]:
        pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        out = np.asarray(F.center_crop(F.resize(Image.fromarray(pixels), resize), crop))
        crops.append({"width": w, "height": h, "pixels": b64(pixels), "resize": resize, "crop": crop,
                      "expected": b64(out)})
    sizes = []
    for w, h, size in [(500, 375, 256), (375, 500, 256), (512, 600, 256), (600, 400, 232), (1000, 3, 256),
                       (3, 1000, 224), (255, 256, 256), (256, 256, 256), (641, 427, 256), (4000, 3000, 232),
                       (150, 176, 256), (7, 3, 5)]:
        out_h, out_w = F._compute_resized_output_size((h, w), [size])
        sizes.append({"width": w, "height": h, "size": size, "out_width": out_w, "out_height": out_h})
    offsets = []
    for size in range(224, 240):
        probe = torch.arange(size).reshape(1, size, 1).float()
        offsets.append({"size": size, "crop": 224, "offset": int(F.center_crop(probe, [224, 1])[0, 0, 0])})
    with open(os.path.join(RESIZE, "resize.json"), "w") as f:
        json.dump({"pil_resize": cases, "torchvision_resize_crop": crops, "torchvision_sizes": sizes,
                   "torchvision_crop_offsets": offsets}, f, separators=(",", ":"))


def main():
    for folder in (PARITY, RESIZE):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
    resize_fixtures()
    cases = []
    for name, data, description in inputs():
        with open(os.path.join(PARITY, name), "wb") as f:
            f.write(data)
        cases.append(parity_case(name, data, description, 256, 224))
        if name == "coffee-gray.jpg":
            cases.append(parity_case(name, data, description + ", IMAGENET1K_V2 spec", 232, 224))
    with open(os.path.join(PARITY, "parity.json"), "w") as f:
        json.dump({"generator": "scripts/make_preprocess_fixtures.py", "torch": torch.__version__,
                   "torchvision": torchvision.__version__, "pillow": Image.__version__, "mean": MEAN, "std": STD,
                   "cases": cases}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(d, n)) for d in (PARITY, RESIZE) for n in os.listdir(d))
    print(f"{len(cases)} parity cases, {total} bytes")


if __name__ == "__main__":
    main()
