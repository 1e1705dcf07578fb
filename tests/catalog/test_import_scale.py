"""The registry import at scale: the write phase and the search index are written in slices
(bulk statements, a fixed number per slice whatever its rows), all in the import's transaction,
so search finds the imported products as soon as the job ends and a refused file leaves the
index as it was."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.importer import registry_import, writing
from catalog.models import Certificate, Product
from core.models import Job
from core.search import search_backend
from core.text import fold
from search import indexer
from search.models import SearchDocument, SearchPrefix
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = ["Mật ong rừng", "Trà hoa vàng", "Nước mắm", "Chả mực", "Miến dong", "Ba kích tím"]
PLACES = [
    "Tiên Yên", "Bình Liêu", "Vân Đồn", "Đầm Hà", "Sơn Động", "Lục Ngạn", "Mộc Châu", "Bảo Lộc",
    "Cái Bè", "Chợ Gạo", "Hương Sơn", "Quế Phong", "Na Hang", "Hàm Yên", "Bắc Hà", "Sa Pa",
    "Đồng Văn", "Mèo Vạc", "Bảo Lạc", "Vạn Phúc", "Bát Tràng", "Ước Lễ", "Đình Bảng", "Cao Lãnh",
    "Sa Đéc", "Lai Vung", "Phong Điền", "Cờ Đỏ", "Ô Môn", "Cái Răng", "Giá Rai", "Năm Căn",
    "U Minh", "Ba Vì", "Sóc Sơn", "Mỹ Đức", "Quốc Oai", "Phúc Thọ", "Đan Phượng", "Hoài Đức",
    "Thanh Oai", "Ứng Hòa", "Phú Xuyên", "Mê Linh", "Đông Anh", "Gia Lâm", "Thanh Trì",
    "Sơn Tây", "Tây Hồ", "Long Biên", "Cầu Giấy", "Hà Đông",
]  # fmt: skip
# Small slices, so that a few hundred rows are several of them.
SLICE = 50
# Statements one more slice of rows costs (businesses, products, certificates and both kinds
# of search document, counted on SQLite and PostgreSQL): far fewer than its rows.
PER_SLICE = 40


@pytest.fixture
def slices(monkeypatch):
    monkeypatch.setattr(writing, "BATCH_SIZE", SLICE)
    monkeypatch.setattr(writing, "IN_CHUNK", SLICE)
    monkeypatch.setattr(indexer, "BATCH", SLICE)


def product_name(index: int) -> str:
    return f"{PRODUCTS[index % len(PRODUCTS)]} {PLACES[index // len(PRODUCTS)]}"


def recognition_list(*, rows: int, first: int = 0, number: str = "3981", bad_last=False) -> str:
    lines = [
        f"Kèm theo Quyết định số {number}/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng",
        "STT;Tên sản phẩm;Chủ thể;Địa chỉ;Tỉnh;Điểm;Hạng sao",
    ]
    for offset in range(rows):
        index = first + offset
        score = "150" if bad_last and offset == rows - 1 else "80,5"
        lines.append(
            f"{offset + 1};{product_name(index)};Hợp tác xã số {index + 1};"
            f"thôn {index % 9 + 1}, xã Đạ Sar;Lâm Đồng;{score};4 sao"
        )
    return "\n".join(lines) + "\n"


def write(tmp_path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def index_state() -> tuple[int, int, list]:
    return (
        SearchDocument.objects.count(),
        SearchPrefix.objects.count(),
        sorted(SearchDocument.objects.values_list("kind", "object_id", "text")),
    )


def test_search_finds_every_slice_of_an_admin_import_when_the_job_ends(
    client, slices, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(username="registry", is_staff=True, is_superuser=True))
    rows = 3 * SLICE + 7
    upload = SimpleUploadedFile("list.csv", recognition_list(rows=rows).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:catalog_decision_import"), {"file": upload, "level": "province"}
        )
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.context["report"].certificates_created == rows
    job = Job.objects.get()
    assert (job.state, job.done) == ("done", rows)  # the rows read, on the finished job's row
    assert Certificate.objects.count() == rows

    backend = search_backend()
    assert SearchDocument.objects.filter(kind="product").count() == rows
    assert SearchDocument.objects.filter(kind="business").count() == rows
    # The first row, one in the middle slice and the last: found by the folded name.
    for index in (0, SLICE + 3, rows - 1):
        folded = Product.objects.get(name=product_name(index)).name_folded
        hits = backend.search(query=folded).hits
        assert hits[0].title == product_name(index), folded
        assert hits[0].stars == 4
    # The last slice's producer is suggested as it is typed.
    assert [s.title for s in backend.suggest(prefix=f"hop tac xa so {rows}")] == [
        f"Hợp tác xã số {rows}"
    ]


def test_a_bad_last_row_writes_nothing_and_leaves_the_index_unchanged(tmp_path, slices):
    first = registry_import(source=write(tmp_path, recognition_list(rows=SLICE, number="3900")))
    assert first.applied
    before = index_state()
    products = Product.objects.count()

    refused = registry_import(
        source=write(
            tmp_path, recognition_list(rows=3 * SLICE, first=SLICE, bad_last=True), "bad.csv"
        )
    )
    assert not refused.ok and not refused.applied
    assert [(e.row, e.message_en) for e in refused.errors] == [
        (3 * SLICE + 2, "Row 152, column “Điểm”: the score 150 is outside 0–100.")
    ]
    assert Product.objects.count() == products
    assert index_state() == before
    refused_name = product_name(2 * SLICE)
    hits = search_backend().search(query=fold(refused_name)).hits
    assert refused_name not in [hit.title for hit in hits]


def test_the_write_phase_costs_statements_per_slice_not_per_row(tmp_path, slices):
    def statements(rows: int, first: int, number: str) -> int:
        path = write(tmp_path, recognition_list(rows=rows, first=first, number=number), number)
        with CaptureQueriesContext(connection) as captured:
            report = registry_import(source=path)
        assert report.applied and report.certificates_created == rows
        return len(captured)

    one_slice = statements(SLICE, 0, "3901")
    three_slices = statements(3 * SLICE, SLICE, "3902")
    # Two more slices: 100 more rows, at most 2 × PER_SLICE more statements.
    assert three_slices - one_slice <= 2 * PER_SLICE < 2 * SLICE
    assert one_slice <= 3 * PER_SLICE
