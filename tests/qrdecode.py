"""Decode QR codes in images with ZBar (Debian's ``libzbar0``, read through ctypes): a real decoder, not abri's encoder."""

from __future__ import annotations

import ctypes
import ctypes.util
import io

from PIL import Image

Y800 = 0x30303859  # ZBar's fourcc of 8-bit grey images
QUIET = 4


def zbar() -> ctypes.CDLL | None:
    """ZBar's shared library, or None when it is not installed."""
    name = ctypes.util.find_library("zbar") or "libzbar.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.zbar_image_scanner_create.restype = ctypes.c_void_p
    lib.zbar_image_scanner_set_config.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.zbar_image_create.restype = ctypes.c_void_p
    lib.zbar_image_set_format.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.zbar_image_set_size.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
    lib.zbar_image_set_data.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_void_p,
    ]
    lib.zbar_scan_image.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.zbar_image_first_symbol.argtypes = [ctypes.c_void_p]
    lib.zbar_image_first_symbol.restype = ctypes.c_void_p
    lib.zbar_symbol_next.argtypes = [ctypes.c_void_p]
    lib.zbar_symbol_next.restype = ctypes.c_void_p
    lib.zbar_symbol_get_data.argtypes = [ctypes.c_void_p]
    lib.zbar_symbol_get_data.restype = ctypes.c_char_p
    lib.zbar_image_destroy.argtypes = [ctypes.c_void_p]
    lib.zbar_image_scanner_destroy.argtypes = [ctypes.c_void_p]
    return lib


def decode_image(lib: ctypes.CDLL, image: Image.Image) -> list[str]:
    """Every QR code ZBar finds in `image`."""
    grey = image.convert("L")
    data = grey.tobytes()
    scanner = lib.zbar_image_scanner_create()
    lib.zbar_image_scanner_set_config(scanner, 0, 0, 1)  # every symbology, enabled
    zimage = lib.zbar_image_create()
    try:
        lib.zbar_image_set_format(zimage, Y800)
        lib.zbar_image_set_size(zimage, grey.width, grey.height)
        lib.zbar_image_set_data(zimage, data, len(data), None)
        lib.zbar_scan_image(scanner, zimage)
        found = []
        symbol = lib.zbar_image_first_symbol(zimage)
        while symbol:
            found.append(lib.zbar_symbol_get_data(symbol).decode("utf-8"))
            symbol = lib.zbar_symbol_next(symbol)
        return found
    finally:
        lib.zbar_image_destroy(zimage)
        lib.zbar_image_scanner_destroy(scanner)


def decode_png(lib: ctypes.CDLL, png: bytes) -> list[str]:
    """Every QR code in a PNG (e.g. a browser's screenshot)."""
    return decode_image(lib, Image.open(io.BytesIO(png)))


def matrix_image(modules: list[list[bool]], *, scale: int = 4) -> Image.Image:
    """A module matrix drawn black on white with its quiet zone, `scale` pixels a module."""
    n = len(modules) + 2 * QUIET
    image = Image.new("L", (n, n), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + QUIET, y + QUIET), 0)
    return image.resize((n * scale, n * scale), Image.Resampling.NEAREST)
