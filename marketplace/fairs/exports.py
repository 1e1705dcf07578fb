"""The organiser's exports: exhibitors and booth assignments as CSV or XLSX. Every cell passes
``core.exports.spreadsheet_row``: an exhibitor named "=HYPERLINK(…)" stays text."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from core.exports import spreadsheet_row
from marketplace.fairs.models import BoothAssignment, Fair
from marketplace.fairs.selectors import fair_page

FORMATS = ("csv", "xlsx")
KINDS = ("exhibitors", "assignments")


def _exhibitor_rows(fair: Fair) -> tuple[list[str], list[list]]:
    page = fair_page(slug=fair.slug, public_only=False)
    header = [_("Booths"), _("Exhibitor"), _("Tax code"), _("Province"), _("Products")]
    rows = [
        [
            ", ".join(b.code for b in e.booths),
            e.seller.name,
            e.seller.tax_code,
            e.seller.province.name,
            "; ".join(
                f"{p.product.name} ({p.stars}★)" if p.stars else p.product.name for p in e.products
            ),
        ]
        for e in page.exhibitors
    ]
    return header, rows


def _assignment_rows(fair: Fair) -> tuple[list[str], list[list]]:
    header = [_("Booth"), _("Zone"), _("Exhibitor"), _("Amount due"), _("Assigned"), _("Released")]
    assignments = (
        BoothAssignment.objects.filter(booth__fair=fair)
        .select_related("booth__zone", "application__seller")
        .order_by("booth__code", "assigned_at")
    )
    rows = [
        [
            a.booth.code,
            a.booth.zone.name,
            a.application.seller.name,
            a.amount_due,
            a.assigned_at.strftime("%d/%m/%Y %H:%M"),
            a.released_at.strftime("%d/%m/%Y %H:%M") if a.released_at else "",
        ]
        for a in assignments
    ]
    return header, rows


def fair_export(*, fair: Fair, kind: str, fmt: str) -> bytes:
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"kind {kind!r} / format {fmt!r}")
    header, rows = (_exhibitor_rows if kind == "exhibitors" else _assignment_rows)(fair)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(spreadsheet_row(header))
        for row in rows:
            writer.writerow(spreadsheet_row(row))
        # A BOM so Excel opens the Vietnamese text as UTF-8.
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    from openpyxl import Workbook  # only the XLSX path pays for the import

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    sheet.append(spreadsheet_row(header))
    for row in rows:
        sheet.append(spreadsheet_row(row))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
