"""The catalogue cache never serves an answer after the data under it changed, end to end.

Each test caches the public answers first (storefront pages through ``Client()`` without
cookies, anonymous GraphQL queries), proves they are served from the cache (a hit runs one SQL
query: the catalogue version), then changes the data through the code path people use (a
service, a seller's GraphQL mutation, the admin, a checkout, a management command, the date)
and asserts the new answer.

The version only changes after a commit, and a transaction with uncommitted catalogue writes
bypasses the cache, so these tests run with ``transaction=True``: the factories, services and
requests commit as they do in production. ``serialized_rollback`` brings back the rows the data
migrations load (provinces, frameworks) after each test's flush.
"""

import datetime
import json
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from graphql_relay import to_global_id

from catalog.content import product_content_update
from catalog.models import Certificate, CertificateStatus, Product, RevocationGround
from core.models import CatalogueVersion
from marketplace.offers.models import Offer, OfferStatus
from marketplace.offers.services import resale_grant, resale_revoke, stock_set
from marketplace.orders.models import Cart, CartLine, PaymentMethod
from marketplace.orders.services import checkout_place_orders, order_cancel
from sellers.models import SellerStatus, SellerType
from sellers.services import business_suspend
from tests.factories import (
    BusinessFactory,
    OfferFactory,
    StockFactory,
    UserFactory,
    admin_product_form,
    honey_on_sale,
    member,
    revoke_certificate,
)
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NBSP = "\u00a0"
NOT_FOR_SALE = "Not for sale as an OCOP product: it has no certificate in force."
NO_CERTIFICATE = "This product has no OCOP certificate in force today."
NO_SELLER = "No seller offers this product online yet."
SELLER_EMPTY = "This seller has no OCOP product on sale today."

PRODUCT = """query ($slug: String) { product(slug: $slug) {
  name description currentCertificate { number }
  offers { price stock seller { name } variant { name } } } }"""
PRODUCTS = "{ products(first: 10) { totalCount edges { node { name } } } }"
SELLER = """query ($slug: String!) { seller(slug: $slug) {
  name offers(first: 10) { totalCount edges { node { price stock } } } } }"""
OFFER_PAUSE = """mutation ($offer: ID!) { offerPause(offer: $offer) {
  offer { status } errors { field code } } }"""
OFFER_UPDATE = """mutation ($offer: ID!, $price: Int) { offerUpdate(offer: $offer, price: $price) {
  offer { price } errors { field code } } }"""

_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + f"{NBSP}₫"


def version_token() -> str:
    return CatalogueVersion.objects.get(name="catalogue").token


def get_page(path: str, *, language: str = "en", client: Client | None = None) -> str:
    """The page as a first-time visitor sees it: a client without cookies, so no session."""
    response = (client or Client()).get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.content.decode()


def query(document: str, variables: dict | None = None, *, language: str = "en") -> dict:
    """An anonymous GraphQL query (no cookie, no token): a candidate for the cache."""
    body = {"query": document, **({"variables": variables} if variables is not None else {})}
    response = Client().post(
        "/graphql/", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    payload = response.json()
    assert response.status_code == 200, payload
    assert "errors" not in payload, payload["errors"]
    return payload["data"]


def _version_lookup_only(captured) -> None:
    for query_ in captured.captured_queries:
        assert '"core_catalogueversion"' in query_["sql"], query_["sql"]


# A certified product's page from the cache: one read of the catalogue version (the entry keeps
# what its "buy in person near you" hole needs when no point stocks the product).
PRODUCT_PAGE_HIT = 1


def cached_page(django_queries, path: str, *, language: str = "en") -> str:
    """Request ``path`` twice; the second answer must come from the cache (only reads of the
    catalogue version: one, and two more for a certified product page's "buy in person near
    you" hole) and be the first one (each visitor gets their own CSRF token, so those are left
    out)."""
    first = get_page(path, language=language)
    entries = PRODUCT_PAGE_HIT if 'id="nearest-points"' in first else 1
    with django_queries(entries) as captured:
        second = get_page(path, language=language)
    _version_lookup_only(captured)
    assert _CSRF_VALUE.sub(r"\1\2", second) == _CSRF_VALUE.sub(r"\1\2", first)
    return second


def cached_query(django_queries, document: str, variables: dict | None = None) -> dict:
    first = query(document, variables)
    with django_queries(1) as captured:
        second = query(document, variables)
    _version_lookup_only(captured)
    assert second == first
    return second


def product_path(product) -> str:
    return f"/san-pham/{product.slug}/"


def seller_path(business) -> str:
    return f"/nguoi-ban/{business.slug}/"


def link_to(product) -> str:
    return f'href="{product_path(product)}"'


@pytest.fixture
def on_sale():
    """A ★4 product whose active holder sells one pack at 125.000 ₫, 12 in stock."""
    product, certificate, offer, stock = honey_on_sale(quantity=12)
    return SimpleNamespace(
        product=product,
        certificate=certificate,
        offer=offer,
        stock=stock,
        holder=product.holder,
        owner=member(product.holder, "owner"),
    )


HOLDER_OFFER = {
    "price": 125_000,
    "stock": 12,
    "seller": {"name": "HTX Mật ong Tiên Yên"},
    "variant": {"name": "Hũ 500 g"},
}


# --- the registry: certificates revoked, lapsing, edited in the admin ---------------------------


def test_a_certificate_revoked_by_the_registry_takes_the_product_off_every_cached_answer(
    django_queries, on_sale
):
    product = on_sale.product
    listings = [
        "/",
        "/san-pham/",
        f"/tinh/{on_sale.holder.province.slug}/",
        f"/danh-muc/{product.product_set.category.slug}/",
        f"/bo-san-pham/{product.product_set.number}/",
    ]
    page = cached_page(django_queries, product_path(product))
    assert vnd(125_000) in page and "12 in stock" in page and NOT_FOR_SALE not in page
    for path in listings:
        assert link_to(product) in cached_page(django_queries, path), path
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"] == {
        "name": "Mật ong Tiên Yên",
        "description": "",
        "currentCertificate": {"number": on_sale.certificate.number},
        "offers": [HOLDER_OFFER],
    }
    assert cached_query(django_queries, PRODUCTS)["products"] == {
        "totalCount": 1,
        "edges": [{"node": {"name": "Mật ong Tiên Yên"}}],
    }

    revoke_certificate(certificate=on_sale.certificate, ground=RevocationGround.MARK_MISUSE)

    page = get_page(product_path(product))
    assert vnd(125_000) not in page
    assert NOT_FOR_SALE in page and NO_CERTIFICATE in page
    for path in listings:
        assert link_to(product) not in get_page(path), path
    assert query(PRODUCT, {"slug": product.slug})["product"] == {
        "name": "Mật ong Tiên Yên",
        "description": "",
        "currentCertificate": None,
        "offers": [],
    }
    assert query(PRODUCTS)["products"] == {"totalCount": 0, "edges": []}


def test_a_certificate_lapses_at_midnight_without_any_write(django_queries, monkeypatch, on_sale):
    product, certificate = on_sale.product, on_sale.certificate
    tz = timezone.get_current_timezone()

    def at_noon(day: datetime.date):
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=tz)
        monkeypatch.setattr(timezone, "now", lambda: noon)

    # The last day of its validity: still in force.
    at_noon(certificate.valid_until)
    assert vnd(125_000) in cached_page(django_queries, product_path(product))
    assert link_to(product) in cached_page(django_queries, "/san-pham/")
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["offers"] == [
        HOLDER_OFFER
    ]
    token = version_token()

    # The next day. Nothing was written: the daily job has not run yet.
    at_noon(certificate.valid_until + datetime.timedelta(days=1))
    page = get_page(product_path(product))
    assert vnd(125_000) not in page
    assert NOT_FOR_SALE in page and NO_CERTIFICATE in page
    assert link_to(product) not in get_page("/san-pham/")
    assert query(PRODUCT, {"slug": product.slug})["product"]["offers"] == []
    assert query(PRODUCTS)["products"]["totalCount"] == 0
    assert version_token() == token
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.ACTIVE

    # The daily job records the expiry: a committed write, so a new version; same answers.
    call_command("certificates_daily", stdout=StringIO())
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.EXPIRED
    assert version_token() != token
    assert NOT_FOR_SALE in get_page(product_path(product))


@pytest.fixture
def official():
    """A registry official signed in to the admin."""
    client = Client()
    client.force_login(UserFactory(username="registry-official", is_staff=True, is_superuser=True))
    return client


def test_a_product_renamed_in_the_admin_change_form_is_renamed_everywhere(
    django_queries, on_sale, official
):
    product = on_sale.product
    assert "<h1>Mật ong Tiên Yên</h1>" in cached_page(django_queries, product_path(product))
    assert "Mật ong Tiên Yên" in cached_page(django_queries, "/san-pham/")
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["name"] == (
        "Mật ong Tiên Yên"
    )

    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = official.post(url, admin_product_form(product, name="Mật ong rừng Tiên Yên"))
    assert response.status_code == 302, response.context["adminform"].form.errors

    page = get_page(product_path(product))
    assert "<h1>Mật ong rừng Tiên Yên</h1>" in page
    assert "<h1>Mật ong Tiên Yên</h1>" not in page
    listing = get_page("/san-pham/")
    assert "Mật ong rừng Tiên Yên" in listing
    assert query(PRODUCT, {"slug": product.slug})["product"]["name"] == "Mật ong rừng Tiên Yên"
    assert query(PRODUCTS)["products"]["edges"] == [{"node": {"name": "Mật ong rừng Tiên Yên"}}]


def test_a_certificate_revoked_with_the_admin_action_hides_the_offers(
    django_queries, on_sale, official
):
    product = on_sale.product
    assert vnd(125_000) in cached_page(django_queries, product_path(product))
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["offers"] == [
        HOLDER_OFFER
    ]

    response = official.post(
        reverse("admin:catalog_certificate_changelist"),
        {
            "action": "revoke",
            "_selected_action": [on_sale.certificate.pk],
            "apply": "1",
            "ground": RevocationGround.MARK_MISUSE,
            "decision_number": "12/QĐ-UBND",
            "decision_date": f"{on_sale.certificate.valid_from:%d/%m/%Y}",
            "note": "Dán tem OCOP lên sản phẩm chưa được công nhận",
        },
    )
    assert response.status_code == 302
    assert Certificate.objects.get(pk=on_sale.certificate.pk).status == CertificateStatus.REVOKED

    page = get_page(product_path(product))
    assert vnd(125_000) not in page and NOT_FOR_SALE in page
    assert query(PRODUCT, {"slug": product.slug})["product"]["offers"] == []


# --- sellers: suspension, their offers, their resellers, their product pages --------------------


def test_a_suspended_seller_disappears_from_the_cached_answers(django_queries, on_sale):
    product, holder = on_sale.product, on_sale.holder
    assert vnd(125_000) in cached_page(django_queries, product_path(product))
    assert link_to(product) in cached_page(django_queries, seller_path(holder))
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["offers"] == [
        HOLDER_OFFER
    ]
    assert cached_query(django_queries, SELLER, {"slug": holder.slug})["seller"]["offers"] == {
        "totalCount": 1,
        "edges": [{"node": {"price": 125_000, "stock": 12}}],
    }

    business_suspend(business=holder, reviewer=UserFactory(is_staff=True))

    page = get_page(product_path(product))
    assert vnd(125_000) not in page and NO_SELLER in page
    seller_page = get_page(seller_path(holder))
    assert link_to(product) not in seller_page and SELLER_EMPTY in seller_page
    assert query(PRODUCT, {"slug": product.slug})["product"]["offers"] == []
    assert query(SELLER, {"slug": holder.slug})["seller"]["offers"] == {
        "totalCount": 0,
        "edges": [],
    }


@pytest.mark.parametrize(
    ("mutation", "variables", "payload", "now_shown", "offers"),
    [
        pytest.param(
            OFFER_PAUSE,
            {},
            {"offerPause": {"offer": {"status": "PAUSED"}, "errors": []}},
            NO_SELLER,
            [],
            id="paused",
        ),
        pytest.param(
            OFFER_UPDATE,
            {"price": 98_000},
            {"offerUpdate": {"offer": {"price": 98_000}, "errors": []}},
            vnd(98_000),
            [{**HOLDER_OFFER, "price": 98_000}],
            id="price-changed",
        ),
    ],
)
def test_the_seller_changing_an_offer_through_the_api_changes_the_cached_answers(
    django_queries, on_sale, mutation, variables, payload, now_shown, offers
):
    product = on_sale.product
    page = cached_page(django_queries, product_path(product))
    assert vnd(125_000) in page and now_shown not in page
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["offers"] == [
        HOLDER_OFFER
    ]

    # The owner in their browser: signed in, so the API asks for the CSRF token.
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(on_sale.owner)
    get_page(product_path(product), client=owner)  # the page sets the CSRF cookie
    body = {"query": mutation, "variables": {"offer": to_global_id("Offer", on_sale.offer.pk)}}
    body["variables"].update(variables)
    response = owner.post(
        "/graphql/", json.dumps(body), content_type="application/json",
        HTTP_X_CSRFTOKEN=owner.cookies["csrftoken"].value, HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {"data": payload}

    page = get_page(product_path(product))
    assert vnd(125_000) not in page and now_shown in page
    assert query(PRODUCT, {"slug": product.slug})["product"]["offers"] == offers


def test_a_withdrawn_resale_authorisation_hides_the_resellers_offer(django_queries, on_sale):
    product = on_sale.product
    centre = BusinessFactory(
        status=SellerStatus.ACTIVE,
        seller_type=SellerType.OCOP_CENTRE,
        name="Trung tâm OCOP Hạ Long",
    )
    authorization = resale_grant(actor=on_sale.owner, product=product, reseller=centre)
    resold = OfferFactory(
        variant=on_sale.offer.variant, seller=centre, price=135_000, status=OfferStatus.PUBLISHED
    )
    StockFactory(offer=resold, quantity=4)
    page = cached_page(django_queries, product_path(product))
    assert vnd(125_000) in page and vnd(135_000) in page and "Trung tâm OCOP Hạ Long" in page
    assert link_to(product) in cached_page(django_queries, seller_path(centre))
    centre_offer = {
        "price": 135_000,
        "stock": 4,
        "seller": {"name": "Trung tâm OCOP Hạ Long"},
        "variant": {"name": "Hũ 500 g"},
    }
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["offers"] == [
        HOLDER_OFFER,
        centre_offer,
    ]

    resale_revoke(actor=on_sale.owner, authorization=authorization)

    page = get_page(product_path(product))
    assert vnd(125_000) in page
    assert vnd(135_000) not in page and "Trung tâm OCOP Hạ Long" not in page
    centre_page = get_page(seller_path(centre))
    assert link_to(product) not in centre_page and SELLER_EMPTY in centre_page
    assert query(PRODUCT, {"slug": product.slug})["product"]["offers"] == [HOLDER_OFFER]


def test_the_holder_editing_the_description_changes_the_cached_page(django_queries, on_sale):
    product = on_sale.product
    text = "Mật ong hoa cà phê, thu hoạch tháng Ba."
    page = cached_page(django_queries, product_path(product))
    assert text not in page and '<h2 id="description">Description</h2>' not in page
    assert (
        cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["description"]
        == ""
    )

    product_content_update(actor=on_sale.owner, product=product, description=text)

    page = get_page(product_path(product))
    assert '<h2 id="description">Description</h2>' in page
    assert f'<div class="prose"><p>{text}</p></div>' in page
    assert query(PRODUCT, {"slug": product.slug})["product"]["description"] == f"<p>{text}</p>"


# --- stock: orders placed and cancelled, stock set by the seller --------------------------------


def test_an_order_placed_and_cancelled_changes_the_stock_shown(django_queries):
    offer, _stock = offer_in_stock(quantity=12, price=125_000, name="Mật ong Tiên Yên")
    product, seller = offer.variant.product, offer.seller
    assert "12 in stock" in cached_page(django_queries, product_path(product))
    assert "12 in stock" in cached_page(django_queries, seller_path(seller))
    assert cached_query(django_queries, SELLER, {"slug": seller.slug})["seller"]["offers"][
        "edges"
    ] == [{"node": {"price": 125_000, "stock": 12}}]

    # A buyer filling a cart writes only to tables no cached read looks at: still cached.
    cart = ready_cart((offer, 3))
    with django_queries(PRODUCT_PAGE_HIT):
        assert "12 in stock" in get_page(product_path(product))

    (order,) = checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)

    assert "9 in stock" in get_page(product_path(product))
    assert "9 in stock" in get_page(seller_path(seller))
    assert query(SELLER, {"slug": seller.slug})["seller"]["offers"]["edges"] == [
        {"node": {"price": 125_000, "stock": 9}}
    ]
    assert "9 in stock" in cached_page(django_queries, product_path(product))

    order_cancel(order=order, actor=UserFactory(is_staff=True), reason="Khách đổi ý")

    page = get_page(product_path(product))
    assert "12 in stock" in page and "9 in stock" not in page
    assert query(SELLER, {"slug": seller.slug})["seller"]["offers"]["edges"] == [
        {"node": {"price": 125_000, "stock": 12}}
    ]


def test_each_language_is_cached_apart_and_both_follow_a_change(django_queries, on_sale):
    path = product_path(on_sale.product)
    vietnamese = cached_page(django_queries, path, language="vi")
    assert "Nơi mua" in vietnamese and "còn 12" in vietnamese
    assert "Where to buy" not in vietnamese

    english = cached_page(django_queries, path, language="en")
    assert "Where to buy" in english and "12 in stock" in english
    assert "Nơi mua" not in english
    with django_queries(PRODUCT_PAGE_HIT):
        assert "còn 12" in get_page(path, language="vi")

    stock_set(actor=on_sale.owner, offer=on_sale.offer, location=on_sale.stock.location, quantity=7)

    vietnamese = get_page(path, language="vi")
    assert "còn 7" in vietnamese and "còn 12" not in vietnamese
    english = get_page(path, language="en")
    assert "7 in stock" in english and "12 in stock" not in english


# --- which writes count, and when -----------------------------------------------------------------


class Refused(Exception):
    pass


def test_rolled_back_and_ignored_writes_keep_the_cache_and_a_committed_one_replaces_it(
    django_queries, on_sale
):
    offer, path = on_sale.offer, product_path(on_sale.product)
    assert vnd(125_000) in cached_page(django_queries, path)
    token = version_token()

    # A watched write rolled back: the version stays, the cached page is still served.
    with pytest.raises(Refused), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(price=99_000)
        raise Refused
    assert version_token() == token
    with django_queries(PRODUCT_PAGE_HIT):
        assert vnd(125_000) in get_page(path)

    # A visitor adds to cart: a session, a cart and its line are committed, all ignored.
    buyer = Client()
    response = buyer.post(
        reverse("orders:cart_add"), {"offer": offer.pk, "quantity": 2}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert CartLine.objects.get(cart=Cart.objects.get()).quantity == 2
    assert Session.objects.count() == 1
    assert version_token() == token
    with django_queries(PRODUCT_PAGE_HIT):
        assert vnd(125_000) in get_page(path)

    # A committed watched write: a new version, and the page is built again.
    Offer.objects.filter(pk=offer.pk).update(price=99_000)
    assert version_token() != token
    page = get_page(path)
    assert vnd(99_000) in page and vnd(125_000) not in page


def test_a_transaction_reads_its_own_uncommitted_writes_and_never_caches_them(
    django_queries, on_sale
):
    product, path = on_sale.product, product_path(on_sale.product)
    assert "<h1>Mật ong Tiên Yên</h1>" in cached_page(django_queries, path)
    assert cached_query(django_queries, PRODUCT, {"slug": product.slug})["product"]["name"] == (
        "Mật ong Tiên Yên"
    )

    with pytest.raises(Refused), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(name="Mật ong hoa cà phê")
        # The test client runs the view on this connection, inside this transaction.
        assert "<h1>Mật ong hoa cà phê</h1>" in get_page(path)
        assert query(PRODUCT, {"slug": product.slug})["product"]["name"] == "Mật ong hoa cà phê"
        raise Refused

    # Rolled back: what the transaction saw was not stored; the old entries are served again.
    with django_queries(PRODUCT_PAGE_HIT):
        assert "<h1>Mật ong Tiên Yên</h1>" in get_page(path)
    with django_queries(1):
        assert query(PRODUCT, {"slug": product.slug})["product"]["name"] == "Mật ong Tiên Yên"

    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(name="Mật ong hoa cà phê")
        assert "<h1>Mật ong hoa cà phê</h1>" in get_page(path)
    assert "<h1>Mật ong hoa cà phê</h1>" in cached_page(django_queries, path)
    assert query(PRODUCT, {"slug": product.slug})["product"]["name"] == "Mật ong hoa cà phê"
