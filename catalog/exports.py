"""The registry as a recognition list the importer accepts back (``manage.py registry_export``).

One row per certificate that was not revoked, under headers ``catalog.importer.parsing``
recognises, with the per-decision columns (framework, issuer, level, source) on every row so a file
holding many decisions imports back into an empty database as the same producers, products,
decisions, scores and certificates (``tests/catalog/test_registry_export.py`` round-trips it).
What the list format cannot carry is left out and said so in README's *Backups*: revocations
(recorded with their own decision through ``certificate_revoke``), part and per-criterion scores,
council members' totals, photos and descriptions — the database dump keeps everything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from catalog.models import Certificate, CertificateStatus
from catalog.rules import score_round
from core.exports import spreadsheet_row

# Each header is one the importer's ``HEADER_ALIASES`` maps to the field in the comment.
EXPORT_HEADER = (
    "STT",  # row_no
    "Tên sản phẩm",  # product
    "Mã sản phẩm",  # product_code
    "Chủ thể",  # producer
    "Mã số thuế",  # tax_code
    "Địa chỉ",  # address (street)
    "Xã phường",  # commune
    "Tỉnh",  # province
    "Bộ sản phẩm",  # product_set (its number under the decision's framework)
    "Bộ tiêu chí",  # framework (code)
    "Điểm",  # score
    "Hạng sao",  # stars
    "Số quyết định",  # decision_number
    "Ngày quyết định",  # decision_date
    "Cơ quan ban hành",  # issuer
    "Cấp đánh giá",  # level
    "Nguồn",  # source_url
)
FORMATS = ("csv", "xlsx")
ITERATOR_CHUNK = 2000


def registry_export_rows() -> Iterator[list[str]]:
    """The rows (without the header), oldest decision first: a constant number of queries
    however many certificates (one ``select_related`` query, read in chunks)."""
    certificates = (
        Certificate.objects.exclude(status=CertificateStatus.REVOKED)
        .select_related(
            "product__holder__province",
            "product__product_set",
            "evaluation__product_set",
            "decision__framework",
        )
        .order_by("decision__date", "decision__number", "decision_id", "product_id", "pk")
    )
    for index, certificate in enumerate(certificates.iterator(chunk_size=ITERATOR_CHUNK), 1):
        product, decision, evaluation = (
            certificate.product,
            certificate.decision,
            certificate.evaluation,
        )
        holder = product.holder
        product_set = evaluation.product_set or product.product_set
        yield [
            str(index),
            product.name,
            product.product_code,
            holder.name,
            holder.tax_code,
            holder.street,
            holder.commune,
            holder.province.name if holder.province_id else "",
            str(product_set.number) if product_set else "",
            decision.framework.code,
            f"{score_round(evaluation.total_score):.2f}",
            str(certificate.stars),
            decision.number,
            f"{decision.date:%d/%m/%Y}",
            decision.issuer,
            evaluation.level,
            decision.source_url,
        ]


def registry_export_write(*, stream: BinaryIO, fmt: str) -> int:
    """Write the export as CSV (UTF-8, comma-separated) or XLSX to ``stream``; returns the
    number of certificate rows. Every cell passes ``core.exports.spreadsheet_row``."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(spreadsheet_row(EXPORT_HEADER))
        for row in registry_export_rows():
            writer.writerow(spreadsheet_row(row))
            count += 1
        text.flush()
        text.detach()  # leave the caller's stream open
        return count
    from openpyxl import Workbook  # only the XLSX path pays for the import

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("OCOP")
    sheet.append(spreadsheet_row(EXPORT_HEADER))
    for row in registry_export_rows():
        sheet.append(spreadsheet_row(row))
        count += 1
    workbook.save(stream)
    return count
