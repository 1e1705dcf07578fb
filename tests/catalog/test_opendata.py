"""``/du-lieu-mo/``: dated open data snapshots of the registry, through their public URLs."""

import csv
import datetime
import io
import json
import zoneinfo

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from catalog.opendata import (
    COLUMNS,
    opendata_records,
    opendata_snapshot_generate,
    opendata_snapshots,
)
from tests.factories import DecisionFactory, ProductFactory, certified_product, revoke_certificate

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DAY_ONE = datetime.datetime(2026, 12, 6, 9, 0, tzinfo=HCM)
DAY_TWO = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def open_data_root(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    settings.SITE_URL = "https://cho-ocop.vn"
    return settings.OPEN_DATA_ROOT


@pytest.fixture
def registry():
    decision = DecisionFactory(number="3981/QĐ-UBND")
    honey, _, certificate = certified_product(
        total="72.50",
        decision=decision,
        parts={"A": "30.5", "B": "22", "C": "20"},
        product=ProductFactory(name="Mật ong rừng Ba Chẽ", product_code="QN-01"),
    )
    _, _, formula = certified_product(total="81", decision=decision, name="=1+2")
    demo, _, _ = certified_product(total="75", decision=DecisionFactory(is_demo=True))
    demo.certificates.update(is_demo=True)
    return honey, certificate, formula


def test_snapshot_files_hold_every_published_certificate_in_three_formats(client, registry):
    honey, certificate, formula = registry
    opendata_snapshot_generate(now=DAY_ONE)

    response = client.get("/du-lieu-mo/2026-12-06/registry.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(b"".join(response.streaming_content))
    schema = json.loads(client.get("/du-lieu-mo/registry.schema.json").content)
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document["snapshot_date"] == "2026-12-06"
    assert document["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    records = {r["certificate_number"]: r for r in document["certificates"]}
    assert set(records) == {certificate.number, formula.number}  # the demo one is left out
    assert records[certificate.number] == {
        "certificate_number": certificate.number,
        "certificate_url": f"https://cho-ocop.vn/chung-nhan/{certificate.number}/",
        "stars": 4,
        "status": "active",
        "valid_from": "2026-08-05",
        "valid_until": "2029-08-05",
        "decision_number": "3981/QĐ-UBND",
        "decision_date": "2026-08-05",
        "issuer": "UBND tỉnh Quảng Ninh",
        "source_url": "https://ocop.quangninh.gov.vn/quyet-dinh/3981",
        "framework": "QD26-2026",
        "evaluation_level": "province",
        "total_score": 72.5,
        "part_scores": {"A": 30.5, "B": 22.0, "C": 20.0},
        "product_name": "Mật ong rừng Ba Chẽ",
        "product_url": f"https://cho-ocop.vn/san-pham/{honey.slug}/",
        "product_code": "QN-01",
        "product_set_number": 4,
        "product_set_name": honey.product_set.name,
        "holder_name": honey.holder.name,
        "holder_tax_code": honey.holder.tax_code,
        "holder_url": f"https://cho-ocop.vn/chu-the/{honey.holder.slug}/",
        "province_code": "22",
        "province_name": honey.holder.province.name,
    }

    csv_response = client.get("/du-lieu-mo/2026-12-06/registry.csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        'inline; filename="ocop-registry-2026-12-06.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert tuple(rows[0]) == COLUMNS
    by_number = {row["certificate_number"]: row for row in rows}
    assert by_number[certificate.number]["part_scores"] == "A=30.50; B=22.00; C=20.00"
    assert by_number[formula.number]["product_name"] == "'=1+2"  # formula-injection safe

    xlsx = client.get("/du-lieu-mo/latest/registry.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    assert len(values) == 3
    assert "'=1+2" in {row[COLUMNS.index("product_name")] for row in values}


def test_etag_and_last_modified_give_304_and_a_new_date_only_after_a_change(client, registry):
    _, certificate, _ = registry
    first = opendata_snapshot_generate(now=DAY_ONE)
    response = client.get("/du-lieu-mo/latest/registry.csv")
    etag = response["ETag"]
    assert etag == f'"{first.manifest["files"]["registry.csv"]["sha256"]}"'
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=3600"

    again = client.get("/du-lieu-mo/latest/registry.csv", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    since = client.get(
        "/du-lieu-mo/2026-12-06/registry.csv",
        headers={"if-modified-since": response["Last-Modified"]},
    )
    assert since.status_code == 304

    # Nothing changed: no snapshot for the next day.
    assert opendata_snapshot_generate(now=DAY_TWO) is None
    assert client.get("/du-lieu-mo/2026-12-07/registry.csv").status_code == 404

    revoke_certificate(
        certificate=certificate,
        ground="mark_misuse",
        decision_date=datetime.date(2026, 12, 7),
        now=DAY_TWO,
    )
    second = opendata_snapshot_generate(now=DAY_TWO)
    assert second.date == datetime.date(2026, 12, 7)
    latest = client.get("/du-lieu-mo/latest/registry.csv", headers={"if-none-match": etag})
    assert latest.status_code == 200
    assert latest["ETag"] != etag
    body = b"".join(latest.streaming_content).decode()
    assert f"{certificate.number}," in body and ",revoked," in body
    # The earlier date keeps its own file and address.
    old = client.get("/du-lieu-mo/2026-12-06/registry.csv")
    assert old["ETag"] == etag


@pytest.mark.parametrize(
    "url",
    [
        "/du-lieu-mo/2026-12-05/registry.csv",
        "/du-lieu-mo/latest/secret.txt",
        "/du-lieu-mo/..%2F..%2Fsettings/registry.csv",
        "/du-lieu-mo/latest/..%2Fmanifest.json",
    ],
)
def test_unknown_snapshots_and_names_are_404(client, registry, url):
    opendata_snapshot_generate(now=DAY_ONE)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("language", ["vi", "en"])
def test_page_lists_the_snapshot_licence_and_dictionary(client, registry, language):
    opendata_snapshot_generate(now=DAY_ONE)
    client.cookies["django_language"] = language
    response = client.get("/du-lieu-mo/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/du-lieu-mo/2026-12-06/registry.csv"' in html
    assert 'href="/du-lieu-mo/latest/registry.json"' in html
    assert 'href="/du-lieu-mo/registry.schema.json"' in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    for name in COLUMNS:
        assert f"<code>{name}</code>" in html
    with translation.override(language):
        expected = {
            "vi": ("Dữ liệu mở", "06/12/2026: 2 giấy chứng nhận"),
            "en": ("Open data", "06/12/2026: 2 certificates"),
        }[language]
    for text in expected:
        assert text in html


def test_page_without_a_snapshot_says_so(client):
    client.cookies["django_language"] = "en"
    assert "No snapshot has been published yet." in client.get("/du-lieu-mo/").content.decode()


def test_records_cost_two_queries_whatever_their_number(django_assert_num_queries):
    decision = DecisionFactory()
    certified_product(decision=decision, parts={"A": "30", "B": "22", "C": "20"})
    day = datetime.date(2026, 12, 6)
    with django_assert_num_queries(2):
        assert len(list(opendata_records(day=day, origin=""))) == 1
    for _ in range(9):
        certified_product(decision=decision, parts={"A": "30", "B": "22", "C": "20"})
    with django_assert_num_queries(2):
        assert len(list(opendata_records(day=day, origin=""))) == 10


def test_command_reports_a_snapshot_then_no_change(registry):
    out = io.StringIO()
    call_command("opendata_generate", stdout=out)
    assert "2 giấy chứng nhận / certificates →" in out.getvalue()
    out = io.StringIO()
    call_command("opendata_generate", stdout=out)
    assert out.getvalue() == "Không thay đổi / Unchanged: no new snapshot.\n"


def test_the_hourly_job_writes_a_snapshot_only_after_a_change(
    registry, django_capture_on_commit_callbacks
):
    from core.jobs import job_start
    from core.models import JobState

    results = []
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(task="catalog.opendata_generate")
        job.refresh_from_db()
        results.append((job.state, job.result))
    today = timezone.localdate().isoformat()
    assert results == [(JobState.DONE, {"snapshot": today}), (JobState.DONE, {"snapshot": None})]
    assert [s.date.isoformat() for s in opendata_snapshots()] == [today]
