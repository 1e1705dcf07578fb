"""Offers through the API: selling, visibility rules, filters, seller-scoped reads, SQL counts."""

import datetime

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from marketplace.offers.models import Offer, OfferStatus, Stock
from sellers.models import SellerStatus, SellerType
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    OfferFactory,
    ProductVariantFactory,
    StockFactory,
    StockLocationFactory,
    certified_product,
    member,
    revoke_certificate,
    selling_product,
)

pytestmark = pytest.mark.django_db

PRODUCT_OFFERS = """query ($slug: String) { product(slug: $slug) {
  offers { price compareAtPrice stock seller { name slug sellerType } variant { name } }
} }"""


def gid(type_name, obj):
    return to_global_id(type_name, obj.pk)


def mutate(gql, mutation, variables, payload):
    data = gql(mutation, variables)
    return data[payload]


OFFER_CREATE = """mutation ($business: ID!, $variant: ID!, $price: Int!, $compareAt: Int) {
  offerCreate(business: $business, variant: $variant, price: $price,
              compareAtPrice: $compareAt) {
    offer { id price compareAtPrice status }
    errors { field message code }
  } }"""
OFFER_PUBLISH = """mutation ($offer: ID!) { offerPublish(offer: $offer) {
  offer { id status } errors { field message code } } }"""
STOCK_UPDATE = """mutation ($offer: ID!, $location: ID!, $quantity: Int!) {
  stockUpdate(offer: $offer, location: $location, quantity: $quantity) {
    stock { quantity location { name } } offer { stock } errors { field code } } }"""
RESALE_GRANT = """mutation ($product: ID!, $reseller: ID!) {
  resaleGrant(product: $product, reseller: $reseller) {
    authorization { id isActive reseller { name } } errors { field code } } }"""
RESALE_REVOKE = """mutation ($authorization: ID!) { resaleRevoke(authorization: $authorization) {
  authorization { isActive revokedAt } errors { field code } } }"""


# --- selling ------------------------------------------------------------------------------------


def test_create_publish_stock_then_visible_in_products_offers(gql, client):
    holder = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Mật ong Tiên Yên")
    product, _evaluation, _certificate = certified_product(holder=holder)
    variant = ProductVariantFactory(product=product, name="Hũ 500 g")
    location = StockLocationFactory(business=holder, name="Kho Tiên Yên")
    client.force_login(member(holder, "owner"))

    created = mutate(
        gql,
        OFFER_CREATE,
        {
            "business": gid("Business", holder),
            "variant": gid("ProductVariant", variant),
            "price": 185_000,
            "compareAt": 210_000,
        },
        "offerCreate",
    )
    assert created["errors"] == []
    assert created["offer"]["status"] == "DRAFT"
    offer_id = created["offer"]["id"]
    # A draft is not for sale.
    assert gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"] == []

    published = mutate(gql, OFFER_PUBLISH, {"offer": offer_id}, "offerPublish")
    assert published == {"offer": {"id": offer_id, "status": "PUBLISHED"}, "errors": []}
    stocked = mutate(
        gql,
        STOCK_UPDATE,
        {"offer": offer_id, "location": gid("StockLocation", location), "quantity": 40},
        "stockUpdate",
    )
    assert stocked == {
        "stock": {"quantity": 40, "location": {"name": "Kho Tiên Yên"}},
        "offer": {"stock": 40},
        "errors": [],
    }

    client.logout()
    data = gql(
        "{ products(first: 10) { edges { node { name offers { price compareAtPrice stock"
        " seller { name slug sellerType } variant { name } } } } } }"
    )
    assert data["products"]["edges"][0]["node"]["offers"] == [
        {
            "price": 185_000,
            "compareAtPrice": 210_000,
            "stock": 40,
            "seller": {
                "name": "HTX Mật ong Tiên Yên",
                "slug": holder.slug,
                "sellerType": "PRODUCER",
            },
            "variant": {"name": "Hũ 500 g"},
        }
    ]


def test_offers_are_listed_cheapest_first_across_packs(gql):
    product, _certificate, offers = selling_product(variants=3)
    Offer.objects.filter(pk=offers[0].pk).update(price=500_000)
    prices = [o["price"] for o in gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"]]
    assert prices == [110_000, 120_000, 500_000]


def test_expired_certificate_hides_the_offer_at_once(gql, client):
    product, certificate, (offer,) = selling_product()
    assert len(gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"]) == 1

    # The daily expiry job has not run yet: validity alone decides.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(certificate).objects.filter(pk=certificate.pk).update(valid_until=yesterday)

    assert gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"] == []
    assert gql("{ products(first: 5) { totalCount } }")["products"]["totalCount"] == 0
    assert gql("query ($id: ID!) { offer(id: $id) { price } }", {"id": gid("Offer", offer)}) == {
        "offer": None
    }
    # The seller still sees it among their own offers, and why buyers do not.
    client.force_login(member(offer.seller, "staff"))
    mine = gql(
        "query ($b: ID!) { myOffers(business: $b) { totalCount edges { node { status "
        "hiddenReasons } } } }",
        {"b": gid("Business", offer.seller)},
    )
    expired_on = yesterday.strftime("%d/%m/%Y")
    assert mine["myOffers"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "status": "PUBLISHED",
                    "hiddenReasons": [f"The product's OCOP certificate expired on {expired_on}."],
                }
            }
        ],
    }


HIDDEN_REASONS = "query ($id: ID!) { offer(id: $id) { status hiddenReasons } }"


def test_hidden_reasons_are_for_the_sellers_own_people_only(gql, client):
    _product, certificate, (offer,) = selling_product()
    # Visible: nobody has a reason, the seller included.
    assert gql(HIDDEN_REASONS, {"id": gid("Offer", offer)})["offer"] == {
        "status": "PUBLISHED",
        "hiddenReasons": [],
    }
    client.force_login(member(offer.seller, "owner"))
    assert gql(HIDDEN_REASONS, {"id": gid("Offer", offer)})["offer"]["hiddenReasons"] == []

    revoke_certificate(certificate=certificate, ground="law_violation")
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.PAUSED)
    assert gql(HIDDEN_REASONS, {"id": gid("Offer", offer)})["offer"] == {
        "status": "PAUSED",
        "hiddenReasons": [
            "The offer is not published (Paused).",
            "The product's OCOP certificate was revoked: Violation of quality, food-safety, "
            "environment, IP or labelling law.",
        ],
    }
    # Another seller's people: the offer is not theirs and not public.
    client.force_login(member(BusinessFactory(status=SellerStatus.ACTIVE), "owner"))
    assert gql(HIDDEN_REASONS, {"id": gid("Offer", offer)}) == {"offer": None}


def test_revoked_certificate_hides_the_offer_at_once(gql):
    product, certificate, _offers = selling_product()
    revoke_certificate(certificate=certificate, ground="law_violation")

    assert gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"] == []


def test_suspended_seller_offers_disappear(gql):
    product, _certificate, (offer,) = selling_product()
    type(offer.seller).objects.filter(pk=offer.seller_id).update(status=SellerStatus.SUSPENDED)

    assert gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"] == []


def test_reseller_needs_a_grant_and_loses_its_offer_when_revoked(gql, client):
    product, _certificate, _offers = selling_product(name="Trà hoa vàng Ba Chẽ")
    variant = product.variants.get()
    centre = BusinessFactory(
        status=SellerStatus.ACTIVE,
        seller_type=SellerType.OCOP_CENTRE,
        name="Trung tâm OCOP Hạ Long",
    )
    reseller = member(centre, "manager")
    holder_owner = member(product.holder, "owner")
    offer_vars = {
        "business": gid("Business", centre),
        "variant": gid("ProductVariant", variant),
        "price": 99_000,
    }

    client.force_login(reseller)
    refused = mutate(gql, OFFER_CREATE, offer_vars, "offerCreate")
    assert refused["offer"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("variant", "PERMISSION_DENIED")
    ]
    assert not Offer.objects.filter(seller=centre).exists()

    client.force_login(holder_owner)
    granted = mutate(
        gql,
        RESALE_GRANT,
        {"product": gid("Product", product), "reseller": gid("Business", centre)},
        "resaleGrant",
    )
    assert granted["errors"] == []
    assert granted["authorization"]["isActive"] is True

    client.force_login(reseller)
    created = mutate(gql, OFFER_CREATE, offer_vars, "offerCreate")
    assert created["errors"] == []
    assert (
        mutate(gql, OFFER_PUBLISH, {"offer": created["offer"]["id"]}, "offerPublish")["errors"]
        == []
    )
    sellers = [
        o["seller"]["sellerType"]
        for o in gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"]
    ]
    assert sellers == ["OCOP_CENTRE", "PRODUCER"]

    client.force_login(holder_owner)
    revoked = mutate(
        gql, RESALE_REVOKE, {"authorization": granted["authorization"]["id"]}, "resaleRevoke"
    )
    assert revoked["errors"] == []
    assert revoked["authorization"]["isActive"] is False
    sellers = [
        o["seller"]["name"]
        for o in gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"]
    ]
    assert sellers == [product.holder.name]


def test_publishing_needs_a_certificate_in_force(gql, client):
    product, certificate, (offer,) = selling_product(published=False)
    revoke_certificate(certificate=certificate, ground="law_violation")
    client.force_login(member(product.holder, "manager"))

    result = mutate(gql, OFFER_PUBLISH, {"offer": gid("Offer", offer)}, "offerPublish")

    assert result["offer"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("offer", "NOT_CERTIFIED")]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


# --- price bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "compare_at", "field", "code"),
    [
        (999, None, "price", "OUT_OF_RANGE"),
        (1_000_000_001, None, "price", "OUT_OF_RANGE"),
        (50_000, 2_000_000_000, "compareAtPrice", "OUT_OF_RANGE"),
        (50_000, 50_000, "compareAtPrice", "INVALID"),
    ],
)
def test_offer_prices_out_of_bounds_are_refused(gql, client, price, compare_at, field, code):
    holder = BusinessFactory(status=SellerStatus.ACTIVE)
    product, _evaluation, _certificate = certified_product(holder=holder)
    variant = ProductVariantFactory(product=product)
    client.force_login(member(holder, "owner"))

    result = mutate(
        gql,
        OFFER_CREATE,
        {
            "business": gid("Business", holder),
            "variant": gid("ProductVariant", variant),
            "price": price,
            "compareAt": compare_at,
        },
        "offerCreate",
    )

    assert result["offer"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert not Offer.objects.exists()


def test_bounds_are_inclusive(gql, client):
    holder = BusinessFactory(status=SellerStatus.ACTIVE)
    product, _evaluation, _certificate = certified_product(holder=holder)
    cheap, dear = ProductVariantFactory(product=product), ProductVariantFactory(product=product)
    client.force_login(member(holder, "owner"))
    for variant, price in ((cheap, 1_000), (dear, 1_000_000_000)):
        result = mutate(
            gql,
            OFFER_CREATE,
            {
                "business": gid("Business", holder),
                "variant": gid("ProductVariant", variant),
                "price": price,
            },
            "offerCreate",
        )
        assert result["errors"] == []
        assert result["offer"]["price"] == price


def test_offer_update_changes_and_clears_prices(gql, client):
    product, _certificate, (offer,) = selling_product()
    client.force_login(member(product.holder, "manager"))
    update = """mutation ($offer: ID!, $price: Int, $compareAt: Int, $clear: Boolean) {
      offerUpdate(offer: $offer, price: $price, compareAtPrice: $compareAt,
                  clearCompareAtPrice: $clear) {
        offer { price compareAtPrice } errors { field code } } }"""
    offer_id = gid("Offer", offer)

    assert gql(update, {"offer": offer_id, "price": 90_000, "compareAt": 120_000})[
        "offerUpdate"
    ] == {"offer": {"price": 90_000, "compareAtPrice": 120_000}, "errors": []}
    assert gql(update, {"offer": offer_id, "price": 130_000})["offerUpdate"] == {
        "offer": None,
        "errors": [{"field": "compareAtPrice", "code": "INVALID"}],
    }
    assert gql(update, {"offer": offer_id, "price": 130_000, "clear": True})["offerUpdate"] == {
        "offer": {"price": 130_000, "compareAtPrice": None},
        "errors": [],
    }


# --- filters on products ------------------------------------------------------------------------


@pytest.fixture
def market():
    """Honey at 110.000 ₫ from its producer (in stock); tea at 300.000 ₫ from an OCOP centre
    (none in stock); rice with only a draft offer."""
    decision = DecisionFactory()
    _honey, _c, (honey_offer,) = selling_product(name="Mật ong", decision=decision)
    StockFactory(offer=honey_offer, quantity=5)
    tea, _c, (tea_own,) = selling_product(name="Trà hoa vàng", decision=decision)
    Offer.objects.filter(pk=tea_own.pk).update(status=OfferStatus.PAUSED)
    centre = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    from marketplace.offers.models import ResaleAuthorization

    ResaleAuthorization.objects.create(product=tea, reseller=centre)
    tea_offer = OfferFactory(
        variant=tea_own.variant, seller=centre, price=300_000, status=OfferStatus.PUBLISHED
    )
    StockFactory(offer=tea_offer, quantity=0)
    selling_product(name="Gạo nếp", decision=decision, published=False)


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        ("", ["Gạo nếp", "Mật ong", "Trà hoa vàng"]),
        ("priceMin: 100000", ["Mật ong", "Trà hoa vàng"]),
        ("priceMax: 200000", ["Mật ong"]),
        ("priceMin: 200000, priceMax: 300000", ["Trà hoa vàng"]),
        ("priceMin: 300001", []),
        ("sellerType: OCOP_CENTRE", ["Trà hoa vàng"]),
        ("sellerType: PRODUCER", ["Mật ong"]),
        ("inStock: true", ["Mật ong"]),
        ("inStock: false", ["Gạo nếp", "Mật ong", "Trà hoa vàng"]),
        ("sellerType: OCOP_CENTRE, inStock: true", []),
    ],
)
def test_products_filter_by_their_visible_offers(gql, market, arguments, names):
    args = f"first: 10, {arguments}" if arguments else "first: 10"
    data = gql("{ products(" + args + ") { totalCount edges { node { name } } } }")
    assert [e["node"]["name"] for e in data["products"]["edges"]] == names
    assert data["products"]["totalCount"] == len(names)


@pytest.mark.parametrize(
    "arguments", ["priceMin: -1", "priceMax: -5", "priceMin: 300000, priceMax: 100000"]
)
def test_impossible_price_filters_are_refused(gql, arguments):
    errors = gql.errors("{ products(first: 10, " + arguments + ") { totalCount } }")
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


# --- single offer, seller page, seller-scoped reads ---------------------------------------------


def test_offer_by_id_is_public_only_while_visible(gql, client):
    product, _certificate, (offer,) = selling_product()
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.PAUSED)
    query = "query ($id: ID!) { offer(id: $id) { price status product { name } } }"

    assert gql(query, {"id": gid("Offer", offer)}) == {"offer": None}
    client.force_login(member(product.holder, "staff"))
    assert gql(query, {"id": gid("Offer", offer)}) == {
        "offer": {"price": offer.price, "status": "PAUSED", "product": {"name": product.name}}
    }


def test_offer_id_of_another_type_is_refused(gql):
    product, _certificate, _offers = selling_product()
    errors = gql.errors(
        "query ($id: ID!) { offer(id: $id) { price } }", {"id": gid("Product", product)}
    )
    assert errors[0]["extensions"]["code"] == "INVALID"
    assert errors[0]["message"] == "Expected an ID of a Offer, got an ID of a Product."


def test_stock_per_location_is_only_shown_to_the_seller(gql, client):
    _product, _certificate, (offer,) = selling_product()
    StockFactory(
        offer=offer, quantity=7, location=StockLocationFactory(business=offer.seller, name="Kho A")
    )
    query = "query ($id: ID!) { offer(id: $id) { stock stocks { quantity location { name } } } }"

    assert gql(query, {"id": gid("Offer", offer)}) == {"offer": {"stock": 7, "stocks": []}}
    client.force_login(member(offer.seller, "staff"))
    assert gql(query, {"id": gid("Offer", offer)}) == {
        "offer": {"stock": 7, "stocks": [{"quantity": 7, "location": {"name": "Kho A"}}]}
    }


def test_seller_page_lists_visible_offers(gql):
    holder = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Trà Ba Chẽ")
    selling_product(holder=holder, variants=2)
    selling_product(holder=holder, published=False)
    query = """query ($slug: String!) { seller(slug: $slug) { name sellerType status
      offers(first: 10) { totalCount edges { node { price variant { name } } } } } }"""

    data = gql(query, {"slug": holder.slug})["seller"]

    assert data["name"] == "HTX Trà Ba Chẽ"
    assert data["status"] == "ACTIVE"
    assert data["offers"]["totalCount"] == 2
    assert [e["node"]["price"] for e in data["offers"]["edges"]] == [100_000, 110_000]
    assert gql(query, {"slug": "khong-co"}) == {"seller": None}


MY_OFFERS = """query ($b: ID!, $status: OfferStatus) { myOffers(business: $b, status: $status) {
  totalCount edges { node { price status } } } }"""


def test_my_offers_lists_every_state_of_my_business_only(gql, client):
    product, _certificate, offers = selling_product(variants=2)
    Offer.objects.filter(pk=offers[1].pk).update(status=OfferStatus.DRAFT)
    selling_product()  # someone else's
    client.force_login(member(product.holder, "staff"))
    business = gid("Business", product.holder)

    assert gql(MY_OFFERS, {"b": business})["myOffers"]["totalCount"] == 2
    assert gql(MY_OFFERS, {"b": business, "status": "DRAFT"})["myOffers"] == {
        "totalCount": 1,
        "edges": [{"node": {"price": 110_000, "status": "DRAFT"}}],
    }


def test_my_offers_of_a_business_i_do_not_belong_to_is_refused(gql, client):
    product, _certificate, _offers = selling_product()
    other = BusinessFactory(status=SellerStatus.ACTIVE)
    client.force_login(member(other, "owner"))

    response = gql.post(MY_OFFERS, {"b": gid("Business", product.holder)})
    payload = response.json()

    assert payload["data"] == {"myOffers": None}
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]


def test_my_offers_when_anonymous_is_refused(gql):
    product, _certificate, _offers = selling_product()
    payload = gql.post(MY_OFFERS, {"b": gid("Business", product.holder)}).json()
    assert payload["data"] == {"myOffers": None}
    assert payload["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_my_stock_locations(gql, client):
    holder = BusinessFactory(status=SellerStatus.ACTIVE)
    StockLocationFactory(business=holder, name="Kho B")
    StockLocationFactory(business=holder, name="Kho A")
    StockLocationFactory(name="Kho của người khác")
    client.force_login(member(holder, "staff"))
    data = gql(
        "query ($b: ID!) { myStockLocations(business: $b) { name kind province { code } } }",
        {"b": gid("Business", holder)},
    )
    assert data["myStockLocations"] == [
        {"name": "Kho A", "kind": "WAREHOUSE", "province": {"code": "22"}},
        {"name": "Kho B", "kind": "WAREHOUSE", "province": {"code": "22"}},
    ]


# --- constant SQL -------------------------------------------------------------------------------


def make_market(count: int) -> None:
    decision = DecisionFactory()
    for n in range(count):
        _product, _certificate, offers = selling_product(
            variants=3, decision=decision, name=f"Sản phẩm {n:03d}"
        )
        for offer in offers:
            StockFactory(offer=offer, quantity=n)


PAGE_WITH_OFFERS = """{ products(first: 100) { totalCount edges { node { name
  holder { name }
  currentCertificate { stars validUntil }
  offers { price compareAtPrice stock seller { name sellerType } variant { name } }
} } } }"""


@pytest.mark.parametrize("size", [1, 30])
def test_products_with_offers_cost_four_queries(gql, django_queries, size):
    make_market(size)

    # count, page (holder joined), certificates in force, then the page's visible offers (seller
    # and pack joined, stock summed).
    with django_queries(4):
        data = gql(PAGE_WITH_OFFERS)

    assert data["products"]["totalCount"] == size
    assert all(len(e["node"]["offers"]) == 3 for e in data["products"]["edges"])


@pytest.mark.parametrize("size", [1, 30])
def test_my_offers_cost_a_fixed_number_of_queries(gql, client, django_queries, size):
    holder = BusinessFactory(status=SellerStatus.ACTIVE)
    decision = DecisionFactory()
    for n in range(size):
        selling_product(holder=holder, decision=decision, name=f"Sản phẩm {n:03d}")
    client.force_login(member(holder, "manager"))
    query = """query ($b: ID!) { myOffers(business: $b, first: 100) { totalCount edges { node {
      price status stock hiddenReasons product { name currentCertificate { stars } } } } } }"""

    # session, user, the business through the memberships, count, page (product joined),
    # certificates in force, every certificate and the businesses the caller acts for (for the
    # hidden reasons, which only the seller's own people see).
    with django_queries(8):
        data = gql(query, {"b": gid("Business", holder)})

    assert data["myOffers"]["totalCount"] == size


def test_unused_stock_rows_do_not_change_totals(gql):
    product, _certificate, (offer,) = selling_product()
    StockFactory(offer=offer, quantity=3)
    StockFactory(offer=offer, quantity=4)
    assert Stock.objects.count() == 2
    offers = gql(PRODUCT_OFFERS, {"slug": product.slug})["product"]["offers"]
    assert [o["stock"] for o in offers] == [7]
