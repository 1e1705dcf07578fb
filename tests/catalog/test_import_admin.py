"""The "Import recognition list" upload in the Decision admin: the file is stored with a
background job (catalog.registry_import, eager after commit here as in development) and the
official is sent to the job page, which shows progress and then the report."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Certificate, Decision, Evaluation, Product, RegistryImport
from core.models import Job, JobFile, JobState
from search.models import SearchDocument
from sellers.models import Business
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
IMPORT_URL = "admin:catalog_decision_import"
JOB_URL = "admin:catalog_decision_import_job"


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


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Upload through the admin: the job runs when the request's transaction commits; returns
    the job and its page as the official's browser then shows it."""

    def post(client, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(IMPORT_URL), data)
        assert response.status_code == 302
        job = Job.objects.latest("id")
        assert response.url == reverse(JOB_URL, args=[job.pk])
        job.refresh_from_db()
        return job, client.get(response.url)

    return post


def test_changelist_links_to_the_upload(staff_client):
    client, _ = staff_client
    response = client.get(reverse("admin:catalog_decision_changelist"))
    assert response.status_code == 200
    assert reverse(IMPORT_URL) in response.content.decode()


def test_upload_happy_path(staff_client, submit):
    client, user = staff_client
    content = (FIXTURES / "lam-dong-3981.csv").read_bytes()
    job, response = submit(
        client, {"file": upload("lam-dong-3981.csv", content), "level": "province"}
    )
    assert (job.kind, job.state, job.created_by) == ("catalog.registry_import", "done", user)
    assert JobFile.objects.get(job=job).name == "lam-dong-3981.csv"
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in response.content.decode()
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
    _, again_page = submit(
        client, {"file": upload("lam-dong-3981.csv", content), "level": "province"}
    )
    again = again_page.content.decode()
    assert "Nothing changed: every row was already imported." in again
    assert "Đã nhập xong. / Imported." not in again


def test_upload_dry_run_writes_nothing(staff_client, submit):
    client, _ = staff_client
    before = table_counts()
    _, response = submit(
        client,
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "dry_run": "on",
            "level": "province",
        },
    )
    assert response.context["report"].certificates_created == 3
    assert "Dry run: the file is valid; nothing was written." in response.content.decode()
    assert table_counts() == before


def test_upload_with_options_and_xlsx(staff_client, tmp_path, submit):
    from openpyxl import Workbook

    from core.models import Province

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Sản phẩm", "Chủ thể sản xuất", "Địa chỉ", "Điểm", "Xếp hạng"])
    sheet.append([1, "Chả mực Hạ Long", "HTX Chả mực", "phường Hồng Gai", 72.5, "4 sao"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    client, _ = staff_client
    _, response = submit(
        client,
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


def test_upload_error_report_in_both_languages(staff_client, submit):
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
    job, response = submit(client, {"file": upload("bad.csv", content), "level": "province"})
    # A refused file is a finished job (its result is the report), not a failed one.
    assert job.state == JobState.DONE
    assert job.result["errors_total"] == 1
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


def test_upload_at_the_row_limit_is_imported(staff_client, settings, submit):
    client, _ = staff_client
    settings.REGISTRY_ADMIN_MAX_ROWS = 10
    content = (FIXTURES / "lam-dong-3981.csv").read_bytes()
    _, response = submit(client, {"file": upload("ok.csv", content), "level": "province"})
    assert response.context["report"].applied


def test_admin_pages_carry_the_marketplaces_name_in_vietnamese(staff_client):
    client, _ = staff_client
    page = client.get(reverse("admin:index")).content.decode()
    assert "<title>Quản trị sàn | Quản trị Chợ OCOP</title>" in page
    assert "Quản trị Chợ OCOP" in page and "Django" not in page.split("<body")[1][:3000]


def test_the_job_page_shows_progress_and_refreshes_until_done(staff_client):
    from core.jobs import job_progress

    client, _ = staff_client
    # Posted without running the task: the job is queued, as it would be behind a busy worker.
    response = client.post(
        reverse(IMPORT_URL),
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "level": "province",
        },
    )
    job = Job.objects.get()
    assert response.url == reverse(JOB_URL, args=[job.pk])
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    job_progress(job_id=job.pk, done=4000, errors=2, phase="reading")
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Rows read: 4000. Errors so far: 2." in html
    assert page.context["report"] is None
    assert table_counts()["Certificate"] == 0
    status = client.get(response.url, {"format": "json"}).json()
    assert (status["state"], status["finished"], status["progress"]) == (
        "running",
        False,
        {"done": 4000, "total": None, "errors": 2, "phase": "reading"},
    )


def test_the_job_page_shows_rows_written_then_products_indexed(staff_client):
    from core.jobs import job_progress

    client, _ = staff_client
    response = client.post(
        reverse(IMPORT_URL),
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "level": "province",
        },
    )
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    progress = {"done": 200001, "errors": 0, "to_write": 200000}
    job_progress(job_id=job.pk, phase="writing", written=6000, **progress)
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Every row is valid; writing: 6000 of 200000 rows written." in html
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Mọi dòng đều hợp lệ; đang ghi: đã ghi 6000 trên 200000 dòng." in html
    job_progress(job_id=job.pk, phase="indexing", written=15000, **progress)
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Every row is written; updating search: 15000 of 200000 products." in html
    assert "rows written." not in html


def test_the_importer_reports_progress_every_n_rows_without_extra_queries():
    """Progress is a cache write every PROGRESS_EVERY rows: the same SQL with or without it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.importer import registry_import
    from catalog.importer import services as importer

    lines = ["STT;Tên sản phẩm;Chủ thể;Điểm;Hạng sao"] + [
        f"{n};Sản phẩm {n};HTX số {n};72;4 sao" for n in range(1, 8)
    ]
    content = "\n".join(lines).encode()
    options = {
        "file_name": "list.csv",
        "dry_run": True,
        "decision_number": "1/QĐ-UBND",
        "decision_date": datetime.date(2026, 9, 1),
        "province": "Quảng Ninh",
    }
    calls = []
    importer.PROGRESS_EVERY, saved = 3, importer.PROGRESS_EVERY
    try:
        with CaptureQueriesContext(connection) as plain:
            registry_import(source=io.BytesIO(content), **options)
        with CaptureQueriesContext(connection) as reported:
            report = registry_import(
                source=io.BytesIO(content),
                progress=lambda *args: calls.append(args),
                **options,
            )
    finally:
        importer.PROGRESS_EVERY = saved
    assert report.ok, report.errors
    assert calls == [
        (3, 0, "reading", 0, 0),
        (6, 0, "reading", 0, 0),
        (7, 0, "writing", 0, 7),
        (7, 0, "writing", 7, 7),
        (7, 0, "indexing", 7, 7),
    ]
    assert len(reported.captured_queries) == len(plain.captured_queries)


def test_the_write_phase_reports_rows_written_then_products_indexed(monkeypatch):
    """Writing 200,000 rows takes minutes after the last row is read: the official sees the
    certificates written, slice by slice, then the products indexed for search."""
    from catalog.importer import registry_import, writing

    monkeypatch.setattr(writing, "BATCH_SIZE", 3)
    monkeypatch.setattr(writing, "INDEX_SLICE", 4)
    lines = ["STT;Tên sản phẩm;Chủ thể;Điểm;Hạng sao"] + [
        f"{n};Sản phẩm {n};HTX số {n};72;4 sao" for n in range(1, 8)
    ]
    calls = []
    report = registry_import(
        source=io.BytesIO("\n".join(lines).encode()),
        file_name="list.csv",
        decision_number="1/QĐ-UBND",
        decision_date=datetime.date(2026, 9, 1),
        province="Quảng Ninh",
        progress=lambda *args: calls.append(args),
    )
    assert report.ok and report.applied, report.errors
    assert calls == [
        (7, 0, "writing", 0, 7),
        (7, 0, "writing", 3, 7),
        (7, 0, "writing", 6, 7),
        (7, 0, "writing", 7, 7),
        (7, 0, "indexing", 4, 7),
        (7, 0, "indexing", 7, 7),
    ]
    assert SearchDocument.objects.filter(kind="product").count() == 7


def test_only_the_uploader_and_staff_who_may_import_see_the_job(client, staff_client):
    official, user = staff_client
    response = official.post(
        reverse(IMPORT_URL),
        {
            "file": upload("list.csv", (FIXTURES / "lam-dong-3981.csv").read_bytes()),
            "level": "province",
        },
    )
    url = response.url
    assert official.get(url).status_code == 200
    # Staff who may only look at decisions: refused, page and JSON alike.
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_decision"))
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "json"}).status_code == 403
    # Staff holding the import's permissions may follow a colleague's import.
    colleague = UserFactory(username="colleague", is_staff=True)
    colleague.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_decision", "add_certificate", "add_business"])
    )
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    # Another kind of job is not an import page.
    other = Job.objects.create(kind="core.email_send", created_by=user)
    assert official.get(reverse(JOB_URL, args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the admin login
