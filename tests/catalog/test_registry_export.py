"""``manage.py registry_export``: a list ``import_registry`` takes back into an empty database."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from catalog.exports import EXPORT_HEADER, registry_export_rows, registry_export_write
from catalog.importer import registry_import
from catalog.models import Certificate, Decision, Evaluation, Product
from sellers.models import Business
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    certified_product,
    province,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


def registry_snapshot() -> dict[str, set]:
    """Everything the list format carries, keyed naturally (ids and numbers differ after an
    import into another database)."""
    return {
        "producers": set(
            Business.objects.values_list("name", "tax_code", "province__code", "commune", "street")
        ),
        "products": set(
            Product.objects.values_list(
                "name", "product_code", "holder__name", "product_set__number"
            )
        ),
        "decisions": set(
            Decision.objects.values_list(
                "number", "date", "issuer", "framework__code", "source_url", "province__code"
            )
        ),
        "certificates": set(
            Certificate.objects.values_list(
                "product__name",
                "decision__number",
                "stars",
                "valid_from",
                "valid_until",
                "status",
                "evaluation__total_score",
                "evaluation__level",
                "evaluation__product_set__number",
            )
        ),
    }


def registry_empty() -> None:
    Certificate.objects.update(superseded_by=None)
    Certificate.objects.all().delete()
    Evaluation.objects.all().delete()
    Decision.objects.all().delete()
    Product.objects.all().delete()
    Business.objects.all().delete()


@pytest.fixture
def registry():
    """Two provincial decisions and a central one, a re-evaluation that superseded an older
    certificate, a producer without tax code, a name a spreadsheet would run, a revoked one."""
    older = DecisionFactory(
        number="120/QĐ-UBND", date=datetime.date(2026, 6, 2), source_url="https://qn.vn/120"
    )
    newer = DecisionFactory(number="3981/QĐ-UBND", issuer="UBND tỉnh Quảng Ninh")
    lam_dong = DecisionFactory(
        number="77/QĐ-UBND",
        issuer="UBND tỉnh Lâm Đồng",
        province=province("68"),
        source_url="",
    )
    central = DecisionFactory(
        number="15/QĐ-BNNMT", issuer="Bộ Nông nghiệp và Môi trường", province=None
    )
    honey = ProductFactory(name="Mật ong rừng Ba Chẽ", product_code="QN-MO-01")
    certified_product(total="72.50", decision=older, product=honey)
    certified_product(total="81.25", decision=newer, product=honey)
    certified_product(
        total="69.995",
        decision=newer,
        name='=HYPERLINK("http://x","Xem")',
        holder=BusinessFactory(tax_code="", street="Thôn 3"),
    )
    certified_product(
        total="75",
        decision=lam_dong,
        holder=BusinessFactory(name="Công ty TNHH Seagull", province=province("68")),
    )
    certified_product(total="92.4", decision=central)
    _, _, gone = certified_product(total="70", decision=newer)
    revoke_certificate(certificate=gone, ground="law_violation")
    return gone


def export_bytes(fmt: str) -> bytes:
    stream = io.BytesIO()
    registry_export_write(stream=stream, fmt=fmt)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_imports_back_into_an_empty_registry_as_the_same_registry(registry, fmt):
    before = registry_snapshot()
    revoked = registry.product.name
    holder = registry.product.holder
    revoked_holder = (holder.name, holder.tax_code, holder.province.code, holder.commune, "")
    rows_before = sorted(row[1:] for row in registry_export_rows())
    data = export_bytes(fmt)
    registry_empty()

    report = registry_import(source=io.BytesIO(data), file_name=f"registry.{fmt}")

    assert report.errors == []
    assert report.certificates_created == 5
    after = registry_snapshot()
    # The revoked certificate is not on the list: its product and producer are not either.
    assert after["certificates"] == {c for c in before["certificates"] if c[0] != revoked}
    assert after["products"] == {p for p in before["products"] if p[0] != revoked}
    assert after["producers"] == before["producers"] - {revoked_holder}
    assert after["decisions"] == before["decisions"]
    # And exporting the imported registry gives the same list again (the row numbers aside).
    assert sorted(row[1:] for row in registry_export_rows()) == rows_before


def test_reimporting_the_export_into_the_same_registry_changes_nothing(registry):
    before = registry_snapshot()
    report = registry_import(source=io.BytesIO(export_bytes("csv")), file_name="registry.csv")
    assert report.errors == []
    assert (report.certificates_created, report.unchanged) == (0, 5)
    assert registry_snapshot() == before


def test_csv_rows_are_formula_safe_and_in_the_importer_header(registry):
    text = export_bytes("csv").decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(EXPORT_HEADER)
    assert [line for line in lines if "HYPERLINK" in line] == [
        line for line in lines if "'=HYPERLINK" in line
    ]
    assert len(lines) == 6


def test_export_costs_a_constant_number_of_queries(django_assert_num_queries):
    decision = DecisionFactory()
    certified_product(decision=decision)
    with django_assert_num_queries(1):
        assert len(list(registry_export_rows())) == 1
    for _ in range(9):
        certified_product(decision=decision)
    with django_assert_num_queries(1):
        assert len(list(registry_export_rows())) == 10


def test_an_unscored_level_cell_is_refused_with_its_row_and_column(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        ",".join(EXPORT_HEADER)
        + "\n1,Mật ong,,HTX Ba Chẽ,,,,Quảng Ninh,4,QD26-2026,72.50,3,1/QĐ,05/08/2026,,quận,\n",
        encoding="utf-8",
    )
    report = registry_import(source=path)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Cấp đánh giá")]
    assert "“quận”" in report.errors[0].message_en


def test_command_writes_the_file_and_refuses_an_unknown_extension(registry, tmp_path):
    out = io.StringIO()
    call_command("registry_export", "--out", str(tmp_path / "r.xlsx"), stdout=out)
    assert out.getvalue() == f"5 giấy chứng nhận / certificates → {tmp_path / 'r.xlsx'}\n"
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match=r"use a \.csv or \.xlsx name"):
        call_command("registry_export", "--out", str(tmp_path / "r.txt"))
