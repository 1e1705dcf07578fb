"""The "Import recognition list" upload in the Decision admin."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Certificate, Decision, Evaluation, Product, RegistryImport
from sellers.models import Business
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
IMPORT_URL = "admin:catalog_decision_import"


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Business, Product, Evaluation, Certificate, Decision, RegistryImport)
    }


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="registry", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client, user


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_changelist_links_to_the_upload(staff_client):
    client, _ = staff_client
    response = client.get(reverse("admin:catalog_decision_changelist"))
    assert response.status_code == 200
    assert reverse(IMPORT_URL) in response.content.decode()


def test_upload_happy_path(staff_client):
    client, user = staff_client
    content = (FIXTURES / "lam-dong-3981.csv").read_bytes()
    response = client.post(
        reverse(IMPORT_URL),
        {"file": upload("lam-dong-3981.csv", content), "level": "province"},
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.applied
    assert (report.certificates_created, report.businesses_created) == (3, 3)
    page = response.content.decode()
    assert "Đã nhập xong. / Imported." in page
    assert "3981/QĐ-UBND (05/08/2026)" in page
    assert Certificate.objects.count() == 3
    assert RegistryImport.objects.get().created_by == user
    # The decision now shows in the changelist with its certificates.
    changelist = client.get(reverse("admin:catalog_decision_changelist"), {"q": "3981"})
    assert "3981/QĐ-UBND" in changelist.content.decode()
    # The same file again changes nothing, and says so rather than "imported".
    again = client.post(
        reverse(IMPORT_URL),
        {"file": upload("lam-dong-3981.csv", content), "level": "province"},
    ).content.decode()
    assert "Nothing changed: every row was already imported." in again
    assert "Đã nhập xong. / Imported." not in again


def test_upload_dry_run_writes_nothing(staff_client):
    client, _ = staff_client
    before = table_counts()
    response = client.post(
        reverse(IMPORT_URL),
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "dry_run": "on",
            "level": "province",
        },
    )
    assert response.context["report"].certificates_created == 3
    assert "Dry run: the file is valid; nothing was written." in response.content.decode()
    assert table_counts() == before


def test_upload_with_options_and_xlsx(staff_client, tmp_path):
    from openpyxl import Workbook

    from core.models import Province

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Sản phẩm", "Chủ thể sản xuất", "Địa chỉ", "Điểm", "Xếp hạng"])
    sheet.append([1, "Chả mực Hạ Long", "HTX Chả mực", "phường Hồng Gai", 72.5, "4 sao"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    client, _ = staff_client
    response = client.post(
        reverse(IMPORT_URL),
        {
            "file": SimpleUploadedFile("list.xlsx", path.read_bytes()),
            "decision_number": "2100/QĐ-UBND",
            "decision_date": "01/09/2026",
            "province": Province.objects.get(code="22").pk,
            "source_url": "https://ocop.quangninh.gov.vn/2100",
            "level": "province",
        },
    )
    assert response.context["report"].ok
    decision = Decision.objects.get()
    assert (decision.number, decision.province.code, decision.issuer) == (
        "2100/QĐ-UBND",
        "22",
        "UBND tỉnh Quảng Ninh",
    )
    assert Certificate.objects.get().stars == 4


def test_upload_error_report_in_both_languages(staff_client):
    client, _ = staff_client
    content = "\n".join(
        [
            "Kèm theo Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng",
            "STT;Tên sản phẩm;Chủ thể;Điểm;Hạng sao",
            "1;Mắm nêm Seagull;Công ty TNHH Seagull;69,25;3 sao",
            "2;Chả mực;HTX Chả mực;105;4",
        ]
    ).encode()
    before = table_counts()
    response = client.post(
        reverse(IMPORT_URL), {"file": upload("bad.csv", content), "level": "province"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 lỗi, không ghi gì. / 1 errors; nothing was written." in page
    assert "Dòng 4, cột “Điểm”: điểm 105 nằm ngoài khoảng 0–100." in page
    assert "Row 4, column “Điểm”: the score 105 is outside 0–100." in page
    assert table_counts() == before


def test_upload_refuses_other_file_types(staff_client):
    client, _ = staff_client
    response = client.post(
        reverse(IMPORT_URL), {"file": upload("list.pdf", b"%PDF-1.4"), "level": "province"}
    )
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]


def test_upload_needs_staff_and_permissions(client):
    url = reverse(IMPORT_URL)
    assert client.get(url).status_code == 302  # anonymous: to the admin login
    staff = UserFactory(username="viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_decision"))
    client.force_login(staff)
    before = table_counts()
    response = client.post(
        url,
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "level": "province",
        },
    )
    assert response.status_code == 403
    assert table_counts() == before


@pytest.mark.parametrize("limit", ["rows", "bytes"])
def test_upload_above_the_admin_limit_is_refused_and_points_to_the_command(
    staff_client, settings, limit
):
    client, _ = staff_client
    content = (FIXTURES / "lam-dong-3981.csv").read_bytes()
    if limit == "rows":
        settings.REGISTRY_ADMIN_MAX_ROWS = (
            9  # the fixture: 10 rows (titles, header, 3 products, total)
        )
    else:
        settings.REGISTRY_ADMIN_MAX_BYTES = len(content) - 1
    before = table_counts()
    response = client.post(
        reverse(IMPORT_URL), {"file": upload("big.csv", content), "level": "province"}
    )
    assert response.status_code == 200
    assert response.context["report"] is None
    (message,) = response.context["form"].errors["file"]
    assert "python manage.py import_registry FILE" in message
    assert table_counts() == before


def test_upload_at_the_row_limit_is_imported(staff_client, settings):
    client, _ = staff_client
    settings.REGISTRY_ADMIN_MAX_ROWS = 10
    content = (FIXTURES / "lam-dong-3981.csv").read_bytes()
    response = client.post(
        reverse(IMPORT_URL), {"file": upload("ok.csv", content), "level": "province"}
    )
    assert response.context["report"].applied


def test_admin_pages_carry_the_marketplaces_name_in_vietnamese(staff_client):
    client, _ = staff_client
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>Quản trị sàn | Quản trị Chợ OCOP</title>" in page
    assert "Quản trị Chợ OCOP" in page and "Django" not in page.split("<body")[1][:3000]
