"""Anonymous catalogue queries are answered from the catalogue cache; nothing else is.

These tests commit their data (``transaction=True``): inside a test transaction with
uncommitted writes the cache is bypassed on purpose (core.catalogue_cache)."""

import json

import pytest
from django.test import Client

from core.graphql import views as graphql_views
from marketplace.offers.services import offer_pause
from sellers.models import SellerStatus
from sellers.services import api_token_create
from tests.factories import BusinessFactory, member, selling_product

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PRODUCTS = "{ products(first: 10) { totalCount edges { node { name offers { price seller { name } } } } } }"


def _post(client, query, variables=None, **extra):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql/", json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def on_sale():
    holder = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Mật ong Tiên Yên")
    product, _certificate, offers = selling_product(holder=holder, name="Mật ong rừng")
    return product, holder, offers[0]


@pytest.fixture
def stores(monkeypatch):
    """Every answer the view stores in the cache."""
    stored = []
    original = graphql_views.catalogue_cache_store

    def spy(*, entry, value):
        stored.append(value)
        original(entry=entry, value=value)

    monkeypatch.setattr(graphql_views, "catalogue_cache_store", spy)
    return stored


def test_an_anonymous_query_is_answered_from_the_cache_with_one_query(on_sale, django_queries):
    client = Client()
    first = _post(client, PRODUCTS)
    assert first.status_code == 200
    assert first.json()["data"]["products"]["edges"][0]["node"] == {
        "name": "Mật ong rừng",
        "offers": [{"price": 100_000, "seller": {"name": "HTX Mật ong Tiên Yên"}}],
    }
    with django_queries(1) as captured:  # the catalogue version, nothing else
        second = _post(Client(), PRODUCTS)
    assert '"core_catalogueversion"' in captured.captured_queries[0]["sql"]
    assert second.status_code == 200
    assert second["Content-Type"] == "application/json"
    assert second.content == first.content


def test_a_change_is_answered_at_once(on_sale):
    _product, holder, offer = on_sale
    client = Client()
    assert (
        len(_post(client, PRODUCTS).json()["data"]["products"]["edges"][0]["node"]["offers"]) == 1
    )
    offer_pause(actor=member(holder, "owner"), offer=offer)
    assert _post(client, PRODUCTS).json()["data"]["products"]["edges"][0]["node"]["offers"] == []


def test_variables_and_operation_names_are_part_of_the_key(on_sale, stores):
    query = "query One($slug: String!) { product(slug: $slug) { name } } query Two { products(first: 1) { totalCount } }"
    client = Client()
    found = _post(client, query, {"slug": on_sale[0].slug}).json()
    assert found["errors"][0]["message"]  # two operations and no name: refused, not stored
    named = json.dumps(
        {"query": query, "variables": {"slug": on_sale[0].slug}, "operationName": "One"}
    )
    assert client.post("/graphql/", named, content_type="application/json").json() == {
        "data": {"product": {"name": "Mật ong rừng"}}
    }
    missing = json.dumps(
        {"query": query, "variables": {"slug": "khong-co"}, "operationName": "One"}
    )
    assert client.post("/graphql/", missing, content_type="application/json").json() == {
        "data": {"product": None}
    }
    two = json.dumps({"query": query, "operationName": "Two"})
    assert client.post("/graphql/", two, content_type="application/json").json() == {
        "data": {"products": {"totalCount": 1}}
    }
    assert len(stores) == 3


def test_signed_in_users_and_api_tokens_are_never_answered_from_the_cache(on_sale, stores):
    _product, holder, _offer = on_sale
    owner = member(holder, "owner")
    browser = Client()
    browser.force_login(owner)
    _post(browser, PRODUCTS)
    _post(browser, PRODUCTS)
    _token, raw = api_token_create(business=holder, user=owner, name="Cổng tỉnh")
    _post(Client(), PRODUCTS, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert stores == []
    _post(Client(), PRODUCTS)  # anonymous: stored
    assert len(stores) == 1


@pytest.mark.parametrize(
    "query",
    [
        # A root field outside the public catalogue, beside a cacheable one.
        "{ me { email } products(first: 1) { totalCount } }",
        # Fragments at the root are not looked into: not cached.
        "{ ...Root } fragment Root on Query { products(first: 1) { totalCount } }",
        # An error in the answer (either id or slug must be given).
        '{ product(id: "UHJvZHVjdFR5cGU6MQ==", slug: "mat-ong") { name } }',
        # Refused by validation.
        "{ products(first: 1) { nope } }",
    ],
)
def test_what_is_not_stored(on_sale, stores, query):
    _post(Client(), query)
    assert stores == []


def test_mutations_are_never_stored(on_sale, stores):
    from graphql_relay import to_global_id

    offer_id = to_global_id("Offer", on_sale[2].pk)
    mutation = f'mutation {{ offerPause(offer: "{offer_id}") {{ errors {{ code }} }} }}'
    response = _post(Client(), mutation)
    assert response.json() == {"data": {"offerPause": {"errors": [{"code": "PERMISSION_DENIED"}]}}}
    assert stores == []


def test_each_language_is_stored_apart(on_sale, stores):
    # Answers carry no translated text today, but a field that does must never serve one
    # language's words to the other.
    _post(Client(), PRODUCTS, HTTP_ACCEPT_LANGUAGE="vi")
    _post(Client(), PRODUCTS, HTTP_ACCEPT_LANGUAGE="en")
    assert len(stores) == 2
    _post(Client(), PRODUCTS, HTTP_ACCEPT_LANGUAGE="vi")
    _post(Client(), PRODUCTS, HTTP_ACCEPT_LANGUAGE="en")
    assert len(stores) == 2


def test_a_refused_document_runs_no_sql_even_when_it_could_be_cached(
    on_sale, django_queries, settings
):
    settings.GRAPHQL_MAX_ALIASES = 2
    query = "{ a: products(first: 1) { totalCount } b: products(first: 1) { totalCount } c: products(first: 1) { totalCount } }"
    with django_queries(0):
        response = _post(Client(), query)
    assert response.json()["errors"][0]["extensions"]["code"]


def test_a_document_remembered_as_valid_is_checked_again_when_the_limits_change(on_sale, settings):
    # The view remembers which documents passed validation and skips graphene's second pass
    # for them; the limits are part of what it remembers.
    query = "{ a: products(first: 1) { totalCount } b: products(first: 1) { totalCount } }"
    settings.GRAPHQL_MAX_ALIASES = 5
    assert _post(Client(), query).json() == {
        "data": {"a": {"totalCount": 1}, "b": {"totalCount": 1}}
    }
    settings.GRAPHQL_MAX_ALIASES = 1
    refused = _post(Client(), query)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"].startswith("The query uses 2 aliases")
