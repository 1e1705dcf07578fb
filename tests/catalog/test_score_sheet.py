"""``manage.py load_score_sheet FILE``: further score sheets, all rows or none, idempotent."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.models import Criterion, CriterionGroup, CriterionOption, ProductSet
from catalog.rulebook import SCORE_SHEET_COLUMNS, SET01_SHEET_FILE
from tests.factories import product_set

pytestmark = pytest.mark.django_db

HEADER = ",".join(SCORE_SHEET_COLUMNS)

# A short sheet for set 4 (honey): one group per section, maxima well within 40/25/35.
SET04_ROWS = [
    "QD26-2026,4,A,1,Tổ chức sản xuất,1.1,Nguồn gốc nguyên liệu,3,1,under 50% local,",
    "QD26-2026,4,A,1,Tổ chức sản xuất,1.1,Nguồn gốc nguyên liệu,3,3,over 75% local,4",
    "QD26-2026,4,A,1,Tổ chức sản xuất,1.2,Liên kết sản xuất,2,0,none,",
    "QD26-2026,4,A,1,Tổ chức sản xuất,1.2,Liên kết sản xuất,2,2,contracts,5",
    'QD26-2026,4,B,4,Tiếp thị,4.1,Khu vực phân phối,5,"2,5",in the province,3',
    "QD26-2026,4,B,4,Tiếp thị,4.1,Khu vực phân phối,5,5,nationwide,",
    "QD26-2026,4,C,6,Chỉ tiêu cảm quan,6.1,Màu sắc,4,0,poor,",
    "QD26-2026,4,C,6,Chỉ tiêu cảm quan,6.1,Màu sắc,4,4,excellent,",
]


def write(tmp_path: Path, rows: list[str], name: str = "sheet.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    text = "\n".join([HEADER, *rows]) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("load_score_sheet", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(path) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("load_score_sheet", str(path), stdout=StringIO(), stderr=err)
    return str(error.value), err.getvalue()


def sheet_rows() -> set[tuple]:
    """Every criterion-tree row, by value: equal before and after means nothing changed."""
    return (
        set(CriterionGroup.objects.values_list("pk", "product_set_id", "part_id", "code", "name",
                                               "max_points", "position"))
        | set(Criterion.objects.values_list("pk", "group_id", "code", "name", "max_points",
                                            "position"))
        | set(CriterionOption.objects.values_list("pk", "criterion_id", "points", "label",
                                                  "min_star", "position"))
    )  # fmt: skip


def test_loads_a_sheet_for_product_set_4(tmp_path):
    set4 = product_set(4)
    assert not CriterionGroup.objects.filter(product_set=set4).exists()

    out, err = run(write(tmp_path, SET04_ROWS))

    assert (out.strip(), err) == ("Loaded 3 groups, 4 criteria, 8 options.", "")
    groups = CriterionGroup.objects.filter(product_set=set4).select_related("part")
    assert [(g.code, g.part.code, g.name, g.max_points, g.position) for g in groups] == [
        ("1", "A", "Tổ chức sản xuất", Decimal("5"), 0),
        ("4", "B", "Tiếp thị", Decimal("5"), 1),
        ("6", "C", "Chỉ tiêu cảm quan", Decimal("4"), 2),
    ]
    options = CriterionOption.objects.filter(criterion__group__product_set=set4).select_related(
        "criterion"
    )
    assert [(o.criterion.code, o.points, o.min_star, o.position) for o in options] == [
        ("1.1", Decimal("1"), None, 0),
        ("1.1", Decimal("3"), 4, 1),
        ("1.2", Decimal("0"), None, 0),
        ("1.2", Decimal("2"), 5, 1),
        ("4.1", Decimal("2.5"), 3, 0),  # "2,5": a decimal comma
        ("4.1", Decimal("5"), None, 1),
        ("6.1", Decimal("0"), None, 0),
        ("6.1", Decimal("4"), None, 1),
    ]
    # Set 1 (loaded by migration) is untouched.
    assert CriterionGroup.objects.filter(product_set=product_set(1)).count() == 12


def test_reloading_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, SET04_ROWS)
    run(path)
    before = sheet_rows()
    out, _ = run(path)
    assert out.strip() == "Loaded 3 groups, 4 criteria, 8 options."
    assert sheet_rows() == before


def test_reloading_the_set_1_sheet_changes_nothing():
    before = sheet_rows()
    out, _ = run(SET01_SHEET_FILE)
    assert out.strip() == "Loaded 12 groups, 32 criteria, 105 options."
    assert sheet_rows() == before


def test_a_byte_order_mark_and_decomposed_text_are_accepted(tmp_path):
    decomposed = [row.replace("Tổ chức", "To\u0302\u0309 chức") for row in SET04_ROWS]
    run(write(tmp_path, decomposed, bom=True))
    group = CriterionGroup.objects.get(product_set=product_set(4), code="1")
    assert group.name == "Tổ chức sản xuất"  # NFC


def test_corrected_wording_is_loaded_in_place(tmp_path):
    run(write(tmp_path, SET04_ROWS))
    ids = sheet_rows()
    corrected = [row.replace("nationwide", "toàn quốc") for row in SET04_ROWS]
    run(write(tmp_path, corrected, name="corrected.csv"))
    option = CriterionOption.objects.get(
        criterion__group__product_set=product_set(4), criterion__code="4.1", position=1
    )
    assert option.label == "toàn quốc"
    assert len(sheet_rows()) == len(ids)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "QD99-2030,4,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,",
            "line 10, column framework: unknown framework 'QD99-2030'",
        ),
        (
            "QD26-2026,27,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,",
            "line 10, column product_set: unknown product set '27'",
        ),
        (
            "QD26-2026,4,D,1,Tổ chức sản xuất,1.3,Mới,3,1,x,",
            "line 10, column section: unknown section 'D'",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,4,x,",
            "line 10, column option_points: outside 0..max_points",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,-1,x,",
            "line 10, column option_points: outside 0..max_points",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,2",
            "line 10, column min_star: must be 3, 4, 5 or empty",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,★4",
            "line 10, column min_star: must be 3, 4, 5 or empty",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,ba,1,x,",
            "line 10, column max_points: not a number",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,NaN,x,",
            "line 10, column option_points: not a number",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,,3,1,x,",
            "line 10, column criterion_name: required",
        ),
        (
            "QD26-2026,4,A,1,Tổ chức sản xuất,1.1,Nguồn gốc nguyên liệu,4,2,x,",
            "line 10, column max_points: criterion 1.1 has maximum 3 on line 2",
        ),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(tmp_path, row, expected):
    before = sheet_rows()
    message, err = fail(write(tmp_path, [*SET04_ROWS, row]))
    assert err.splitlines() == [expected]
    assert message == "1 error; nothing was loaded."
    assert sheet_rows() == before


def test_a_section_above_its_part_maximum_is_refused(tmp_path):
    # Section B of 26/2026 is worth 25; 5 + 21 = 26.
    rows = [
        *SET04_ROWS,
        "QD26-2026,4,B,5,Câu chuyện sản phẩm,5.1,Câu chuyện,21,0,none,",
        "QD26-2026,4,B,5,Câu chuyện sản phẩm,5.1,Câu chuyện,21,21,all of it,",
    ]
    before = sheet_rows()
    message, err = fail(write(tmp_path, rows))
    # The error points at the section's first line.
    assert err.splitlines() == [
        "line 6, column max_points: product set 4 section B sums to 26 > 25"
    ]
    assert message == "1 error; nothing was loaded."
    assert sheet_rows() == before


def test_every_error_is_reported(tmp_path):
    rows = [
        *SET04_ROWS,
        "QD99-2030,4,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,",
        "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,9,x,",
        "QD26-2026,4,A,1,Tổ chức sản xuất,1.3,Mới,3,1,x,6",
    ]
    message, err = fail(write(tmp_path, rows))
    assert err.splitlines() == [
        "line 10, column framework: unknown framework 'QD99-2030'",
        "line 11, column option_points: outside 0..max_points",
        "line 12, column min_star: must be 3, 4, 5 or empty",
    ]
    assert message == "3 errors; nothing was loaded."
    assert not CriterionGroup.objects.filter(product_set=product_set(4)).exists()


def test_missing_columns_are_reported(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("framework,product_set,section\nQD26-2026,4,A\n", encoding="utf-8")
    _, err = fail(path)
    assert err.splitlines()[0] == "line 1, column group_code: missing column"
    assert len(err.splitlines()) == len(SCORE_SHEET_COLUMNS) - 3
    assert not CriterionGroup.objects.filter(product_set=product_set(4)).exists()


def test_a_missing_file_is_a_command_error(tmp_path):
    message, _ = fail(tmp_path / "nowhere.csv")
    assert message.endswith("No such file or directory")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(("\n".join([HEADER, *SET04_ROWS]) + "\n").encode("cp1258", "replace"))
    message, _ = fail(path)
    assert message == f"{path} is not UTF-8 text."
    assert not CriterionGroup.objects.filter(product_set=product_set(4)).exists()


# --- product sets and groups (Appendix I of 148/2023 and 26/2026) ---------------------------------

GROUPS = {
    "food": list(range(1, 14)),
    "beverages": [14, 15, 16, 17],
    "herbal": [18, 19, 20],
    "handicrafts": [21, 22],
    "ornamental": [23, 24, 25],
    "tourism": [26],
}


@pytest.mark.parametrize("code", ["QD148-2023", "QD26-2026"])
def test_the_26_product_sets_sit_in_their_groups(code):
    sets = ProductSet.objects.filter(framework__code=code).select_related("category")
    found: dict[str, list[int]] = {}
    for pset in sets.order_by("number"):
        found.setdefault(pset.category.code, []).append(pset.number)
    assert found == GROUPS


@pytest.mark.parametrize("code", ["QD148-2023", "QD26-2026"])
def test_products_from_honey_are_set_8_not_set_4(code):
    names = dict(ProductSet.objects.filter(framework__code=code).values_list("number", "name"))
    assert names[4] == "Mật ong, mật khác và nông sản thực phẩm khác"
    assert names[8] == "Chế biến từ thịt, trứng, sữa, thủy sản, mật ong"
