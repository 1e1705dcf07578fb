"""``manage.py import_registry``: messy real layouts in, all rows or none written."""

import datetime
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.importer import registry_import
from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    Product,
    RegistryImport,
)
from catalog.services import add_months, certificate_issue, certificate_number, evaluation_record
from core.models import LegacyProvince, Province
from sellers.models import Business, LegalType, SellerStatus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
LAM_DONG = FIXTURES / "lam-dong-3981.csv"
ENGLISH = FIXTURES / "english-headers.csv"

TITLE = "Kèm theo Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng"
HEADER = "STT;Tên sản phẩm;Chủ thể;Địa chỉ;Tỉnh;Điểm;Hạng sao"
GOOD = (
    "1;Mắm nêm Seagull;Công ty TNHH Seagull;08 Nguyễn Trãi, phường Phan Thiết;Lâm Đồng;69,25;3 sao"
)


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Business, Product, Evaluation, Certificate, Decision, RegistryImport)
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_registry", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[str, CommandError]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_registry", *[str(a) for a in args], stdout=out)
    return out.getvalue(), caught.value


def write(tmp_path, lines: list[str], name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def count_line(output: str, english_label: str) -> int:
    line = next(line for line in output.splitlines() if f"/ {english_label}:" in line)
    return int(line.rsplit(":", 1)[1])


# -- success on real layouts ----------------------------------------------------------------


def test_lam_dong_decision_3981_with_title_line_and_real_rows():
    before = table_counts()
    output = run(LAM_DONG)

    decision = Decision.objects.get()
    assert (decision.number, decision.date) == ("3981/QĐ-UBND", datetime.date(2026, 8, 5))
    assert decision.issuer == "UBND tỉnh Lâm Đồng"
    assert decision.province.code == "68"
    assert decision.framework.code == "QD26-2026"  # in force on 05/08/2026

    rows = {
        c.product.name: (
            c.product.holder.name,
            c.product.holder.commune,
            c.product.holder.street,
            c.product.product_set.number,
            c.evaluation.total_score,
            c.stars,
        )
        for c in Certificate.objects.select_related("product__holder", "evaluation")
    }
    assert rows == {
        "Mắm nêm Seagull": (
            "Công ty TNHH Seagull",
            "phường Phan Thiết",
            "08 Nguyễn Trãi",
            9,
            Decimal("69.25"),
            3,
        ),
        "beCHAMP Coffee Gu Mạnh": (
            "HTX Nông sản Hữu cơ Bechamp Đắk Nông",
            "xã Trường Xuân",
            "thôn 10",
            13,
            Decimal("69.71"),
            3,
        ),
        "Cao Atiso Hoàng An": (
            "Công ty TNHH Atiso Hoàng An Đà Lạt",
            "xã Lạc Dương",
            "thôn 2",
            18,
            Decimal("61.75"),
            3,
        ),
    }
    for certificate in Certificate.objects.select_related("decision__province", "product"):
        assert certificate.valid_from == datetime.date(2026, 8, 5)
        assert certificate.valid_until == datetime.date(2029, 8, 5)
        assert certificate.status == CertificateStatus.ACTIVE
        assert certificate.number == certificate_number(
            decision=certificate.decision, product=certificate.product
        )
    seagull = Business.objects.get(name="Công ty TNHH Seagull")
    assert seagull.status == SellerStatus.UNCLAIMED
    assert seagull.legal_type == LegalType.ENTERPRISE
    assert seagull.province.code == "68"
    # A current address (no district, no former province) is not kept a second time as the
    # pre-2025 one: the producer page would show it twice.
    assert (seagull.street, seagull.commune) == ("08 Nguyễn Trãi", "phường Phan Thiết")
    assert seagull.legacy_address == ""
    assert Business.objects.get(name__startswith="HTX").legal_type == LegalType.COOPERATIVE
    assert Product.objects.get(name="Mắm nêm Seagull").slug == "mam-nem-seagull"

    after = table_counts()
    assert {k: after[k] - before[k] for k in after} == {
        "Business": 3,
        "Product": 3,
        "Evaluation": 3,
        "Certificate": 3,
        "Decision": 1,
        "RegistryImport": 1,
    }
    assert count_line(output, "Rows read") == 5  # numbering row, 3 products, total row
    assert count_line(output, "Rows skipped (blank, totals)") == 2
    assert count_line(output, "Certificates created") == 3
    record = RegistryImport.objects.get()
    assert record.file_name == "lam-dong-3981.csv"
    assert list(record.decisions.all()) == [decision]
    assert record.report["certificates_created"] == 3


def test_title_without_issuer_takes_the_province_option(tmp_path):
    path = write(
        tmp_path,
        [
            "Kèm theo Quyết định số 3981/QĐ-UBND ngày 05/8/2026",
            "STT;Tên sản phẩm;Chủ thể;Địa chỉ;Điểm trung bình;Hạng sao",
            "1;Mắm nêm Seagull;Công ty TNHH Seagull;08 Nguyễn Trãi, phường Phan Thiết;69,25;3",
        ],
    )
    run(path, "--province", "Tỉnh Lâm Đồng", "--source-url", "https://ocoplamdong.gov.vn/3981")
    decision = Decision.objects.get()
    assert (decision.number, decision.issuer, decision.province.code) == (
        "3981/QĐ-UBND",
        "UBND tỉnh Lâm Đồng",
        "68",
    )
    assert decision.source_url == "https://ocoplamdong.gov.vn/3981"
    assert Evaluation.objects.get().source_url == "https://ocoplamdong.gov.vn/3981"
    assert Business.objects.get().province.code == "68"


def test_options_override_the_title_line(tmp_path):
    path = write(tmp_path, [TITLE, HEADER, GOOD])
    run(path, "--decision", "4000/QĐ-UBND", "--date", "01/09/2026", "--issuer", "Chủ tịch UBND")
    decision = Decision.objects.get()
    assert (decision.number, decision.date, decision.issuer) == (
        "4000/QĐ-UBND",
        datetime.date(2026, 9, 1),
        "Chủ tịch UBND",
    )


def test_english_headers_comma_delimiter_old_provinces_and_star_notations():
    run(ENGLISH)
    farm = Business.objects.get(tax_code="2100123456")
    assert farm.name == "Công ty TNHH Trà Vinh FARM"
    assert farm.province.code == "86"  # Trà Vinh is part of Vĩnh Long since 2025
    assert farm.legacy_province.name == "Tỉnh Trà Vinh"
    assert farm.legacy_address == "xã Phú Cần, huyện Tiểu Cần, Trà Vinh"
    assert farm.commune == "xã Phú Cần"
    bechamp = Business.objects.get(name="HTX Nông sản Hữu cơ Bechamp Đắk Nông")
    assert (bechamp.province.code, bechamp.legacy_province.code) == ("68", "67")
    assert bechamp.legacy_address == "thôn 10, xã Trường Xuân, Tỉnh Đắk Nông"
    stars = {
        c.product.name: (c.evaluation.total_score, c.evaluation.band_stars, c.stars)
        for c in Certificate.objects.select_related("product", "evaluation")
    }
    assert stars == {
        "Mật hoa dừa": (Decimal("89.50"), 4, 4),
        "Đường hoa dừa": (Decimal("88.40"), 4, 4),
        "Cà phê Robusta Đắk Nông": (Decimal("72.50"), 4, 4),
    }
    assert Product.objects.filter(holder=farm).count() == 2
    decision = Decision.objects.get()
    assert (decision.number, decision.date) == ("1520/QĐ-UBND", datetime.date(2026, 9, 15))
    assert decision.province is None  # rows from two provinces, no --province


def test_xlsx_with_title_rows_total_row_and_typed_cells(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"])
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP NĂM 2026"])
    sheet.append([])
    sheet.append(
        [
            "TT",
            "Tên sản phẩm OCOP",
            "Tên chủ thể",
            "Địa chỉ",
            "Huyện",
            "Tỉnh/thành phố",
            "Mã số thuế",
            "Tổng điểm",
            "Số sao",
            "Số quyết định",
            "Ngày quyết định",
        ]
    )
    sheet.append(
        [
            1,
            "Chả mực Hạ Long",
            "HTX Chả mực Hạ Long",
            "phường Hồng Gai",
            None,
            "Quảng Ninh",
            5701234567,
            72.5,
            4,
            "2100/QĐ-UBND",
            datetime.datetime(2026, 9, 1),
        ]
    )
    sheet.append([])
    sheet.append(
        [
            2,
            "Mật ong rừng Tiên Yên",
            "Hộ kinh doanh Đồng Tiến",
            "xã Tiên Yên",
            "huyện Tiên Yên",
            "Tỉnh Quảng Ninh",
            None,
            69.25,
            "3 sao",
            "2100/QĐ-UBND",
            "01/09/2026",
        ]
    )
    sheet.append([None, "Tổng cộng", None, None, None, None, None, None, None, None, None])
    path = tmp_path / "quang-ninh.xlsx"
    workbook.save(path)

    output = run(path)
    assert count_line(output, "Rows read") == 4
    assert count_line(output, "Rows skipped (blank, totals)") == 2
    cha_muc = Certificate.objects.get(product__name="Chả mực Hạ Long")
    assert (cha_muc.stars, cha_muc.evaluation.total_score) == (4, Decimal("72.50"))
    assert cha_muc.product.holder.tax_code == "5701234567"
    honey = Business.objects.get(name="Hộ kinh doanh Đồng Tiến")
    assert honey.legal_type == LegalType.HOUSEHOLD
    assert honey.legacy_address == "xã Tiên Yên, huyện Tiên Yên, Tỉnh Quảng Ninh"
    assert honey.legacy_province is None  # Quảng Ninh is a current province
    assert Decision.objects.get().province.code == "22"


def test_nfd_text_and_bom_are_normalised(tmp_path):
    nfd = [unicodedata.normalize("NFD", line) for line in (TITLE, HEADER, GOOD)]
    path = write(tmp_path, nfd, encoding="utf-8-sig")
    run(path)
    business = Business.objects.get()
    assert business.name == "Công ty TNHH Seagull"
    assert business.name == unicodedata.normalize("NFC", business.name)
    assert Product.objects.get().name == unicodedata.normalize("NFC", "Mắm nêm Seagull")
    assert Decision.objects.get().number == "3981/QĐ-UBND"
    # Re-importing the same rows typed in NFC matches everything.
    path = write(tmp_path, [TITLE, HEADER, GOOD], name="nfc.csv")
    output = run(path)
    assert count_line(output, "Unchanged (already imported)") == 1
    assert Product.objects.count() == 1


def test_listed_stars_below_the_band_are_kept_as_a_cap(tmp_path):
    row = "1;Trà hoa vàng Ba Chẽ;HTX Trà hoa vàng;xã Ba Chẽ;Quảng Ninh;75,5;★★★"
    run(write(tmp_path, [TITLE, HEADER, row]))
    evaluation = Evaluation.objects.get()
    assert (evaluation.band_stars, evaluation.stars) == (4, 3)
    assert Certificate.objects.get().stars == 3


def test_stars_computed_from_the_score_when_not_listed(tmp_path):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm"
    run(write(tmp_path, [TITLE, header, "1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;85"]))
    assert Certificate.objects.get().stars == 4


# -- who grants which stars: the framework's star grants ---------------------------------------

CENTRAL_TITLE = "Kèm theo Quyết định số 1520/QĐ-BNNMT ngày 15/09/2026"
FIVE_STAR = "1;Mật hoa dừa;Công ty TNHH Trà Vinh FARM;xã Phú Cần;Vĩnh Long;91,50;★★★★★"


def test_a_provincial_five_star_row_is_refused(tmp_path):
    report = registry_import(source=write(tmp_path, [TITLE, HEADER, GOOD, FIVE_STAR]))
    assert [(e.row, e.column, e.message_en) for e in report.errors] == [
        (
            4,
            "Hạng sao",
            "Row 4, column “Hạng sao”: under Quyết định 26/2026/QĐ-TTg ★5 is recognised at the "
            "central level only, and this list is a province-level one (a central ★5 list is "
            "imported with --level central).",
        )
    ]
    assert Certificate.objects.count() == 0


def test_a_central_list_gets_the_central_level_and_the_ministry_as_issuer(tmp_path):
    run(write(tmp_path, [CENTRAL_TITLE, HEADER, FIVE_STAR]), "--level", "central")
    certificate = Certificate.objects.select_related("evaluation", "decision").get()
    assert (certificate.stars, certificate.evaluation.level) == (5, "central")
    assert certificate.decision.issuer == "Bộ Nông nghiệp và Môi trường"


def test_a_central_list_refuses_a_four_star_row(tmp_path):
    report = registry_import(source=write(tmp_path, [CENTRAL_TITLE, HEADER, GOOD]), level="central")
    assert [e.message_en for e in report.errors] == [
        "Row 3, column “Hạng sao”: under Quyết định 26/2026/QĐ-TTg ★3 is recognised at the "
        "province level only, and this list is a central-level one (a central ★5 list is "
        "imported with --level central)."
    ]


def test_under_148_a_district_list_may_grant_three_stars_only(tmp_path):
    title = "Kèm theo Quyết định số 77/QĐ-UBND ngày 05/03/2024 của UBND huyện Tiên Yên"
    four = "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;75;4 sao"
    report = registry_import(
        source=write(tmp_path, [title, HEADER, GOOD, four]), level="district", issuer="UBND huyện"
    )
    assert [(e.row, e.message_en[:60]) for e in report.errors] == [
        (4, "Row 4, column “Hạng sao”: under Quyết định 148/QĐ-TTg (2023)")
    ]
    run(write(tmp_path, [title, HEADER, GOOD]), "--level", "district", "--issuer", "UBND huyện")
    assert Certificate.objects.get().evaluation.level == "district"


@pytest.mark.parametrize(
    ("score", "shown", "stars"),
    [
        ("69,995", "70.00", 3),
        ("70", "70.00", 4),
        ("89,999", "90.00", 4),
        ("49,995", "50.00", 2),
    ],
)
def test_stars_are_banded_on_the_exact_score_and_the_rounded_one_stored(
    tmp_path, score, shown, stars
):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm"
    path = write(
        tmp_path, [TITLE, header, f"1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;{score}"]
    )
    if stars < 3:
        run_failing(path)
        assert Evaluation.objects.count() == 0
        return
    run(path)
    evaluation = Evaluation.objects.get()
    assert (evaluation.total_score, evaluation.band_stars, evaluation.stars) == (
        Decimal(shown),
        stars,
        stars,
    )


def test_slugs_fold_diacritics_and_get_suffixes(tmp_path):
    rows = [
        "1;Mật ong rừng;HTX Đồng Tiến;xã Tiên Yên;Quảng Ninh;72;4",
        "2;Mật ong rừng;HTX Đồng Tâm;xã Ba Chẽ;Quảng Ninh;72;4",
        "3;Mật ong rừng;HTX Đồng Tiến;xã Ba Chẽ;Lạng Sơn;72;4",
    ]
    run(write(tmp_path, [TITLE, HEADER, *rows]))
    assert sorted(Product.objects.values_list("slug", flat=True)) == [
        "mat-ong-rung",
        "mat-ong-rung-2",
        "mat-ong-rung-3",
    ]
    assert sorted(Business.objects.values_list("slug", flat=True)) == [
        "htx-dong-tam",
        "htx-dong-tien",
        "htx-dong-tien-2",
    ]


def test_existing_business_matched_by_tax_code(tmp_path):
    from tests.factories import BusinessFactory

    existing = BusinessFactory(name="HTX Chả mực", tax_code="5701234567")
    header = "STT;Tên sản phẩm;Chủ thể;Mã số thuế;Tỉnh;Điểm;Hạng sao"
    row = "1;Chả mực Hạ Long;Hợp tác xã Chả mực Hạ Long;5701234567;Quảng Ninh;72;4"
    output = run(write(tmp_path, [TITLE, header, row]))
    assert Business.objects.count() == 1
    assert Product.objects.get().holder == existing
    assert count_line(output, "Businesses matched") == 1


# -- idempotence, dry run, supersession ---------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing():
    run(LAM_DONG)
    before = table_counts()
    output = run(LAM_DONG)
    assert table_counts() == before
    assert count_line(output, "Unchanged (already imported)") == 3
    for label in (
        "Decisions created",
        "Businesses created",
        "Products created",
        "Evaluations created",
        "Certificates created",
        "Certificates superseded",
    ):
        assert count_line(output, label) == 0
    assert count_line(output, "Businesses matched") == 3
    assert count_line(output, "Products matched") == 3


def test_dry_run_writes_nothing_but_reports():
    before = table_counts()
    output = run(LAM_DONG, "--dry-run")
    assert table_counts() == before
    assert "DRY RUN" in output
    assert count_line(output, "Certificates created") == 3
    assert count_line(output, "Businesses created") == 3


def test_a_later_decision_upgrading_a_product_supersedes_its_certificate(tmp_path):
    run(LAM_DONG)
    old = Certificate.objects.get(product__name="Mắm nêm Seagull")
    upgrade = write(
        tmp_path,
        [
            "Kèm theo Quyết định số 4100/QĐ-UBND ngày 10/10/2026 của UBND tỉnh Lâm Đồng",
            HEADER,
            "1;Mắm nêm Seagull;Công ty TNHH Seagull;08 Nguyễn Trãi, phường Phan Thiết;;75,5;4 sao",
        ],
    )
    output = run(upgrade)
    assert count_line(output, "Certificates superseded") == 1
    assert count_line(output, "Products matched") == 1
    old.refresh_from_db()
    new = Certificate.objects.get(decision__number="4100/QĐ-UBND")
    assert old.status == CertificateStatus.SUPERSEDED
    assert old.superseded_by == new
    assert (new.status, new.stars, new.product_id) == (CertificateStatus.ACTIVE, 4, old.product_id)
    assert new.valid_until == datetime.date(2029, 10, 10)
    assert Evaluation.objects.filter(product=new.product).count() == 2  # history kept


def test_bulk_path_matches_the_per_row_services(tmp_path):
    """The same two decisions through evaluation_record + certificate_issue and through the
    importer give the same certificates."""
    from tests.factories import DecisionFactory, ProductFactory

    first = DecisionFactory(number="10/QĐ-UBND", date=datetime.date(2026, 8, 1))
    second = DecisionFactory(number="11/QĐ-UBND", date=datetime.date(2026, 9, 1))
    product = ProductFactory()
    by_service = []
    for decision, total in ((first, "66"), (second, "80")):
        evaluation = evaluation_record(
            product=product,
            framework=decision.framework,
            level="province",
            evaluated_on=decision.date,
            total_score=Decimal(total),
            decision=decision,
        )
        by_service.append(certificate_issue(evaluation=evaluation, decision=decision))
    for certificate in by_service:
        certificate.refresh_from_db()

    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm;Số quyết định;Ngày quyết định"
    path = write(
        tmp_path,
        [
            header,
            # Listed out of order: the later decision still wins.
            "1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;80;11/QĐ-UBND;01/09/2026",
            "2;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;66;10/QĐ-UBND;01/08/2026",
        ],
    )
    run(path)
    imported = list(
        Certificate.objects.filter(product__name="Nước mắm Cái Rồng").order_by("valid_from")
    )

    def shape(certificates):
        return [
            (
                c.decision.number,
                c.stars,
                c.valid_from,
                c.valid_until,
                c.status,
                c.superseded_by.decision.number if c.superseded_by else None,
            )
            for c in certificates
        ]

    assert (
        shape(imported)
        == shape(by_service)
        == [
            (
                "10/QĐ-UBND",
                3,
                datetime.date(2026, 8, 1),
                datetime.date(2029, 8, 1),
                CertificateStatus.SUPERSEDED,
                "11/QĐ-UBND",
            ),
            (
                "11/QĐ-UBND",
                4,
                datetime.date(2026, 9, 1),
                datetime.date(2029, 9, 1),
                CertificateStatus.ACTIVE,
                None,
            ),
        ]
    )
    for certificate in imported:
        assert certificate.number == certificate_number(
            decision=certificate.decision, product=certificate.product
        )
        assert certificate.valid_until == add_months(certificate.valid_from, 36)


def test_an_older_decision_imported_later_does_not_retire_the_newer_certificate(tmp_path):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm;Số quyết định;Ngày quyết định"
    newer = "1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;80;11/QĐ-UBND;01/09/2026"
    older = "1;Nước mắm Cái Rồng;Công ty CP Cái Rồng;Quảng Ninh;66;10/QĐ-UBND;01/08/2026"
    run(write(tmp_path, [header, newer], name="newer.csv"))
    run(write(tmp_path, [header, older], name="older.csv"))
    current = Certificate.objects.get(decision__number="11/QĐ-UBND")
    history = Certificate.objects.get(decision__number="10/QĐ-UBND")
    assert current.status == CertificateStatus.ACTIVE
    assert (history.status, history.superseded_by) == (CertificateStatus.SUPERSEDED, current)


def test_a_decision_whose_validity_has_run_out_is_recorded_expired(tmp_path):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm;Hạng sao;Số quyết định;Ngày quyết định"
    row = "1;Mật hoa dừa;Công ty TNHH Trà Vinh FARM;Trà Vinh;91;5;781/QĐ-UBND;10/03/2022"
    run(write(tmp_path, [header, row]), "--level", "central")
    certificate = Certificate.objects.select_related("evaluation__framework").get()
    assert certificate.status == CertificateStatus.EXPIRED
    assert certificate.evaluation.framework.code == "QD1048-2019"
    assert certificate.evaluation.level == "central"


def test_framework_option_overrides_the_one_in_force(tmp_path):
    run(write(tmp_path, [TITLE, HEADER, GOOD]), "--framework", "QD148-2023")
    assert Decision.objects.get().framework.code == "QD148-2023"
    assert Evaluation.objects.get().framework.code == "QD148-2023"


# -- bad rows: nothing written, each named by row and column --------------------------------


BAD_ROWS = [
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;105;4",
        "Điểm",
        "Row 4, column “Điểm”: the score 105 is outside 0–100.",
        "Dòng 4, cột “Điểm”: điểm 105 nằm ngoài khoảng 0–100.",
        id="score-out-of-range",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;bảy mươi;4",
        "Điểm",
        "Row 4, column “Điểm”: “bảy mươi” is not a score (a number from 0 to 100).",
        "Dòng 4, cột “Điểm”: “bảy mươi” không phải là điểm (một số từ 0 đến 100).",
        id="score-not-a-number",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;72,5;★★★★★",
        "Hạng sao",
        "Row 4, column “Hạng sao”: ★5 is more than the score 72.50 allows (★4 under "
        "Quyết định 26/2026/QĐ-TTg).",
        "Dòng 4, cột “Hạng sao”: ★5 cao hơn mức điểm 72.50 cho phép (★4 theo "
        "Quyết định 26/2026/QĐ-TTg).",
        id="stars-above-band",
    ),
    pytest.param(
        "2;Chả mực;;phường Hồng Gai;Quảng Ninh;72;4",
        "Chủ thể",
        "Row 4, column “Chủ thể”: the producer is missing.",
        "Dòng 4, cột “Chủ thể”: thiếu tên chủ thể.",
        id="producer-missing",
    ),
    pytest.param(
        "2;;HTX Chả mực;phường Hồng Gai;Quảng Ninh;72;4",
        "Tên sản phẩm",
        "Row 4, column “Tên sản phẩm”: the product name is missing.",
        "Dòng 4, cột “Tên sản phẩm”: thiếu tên sản phẩm.",
        id="product-missing",
    ),
    pytest.param(
        "2;mắm nêm  SEAGULL;Công ty TNHH Seagull;08 Nguyễn Trãi;Lâm Đồng;69,25;3",
        "Tên sản phẩm",
        "Row 4, column “Tên sản phẩm”: the same product and producer are already on row 3 for "
        "the same decision.",
        "Dòng 4, cột “Tên sản phẩm”: cùng sản phẩm và chủ thể đã có ở dòng 3 trong cùng "
        "quyết định.",
        id="duplicate-row",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Tỉnh Hà Tây Nguyên;72;4",
        "Tỉnh",
        "Row 4, column “Tỉnh”: “Tỉnh Hà Tây Nguyên” is not a province, current or pre-2025.",
        "Dòng 4, cột “Tỉnh”: “Tỉnh Hà Tây Nguyên” không phải là tỉnh/thành phố (hiện nay hoặc "
        "trước năm 2025).",
        id="unknown-province",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;45;2 sao",
        "Hạng sao",
        "Row 4, column “Hạng sao”: a ★2 product is not recognised (only ★3–★5 get a decision "
        "and a certificate); remove the row.",
        "Dòng 4, cột “Hạng sao”: sản phẩm ★2 không được công nhận (chỉ ★3–★5 mới có quyết "
        "định và giấy chứng nhận); hãy bỏ dòng này.",
        id="two-stars-not-recognised",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;25;",
        "Điểm",
        "Row 4, column “Điểm”: a ★1 product is not recognised (only ★3–★5 get a decision "
        "and a certificate); remove the row.",
        "Dòng 4, cột “Điểm”: sản phẩm ★1 không được công nhận (chỉ ★3–★5 mới có quyết "
        "định và giấy chứng nhận); hãy bỏ dòng này.",
        id="one-star-by-score",
    ),
    pytest.param(
        "2;Chả mực;HTX Chả mực;phường Hồng Gai;Quảng Ninh;72;sáu sao",
        "Hạng sao",
        "Row 4, column “Hạng sao”: “sáu sao” is not a star rating from 1 to 5 (write “4”, "
        "“4 sao”, “4*” or “★★★★”).",
        "Dòng 4, cột “Hạng sao”: “sáu sao” không phải là hạng sao từ 1 đến 5 (ghi “4”, "
        "“4 sao”, “4*” hoặc “★★★★”).",
        id="stars-unreadable",
    ),
]


@pytest.mark.parametrize(("bad_row", "column", "message_en", "message_vi"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file(tmp_path, bad_row, column, message_en, message_vi):
    path = write(tmp_path, [TITLE, HEADER, GOOD, bad_row])
    before = table_counts()
    output, error = run_failing(path)
    assert table_counts() == before
    assert "1 errors, nothing was written" in str(error)
    assert f"  - {message_vi}" in output.splitlines()
    assert f"    {message_en}" in output.splitlines()

    report = registry_import(source=path)
    assert [(e.row, e.column, e.message_en, e.message_vi) for e in report.errors] == [
        (4, column, message_en, message_vi)
    ]
    assert table_counts() == before


@pytest.mark.parametrize("value", ["31/02/2026", "2026-13-01"])
def test_an_impossible_decision_date_refuses_the_file(tmp_path, value):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm;Số quyết định;Ngày quyết định"
    path = write(
        tmp_path,
        [
            header,
            "1;Chả mực;HTX Chả mực;Quảng Ninh;72;2100/QĐ-UBND;01/09/2026",
            f"2;Mật ong;HTX Mật ong;Quảng Ninh;72;2100/QĐ-UBND;{value}",
        ],
    )
    before = table_counts()
    run_failing(path)
    assert table_counts() == before
    report = registry_import(source=path)
    assert [(e.row, e.column, e.message_en) for e in report.errors] == [
        (
            3,
            "Ngày quyết định",
            f"Row 3, column “Ngày quyết định”: “{value}” is not a real date (write DD/MM/YYYY).",
        )
    ]


def test_an_impossible_date_in_the_title_line(tmp_path):
    title = "Kèm theo Quyết định số 3981/QĐ-UBND ngày 31/02/2026"
    report = registry_import(source=write(tmp_path, [title, HEADER, GOOD]))
    assert [(e.row, e.column) for e in report.errors] == [(1, "Tiêu đề / Title")]
    assert Decision.objects.count() == 0


def test_missing_decision_anywhere_is_reported_once_for_the_file(tmp_path):
    path = write(tmp_path, [HEADER, GOOD])
    before = table_counts()
    run_failing(path)
    assert table_counts() == before
    report = registry_import(source=path)
    assert [(e.row, e.column, e.message_en) for e in report.errors] == [
        (
            1,
            "Số quyết định / Decision no.",
            "Row 1, column “Số quyết định / Decision no.”: no decision number, in the row, a title "
            "line or --decision.",
        ),
        (
            1,
            "Ngày quyết định / Decision date",
            "Row 1, column “Ngày quyết định / Decision date”: no decision date, in the row, a "
            "title line or --date.",
        ),
    ]


def test_a_row_with_a_blank_decision_cell_and_no_fallback(tmp_path):
    header = "STT;Tên sản phẩm;Chủ thể;Tỉnh;Điểm;Số quyết định;Ngày quyết định"
    path = write(
        tmp_path,
        [
            header,
            "1;Chả mực;HTX Chả mực;Quảng Ninh;72;2100/QĐ-UBND;01/09/2026",
            "2;Mật ong;HTX Mật ong;Quảng Ninh;72;;01/09/2026",
        ],
    )
    report = registry_import(source=path)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Số quyết định")]


def test_several_errors_are_all_reported_and_nothing_written(tmp_path):
    path = write(
        tmp_path,
        [
            TITLE,
            HEADER,
            GOOD,
            "2;;HTX A;xã A;Quảng Ninh;72;4",
            "3;Trà;HTX B;xã B;Quảng Ninh;172;4",
            "4;Trà;;xã C;Quảng Ninh;72;4",
        ],
    )
    report = registry_import(source=path)
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "Tên sản phẩm"),
        (5, "Điểm"),
        (6, "Chủ thể"),
    ]
    assert not report.applied
    assert table_counts()["Certificate"] == 0


def test_no_header_row(tmp_path):
    output, _ = run_failing(write(tmp_path, ["a;b;c", "1;2;3"]))
    assert "No header row in the first 15 rows" in output
    assert "Không tìm thấy dòng tiêu đề cột trong 15 dòng đầu" in output


def test_not_utf8(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(("\n".join([TITLE, HEADER, GOOD]) + "\n").encode("utf-16"))
    report = registry_import(source=path)
    assert [(e.row, e.message_en) for e in report.errors] == [
        (1, "The file is not UTF-8 text (near row 1): save it as “CSV UTF-8” and import it again.")
    ]
    assert Decision.objects.count() == 0


def test_unknown_framework_and_province_options(tmp_path):
    path = write(tmp_path, [TITLE, HEADER, GOOD])
    output, _ = run_failing(path, "--framework", "QD9999")
    assert "There is no criteria framework with the code “QD9999”." in output
    output, _ = run_failing(path, "--province", "Atlantis")
    assert "The province “Atlantis” given for the decision is not a province" in output


def test_bad_date_option():
    with pytest.raises(CommandError, match="is not a real date"):
        call_command("import_registry", str(LAM_DONG), "--date", "30/02/2026")


def test_province_lookups_stay_in_sync_with_units():
    # The importer maps through core's tables; Đắk Nông must still map to Lâm Đồng.
    assert LegacyProvince.objects.get(code="67").current == Province.objects.get(code="68")
