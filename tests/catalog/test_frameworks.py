"""Frameworks by date (26/2026 from 22/05/2026, 148/2023 and 1489/2025 lapsing after 20/07/2026,
1489/2025 procedural), and who may grant which stars — all rulebook data."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.errors import RegistryError
from catalog.importer import registry_import
from catalog.models import Certificate, Decision, Evaluation, StarGrant
from catalog.selectors import framework_current, framework_for_date
from catalog.services import certificate_issue, evaluation_record
from tests.factories import DecisionFactory, ProductFactory, framework

pytestmark = pytest.mark.django_db

D = datetime.date


def test_framework_dates_are_data():
    rows = {
        f.code: (f.in_force_from, f.in_force_until, f.scores_with.code if f.scores_with else None)
        for f in framework("QD26-2026")._meta.model.objects.select_related("scores_with")
    }
    assert rows == {
        "QD1048-2019": (D(2019, 8, 21), D(2023, 2, 23), None),
        "QD148-2023": (D(2023, 2, 24), D(2026, 7, 20), None),
        "QD1489-2025": (D(2025, 7, 6), D(2026, 7, 20), "QD148-2023"),
        "QD26-2026": (D(2026, 5, 22), None, None),
    }
    # 1489/2025 is procedural: no score sheet of its own.
    procedural = framework("QD1489-2025")
    assert procedural.scoring == framework("QD148-2023")
    assert not procedural.product_sets.exists() and not procedural.star_bands.exists()


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (D(2023, 2, 23), "QD1048-2019"),
        (D(2023, 2, 24), "QD148-2023"),
        (D(2025, 7, 5), "QD148-2023"),
        # 1489/2025 changes who rates; the criteria stay 148's.
        (D(2025, 7, 6), "QD1489-2025"),
        (D(2026, 5, 21), "QD1489-2025"),
        (D(2026, 7, 21), "QD26-2026"),
        (D(2027, 1, 1), "QD26-2026"),
    ],
)
def test_the_framework_of_a_date_outside_the_overlap(day, code):
    assert framework_for_date(day=day).code == code


@pytest.mark.parametrize("day", [D(2026, 5, 22), D(2026, 6, 15), D(2026, 7, 20)])
def test_inside_the_overlap_the_framework_must_be_named(day):
    with pytest.raises(RegistryError) as error, translation.override("en"):
        framework_for_date(day=day)
    assert (error.value.code, error.value.field) == ("framework_ambiguous", "framework")
    assert str(error.value.message) == (
        f"On {day:%d/%m/%Y} Quyết định 1489/QĐ-TTg (2025) & Quyết định 26/2026/QĐ-TTg were both "
        "in force (dossiers pending when the new decision took effect may finish under the old "
        "rules): name the framework."
    )


def test_before_any_framework_there_is_none():
    with pytest.raises(RegistryError) as error:
        framework_for_date(day=D(2019, 1, 1))
    assert error.value.code == "required"


def test_evaluation_record_in_the_overlap_needs_the_framework():
    product = ProductFactory()
    with pytest.raises(RegistryError) as error:
        evaluation_record(
            product=product, level="province", evaluated_on=D(2026, 6, 15), total_score=75
        )
    assert error.value.code == "framework_ambiguous"
    assert Evaluation.objects.count() == 0
    named = evaluation_record(
        product=product,
        level="province",
        evaluated_on=D(2026, 6, 15),
        total_score=75,
        framework=framework("QD26-2026"),
    )
    assert named.framework.code == "QD26-2026"
    # Outside the overlap the date decides; with a decision, the decision's framework.
    dated = evaluation_record(
        product=product, level="province", evaluated_on=D(2026, 8, 1), total_score=75
    )
    assert dated.framework.code == "QD26-2026"
    decision = DecisionFactory(date=D(2026, 6, 20), framework=framework("QD1489-2025"))
    decided = evaluation_record(
        product=product,
        level="province",
        evaluated_on=D(2026, 6, 1),
        total_score=75,
        decision=decision,
    )
    assert decided.framework.code == "QD1489-2025"


def test_a_procedural_framework_scores_with_the_sheets_it_keeps():
    # 148's part A is worth 40, its bands those of every framework.
    evaluation = evaluation_record(
        product=ProductFactory(),
        level="province",
        evaluated_on=D(2025, 9, 1),
        total_score=Decimal("89.99"),
        part_scores={"A": Decimal("38"), "B": Decimal("22"), "C": Decimal("29.99")},
    )
    assert evaluation.framework.code == "QD1489-2025"
    assert (evaluation.stars, sorted(p.part.framework.code for p in evaluation.parts.all())) == (
        4,
        ["QD148-2023"] * 3,
    )


# --- who grants which stars ---------------------------------------------------------------------


def test_star_grants_are_data():
    grants = {
        (g.framework.code, g.stars, g.level)
        for g in StarGrant.objects.select_related("framework")
        if g.framework.code in ("QD148-2023", "QD26-2026")
    }
    assert grants == {
        ("QD148-2023", 3, "district"),
        ("QD148-2023", 3, "province"),
        ("QD148-2023", 4, "province"),
        ("QD148-2023", 5, "central"),
        ("QD26-2026", 3, "province"),
        ("QD26-2026", 4, "province"),
        ("QD26-2026", 5, "central"),
    }


@pytest.mark.parametrize(
    ("level", "total", "granted"),
    [
        ("province", "92", False),
        ("central", "92", True),
        ("central", "75", False),
        ("province", "75", True),
        ("district", "60", False),  # no district under 26/2026
        ("commune", "60", False),  # a pre-review recognises nothing
    ],
)
def test_certificate_issue_checks_who_grants(level, total, granted):
    decision = DecisionFactory()
    evaluation = evaluation_record(
        product=ProductFactory(),
        level=level,
        evaluated_on=decision.date,
        total_score=Decimal(total),
        decision=decision,
    )
    if granted:
        assert certificate_issue(evaluation=evaluation, decision=decision).stars == evaluation.stars
        return
    with pytest.raises(RegistryError) as error:
        certificate_issue(evaluation=evaluation, decision=decision)
    assert (error.value.code, error.value.field) == ("not_granted", "level")
    assert Certificate.objects.count() == 0


def test_under_148_the_district_grants_three_stars():
    decision = DecisionFactory(date=D(2024, 3, 5), framework=framework("QD148-2023"))
    evaluation = evaluation_record(
        product=ProductFactory(),
        level="district",
        evaluated_on=decision.date,
        total_score=Decimal("60"),
        decision=decision,
    )
    certificate = certificate_issue(
        evaluation=evaluation,
        decision=decision,
        now=datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC),
    )
    assert certificate.stars == 3


# --- the importer -------------------------------------------------------------------------------

HEADER = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm"
ROW = "1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;75"
JUNE = "Kèm theo Quyết định số 1200/QĐ-UBND ngày 15/06/2026 của UBND tỉnh Quảng Ninh"


def write(tmp_path, lines):
    path = tmp_path / "list.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_inside_the_overlap_says_why_it_needs_the_framework(tmp_path):
    report = registry_import(source=write(tmp_path, [JUNE, HEADER, ROW]))
    assert [(e.row, e.message_en) for e in report.errors] == [
        (
            3,
            "Row 3, column “”: on 15/06/2026 Quyết định 1489/QĐ-TTg (2025) & Quyết định "
            "26/2026/QĐ-TTg were both in force (dossiers pending when the new decision took "
            "effect may finish under the old rules): name the framework with --framework or a "
            "“Bộ tiêu chí” column.",
        )
    ]
    assert report.errors[0].message_vi.startswith(
        "Dòng 3, cột “”: ngày 15/06/2026 có hai bộ tiêu chí cùng hiệu lực"
    )
    assert Decision.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "code"),
    [("26/2026/QĐ-TTg", "QD26-2026"), ("QD1489-2025", "QD1489-2025"), ("148", "QD148-2023")],
)
def test_the_file_may_name_the_framework(tmp_path, cell, code):
    report = registry_import(
        source=write(tmp_path, [JUNE, HEADER + ";Bộ tiêu chí", f"{ROW};{cell}"])
    )
    assert report.applied, report.errors
    assert Decision.objects.get().framework.code == code


def test_the_option_names_the_framework(tmp_path):
    report = registry_import(
        source=write(tmp_path, [JUNE, HEADER, ROW]), framework_code="QD26-2026"
    )
    assert report.applied
    assert Evaluation.objects.get().framework.code == "QD26-2026"


def test_an_unknown_framework_cell_is_a_row_error(tmp_path):
    report = registry_import(source=write(tmp_path, [JUNE, HEADER + ";Bộ tiêu chí", f"{ROW};999"]))
    assert report.errors[0].message_en == (
        "Row 3, column “Bộ tiêu chí”: “999” is not a known criteria framework."
    )


# --- the current framework ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "code"),
    [(D(2025, 9, 1), "QD148-2023"), (D(2026, 5, 22), "QD26-2026"), (D(2027, 1, 1), "QD26-2026")],
)
def test_the_current_framework_has_sheets_of_its_own(today, code):
    assert framework_current(today=today).get().code == code
