"""Elasticsearch applies the same "certificate in force" as the database backend and as the rule
itself (``catalog.rules.certificate_in_force_on``), on the edge cases and on the days around
them — the late filer's kept validity (26/2026 Art. 12) included.

No server runs here: the query bodies are evaluated as data against the documents as the index
stores them (``search.backends.elastic.index.document_source``), with a small evaluator of the
few clause types the bodies use, and the answers are parsed from responses built from those
documents (as a server would return them)."""

import datetime

import pytest
from django.utils import timezone

from catalog.models import Certificate, Product
from catalog.rules import certificate_in_force_on
from catalog.selectors import certificates_in_force
from catalog.services import certificate_reevaluation_filed
from core.search import PRODUCT, SearchFilters, search_backend, search_rows_changed
from search.backends.elastic.answers import parse_search
from search.backends.elastic.index import document_source
from search.backends.elastic.queries import search_body, suggest_body
from search.models import SearchDocument
from tests.factories import DecisionFactory, certified_product, revoke_certificate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    """``TODAY`` as the test starts, not as the module was collected: the documents are written
    with the day they are written on, and a run may cross midnight in Asia/Ho_Chi_Minh (17:00
    UTC) between the two."""
    global TODAY
    TODAY = timezone.localdate()


def backdate(certificate: Certificate, **fields) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(**fields)
    certificate.refresh_from_db()
    search_rows_changed(Product, [certificate.product_id])
    return certificate


def edge_cases() -> dict[str, Certificate]:
    """One product per edge; each value is the product's certificate the case is about."""
    cases = {}
    cases["last day today"] = backdate(certified_product(name="Hôm nay")[2], valid_until=TODAY)
    # Past its validity, the daily job not yet run: still "active" in the table.
    cases["ran out yesterday"] = backdate(
        certified_product(name="Hôm qua")[2], valid_until=TODAY - DAY
    )
    _p, _e, cases["revoked today"] = certified_product(name="Thu hồi")
    revoke_certificate(
        certificate=cases["revoked today"], ground="mark_misuse", decision_date=TODAY
    )
    _p, _e, cases["in force"] = certified_product(name="Còn hiệu lực")
    product, _e, _old = certified_product(
        name="Được thay", decision=DecisionFactory(date=datetime.date(2024, 3, 1))
    )
    _p, _e, cases["renewed"] = certified_product(product=product, total="80")
    # Its validity ran out yesterday, but the re-evaluation was filed in time: kept valid until
    # the decision, at most the framework's grace past the expiry.
    late = backdate(
        certified_product(name="Chờ đánh giá lại")[2],
        valid_from=TODAY - 400 * DAY,
        valid_until=TODAY - DAY,
    )
    cases["kept by the grace"] = certificate_reevaluation_filed(
        certificate=late, filed_on=TODAY - 30 * DAY
    )
    # The same, its kept validity over.
    cases["grace over"] = backdate(
        certified_product(name="Hết ân hạn")[2],
        valid_from=TODAY - 600 * DAY,
        valid_until=TODAY - 200 * DAY,
        reevaluation_filed_on=TODAY - 230 * DAY,
        kept_until=TODAY - 20 * DAY,
    )
    for certificate in cases.values():
        certificate.refresh_from_db()
    return cases


# --- a tiny evaluator of the Elasticsearch clauses the bodies use --------------------------------


def _value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def matches(clause: dict, source: dict) -> bool:
    ((kind, spec),) = clause.items()
    if kind == "term":
        ((field, wanted),) = spec.items()
        value = source.get(field)
        return wanted in value if isinstance(value, list) else value == wanted
    if kind == "range":
        ((field, bounds),) = spec.items()
        value = _value(source.get(field))
        if value is None:
            return False
        tests = {
            "gte": lambda b: value >= b,
            "gt": lambda b: value > b,
            "lte": lambda b: value <= b,
            "lt": lambda b: value < b,
        }
        return all(tests[op](bound) for op, bound in bounds.items())
    if kind == "bool":
        musts = [*spec.get("filter", []), *spec.get("must", [])]
        must_not = spec.get("must_not", [])
        must_not = must_not if isinstance(must_not, list) else [must_not]
        should = spec.get("should", [])
        needed = spec.get("minimum_should_match", 1 if should and not musts else 0)
        return (
            all(matches(c, source) for c in musts)
            and not any(matches(c, source) for c in must_not)
            and sum(matches(c, source) for c in should) >= needed
        )
    raise AssertionError(f"clause {kind!r} is not evaluated here")


def body_for(day: datetime.date, filters: SearchFilters | None = None) -> dict:
    """The body of a buyer's search on ``day`` (no words: only the filters)."""
    return search_body(
        query="",
        filters=filters or SearchFilters(),
        kind=PRODUCT,
        order="relevance",
        offset=0,
        limit=100,
        today=day,
        facets=False,
    )


def es_filter_ids(body: dict, sources: list[dict]) -> set[int]:
    """The documents the body's filters keep (the text part aside)."""
    query = body["query"]["bool"]
    clauses = [*query.get("filter", [])]
    return {s["object_id"] for s in sources if all(matches(c, s) for c in clauses)}


def es_response(sources: list[dict]) -> dict:
    """What a server returns for these documents (no aggregations asked)."""
    hits = [{"_id": f"{s['kind']}:{s['object_id']}", "_score": 1.0, "_source": s} for s in sources]
    return {"hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}


def stored_sources() -> list[dict]:
    """The product documents as Elasticsearch stores them, dates as JSON carries them."""
    return [
        {key: _value(value) for key, value in document_source(document).items()}
        for document in SearchDocument.objects.filter(kind=PRODUCT)
    ]


def test_elasticsearch_and_the_database_apply_the_rule_on_every_edge():
    cases = edge_cases()
    kept = cases["kept by the grace"].kept_until
    assert kept == TODAY - DAY + 180 * DAY  # the framework's grace, 180 days
    sources = stored_sources()
    by_product = {s["object_id"]: s for s in sources}
    # From the day the documents were written on (they hold the certificate in force then).
    days = [TODAY, TODAY + DAY, kept - DAY, kept, kept + DAY]
    for day in days:
        rule = {
            name: certificate_in_force_on(certificate, day) for name, certificate in cases.items()
        }
        in_force_sql = set(
            certificates_in_force(today=day)
            .filter(product__in=[c.product_id for c in cases.values()])
            .values_list("product_id", flat=True)
        )
        # What buyers search: the default filter (a certificate in force on ``day``).
        body = body_for(day)
        es_ids = es_filter_ids(body, sources)
        database_ids = {
            hit.object_id
            for hit in search_backend("database")
            .search(query="", filters=SearchFilters(), limit=100, facets=False, today=day)
            .hits
        }
        in_stock_body = body_for(day, SearchFilters(in_stock=True))
        parsed = {
            hit.object_id: hit
            for hit in parse_search(es_response(sources), filters=SearchFilters(), today=day).hits
        }
        for name, certificate in cases.items():
            product_id = certificate.product_id
            expected = rule[name] or (
                # The superseded certificate's product is covered by its renewal.
                name == "renewed" and product_id in in_force_sql
            )
            where = f"{name} on {day}"
            assert (product_id in in_force_sql) is expected, where
            assert (product_id in es_ids) is expected, where
            assert (product_id in database_ids) is expected, where
            # The answer parsed from Elasticsearch: in force, stars, prices and "buyable".
            hit = parsed[product_id]
            assert hit.in_force is expected, where
            assert (hit.stars is not None) is expected, where
            assert hit.buyable is (expected and by_product[product_id]["in_stock"]), where
            assert (product_id in es_filter_ids(in_stock_body, sources)) is hit.buyable, where


def test_the_grace_shows_in_what_elasticsearch_stores():
    cases = edge_cases()
    stored = {s["object_id"]: s for s in stored_sources()}
    kept = cases["kept by the grace"]
    # The last day stored is the kept one, not the printed validity.
    assert stored[kept.product_id]["certificate_valid_until"] == kept.kept_until.isoformat()
    assert stored[cases["grace over"].product_id]["certificate_valid_until"] is None
    assert stored[cases["revoked today"].product_id]["certificate_valid_until"] is None
    # The expected set of cases in force today, spelled out.
    today = es_filter_ids(body_for(TODAY), list(stored.values()))
    names = {c.product.name for c in cases.values() if c.product_id in today}
    assert names == {"Hôm nay", "Còn hiệu lực", "Được thay", "Chờ đánh giá lại"}


def test_suggestions_keep_only_products_in_force_the_same_way():
    cases = edge_cases()
    sources = stored_sources()
    for day in (TODAY, cases["kept by the grace"].kept_until + DAY):
        (in_force_clause,) = suggest_body(prefix="cho", today=day, limit=8)["query"]["bool"][
            "filter"
        ]
        kept = {s["object_id"] for s in sources if matches(in_force_clause, s)}
        expected = set(certificates_in_force(today=day).values_list("product_id", flat=True))
        assert kept == expected & {s["object_id"] for s in sources}
