"""QR symbols of URLs (stamps, booth signs): the module rows, a PNG and an SVG.

``qrcode`` spends ~85 % of its time choosing the mask (it rebuilds the symbol eight times and
scores each with pure-Python loops). :func:`qr_rows` builds the symbol once with mask 0 and
derives the seven others by XOR with per-version deltas, then scores them with string/int
operations using exactly ``qrcode``'s penalty rules, so the result is module-for-module the symbol
``qrcode`` would have produced (a test holds it to that), about five times faster.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageOps
from qrcode import base as qr_base
from qrcode import exceptions as qr_exceptions
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

_BITS = bytes.maketrans(b"\x00\x01", b"01")
_DARK_RUN = re.compile(r"1+")


@dataclass(frozen=True)
class _Version:
    """What mask selection needs for one QR version.

    The symbol's rows then its columns are packed, first row most significant, into one integer
    of 2·size² bits, so each penalty rule is a handful of whole-symbol bit operations.
    ``windows[k]`` marks the bit positions where a window of k modules starts without leaving
    its row or column.
    """

    size: int
    windows: dict[int, int]
    # Per mask: XOR turning the packed mask-0 symbol into the mask-k one as qrcode scores it
    # (format information blank), and the row-wise XOR to the mask-k symbol as drawn.
    scored: tuple[int, ...]
    final_rows: tuple[tuple[int, ...], ...]


_VERSION_MASKS: dict[int, _Version] = {}


def _row_strings(modules) -> list[str]:
    return [bytes(row).translate(_BITS).decode("ascii") for row in modules]


def _packed(rows: list[str]) -> int:
    return int("".join(rows) + "".join(map("".join, zip(*rows, strict=True))), 2)


def _windows(size: int) -> dict[int, int]:
    return {
        k: sum(((1 << (size - k + 1)) - 1) << (line * size) for line in range(2 * size))
        for k in (2, 4, 7, 11)
    }


def _version_masks(qr: qrcode.QRCode) -> _Version:
    # Mask k changes only data modules (XOR with a fixed pattern) and the format bits, so the
    # difference between two masks does not depend on the data: measure it once per version.
    version = _VERSION_MASKS.get(qr.version)
    if version is None:
        scored, final = [], []
        for mask in range(8):
            qr.makeImpl(True, mask)
            scored.append(_row_strings(qr.modules))
            qr.makeImpl(False, mask)
            final.append([int(row, 2) for row in _row_strings(qr.modules)])
        size = len(final[0])
        base = _packed([format(row, f"0{size}b") for row in final[0]])
        version = _Version(
            size=size,
            windows=_windows(size),
            scored=tuple(_packed(rows) ^ base for rows in scored),
            final_rows=tuple(
                tuple(a ^ b for a, b in zip(rows, final[0], strict=True)) for rows in final
            ),
        )
        _VERSION_MASKS[qr.version] = version
    return version


def _penalty(packed: int, version: _Version) -> int:
    """The ISO 18004 mask penalty exactly as ``qrcode.util.lost_point`` computes it (a test
    holds it to that), on the packed symbol (see :class:`_Version`)."""
    size, windows = version.size, version.windows
    area = size * size
    inverse = packed ^ ((1 << 2 * area) - 1)
    # Rule 1: a run of L ≥ 5 same-coloured modules costs L - 2 = (L - 4) + 2; `five` marks the
    # starts of the L - 4 uniform five-module windows of each run, one stretch per run.
    same = ~(packed ^ (packed >> 1)) & windows[2]
    five = same & (same >> 1) & (same >> 2) & (same >> 3)
    points = five.bit_count() + 2 * (five & ~(five << 1)).bit_count()
    # Rule 3: 1011101 (a palindrome) with four light modules on either side, 40 points each.
    core = packed & (inverse >> 1) & (packed >> 2) & (packed >> 3) & (packed >> 4)
    core &= (inverse >> 5) & (packed >> 6) & windows[7]
    light = inverse & (inverse >> 1) & (inverse >> 2) & (inverse >> 3) & windows[4]
    finders = (light & (core >> 4) & windows[11]).bit_count()
    finders += (core & (light >> 7) & windows[11]).bit_count()
    points += 40 * finders
    # Rule 2: each 2×2 block of one colour, 3 points (rows only: columns would count twice).
    rows = packed >> area
    dark = rows & (rows >> size)
    light_rows = (inverse >> area) & (inverse >> (area + size))
    row_pairs = windows[2] & ((1 << area) - 1)
    blocks = (dark & (dark >> 1) & row_pairs).bit_count()
    blocks += (light_rows & (light_rows >> 1) & row_pairs).bit_count()
    points += 3 * blocks
    # Rule 4: 10 points per full 5 % the dark share strays from 50 %.
    points += int(abs(rows.bit_count() / area * 100 - 50) / 5) * 10
    return points


class _Bits:
    """A bit buffer with ``qr_util.BitBuffer``'s ``put`` (what ``QRData.write`` calls), kept
    as one integer instead of bit by bit."""

    def __init__(self):
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length


@lru_cache(maxsize=64)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Reed–Solomon generator polynomial (without its leading 1) as GF(256) logarithms."""
    poly = [1]
    for i in range(ec_count):
        factor = qr_base.gexp(i)
        poly = [
            (poly[j] if j < len(poly) else 0)
            ^ (
                qr_base.gexp(qr_base.glog(poly[j - 1]) + qr_base.glog(factor))
                if j and poly[j - 1]
                else 0
            )
            for j in range(len(poly) + 1)
        ]
    return tuple(qr_base.glog(c) if c else -1 for c in poly[1:])


def _reed_solomon(data: list[int], ec_count: int) -> list[int]:
    generator = _generator_logs(ec_count)
    exp, log = qr_base.EXP_TABLE, qr_base.LOG_TABLE
    remainder = [0] * ec_count
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = remainder[1:]
        remainder.append(0)
        if factor:
            shift = log[factor]
            for i, g in enumerate(generator):
                if g >= 0:
                    remainder[i] ^= exp[(g + shift) % 255]
    return remainder


def _codewords(version: int, data_list) -> list[int]:
    """Exactly ``qr_util.create_data(version, ERROR_CORRECT_M, data_list)`` (a test holds it
    to that), without the bit-by-bit buffer and the recursive polynomial division."""
    bits = _Bits()
    for chunk in data_list:
        bits.put(chunk.mode, 4)
        bits.put(len(chunk), qr_util.length_in_bits(chunk.mode, version))
        chunk.write(bits)
    blocks = qr_base.rs_blocks(version, ERROR_CORRECT_M)
    bit_limit = sum(block.data_count * 8 for block in blocks)
    if bits.length > bit_limit:
        raise qr_exceptions.DataOverflowError()
    bits.put(0, min(bit_limit - bits.length, 4))  # terminator
    bits.put(0, -bits.length % 8)
    pad = (qr_util.PAD0, qr_util.PAD1)
    for i in range((bit_limit - bits.length) // 8):
        bits.put(pad[i % 2], 8)
    data = list(bits.value.to_bytes(bits.length // 8, "big"))
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = data[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_reed_solomon(chunk, block.total_count - block.data_count))
    return [
        block[i]
        for group in (data_blocks, ec_blocks)
        for i in range(max(map(len, group)))
        for block in group
        if i < len(block)
    ]


_VERSIONS: dict[tuple, int] = {}


def _qr(url: str) -> qrcode.QRCode:
    """The ``qrcode`` symbol of ``url`` with mask 0 applied."""
    # add_data picks the mode per chunk: an uppercase short URL is all alphanumeric-mode
    # characters and is encoded as such (≈ 5.5 bits a character instead of 8).
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    # The version depends only on the modes and lengths of the chunks: fit once per shape.
    shape = tuple((chunk.mode, len(chunk)) for chunk in qr.data_list)
    version = _VERSIONS.get(shape)
    if version is None:
        qr.best_fit()
        version = _VERSIONS[shape] = qr.version
    qr.version = version
    qr.data_cache = _codewords(version, qr.data_list)
    qr.makeImpl(False, 0)
    return qr


def qr_version(*, url: str) -> int:
    """The QR version (1–40) ``url`` needs at error correction M."""
    return _qr(url).version


def qr_rows(*, url: str) -> tuple[str, ...]:
    """The QR symbol of ``url`` (error correction M, best mask, no quiet zone): one string of
    ``"0"``/``"1"`` (light/dark) per row."""
    qr = _qr(url)
    rows = _row_strings(qr.modules)
    version = _version_masks(qr)
    packed = _packed(rows)
    # Ties go to the lowest mask number, as in qrcode.
    best = min(range(8), key=lambda mask: (_penalty(packed ^ version.scored[mask], version), mask))
    fmt = f"0{version.size}b"
    return tuple(
        format(int(row, 2) ^ delta, fmt)
        for row, delta in zip(rows, version.final_rows[best], strict=True)
    )


def dark_runs(rows: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """Dark modules as horizontal runs (x, y, width). Drawn as rectangles of one path with one
    fill, so adjacent runs show no seams."""
    return [
        (match.start(), y, match.end() - match.start())
        for y, row in enumerate(rows)
        for match in _DARK_RUN.finditer(row)
    ]


def qr_png(*, url: str, box_size: int = 10, border: int = 4) -> bytes:
    """A black-on-white 1-bit PNG of the QR code, ``box_size`` pixels a module, ``border``
    modules of quiet zone."""
    rows = qr_rows(url=url)
    size = len(rows)
    pixels = "".join(rows).encode("ascii").translate(bytes.maketrans(b"01", b"\xff\x00"))
    image = Image.frombytes("L", (size, size), pixels)
    image = ImageOps.expand(image, border=border, fill=255)
    side = (size + 2 * border) * box_size
    image = image.resize((side, side), Image.Resampling.NEAREST).convert("1")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(*, url: str, border: int = 4) -> str:
    """A standalone SVG of the QR code: one path, one unit a module, scalable to any size."""
    rows = qr_rows(url=url)
    side = len(rows) + 2 * border
    path = "".join(f"M{x + border} {y + border}h{w}v1h-{w}z" for x, y, w in dark_runs(rows))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{side * 4}" height="{side * 4}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    )
