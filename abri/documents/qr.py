"""QR codes for short texts such as ``geo:`` links, drawn as inline SVG (with segno).

Examples
--------
>>> m = matrix("geo:50.95,1.86")
>>> len(m), len(m[0])
(21, 21)
"""

from __future__ import annotations

import functools

import segno

QUIET = 4  # modules of white margin around the code
ERROR = "m"  # error correction level M: 15% of the code may be damaged


def matrix(text: str) -> list[list[bool]]:
    """The QR code of `text` (UTF-8, level M, the smallest version) as rows of modules, True = dark."""
    code = segno.make_qr(text, error=ERROR, boost_error=False)
    return [[bool(d) for d in row] for row in code.matrix]


@functools.lru_cache(maxsize=4096)
def svg(text: str, *, size_mm: float = 24.0, title: str = "") -> str:
    """An inline SVG of the QR code of `text`, `size_mm` wide with its quiet zone, black on white."""
    m = matrix(text)
    n = len(m) + 2 * QUIET
    path = "".join(
        f"M{x + QUIET},{y + QUIET}h1v1h-1z"
        for y, row in enumerate(m)
        for x, d in enumerate(row)
        if d
    )
    label = f"<title>{title}</title>" if title else ""
    return (
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        f'width="{size_mm}mm" height="{size_mm}mm" shape-rendering="crispEdges" role="img">'
        f'{label}<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
