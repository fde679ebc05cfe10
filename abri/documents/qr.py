"""QR codes (ISO/IEC 18004) for short texts such as ``geo:`` links, drawn as SVG.

No QR package is in the project's dependencies, so this module encodes in byte
mode at error-correction level M, versions 1 to 6 (up to 106 bytes: a ``geo:``
link with a short label fits). The layout follows the standard: finder,
timing and alignment patterns, Reed-Solomon codewords interleaved by block,
the mask with the lowest penalty, then the format bits.

Examples
--------
>>> m = matrix("geo:50.95,1.86")
>>> len(m), len(m[0])
(21, 21)
"""

from __future__ import annotations

import functools

import numpy as np

from abri.errors import AbriError

#: Level M, versions 1..6: error-correction codewords per block and number of blocks.
ECC_PER_BLOCK = (10, 16, 26, 18, 24, 16)
BLOCKS = (1, 1, 1, 2, 2, 4)
FORMAT_M = 0  # the level's two format bits
QUIET = 4  # modules of white margin around the code


class QrTooLongError(AbriError):
    """The text does not fit the largest version this module draws."""


def _raw_modules(version: int) -> int:
    result = (16 * version + 128) * version + 64
    if version >= 2:
        n = version // 7 + 2
        result -= (25 * n - 10) * n - 55
    return result


def _data_codewords(version: int) -> int:
    return _raw_modules(version) // 8 - ECC_PER_BLOCK[version - 1] * BLOCKS[version - 1]


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


def _gf_multiply(x: int, y: int) -> int:
    return 0 if x == 0 or y == 0 else _EXP[_LOG[x] + _LOG[y]]


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    divisor = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            divisor[j] = _gf_multiply(divisor[j], root)
            if j + 1 < degree:
                divisor[j] ^= divisor[j + 1]
        root = _gf_multiply(root, 0x02)
    result = [0] * degree
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_multiply(coef, factor)
    return result


def _codewords(payload: bytes) -> tuple[int, list[int]]:
    """The smallest version holding `payload`, and its data and error-correction codewords, interleaved."""
    version = next(
        (v for v in range(1, 7) if 4 + 8 + 8 * len(payload) <= _data_codewords(v) * 8), None
    )
    if version is None:
        msg = f"QR code: {len(payload)} bytes do not fit (at most {_data_codewords(6) - 2} at level M, version 6)"
        raise QrTooLongError(msg)
    capacity = _data_codewords(version) * 8
    bits = f"0100{len(payload):08b}" + "".join(f"{b:08b}" for b in payload)
    bits += "0" * min(4, capacity - len(bits))
    bits += "0" * (-len(bits) % 8)
    data = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    data += [(0xEC, 0x11)[i % 2] for i in range(capacity // 8 - len(data))]
    nblocks, ecc_len = BLOCKS[version - 1], ECC_PER_BLOCK[version - 1]
    raw = _raw_modules(version) // 8
    short, short_len = nblocks - raw % nblocks, raw // nblocks
    blocks, k = [], 0
    for i in range(nblocks):
        part = data[k : k + short_len - ecc_len + (0 if i < short else 1)]
        k += len(part)
        ecc = _rs_remainder(part, ecc_len)
        blocks.append(part + ([0] if i < short else []) + ecc)
    out = [
        block[i]
        for i in range(len(blocks[0]))
        for j, block in enumerate(blocks)
        if i != short_len - ecc_len or j >= short
    ]
    return version, out


class _Grid:
    def __init__(self, version: int) -> None:
        self.size = version * 4 + 17
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.fixed = [[False] * self.size for _ in range(self.size)]

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.fixed[y][x] = True

    def patterns(self, version: int) -> None:
        size = self.size
        for i in range(size):
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    if 0 <= cx + dx < size and 0 <= cy + dy < size:
                        self.set(cx + dx, cy + dy, max(abs(dx), abs(dy)) not in (2, 4))
        if version >= 2:
            at = size - 7
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    self.set(at + dx, at + dy, max(abs(dx), abs(dy)) != 1)
        self.format_bits(0)  # reserved now, written once the mask is chosen

    def format_bits(self, mask: int) -> None:
        data = FORMAT_M << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412
        size = self.size

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        for i in range(6):
            self.set(8, i, bit(i))
        self.set(8, 7, bit(6))
        self.set(8, 8, bit(7))
        self.set(7, 8, bit(8))
        for i in range(9, 15):
            self.set(14 - i, 8, bit(i))
        for i in range(8):
            self.set(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set(8, size - 15 + i, bit(i))
        self.set(8, size - 8, True)

    def codewords(self, data: list[int]) -> None:
        i, size = 0, self.size
        right = size - 1
        while right >= 1:
            right = 5 if right == 6 else right
            for vert in range(size):
                for j in range(2):
                    x = right - j
                    y = size - 1 - vert if ((right + 1) & 2) == 0 else vert
                    if not self.fixed[y][x] and i < len(data) * 8:
                        self.dark[y][x] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2


MASKS = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)


def _runs_penalty(m: np.ndarray) -> int:
    """Rule 1: 3 for each run of five same-coloured modules in a row or column, 1 more per extra module."""
    score = 0
    for lines in (m, m.T):
        flat = np.pad(lines.astype(np.int8), ((0, 0), (0, 1)), constant_values=2).ravel()
        starts = np.flatnonzero(np.diff(np.concatenate(([3], flat))))  # a separator ends every line
        lengths = np.diff(np.concatenate((starts, [len(flat)])))
        score += int(np.sum(np.where(lengths >= 5, lengths - 2, 0)))
    return score


def _penalty(m: np.ndarray) -> int:
    """Runs of five or more, 2x2 blocks and the dark/light balance (rules 1, 2 and 4 of the standard)."""
    blocks = (m[:-1, :-1] == m[1:, :-1]) & (m[:-1, :-1] == m[:-1, 1:]) & (m[:-1, :-1] == m[1:, 1:])
    size = m.shape[0]
    dark = int(m.sum())
    balance = 10 * (abs(dark * 20 - size * size * 10) // (size * size))
    return _runs_penalty(m) + 3 * int(blocks.sum()) + balance


def matrix(text: str) -> list[list[bool]]:
    """The QR code of `text` (UTF-8, byte mode, level M) as rows of modules, True = dark, without margin."""
    version, data = _codewords(text.encode("utf-8"))
    grid = _Grid(version)
    grid.patterns(version)
    grid.codewords(data)
    y, x = np.indices((grid.size, grid.size))
    best: tuple[int, int] | None = None
    for mask in range(8):
        grid.format_bits(mask)
        dark, fixed = np.array(grid.dark), np.array(grid.fixed)
        candidate = dark ^ (~fixed & MASKS[mask](x, y))
        score = _penalty(candidate)
        if best is None or score < best[0]:
            best = (score, mask)
    assert best is not None
    grid.format_bits(best[1])
    dark, fixed = np.array(grid.dark), np.array(grid.fixed)
    return (dark ^ (~fixed & MASKS[best[1]](x, y))).tolist()


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
