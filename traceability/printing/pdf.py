"""Printable A4 PDF label sheets (reportlab). Each QR is drawn as vector rectangles (dark runs
merged across rows) in module units under one transform, which keeps the page streams small."""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable
from typing import BinaryIO

from django.utils.translation import gettext

from core.printing.pdf import (
    FONT_BOLD,
    FONT_REGULAR,
    MM,
    fonts_register,
    qr_pdf_ops,
    text_width,
    text_wrap,
)
from traceability.printing.labels import StampLabel
from traceability.printing.layouts import SheetLayout


def _wrap_chars(text: str, font: str, size: float, width: float) -> tuple:
    # Serials and PINs are copied by hand: break them between characters, never drop any.
    lines = []
    while text:
        cut = len(text)
        while cut > 1 and text_width(text[:cut], font, size) > width:
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
        # Centre the QR vertically so its quiet zone is even above and below.
        return qr_pdf_ops(
            url=url,
            left=left + layout.padding_mm * MM,
            top=top - (layout.label_height_mm - layout.qr_mm) / 2 * MM,
            side=layout.qr_mm * MM,
        )

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
                for line in text_wrap(label.product_name, FONT_BOLD, size, width, name_lines)
            )
        lines.extend(tail)
        current = None
        for font, line in lines[:available]:
            if font != current:
                canvas.setFont(font, size)
                current = font
            canvas.drawString(x, y, line)
            y -= self.leading


def _compress_last_page(canvas) -> None:
    """Deflate the page just finished and drop its text.

    reportlab keeps every page's operators as text until ``save``, then compresses them: at
    100,000 stamps that is ~400 MB of "x y w 1 re" runs held at once. Compressed as each page
    ends, the whole run holds about the size of the finished file (≈ 40 MB), so the memory of a
    run of any size stays flat. The stream is marked as already filtered, so ``save`` writes it
    as it is."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream

    page = canvas._doc.Pages.pages[-1]
    if not page.stream:
        return
    text = page.stream.encode("utf-8") if isinstance(page.stream, str) else page.stream
    dictionary = PDFDictionary()
    dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
    stream = PDFStream(dictionary=dictionary, content=zlib.compress(text), filters=[])
    stream.__Comment__ = "page stream"
    page.Contents = stream
    page.stream = None


def stamp_sheet_pdf(
    *,
    labels: Iterable[StampLabel],
    layout: SheetLayout,
    out: BinaryIO,
    title: str = "",
) -> int:
    """Write an A4 PDF of ``labels`` on ``layout`` sheets to ``out``; return the page count.

    Labels are consumed one page at a time, so a generator over a database cursor keeps memory
    flat; each page is compressed as it ends (``_compress_last_page``), so only the compressed
    page streams — about the file's size — are held until the file is written. ``ValueError``
    when there is nothing to print.
    """
    from reportlab.pdfgen.canvas import Canvas

    fonts_register()
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
        _compress_last_page(canvas)
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
