"""CSV of stamps for outside printers and variable-data printing software."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from core.exports import spreadsheet_row
from traceability.printing.labels import StampLabel

CSV_BOM = "\ufeff"
CSV_HEADER = ("serial", "url", "gs1_digital_link", "product_name", "stars")


def stamp_csv_chunks(*, labels: Iterable[StampLabel], rows_per_chunk: int = 1000) -> Iterator[str]:
    """CSV text in chunks (for a streaming response), starting with a byte-order mark so Excel
    reads it as UTF-8. Column names are stable identifiers for printing software, not
    translated. A ``pin`` column is added when the first label has a PIN. Cells a spreadsheet
    would run as a formula are neutralised (``core.exports``)."""
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
        row = [label.serial, label.url, label.gs1_url or "", label.product_name, label.stars or ""]
        if with_pin:
            row.append(label.pin or "")
        writer.writerow(spreadsheet_row(row))
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
