"""The value and header parsers of the recognition-list importer (pure functions)."""

import datetime
from decimal import Decimal

import pytest

from catalog.importer.parsing import (
    date_parse,
    decision_text_parse,
    header_field,
    is_numbering_row,
    is_total_row,
    score_parse,
    stars_parse,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("72,5", Decimal("72.50")),
        ("72.5", Decimal("72.50")),
        ("69,25 điểm", Decimal("69.25")),
        (72.5, Decimal("72.50")),
        (90, Decimal("90.00")),
        (" 61,75 ", Decimal("61.75")),
        # Kept exact: the band is taken on it, only the stored figure is rounded.
        ("69,995", Decimal("69.995")),
    ],
)
def test_score_parse(value, expected):
    assert score_parse(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "72,5,1", "1.234,5x", True])
def test_score_parse_rejects(value):
    with pytest.raises(ValueError):
        score_parse(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4 sao", 4),
        ("★★★★", 4),
        ("4", 4),
        ("4*", 4),
        ("4★", 4),
        (4, 4),
        (4.0, 4),
        ("3 SAO", 3),
        ("Hạng 5 sao", 5),
        ("★★★☆☆", 3),
        ("5 stars", 5),
        ("* * *", 3),
    ],
)
def test_stars_parse(value, expected):
    assert stars_parse(value) == expected


@pytest.mark.parametrize("value", ["0", "6", "sáu", "★★★★★★", "4.5", 4.5, ""])
def test_stars_parse_rejects(value):
    with pytest.raises(ValueError):
        stars_parse(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/8/2026", datetime.date(2026, 8, 5)),
        ("05-08-2026", datetime.date(2026, 8, 5)),
        ("5.8.26", datetime.date(2026, 8, 5)),
        ("2026-08-05", datetime.date(2026, 8, 5)),
        ("ngày 05 tháng 8 năm 2026", datetime.date(2026, 8, 5)),
        (datetime.datetime(2026, 8, 5, 0, 0), datetime.date(2026, 8, 5)),
    ],
)
def test_date_parse(value, expected):
    assert date_parse(value) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "2026-13-01", "05/8", "hôm qua"])
def test_date_parse_rejects(value):
    with pytest.raises(ValueError):
        date_parse(value)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("STT", "row_no"),
        ("No.", "row_no"),
        ("Tên sản phẩm", "product"),
        ("Sản phẩm", "product"),
        ("Product", "product"),
        ("Tên sản phẩm OCOP", "product"),
        ("Chủ thể", "producer"),
        ("Tên chủ thể", "producer"),
        ("Chủ thể sản xuất", "producer"),
        ("Producer", "producer"),
        ("Địa chỉ", "address"),
        ("Address", "address"),
        ("Tỉnh", "province"),
        ("Tỉnh/thành phố", "province"),
        ("Province", "province"),
        ("Huyện", "district"),
        ("Xã", "commune"),
        ("Commune", "commune"),
        ("Mã số thuế", "tax_code"),
        ("Tax code", "tax_code"),
        ("Nhóm sản phẩm", "product_set"),
        ("Bộ sản phẩm", "product_set"),
        ("Phân nhóm", "subgroup"),
        ("Điểm", "score"),
        ("Điểm trung bình", "score"),
        ("Tổng điểm", "score"),
        ("Score", "score"),
        ("Hạng sao", "stars"),
        ("Xếp hạng", "stars"),
        ("Số sao", "stars"),
        ("Stars", "stars"),
        ("Hạng sao (★)", "stars"),
        ("Số quyết định", "decision_number"),
        ("Decision no.", "decision_number"),
        ("Ngày quyết định", "decision_date"),
        ("Decision date", "decision_date"),
        ("Mã sản phẩm", "product_code"),
        ("Product code", "product_code"),
        ("ĐIỂM\nTRUNG BÌNH", "score"),
        ("Tình trạng", None),
        ("Ghi chú", None),
    ],
)
def test_header_field(header, field):
    assert header_field(header) == field


def test_title_line_parse():
    found = decision_text_parse(
        "(Kèm theo Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng)"
    )
    assert (found.number, found.date, found.issuer, found.province_name) == (
        "3981/QĐ-UBND",
        datetime.date(2026, 8, 5),
        "UBND tỉnh Lâm Đồng",
        "Lâm Đồng",
    )
    bare = decision_text_parse("3981/QĐ-UBND ngày 05/8/2026")
    assert (bare.number, bare.date) == ("3981/QĐ-UBND", datetime.date(2026, 8, 5))
    impossible = decision_text_parse("Quyết định số 12/QĐ-UBND ngày 31/02/2026")
    assert (impossible.number, impossible.date, impossible.date_invalid) == (
        "12/QĐ-UBND",
        None,
        True,
    )


def test_total_and_numbering_rows():
    assert is_total_row(["", "Tổng cộng", ""])
    assert is_total_row(["Tổng: 25 sản phẩm"])
    assert is_total_row(["Total: 3 products"])
    assert not is_total_row(["1", "Cộng đồng Dao đỏ", "HTX"])
    assert is_numbering_row(["(1)", "(2)", "(3)", "(4)"])
    assert not is_numbering_row(["1", "72", "4"])
