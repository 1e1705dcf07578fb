"""Stamp output: QR codes (PNG, SVG), printable A4 label sheets (PDF) and CSV for outside printers.

Pure functions over plain data, no ORM: the workspace downloads, the benchmark and the tests call
the same code. A stamp is printed from a :class:`StampLabel`; the sheet geometry is a
:class:`SheetLayout`, validated when it is built so an impossible layout never reaches a printer.

Speed: ``qrcode`` spends ~85 % of its time choosing the mask (it rebuilds the symbol eight times
and scores each with pure-Python loops). :func:`qr_rows` builds the symbol once with mask 0 and
derives the seven others by XOR with per-version deltas, then scores them with string/int
operations using exactly ``qrcode``'s penalty rules, so the result is module-for-module the symbol
``qrcode`` would have produced (a test holds it to that), about five times faster. On the sheet
each QR is drawn as vector rectangles (dark runs merged across rows) in module units under one
transform, which keeps the page streams small.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import qrcode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from qrcode import base as qr_base
from qrcode import exceptions as qr_exceptions
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = "OcopStampSans"
FONT_BOLD = "OcopStampSans-Bold"
QR_MIN_MM = 15.0
# Light margin kept around the symbol inside the label: the "quiet zone" a scanner needs to find
# the finder patterns (≈ 2 modules of a version-3/4 code at 15 mm).
QUIET_ZONE_MIN_MM = 1.0
# Narrowest text column worth printing (a few characters of 5 pt text).
TEXT_MIN_MM = 10.0
MM = 72 / 25.4  # PDF points per millimetre
CSV_BOM = "\ufeff"


class SheetLayoutError(Exception):
    """A sheet layout that cannot be printed. ``field`` names the setting at fault."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))


@dataclass(frozen=True)
class StampLabel:
    url: str
    serial: str
    product_name: str
    stars: int | None
    pin: str | None = None


@dataclass(frozen=True)
class SheetLayout:
    """An A4 label sheet: a grid of ``columns`` × ``rows`` labels, sizes in millimetres.

    ``qr_mm`` is the printed symbol without its quiet zone; ``padding_mm`` is the light margin
    between the label edge and its content (it is the quiet zone on the QR side). Text (product
    name, stars, serial, PIN) goes in the column to the right of the QR.
    """

    columns: int = 5
    rows: int = 13
    label_width_mm: float = 38.1
    label_height_mm: float = 21.2
    margin_left_mm: float = 4.7
    margin_top_mm: float = 10.7
    gap_x_mm: float = 2.5
    gap_y_mm: float = 0.0
    qr_mm: float = 17.0
    padding_mm: float = 1.1
    font_size_pt: float = 5.0
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    show_product_name: bool = True
    show_stars: bool = True
    show_serial: bool = True
    show_pin: bool = True
    cut_guides: bool = False

    def __post_init__(self):
        _layout_validate(self)

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    @property
    def shows_text(self) -> bool:
        return self.show_product_name or self.show_stars or self.show_serial or self.show_pin

    @property
    def text_width_mm(self) -> float:
        return self.label_width_mm - 3 * self.padding_mm - self.qr_mm


def _layout_validate(layout: SheetLayout) -> None:
    for name in ("columns", "rows"):
        value = getattr(layout, name)
        if not isinstance(value, int) or value < 1:
            raise SheetLayoutError(
                _("Columns and rows must be whole numbers of at least 1."),
                code="invalid",
                field=name,
            )
    for f in fields(layout):
        if f.name.endswith("_mm") or f.name.endswith("_pt"):
            value = getattr(layout, f.name)
            positive = f.name.startswith(("label_", "page_", "qr_", "font_"))
            if value < 0 or (positive and value <= 0):
                raise SheetLayoutError(
                    _("Sizes must be positive and margins or gaps cannot be negative."),
                    code="invalid",
                    field=f.name,
                )
    width = layout.margin_left_mm + layout.columns * layout.label_width_mm
    width += (layout.columns - 1) * layout.gap_x_mm
    if width > layout.page_width_mm + 1e-9:
        raise SheetLayoutError(
            _("The label grid is %(grid)s mm wide but the page only %(page)s mm.")
            % {"grid": _mm(width), "page": _mm(layout.page_width_mm)},
            code="grid_too_wide",
            field="columns",
        )
    height = layout.margin_top_mm + layout.rows * layout.label_height_mm
    height += (layout.rows - 1) * layout.gap_y_mm
    if height > layout.page_height_mm + 1e-9:
        raise SheetLayoutError(
            _("The label grid is %(grid)s mm high but the page only %(page)s mm.")
            % {"grid": _mm(height), "page": _mm(layout.page_height_mm)},
            code="grid_too_high",
            field="rows",
        )
    if layout.qr_mm < QR_MIN_MM:
        raise SheetLayoutError(
            _("The QR code must be at least %(min)s mm wide to scan reliably.")
            % {"min": _mm(QR_MIN_MM)},
            code="qr_too_small",
            field="qr_mm",
        )
    if layout.padding_mm < QUIET_ZONE_MIN_MM:
        raise SheetLayoutError(
            _("Keep at least %(min)s mm of blank space around the QR code.")
            % {"min": _mm(QUIET_ZONE_MIN_MM)},
            code="quiet_zone_too_small",
            field="padding_mm",
        )
    needed = layout.qr_mm + 2 * layout.padding_mm
    if needed > min(layout.label_width_mm, layout.label_height_mm) + 1e-9:
        raise SheetLayoutError(
            _("A %(qr)s mm QR code with its margins does not fit on a %(w)s × %(h)s mm label.")
            % {
                "qr": _mm(layout.qr_mm),
                "w": _mm(layout.label_width_mm),
                "h": _mm(layout.label_height_mm),
            },
            code="qr_too_big",
            field="qr_mm",
        )
    if layout.shows_text and layout.text_width_mm < TEXT_MIN_MM:
        raise SheetLayoutError(
            _(
                "There is no room for text next to the QR code: use wider labels, a smaller "
                "QR code, or print the QR code alone."
            ),
            code="no_room_for_text",
            field="label_width_mm",
        )


def _mm(value: float) -> str:
    return f"{value:g}"


# Avery-compatible A4 sheets (L7651, L7654 and L7159 geometry).
SHEET_LAYOUTS: dict[str, SheetLayout] = {
    "a4-5x13": SheetLayout(),
    "a4-4x10": SheetLayout(
        columns=4,
        rows=10,
        label_width_mm=45.7,
        label_height_mm=25.4,
        margin_left_mm=9.7,
        margin_top_mm=21.5,
        gap_x_mm=2.6,
        qr_mm=21.0,
        padding_mm=1.5,
        font_size_pt=6.0,
    ),
    "a4-3x8": SheetLayout(
        columns=3,
        rows=8,
        label_width_mm=63.5,
        label_height_mm=33.9,
        margin_left_mm=7.2,
        margin_top_mm=12.9,
        gap_x_mm=2.5,
        qr_mm=28.0,
        padding_mm=2.0,
        font_size_pt=7.5,
    ),
}
SHEET_LAYOUT_DEFAULT = "a4-5x13"
SHEET_LAYOUT_CHOICES = [
    ("a4-5x13", _("A4, 65 labels per sheet (5 × 13, 38 × 21 mm), QR 17 mm")),
    ("a4-4x10", _("A4, 40 labels per sheet (4 × 10, 46 × 25 mm), QR 21 mm")),
    ("a4-3x8", _("A4, 24 labels per sheet (3 × 8, 64 × 34 mm), QR 28 mm")),
]


# --- QR symbol ---------------------------------------------------------------------------------

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


def _runs(rows: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """Dark modules as horizontal runs (x, y, width). Drawn as rectangles of one path with one
    fill, so adjacent runs show no seams."""
    return [
        (match.start(), y, match.end() - match.start())
        for y, row in enumerate(rows)
        for match in _DARK_RUN.finditer(row)
    ]


def stamp_qr_png(*, url: str, box_size: int = 10, border: int = 4) -> bytes:
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


def stamp_qr_svg(*, url: str, border: int = 4) -> str:
    """A standalone SVG of the QR code: one path, one unit a module, scalable to any size."""
    rows = qr_rows(url=url)
    side = len(rows) + 2 * border
    path = "".join(f"M{x + border} {y + border}h{w}v1h-{w}z" for x, y, w in _runs(rows))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{side * 4}" height="{side * 4}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    )


# --- PDF sheets ---------------------------------------------------------------------------------

_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if _fonts_registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # A subset of DejaVu Sans Condensed (Latin, Vietnamese, ★, ₫), shipped with the code so
    # diacritics render on any machine; see fonts/README.md.
    pdfmetrics.registerFont(TTFont(FONT_REGULAR, str(FONT_DIR / "DejaVuSansCondensed-vi.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSansCondensed-Bold-vi.ttf")))
    _fonts_registered = True


@lru_cache(maxsize=4096)
def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def _ellipsis(text: str, font: str, size: float, width: float) -> str:
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@lru_cache(maxsize=1024)
def _wrap_words(text: str, font: str, size: float, width: float, max_lines: int) -> tuple:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _width(current, font, size) > width:  # a word longer than the line: break it
            cut = len(current) - 1
            while cut > 1 and _width(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsis(lines[-1], font, size, width)
    return tuple(lines)


def _wrap_chars(text: str, font: str, size: float, width: float) -> tuple:
    # Serials and PINs are copied by hand: break them between characters, never drop any.
    lines = []
    while text:
        cut = len(text)
        while cut > 1 and _width(text[:cut], font, size) > width:
            cut -= 1
        lines.append(text[:cut])
        text = text[cut:]
    return tuple(lines)


class _SheetPainter:
    def __init__(self, canvas, layout: SheetLayout):
        self.canvas = canvas
        self.layout = layout
        self.font_size = layout.font_size_pt
        self.leading = layout.font_size_pt * 1.18
        self.text_width = layout.text_width_mm * MM
        self.pin_label = gettext("PIN")
        self.page_height = layout.page_height_mm * MM

    def label_origin(self, index: int) -> tuple[float, float]:
        """Top-left corner of the label in PDF points (origin bottom-left)."""
        layout = self.layout
        column, row = index % layout.columns, index // layout.columns
        x = layout.margin_left_mm + column * (layout.label_width_mm + layout.gap_x_mm)
        y = layout.margin_top_mm + row * (layout.label_height_mm + layout.gap_y_mm)
        return x * MM, self.page_height - y * MM

    def page(self, labels: list[StampLabel]) -> None:
        canvas, layout = self.canvas, self.layout
        parts = []
        if layout.cut_guides:
            parts.append("0.8 G 0.2 w\n")
            for index in range(len(labels)):
                x, y = self.label_origin(index)
                parts.append(
                    f"{x:.2f} {y - layout.label_height_mm * MM:.2f} "
                    f"{layout.label_width_mm * MM:.2f} {layout.label_height_mm * MM:.2f} re S\n"
                )
        parts.append("0 g\n")
        for index, label in enumerate(labels):
            parts.append(self.qr_ops(label.url, *self.label_origin(index)))
        canvas.addLiteral("".join(parts))
        if layout.shows_text:
            for index, label in enumerate(labels):
                self.text(label, *self.label_origin(index))

    def qr_ops(self, url: str, left: float, top: float) -> str:
        layout = self.layout
        rows = qr_rows(url=url)
        module = layout.qr_mm * MM / len(rows)
        x = left + layout.padding_mm * MM
        # Centre the QR vertically so its quiet zone is even above and below.
        y = top - (layout.label_height_mm - layout.qr_mm) / 2 * MM
        # Module units under one transform (y flipped): each run is a short "x y w 1 re".
        ops = [f"q {module:.4f} 0 0 {-module:.4f} {x:.3f} {y:.3f} cm\n"]
        ops.extend([f"{rx} {ry} {rw} 1 re\n" for rx, ry, rw in _runs(rows)])
        ops.append("f Q\n")
        return "".join(ops)

    def text(self, label: StampLabel, left: float, top: float) -> None:
        layout, canvas = self.layout, self.canvas
        size, width = self.font_size, self.text_width
        bottom = top - (layout.label_height_mm - layout.padding_mm) * MM
        x = left + (2 * layout.padding_mm + layout.qr_mm) * MM
        y = top - layout.padding_mm * MM - size
        tail: list[tuple[str, str]] = []
        if layout.show_stars and label.stars:
            tail.append((FONT_REGULAR, "OCOP " + "★" * label.stars))
        if layout.show_serial:
            tail.extend(
                (FONT_REGULAR, line)
                for line in _wrap_chars(label.serial, FONT_REGULAR, size, width)
            )
        if layout.show_pin and label.pin:
            tail.extend(
                (FONT_BOLD, line)
                for line in _wrap_chars(f"{self.pin_label} {label.pin}", FONT_BOLD, size, width)
            )
        available = int((y - bottom) / self.leading) + 1
        lines: list[tuple[str, str]] = []
        if layout.show_product_name and label.product_name:
            name_lines = max(1, min(3, available - len(tail)))
            lines.extend(
                (FONT_BOLD, line)
                for line in _wrap_words(label.product_name, FONT_BOLD, size, width, name_lines)
            )
        lines.extend(tail)
        current = None
        for font, line in lines[:available]:
            if font != current:
                canvas.setFont(font, size)
                current = font
            canvas.drawString(x, y, line)
            y -= self.leading


def stamp_sheet_pdf(
    *,
    labels: Iterable[StampLabel],
    layout: SheetLayout,
    out: BinaryIO,
    title: str = "",
) -> int:
    """Write an A4 PDF of ``labels`` on ``layout`` sheets to ``out``; return the page count.

    Labels are consumed one page at a time, so a generator over a database cursor keeps memory
    flat; only the (compact) page streams are held until the file is written. ``ValueError``
    when there is nothing to print.
    """
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    canvas = Canvas(
        out,
        pagesize=(layout.page_width_mm * MM, layout.page_height_mm * MM),
        pageCompression=1,
        # Otherwise every page names Helvetica, a font the sheet never uses nor embeds.
        initialFontName=FONT_REGULAR,
        initialFontSize=layout.font_size_pt,
    )
    canvas.setTitle(title or gettext("QR stamps"))
    canvas.setCreator("OCOP Marketplace")
    painter = _SheetPainter(canvas, layout)
    pages = 0
    iterator = iter(labels)
    page = list(itertools.islice(iterator, layout.labels_per_page))
    if not page:
        raise ValueError("No labels to print.")
    while page:
        painter.page(page)
        canvas.showPage()
        pages += 1
        page = list(itertools.islice(iterator, layout.labels_per_page))
    from reportlab import rl_config

    # ASCII85 around the compressed page streams only makes a 7-bit-safe file: 25 % larger and,
    # without reportlab's optional C accelerator, seconds slower at 10,000 stamps.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = a85
    return pages


# --- CSV ----------------------------------------------------------------------------------------

CSV_HEADER = ("serial", "url", "product_name", "stars")


def stamp_csv_chunks(*, labels: Iterable[StampLabel], rows_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in chunks (for a streaming response), starting with a byte-order mark so Excel
    reads it as UTF-8. Column names are stable identifiers for printing software, not
    translated. A ``pin`` column is added when the first label has a PIN."""
    iterator = iter(labels)
    first = next(iterator, None)
    with_pin = first is not None and first.pin is not None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow((*CSV_HEADER, "pin") if with_pin else CSV_HEADER)
    if first is None:
        yield buffer.getvalue()
        return
    for count, label in enumerate(itertools.chain((first,), iterator), start=1):
        if label.pin is not None and not with_pin:
            raise ValueError("Labels with and without PINs cannot share one CSV.")
        row = [label.serial, label.url, label.product_name, label.stars or ""]
        if with_pin:
            row.append(label.pin or "")
        writer.writerow(row)
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def stamp_csv(*, labels: Iterable[StampLabel], out: BinaryIO) -> int:
    """Write the CSV of ``labels`` (UTF-8 with BOM) to the binary stream ``out``; return the
    number of label rows."""
    count = 0

    def counted():
        nonlocal count
        for label in labels:
            count += 1
            yield label

    for chunk in stamp_csv_chunks(labels=counted()):
        out.write(chunk.encode("utf-8"))
    return count
