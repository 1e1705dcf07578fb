"""The reportlab pieces every printed PDF shares: the bundled fonts (a DejaVu subset with the
Vietnamese letters, ★ and ₫; see ``fonts/README.md``), measuring and wrapping text to a width,
and a QR symbol as PDF operators (vector rectangles, dark runs merged, one fill)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.printing.qr import dark_runs, qr_rows

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = "OcopStampSans"
FONT_BOLD = "OcopStampSans-Bold"
MM = 72 / 25.4  # PDF points per millimetre

_fonts_registered = False


def fonts_register() -> None:
    """Register ``FONT_REGULAR`` and ``FONT_BOLD`` with reportlab (once per process)."""
    global _fonts_registered
    if _fonts_registered:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Shipped with the code so diacritics render on any machine; embedded in each PDF, subset
    # again to the glyphs used.
    pdfmetrics.registerFont(TTFont(FONT_REGULAR, str(FONT_DIR / "DejaVuSansCondensed-vi.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSansCondensed-Bold-vi.ttf")))
    _fonts_registered = True


@lru_cache(maxsize=4096)
def text_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def text_ellipsis(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut to fit ``width`` with "…" after it."""
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@lru_cache(maxsize=1024)
def text_wrap(text: str, font: str, size: float, width: float, max_lines: int) -> tuple:
    """``text`` broken between words into lines of at most ``width`` points (a word longer than a
    line is broken inside), at most ``max_lines`` of them, the last ending "…" if cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width(current, font, size) > width:  # a word longer than the line: break it
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = text_ellipsis(lines[-1], font, size, width)
    return tuple(lines)


def qr_pdf_ops(*, url: str, left: float, top: float, side: float) -> str:
    """PDF operators drawing the QR of ``url`` (no quiet zone) ``side`` points wide, its top-left
    corner at (``left``, ``top``) in page points (origin bottom-left), in the current fill
    colour. Module units under one transform (y flipped): each run is a short "x y w 1 re"."""
    rows = qr_rows(url=url)
    module = side / len(rows)
    ops = [f"q {module:.4f} 0 0 {-module:.4f} {left:.3f} {top:.3f} cm\n"]
    ops.extend([f"{rx} {ry} {rw} 1 re\n" for rx, ry, rw in dark_runs(rows)])
    ops.append("f Q\n")
    return "".join(ops)
