"""The catalogue version: which writes change it, when, and when the cache is bypassed."""

import json
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
    is_non_null_type,
)

from catalog.models import Product
from core import catalogue_cache
from core.catalogue_cache import (
    catalogue_cached,
    catalogue_local,
    catalogue_version,
    ignored_tables,
    written_table,
)
from core.models import CatalogueVersion
from tests.factories import ProductFactory


def _token() -> str:
    return CatalogueVersion.objects.get(name="catalogue").token


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "catalog_product" ("name") VALUES (%s) RETURNING "id"', "catalog_product"),
        ('INSERT OR IGNORE INTO "offers_stock" ("quantity") VALUES (%s)', "offers_stock"),
        ('  UPDATE "offers_offer" SET "price" = %s WHERE "id" = %s', "offers_offer"),
        ('DELETE FROM "sellers_business" WHERE "id" IN (%s)', "sellers_business"),
        ("update catalog_certificate set status = 'revoked'", "catalog_certificate"),
        ('TRUNCATE "catalog_product", "offers_offer" RESTART IDENTITY CASCADE;', "*"),
        ('SELECT "id" FROM "offers_stock" WHERE "id" = %s FOR UPDATE', None),
        ('SELECT "name" FROM "catalog_product" WHERE "name" LIKE \'%UPDATE "x"%\'', None),
        ("SAVEPOINT s1", None),
    ],
)
def test_the_table_a_statement_writes(sql, table):
    assert written_table(sql) == table


def test_ignored_tables_come_from_the_setting_plus_the_version_table(settings):
    assert "django_session" in ignored_tables()
    assert "orders_cart" in ignored_tables()
    assert "core_catalogueversion" in ignored_tables()
    assert "catalog_certificate" not in ignored_tables()
    assert "offers_stock" not in ignored_tables()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_write_changes_the_version_once_per_transaction():
    before = _token()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        ProductFactory.create_batch(2)  # four watched inserts: two businesses, two products
    statements = [q["sql"] for q in captured.captured_queries]
    changes = [i for i, sql in enumerate(statements) if '"core_catalogueversion"' in sql]
    # One change, after the commit.
    assert changes == [len(statements) - 1]
    assert statements[-2] == "COMMIT"
    assert _token() != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_in_autocommit_changes_the_version_at_once():
    product = ProductFactory()
    before = _token()
    Product.objects.filter(pk=product.pk).update(name="Mật ong rừng")
    assert _token() != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_write_leaves_the_version_alone():
    before = _token()
    with pytest.raises(RuntimeError), transaction.atomic():
        ProductFactory()
        raise RuntimeError("refused")
    assert _token() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_only_in_a_rolled_back_savepoint_leaves_the_version_alone():
    product = ProductFactory()
    before = _token()
    with transaction.atomic():
        SessionStore().create()  # an ignored table: the outer transaction changes nothing
        with pytest.raises(RuntimeError), transaction.atomic():
            Product.objects.filter(pk=product.pk).update(name="Trà hoa vàng")
            raise RuntimeError("refused")
    assert _token() == before
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Product.objects.filter(pk=product.pk).update(name="Trà hoa vàng")
            raise RuntimeError("refused")
        Product.objects.filter(pk=product.pk).update(name="Chè Shan tuyết")
    assert _token() != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_to_ignored_tables_leave_the_version_alone():
    before = _token()
    session = SessionStore()
    session["cart_quantity"] = 2
    session.create()
    assert _token() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lost_version_row_turns_caching_off_until_the_next_write(settings):
    CatalogueVersion.objects.all().delete()
    assert catalogue_version() is None
    calls = []
    assert catalogue_cached(key="k", build=lambda: calls.append(1) or "built") == "built"
    assert catalogue_cached(key="k", build=lambda: calls.append(1) or "built") == "built"
    assert calls == [1, 1]  # nothing was stored without a version
    ProductFactory()
    assert CatalogueVersion.objects.filter(name="catalogue").exists()
    assert catalogue_version() is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrate_pauses_the_watch_and_changes_the_version_once_at_the_end():
    before = _token()
    catalogue_cache.pause_during_migrate()
    try:
        ProductFactory()
        assert _token() == before
    finally:
        catalogue_cache.resume_after_migrate()
    assert _token() != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cached_values_are_kept_per_key_and_language_until_the_version_changes():
    from django.utils import translation

    calls = []

    def build(value):
        calls.append(value)
        return value

    with translation.override("vi"):
        assert catalogue_cached(key="a", build=lambda: build("vi-1")) == "vi-1"
        assert catalogue_cached(key="a", build=lambda: build("vi-2")) == "vi-1"
        assert catalogue_cached(key="b", build=lambda: build("b-1")) == "b-1"
    with translation.override("en"):
        assert catalogue_cached(key="a", build=lambda: build("en-1")) == "en-1"
    ProductFactory()
    with translation.override("vi"):
        assert catalogue_cached(key="a", build=lambda: build("vi-3")) == "vi-3"
    assert calls == ["vi-1", "b-1", "en-1", "vi-3"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_local_values_are_kept_per_token_and_language_even_with_caching_off(
    settings, django_assert_num_queries
):
    from django.utils import translation

    settings.CATALOGUE_CACHE_TIMEOUT = 0  # the uncached benchmark's setting: kept all the same
    calls = []

    def build(value):
        calls.append(value)
        return value

    with translation.override("vi"):
        assert catalogue_local(key="a", build=lambda: build("vi-1")) == "vi-1"
        with django_assert_num_queries(1):  # the token only
            assert catalogue_local(key="a", build=lambda: build("vi-2")) == "vi-1"
    with translation.override("en"):
        assert catalogue_local(key="a", build=lambda: build("en-1")) == "en-1"
    ProductFactory()  # committed: a new token
    with translation.override("vi"):
        assert catalogue_local(key="a", build=lambda: build("vi-3")) == "vi-3"
        with transaction.atomic():
            ProductFactory()  # not committed yet: built every time, nothing kept
            assert catalogue_local(key="a", build=lambda: build("vi-4")) == "vi-4"
            assert catalogue_local(key="a", build=lambda: build("vi-5")) == "vi-5"
        assert catalogue_local(key="a", build=lambda: build("vi-6")) == "vi-6"
        assert catalogue_local(key="a", build=lambda: build("vi-7")) == "vi-6"
    assert calls == ["vi-1", "en-1", "vi-3", "vi-4", "vi-5", "vi-6"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_date_is_part_of_the_version(monkeypatch):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    version = catalogue_version()
    monkeypatch.setattr(
        timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1)
    )
    tomorrow = catalogue_version()
    assert version != tomorrow
    assert version.split(".")[0] == tomorrow.split(".")[0]  # same token, another day


@pytest.mark.django_db
def test_uncommitted_writes_bypass_the_cache():
    # Every test runs in a transaction: nothing written yet, so the version is readable.
    assert catalogue_version() is not None
    assert catalogue_cached(key="k", build=lambda: "first") == "first"
    assert catalogue_cached(key="k", build=lambda: "second") == "first"
    ProductFactory()
    # The write is not committed: the version cannot have changed yet, so nothing cached is used.
    assert catalogue_version() is None
    assert catalogue_cached(key="k", build=lambda: "third") == "third"


@pytest.mark.django_db
def test_a_zero_timeout_turns_the_cache_off(settings):
    settings.CATALOGUE_CACHE_TIMEOUT = 0
    assert catalogue_version() is None
    assert catalogue_cached(key="k", build=lambda: "first") == "first"
    assert catalogue_cached(key="k", build=lambda: "second") == "second"


def test_the_watch_is_installed_once_on_every_connection(db):
    connection.ensure_connection()
    assert connection.execute_wrappers.count(catalogue_cache._watch_writes) == 1
    catalogue_cache.install_write_watch(connection=connection)
    assert connection.execute_wrappers.count(catalogue_cache._watch_writes) == 1


# --- the ignored tables are really never read by a cached answer -------------------------------

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"', re.IGNORECASE)


def _selection(type_, depth: int) -> str:
    """Every field of ``type_`` down to ``depth`` levels, connections cut to two items: the
    widest answer an anonymous client can ask of a cacheable root."""
    fields = []
    for name, field in type_.fields.items():
        required = [a for a, arg in field.args.items() if is_non_null_type(arg.type)]
        if required:
            continue
        args = "(first: 2)" if "first" in field.args else ""
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth > 0:
                fields.append(f"{name}{args} {{ {_selection(inner, depth - 1)} }}")
        elif not isinstance(inner, GraphQLInterfaceType | GraphQLUnionType):
            fields.append(f"{name}{args}")
    return " ".join(fields) or "__typename"


@pytest.mark.django_db
def test_no_cached_answer_reads_an_ignored_table(settings, client):
    from graphql_relay import to_global_id

    from api.schema import schema
    from api.views import MarketplaceGraphQLView

    # Every field three levels deep: far larger than any client's query (core.graphql.document).
    settings.GRAPHQL_MAX_FIELDS = settings.GRAPHQL_MAX_TOKENS = 100_000
    settings.GRAPHQL_MAX_SAME_NAMED_FIELDS = 1_000
    from tests.factories import BusinessFactory, ResaleAuthorizationFactory, selling_product

    settings.GRAPHQL_MAX_COST = 10**9
    settings.GRAPHQL_MAX_DEPTH = 50
    holder = BusinessFactory(status="active")
    product, certificate, offers = selling_product(holder=holder, variants=2)
    reseller = BusinessFactory(status="active", seller_type="ocop_centre")
    ResaleAuthorizationFactory(product=product, reseller=reseller)
    query_type = schema.graphql_schema.query_type
    roots = {
        "products": "(first: 2)",
        "product": f'(slug: "{product.slug}")',
        "certificate": f'(number: "{certificate.number}")',
        "business": f'(id: "{to_global_id("Business", holder.pk)}")',
        "offer": f'(id: "{to_global_id("Offer", offers[0].pk)}")',
        "seller": f'(slug: "{holder.slug}")',
    }
    assert set(roots) == MarketplaceGraphQLView.cacheable_root_fields
    pages = [
        "/",
        "/san-pham/",
        "/san-pham/?stars=4&in_stock=on&sort=price",
        f"/san-pham/{product.slug}/",
        f"/nguoi-ban/{holder.slug}/",
        f"/nguoi-ban/{reseller.slug}/",
        f"/tinh/{holder.province.slug}/",
        f"/bo-san-pham/{product.product_set.number}/",
    ]
    read = set()
    with CaptureQueriesContext(connection) as captured:
        for path in pages:
            assert client.get(path).status_code == 200, path
        for root, args in roots.items():
            field = query_type.fields[root]
            body = _selection(get_named_type(field.type), 3)
            response = client.post(
                "/graphql/",
                json.dumps({"query": f"{{ {root}{args} {{ {body} }} }}"}),
                content_type="application/json",
            )
            assert response.json().get("data", {}).get(root) is not None, response.json()
    for query in captured.captured_queries:
        read.update(TABLE.findall(query["sql"]))
    assert "offers_stock" in read  # the capture saw the real work
    assert read & (ignored_tables() - {"core_catalogueversion"}) == set()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entries_are_shared_through_redis_between_processes(settings):
    """Production keeps the catalogue cache in Redis (REDIS_URL): every worker reads what any
    worker stored. Needs the Redis server at 127.0.0.1:6379 (CI has one)."""
    import socket
    import uuid

    from django.core.cache import caches

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings.CATALOGUE_CACHE_TIMEOUT = 60  # a unique prefix per run; nothing to clean up
    settings.CACHES = {
        **settings.CACHES,
        "catalogue": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        },
    }
    ProductFactory()
    calls = []
    assert catalogue_cached(key="k", build=lambda: calls.append(1) or {"html": "ở đây"}) == {
        "html": "ở đây"
    }
    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    assert len(server.keys(f"{prefix}:*")) == 1
    # Another process has its own Python objects but the same Redis: drop ours.
    caches["catalogue"].close()
    assert catalogue_cached(key="k", build=lambda: calls.append(2) or "rebuilt") == {
        "html": "ở đây"
    }
    assert calls == [1]
