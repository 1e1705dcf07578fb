"""Printable booth signs: one A4 page per assigned booth with the fair's name, the booth code,
the exhibitor and its province, the products it brings with their stars, and a QR code linking
to the exhibitor's page. Drawn with ``core.printing`` (the fonts and the QR stamps use), from a
``selectors.fair_page``: no query of its own."""

from __future__ import annotations

from typing import BinaryIO

from django.urls import reverse
from django.utils.translation import gettext

from core.printing.pdf import (
    FONT_BOLD,
    FONT_REGULAR,
    MM,
    fonts_register,
    qr_pdf_ops,
    text_wrap,
)
from marketplace.fairs.selectors import FairPage

PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM  # A4 portrait
MARGIN = 18 * MM
QR_SIDE = 60 * MM
PRODUCT_LINES = 12


def exhibitor_url(*, seller, origin: str) -> str:
    """The exhibitor's page a sign's QR code opens."""
    return origin + reverse("storefront:seller_detail", args=[seller.slug])


def booth_signs(page: FairPage) -> list:
    """The booths that get a sign: those with an exhibitor, in code order."""
    return [booth for booth in page.booths if booth.exhibitor is not None]


def booth_signs_pdf(*, page: FairPage, origin: str, out: BinaryIO) -> int:
    """Write the signs of ``page``'s assigned booths to ``out``; return the page count.
    ``ValueError`` when no booth is assigned."""
    from reportlab.pdfgen.canvas import Canvas

    booths = booth_signs(page)
    if not booths:
        raise ValueError("No booth is assigned.")
    fonts_register()
    canvas = Canvas(
        out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=FONT_REGULAR,
        initialFontSize=12,
    )
    canvas.setTitle(gettext("Booth signs · %(fair)s") % {"fair": page.fair.name})
    canvas.setCreator("OCOP Marketplace")
    width = PAGE_WIDTH - 2 * MARGIN
    scan = gettext("Scan for the exhibitor's page")
    products_title = gettext("Products at this booth")
    for booth in booths:
        exhibitor = booth.exhibitor
        top = PAGE_HEIGHT - MARGIN
        canvas.setFillGray(0.35)
        canvas.setFont(FONT_REGULAR, 12)
        for line in text_wrap(page.fair.name, FONT_REGULAR, 12, width, 2):
            canvas.drawString(MARGIN, top - 12, line)
            top -= 15
        canvas.setFillGray(0)
        canvas.setFont(FONT_BOLD, 96)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 100, booth.code)
        top -= 130
        canvas.setFont(FONT_BOLD, 26)
        for line in text_wrap(exhibitor.seller.name, FONT_BOLD, 26, width, 3):
            canvas.drawCentredString(PAGE_WIDTH / 2, top - 26, line)
            top -= 32
        canvas.setFont(FONT_REGULAR, 14)
        canvas.drawCentredString(PAGE_WIDTH / 2, top - 16, exhibitor.seller.province.name)
        top -= 40
        canvas.setFont(FONT_BOLD, 14)
        canvas.drawString(MARGIN, top - 14, products_title)
        top -= 22
        lines = 0
        canvas.setFont(FONT_REGULAR, 13)
        for item in exhibitor.products:
            stars = " " + "★" * item.stars if item.stars else ""
            for n, line in enumerate(
                text_wrap(item.product.name + stars, FONT_REGULAR, 13, width - 12, 2)
            ):
                if lines == PRODUCT_LINES:
                    break
                canvas.drawString(MARGIN + (12 if n else 0), top - 13, ("" if n else "• ") + line)
                top -= 17
                lines += 1
        url = exhibitor_url(seller=exhibitor.seller, origin=origin)
        qr_top = MARGIN + QR_SIDE + 14
        canvas.addLiteral(
            "0 g\n" + qr_pdf_ops(url=url, left=(PAGE_WIDTH - QR_SIDE) / 2, top=qr_top, side=QR_SIDE)
        )
        canvas.setFont(FONT_REGULAR, 10)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN, scan)
        canvas.showPage()
    canvas.save()
    return len(booths)
