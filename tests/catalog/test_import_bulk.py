"""The import's set-based writes (``core.bulk.rows_insert``: tuples, one multi-row statement a
slice) write exactly what the ORM's ``bulk_create`` of model instances wrote before: the same
businesses, products, evaluations, certificates (numbers, stars, scores, statuses,
supersession) and the same search documents, match rows, suggestion prefixes and vocabulary —
for a file that matches existing producers and products, supersedes their certificates,
re-lists one unchanged and adds new ones. And the index it leaves is the one a rebuild gives."""

import datetime
from decimal import Decimal

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from catalog.importer import registry_import, writing
from catalog.models import Certificate, CertificateStatus, Decision, Evaluation, Product
from core.bulk import rows_insert
from core.search import BUSINESS, PRODUCT
from search import indexer
from search.models import SearchDocument, SearchMatch, SearchPrefix, SearchTerm
from sellers.models import Business

pytestmark = pytest.mark.django_db

HEADER = (
    "STT;Tên sản phẩm;Chủ thể;Mã số thuế;Địa chỉ;Tỉnh;Điểm;Hạng sao;Số quyết định;Ngày quyết định"
)
FIRST = [
    "1;Mật ong rừng Tiên Yên;HTX Mật ong Tiên Yên;5700100200;thôn 2, xã Tiên Yên;Quảng Ninh;72,5;4 sao;"
    "100/QĐ-UBND;05/08/2026",
    "2;Trà hoa vàng Ba Chẽ;HTX Trà Ba Chẽ;;thôn 1, xã Ba Chẽ, huyện Ba Chẽ;Quảng Ninh;66;3;"
    "100/QĐ-UBND;05/08/2026",
    "3;Nước mắm Cái Rồng;Công ty CP Cái Rồng;5700300400;xã Vân Đồn;Quảng Ninh;81,25;★★★★;"
    "100/QĐ-UBND;05/08/2026",
]
SECOND = [
    # An existing product upgraded by a later decision: its certificate is superseded.
    "1;Mật ong rừng Tiên Yên;HTX Mật ong Tiên Yên;5700100200;thôn 2, xã Tiên Yên;Quảng Ninh;83;4 sao;"
    "200/QĐ-UBND;10/10/2026",
    # The same decision as before: unchanged.
    "2;Trà hoa vàng Ba Chẽ;HTX Trà Ba Chẽ;;thôn 1, xã Ba Chẽ, huyện Ba Chẽ;Quảng Ninh;66;3;"
    "100/QĐ-UBND;05/08/2026",
    # A new product of an existing producer (matched by tax code) and one of a new producer.
    "3;Chả mực Cái Rồng;Công ty CP Cái Rồng;5700300400;xã Vân Đồn;Quảng Ninh;77;4;"
    "200/QĐ-UBND;10/10/2026",
    "4;Miến dong Bình Liêu;HTX Miến Bình Liêu;;xã Bình Liêu;Tỉnh Quảng Ninh;69,75;3 sao;"
    "200/QĐ-UBND;10/10/2026",
    # Two rows of one new producer, one a name that collides with an existing slug.
    "5;Mật ong rừng Tiên Yên;HTX Ong Đình Lập;;xã Đình Lập;Lạng Sơn;70;4;200/QĐ-UBND;10/10/2026",
    "6;Rượu Mẫu Sơn;HTX Ong Đình Lập;;xã Đình Lập;Lạng Sơn;88,5;4;200/QĐ-UBND;10/10/2026",
]
MODELS = [
    Decision,
    Business,
    Product,
    Evaluation,
    Certificate,
    SearchDocument,
    SearchMatch,
    SearchPrefix,
    SearchTerm,
]
# Times of the write, which differ between two runs.
CLOCKS = {"created_at", "updated_at", "status_changed_at"}


def orm_rows_insert(*, model, columns, rows, conflict=(), update=(), returning=()):
    """What the importer and the indexer did before: model instances and ``bulk_create``."""
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    if conflict:
        model.objects.bulk_create(
            objects, update_conflicts=True, unique_fields=conflict, update_fields=update
        )
    else:
        model.objects.bulk_create(objects)
    return [tuple(getattr(o, name) for name in returning) for o in objects] if returning else []


def state() -> dict[str, list]:
    """Every row of every table the import writes, times of the write left out."""
    return {
        model.__name__: [
            {name: value for name, value in row.items() if name not in CLOCKS}
            for row in model.objects.order_by("pk").values()
        ]
        for model in MODELS
    }


def sequences_reset() -> None:
    """After a rollback, the next ids are the ones the rolled-back rows had (PostgreSQL's
    sequences do not roll back; SQLite's do), so both runs write the same ids."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)


def import_second(tmp_path) -> dict[str, list]:
    path = tmp_path / "second.csv"
    path.write_text("\n".join([HEADER, *SECOND]) + "\n", encoding="utf-8")
    report = registry_import(source=path)
    assert report.applied, [e.message_en for e in report.errors]
    assert (report.certificates_created, report.unchanged, report.superseded) == (5, 1, 1)
    assert (report.businesses_created, report.businesses_matched) == (2, 3)
    assert (report.products_created, report.products_matched) == (4, 2)
    return state()


class Rollback(Exception):
    pass


def test_set_based_writes_equal_the_orm_writes_and_a_rebuilt_index(tmp_path, monkeypatch):
    first = tmp_path / "first.csv"
    first.write_text("\n".join([HEADER, *FIRST]) + "\n", encoding="utf-8")
    assert registry_import(source=first).applied

    try:
        with transaction.atomic():
            by_tuples = import_second(tmp_path)
            raise Rollback
    except Rollback:
        sequences_reset()
    monkeypatch.setattr(writing, "rows_insert", orm_rows_insert)
    monkeypatch.setattr(indexer, "rows_insert", orm_rows_insert)
    by_orm = import_second(tmp_path)
    assert by_tuples == by_orm

    # What was written, spelled out for the upgraded product and the new producer's rows.
    honey = Product.objects.get(name="Mật ong rừng Tiên Yên", holder__tax_code="5700100200")
    assert list(
        honey.certificates.order_by("valid_from").values_list(
            "decision__number", "stars", "status", "evaluation__total_score"
        )
    ) == [
        ("100/QĐ-UBND", 4, CertificateStatus.SUPERSEDED, Decimal("72.50")),
        ("200/QĐ-UBND", 4, CertificateStatus.ACTIVE, Decimal("83.00")),
    ]
    new_honey = Product.objects.get(name="Mật ong rừng Tiên Yên", holder__name="HTX Ong Đình Lập")
    assert new_honey.slug == "mat-ong-rung-tien-yen-2"
    certificate = new_honey.certificates.get()
    assert (certificate.stars, certificate.valid_until) == (4, datetime.date(2029, 10, 10))
    assert certificate.status_changed_at is not None and certificate.created_at is not None
    document = SearchDocument.objects.get(kind=PRODUCT, object_id=new_honey.pk)
    assert (document.stars, document.subtitle, document.card["holder"]["name"]) == (
        4,
        "HTX Ong Đình Lập",
        "HTX Ong Đình Lập",
    )
    assert SearchDocument.objects.filter(kind=PRODUCT).count() == 7
    assert SearchDocument.objects.filter(kind=BUSINESS).count() == 5

    # The index the import left is the one the indexer rebuilds from the rows.
    # (A rebuild rewrites the vocabulary and the prefixes as new rows: compared without ids.)
    imported = unordered(state())
    indexer.index_rebuild()
    assert unordered(state()) == imported


def unordered(dump: dict[str, list]) -> dict[str, list]:
    for name in ("SearchPrefix", "SearchTerm"):
        dump[name] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "id")) for row in dump[name]
        )
    return dump


def test_rows_insert_fills_defaults_converts_values_and_upserts():
    decision_date = datetime.date(2026, 8, 5)
    from tests.factories import DecisionFactory, ProductFactory

    decision = DecisionFactory(number="7/QĐ-UBND", date=decision_date)
    product = ProductFactory()
    [(evaluation_id,)] = rows_insert(
        model=Evaluation,
        columns=writing.EVALUATION_COLUMNS,
        rows=[
            (
                product.pk,
                decision.framework_id,
                None,
                "province",
                decision_date,
                [],
                Decimal("71.25"),
                4,
                4,
                [],
                decision.pk,
                "",
            )
        ],
        returning=["id"],
    )
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    assert (evaluation.total_score, evaluation.member_totals, evaluation.is_demo) == (
        Decimal("71.25"),
        [],
        False,
    )
    assert evaluation.created_at is not None

    now = timezone.now()
    document = {"kind": PRODUCT, "object_id": product.pk, "title": "A", "updated_at": now}
    [(first_id,)] = rows_insert(
        model=SearchDocument,
        columns=list(document),
        rows=[tuple(document.values())],
        conflict=["kind", "object_id"],
        update=["title"],
        returning=["id"],
    )
    [(second_id,)] = rows_insert(
        model=SearchDocument,
        columns=list(document),
        rows=[(PRODUCT, product.pk, "B", now)],
        conflict=["kind", "object_id"],
        update=["title"],
        returning=["id"],
    )
    saved = SearchDocument.objects.get()
    assert (first_id, saved.title, saved.url, saved.card, saved.seller_count) == (
        second_id,
        "B",
        "",
        {},
        0,
    )
    assert saved.updated_at == now


def test_rows_insert_sends_a_column_as_one_array_on_postgresql():
    """A placeholder a column, not a value: the statement psycopg parses stays the same size
    (and is parsed once) however many rows a slice has. Rows come back in their order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's unnest")
    from tests.factories import BusinessFactory

    holder = BusinessFactory()
    rows = [
        (f"Sản phẩm {n}", f"san pham {n}", f"san-pham-{n}", holder.pk, None, "") for n in (3, 1, 2)
    ]
    with CaptureQueriesContext(connection) as queries:
        ids = rows_insert(
            model=Product, columns=writing.PRODUCT_COLUMNS, rows=rows, returning=["id"]
        )
    [statement] = [q["sql"] for q in queries.captured_queries]
    assert "unnest(" in statement and "VALUES" not in statement
    names = dict(Product.objects.values_list("pk", "name"))
    assert [names[pk] for (pk,) in ids] == ["Sản phẩm 3", "Sản phẩm 1", "Sản phẩm 2"]
