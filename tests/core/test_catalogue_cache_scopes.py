"""Fine-grained invalidation: a sale or an offer edit replaces the cached answers that show the
product or its sellers, and leaves every other cached answer in place; a write the cache cannot
place (an unannounced ``UPDATE``, a catalogue edit) still replaces everything.

Like ``test_catalogue_cache_invalidation.py`` these tests commit (``transaction=True``); the last
one runs writers and readers in threads at once on PostgreSQL."""

import json
import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from catalog.models import RevocationGround
from core import catalogue_cache
from core.models import CatalogueVersion
from marketplace.offers.models import Offer, StockLocation
from marketplace.offers.services import offer_update, stock_set
from marketplace.orders.models import PaymentMethod
from marketplace.orders.services import checkout_place_orders
from tests.factories import member, revoke_certificate
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NBSP = "\u00a0"
PRODUCT = """query ($slug: String) { product(slug: $slug) {
  currentCertificate { status } offers { price stock } } }"""
PRODUCTS = "{ products(first: 10) { edges { node { slug offers { price stock } } } } }"


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + f"{NBSP}₫"


def token() -> str:
    return CatalogueVersion.objects.get(name="catalogue").token


def page(path: str) -> str:
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, path
    return response.content.decode()


def query(document: str, variables: dict | None = None) -> dict:
    body = {"query": document, **({"variables": variables} if variables else {})}
    response = Client().post(
        "/graphql/", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    payload = response.json()
    assert response.status_code == 200 and "errors" not in payload, payload
    return payload["data"]


@pytest.fixture
def lookups(monkeypatch):
    """Each lookup's outcome: (hit, the scopes of the entry served)."""
    seen = []
    original = catalogue_cache._lookup

    def spy(key):
        entry = original(key)
        seen.append((entry.hit, frozenset(entry.scopes)))
        return entry

    monkeypatch.setattr(catalogue_cache, "_lookup", spy)
    return seen


def hit(lookups, fetch) -> bool:
    before = len(lookups)
    fetch()
    return all(was_hit for was_hit, _ in lookups[before:])


@pytest.fixture
def two_products():
    first, _ = offer_in_stock(quantity=12, price=125_000, name="Mật ong Tiên Yên")
    second, _ = offer_in_stock(quantity=5, price=80_000, name="Trà hoa vàng")
    return first, second


def test_a_price_change_replaces_what_shows_the_product_and_keeps_the_rest(two_products, lookups):
    first, second = two_products
    owner = member(first.seller)
    paths = {
        "first": f"/san-pham/{first.variant.product.slug}/",
        "second": f"/san-pham/{second.variant.product.slug}/",
        "first seller": f"/nguoi-ban/{first.seller.slug}/",
        "second seller": f"/nguoi-ban/{second.seller.slug}/",
        "listing": "/san-pham/",
    }
    for path in paths.values():
        page(path)
    query(PRODUCTS)
    scopes = {}
    for name, path in paths.items():
        before = len(lookups)
        assert hit(lookups, lambda path=path: page(path)), name
        # The page's own entry is looked up first (a product page's near-you hole adds two).
        scopes[name] = lookups[before][1]
    # Product pages, seller pages and the listing depend on their own products and sellers only.
    product_id = first.variant.product_id
    assert scopes["first"] == {f"p:{product_id}"}
    assert scopes["first seller"] == {f"s:{first.seller_id}"}
    assert "offers" not in scopes["listing"] and f"p:{product_id}" in scopes["listing"]
    before = token()

    offer_update(actor=owner, offer=first, price=131_000)

    assert token() == before  # the whole catalogue was not replaced
    assert hit(lookups, lambda: page(paths["second"]))
    assert hit(lookups, lambda: page(paths["second seller"]))
    for name in ("first", "first seller", "listing"):
        assert not hit(lookups, lambda name=name: page(paths[name])), name
        assert vnd(131_000) in page(paths[name]), name
    edges = query(PRODUCTS)["products"]["edges"]
    assert {edge["node"]["slug"]: edge["node"]["offers"][0]["price"] for edge in edges} == {
        first.variant.product.slug: 131_000,
        second.variant.product.slug: 80_000,
    }


def test_a_checkout_replaces_the_stock_shown_for_its_product_only(two_products, lookups):
    first, second = two_products
    first_path = f"/san-pham/{first.variant.product.slug}/"
    second_path = f"/san-pham/{second.variant.product.slug}/"
    assert "12 in stock" in page(first_path)
    page(second_path)
    before = token()

    checkout_place_orders(
        cart=ready_cart((first, 3)), payment_method=PaymentMethod.COD, confirmed=True
    )

    assert token() == before
    assert hit(lookups, lambda: page(second_path))
    assert not hit(lookups, lambda: page(first_path))
    assert "9 in stock" in page(first_path)
    assert query(PRODUCT, {"slug": first.variant.product.slug})["product"]["offers"] == [
        {"price": 125_000, "stock": 9}
    ]


def test_an_unannounced_write_replaces_everything(two_products, lookups):
    first, second = two_products
    second_path = f"/san-pham/{second.variant.product.slug}/"
    page(second_path)
    before = token()
    Offer.objects.filter(pk=first.pk).update(price=99_000)  # no service, no announcement
    assert token() != before
    assert not hit(lookups, lambda: page(second_path))


def test_lists_that_sort_or_filter_on_offers_follow_any_offer(two_products, lookups):
    first, second = two_products
    path = "/san-pham/?sort=price_asc"
    assert page(path).index(second.variant.product.name) < page(path).index(
        first.variant.product.name
    )
    assert "offers" in lookups[-1][1]
    offer_update(actor=member(first.seller), offer=first, price=50_000)
    html = page(path)
    assert html.index(first.variant.product.name) < html.index(second.variant.product.name)


# --- no reader sees an old price, stock flag or certificate after the writer's commit ----------

PRICE = re.compile(r'"price": ?"?(\d+)')


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers and readers need PostgreSQL"
)
def test_readers_running_beside_a_writer_never_see_a_change_undone(lookups):
    offer, stock = offer_in_stock(quantity=40, price=100_000, name="Mật ong rừng")
    product = offer.variant.product
    other, _ = offer_in_stock(quantity=7, price=70_000, name="Chè Shan tuyết")
    owner = member(offer.seller)
    location = StockLocation.objects.get(pk=stock.location_id)
    path = f"/san-pham/{product.slug}/"
    other_path = f"/san-pham/{other.variant.product.slug}/"
    rounds = 12
    # What the writer has committed so far: readers compare what they see with the state
    # committed *before* their request started.
    committed = {"round": 0, "revoked": False}
    lock = threading.Lock()
    done = threading.Event()
    failures: list[str] = []
    reads = []

    def check(seen_round: int, started: dict, what: str) -> None:
        if seen_round < started["round"]:
            failures.append(f"{what}: round {seen_round} after round {started['round']}")

    def reader(kind: str) -> None:
        try:
            while not done.is_set():
                with lock:
                    started = dict(committed)
                if kind == "page":
                    html = page(path)
                    revoked = "This product has no OCOP certificate in force today." in html
                    if started["revoked"] and not revoked:
                        failures.append("page: certificate still in force after revocation")
                    if revoked:  # newer than every round
                        continue
                    prices = [int(p) for p in PRICE.findall(html)]
                    seen = [(price - 100_000) // 1_000 for price in prices]
                    check(min(seen), started, "page price")
                    stocked = re.search(r"(\d+) in stock", html)
                    check(40 - int(stocked.group(1)), started, "page stock")
                    page(other_path)
                else:
                    data = query(PRODUCT, {"slug": product.slug})["product"]
                    # The fields resolve one after another: a revocation may land between the
                    # certificate and the offers, so either one missing means "revoked".
                    revoked = data["currentCertificate"] is None or not data["offers"]
                    if started["revoked"] and not revoked:
                        failures.append("graphql: certificate or offers after revocation")
                    if revoked:
                        continue
                    (seen_offer,) = data["offers"]
                    check((seen_offer["price"] - 100_000) // 1_000, started, "graphql price")
                    check(40 - seen_offer["stock"], started, "graphql stock")
                    listed = {
                        edge["node"]["slug"]: edge["node"]["offers"]
                        for edge in query(PRODUCTS)["products"]["edges"]
                    }
                    # A revocation committed between the two queries takes the product
                    # off the list altogether (only certified products are listed).
                    if not listed.get(product.slug):
                        continue
                    (listed_offer,) = listed[product.slug]
                    check((listed_offer["price"] - 100_000) // 1_000, started, "list price")
                reads.append(kind)
        except Exception as error:
            failures.append(f"{kind} reader failed: {error!r}")
        finally:
            connections.close_all()

    readers = [threading.Thread(target=reader, args=(kind,)) for kind in ("page", "graphql")]
    for thread in readers:
        thread.start()
    try:
        for n in range(1, rounds + 1):
            offer_update(actor=owner, offer=offer, price=100_000 + 1_000 * n)
            stock_set(actor=owner, offer=offer, location=location, quantity=40 - n)
            with lock:
                committed["round"] = n
            # Between writes, let the readers fill the cache from this round.
            for _ in range(3):
                page(other_path)
        revoke_certificate(
            certificate=product.certificates.get(), ground=RevocationGround.LAW_VIOLATION
        )
        with lock:
            committed["revoked"] = True
        for _ in range(5):
            page(other_path)
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=60)
    assert failures == []
    assert reads.count("page") > rounds and reads.count("graphql") > rounds
    assert sum(1 for was_hit, _ in lookups if was_hit) > rounds  # the cache was really used
