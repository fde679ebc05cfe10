"""Decode QR codes in images with a real decoder (zxing-cpp), not abri's encoder."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

QUIET = 4


def decode_image(image: Image.Image) -> list[str]:
    """Every QR code found in `image`."""
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def decode_png(png: bytes) -> list[str]:
    """Every QR code in a PNG (e.g. a browser's screenshot)."""
    return decode_image(Image.open(io.BytesIO(png)))


def matrix_image(modules: list[list[bool]], *, scale: int = 4) -> Image.Image:
    """A module matrix drawn black on white with its quiet zone, `scale` pixels a module."""
    n = len(modules) + 2 * QUIET
    image = Image.new("L", (n, n), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + QUIET, y + QUIET), 0)
    return image.resize((n * scale, n * scale), Image.Resampling.NEAREST)
