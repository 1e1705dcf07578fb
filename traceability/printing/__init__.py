"""Stamp output: QR codes (PNG, SVG), printable A4 label sheets (PDF) and CSV for outside printers.

Pure functions over plain data, no ORM: the workspace downloads, the benchmark and the tests call
the same code. A stamp is printed from a :class:`StampLabel`; the sheet geometry is a
:class:`SheetLayout`. The QR symbols themselves (PNG, SVG, PDF operators) and the
fonts are ``core.printing``'s, shared with the fairs' booth signs. The modules follow the output:

- ``layouts``: sheet geometry, its validation and the presets offered to sellers;
- ``pdf``: A4 sheets drawn with reportlab;
- ``csv_export``: CSV for printers;
- ``labels``: what one stamp carries.
"""

from traceability.printing.csv_export import CSV_HEADER, stamp_csv, stamp_csv_chunks
from traceability.printing.labels import StampLabel
from traceability.printing.layouts import (
    QR_MIN_MM,
    SHEET_LAYOUT_CHOICES,
    SHEET_LAYOUT_DEFAULT,
    SHEET_LAYOUTS,
    SheetLayout,
    SheetLayoutError,
)
from traceability.printing.pdf import stamp_sheet_pdf

__all__ = [
    "CSV_HEADER",
    "QR_MIN_MM",
    "SHEET_LAYOUTS",
    "SHEET_LAYOUT_CHOICES",
    "SHEET_LAYOUT_DEFAULT",
    "SheetLayout",
    "SheetLayoutError",
    "StampLabel",
    "stamp_csv",
    "stamp_csv_chunks",
    "stamp_sheet_pdf",
]
