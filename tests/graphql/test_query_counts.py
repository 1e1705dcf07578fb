"""Every list resolves in a fixed number of SQL queries, whatever its length."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from catalog.models import Product
from catalog.services import evaluation_record
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization
from sellers.models import Business, SellerStatus
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    OfferFactory,
    ProductFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    certified_product,
    product_set,
    selling_product,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 10, 100]

PRODUCT_FIELDS = """
  name slug productCode
  productSet { number category { slug } }
  holder { name province { name } }
  variants { name gtin }
  currentCertificate {
    number stars status validUntil decisionNumber
    evaluation { totalScore framework level parts { code maxScore score } sourceUrl }
  }
"""


def make_products(count, holder=None):
    decision = DecisionFactory()
    for n in range(count):
        product, _evaluation, _certificate = certified_product(
            decision=decision,
            name=f"Sản phẩm {n:03d}",
            parts={"A": "30", "B": "20", "C": "25"},
            **({"holder": holder} if holder else {}),
        )
        ProductVariantFactory(product=product)
        ProductVariantFactory(product=product)


@pytest.mark.parametrize("size", SIZES)
def test_products_page_costs_five_queries(gql, django_queries, size):
    make_products(size)
    query = "{ products(first: 100) { totalCount edges { node { " + PRODUCT_FIELDS + " } } } }"

    # count, page (holder, province, product set and category joined), variants, certificates
    # in force (decision and evaluation joined), part scores.
    with django_queries(5):
        data = gql(query)

    assert data["products"]["totalCount"] == size
    assert len(data["products"]["edges"]) == size
    assert data["products"]["edges"][0]["node"]["currentCertificate"]["evaluation"]["parts"]


@pytest.mark.parametrize("size", SIZES)
def test_issue_query_costs_four_queries(gql, django_queries, size):
    make_products(size)
    query = """{ products(first: 50) { totalCount edges { node { name slug holder { name }
      currentCertificate { stars validUntil status decisionNumber evaluation { totalScore
      framework level parts { code maxScore score } sourceUrl } } } } } }"""

    # count, page, certificates in force, part scores (nothing asks for variants).
    with django_queries(4):
        data = gql(query)

    assert len(data["products"]["edges"]) == min(size, 50)


@pytest.mark.parametrize("size", SIZES)
def test_business_products_cost_a_fixed_number_of_queries(gql, django_queries, size):
    holder = BusinessFactory()
    make_products(size, holder=holder)
    query = (
        "query ($id: ID!) { business(id: $id) { name province { code }"
        " products(first: 100) { totalCount edges { node { " + PRODUCT_FIELDS + " } } } } }"
    )

    # business (province joined), then the five of a products page.
    with django_queries(6):
        data = gql(query, {"id": to_global_id("Business", holder.pk)})

    assert data["business"]["products"]["totalCount"] == size


@pytest.mark.parametrize("size", SIZES)
def test_product_evaluation_history_costs_a_fixed_number_of_queries(gql, django_queries, size):
    decision = DecisionFactory()
    product = ProductFactory(product_set=product_set(1))
    for n in range(size):
        evaluation_record(
            product=product,
            framework=decision.framework,
            level="commune",
            evaluated_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            choices={"1.1": Decimal(3), "1.5": Decimal(1), "2.3": Decimal(2)},
            decision=decision,
            provisional=True,
        )
    query = """query ($slug: String) { product(slug: $slug) { name evaluations {
        evaluatedOn totalScore stars framework frameworkName sourceUrl decisionNumber
        certificate { number }
        parts { code score }
        criteria { group { code part } criterion { code name } option { points minStar } }
    } } }"""

    # product, evaluations (framework, decision and certificate joined), part scores, choices.
    with django_queries(4):
        data = gql(query, {"slug": product.slug})

    history = data["product"]["evaluations"]
    assert len(history) == size
    newest = datetime.date(2026, 1, 1) + datetime.timedelta(days=size - 1)
    assert history[0]["evaluatedOn"] == newest.isoformat()
    assert [c["criterion"]["code"] for c in history[0]["criteria"]] == ["1.1", "1.5", "2.3"]


@pytest.mark.parametrize("size", SIZES)
def test_nested_lists_under_a_page_stay_fixed(gql, django_queries, size):
    make_products(size)
    query = """{ products(first: 100) { edges { node { name
        certificates { number status evaluation { parts { code } } }
        evaluations { totalScore parts { code score } criteria { option { points } } }
    } } } }"""

    # count, page, all certificates (+ their evaluations' parts), evaluations, their parts,
    # their choices.
    with django_queries(7):
        data = gql(query)

    assert len(data["products"]["edges"]) == size


# --- the products connection's offers and count ------------------------------------------------

PAGE_OFFERS = """query ($first: Int, $after: String) { products(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { name offers { price seller { name } } } }
} }"""


def _market(count: int) -> None:
    decision = DecisionFactory()
    for n in range(count):
        _product, _certificate, offers = selling_product(
            variants=2, decision=decision, name=f"Sản phẩm {n:03d}"
        )
        centre = BusinessFactory(status=SellerStatus.ACTIVE, name=f"Trung tâm {n:03d}")
        ResaleAuthorizationFactory(product=offers[0].variant.product, reseller=centre)
        OfferFactory(
            variant=offers[0].variant, seller=centre, price=90_000, status=OfferStatus.PUBLISHED
        )


@pytest.mark.parametrize("size", SIZES)
def test_products_with_offers_and_sellers_cost_three_queries(gql, django_queries, size):
    _market(size)

    # the certified count (on the certificates), the page (holder not asked), then the page's
    # visible offers with their sellers joined — no query for the packs.
    with django_queries(3):
        data = gql(PAGE_OFFERS, {"first": 100})

    assert data["products"]["totalCount"] == size
    assert [len(e["node"]["offers"]) for e in data["products"]["edges"]] == [3] * size
    first = data["products"]["edges"][0]["node"]
    assert [o["price"] for o in first["offers"]] == [90_000, 100_000, 110_000]
    assert first["offers"][0]["seller"]["name"] == "Trung tâm 000"


@pytest.mark.parametrize("size", SIZES)
def test_business_products_with_offers_cost_a_fixed_number_of_queries(gql, django_queries, size):
    holder = BusinessFactory(status=SellerStatus.ACTIVE)
    decision = DecisionFactory()
    for n in range(size):
        selling_product(holder=holder, variants=2, decision=decision, name=f"Sản phẩm {n:03d}")
    query = """query ($id: ID!) { business(id: $id) { products(first: 100) { totalCount
        edges { node { name offers { price seller { name } } } } } } }"""

    # business, count, page, the page's visible offers.
    with django_queries(4):
        data = gql(query, {"id": to_global_id("Business", holder.pk)})

    edges = data["business"]["products"]["edges"]
    assert data["business"]["products"]["totalCount"] == size
    assert [len(e["node"]["offers"]) for e in edges] == [2] * size


def test_the_page_loader_shows_only_visible_offers(gql):
    _market(1)
    product = Product.objects.get()
    holder_offers = list(Offer.objects.filter(seller=product.holder).order_by("price"))
    centre_offer = Offer.objects.exclude(seller=product.holder).get()

    def prices():
        node = gql(PAGE_OFFERS, {"first": 10})["products"]["edges"][0]["node"]
        return [o["price"] for o in node["offers"]]

    assert prices() == [90_000, 100_000, 110_000]
    # An outsider nobody authorised, and a draft: never shown.
    OfferFactory(
        variant=holder_offers[0].variant,
        seller=BusinessFactory(status=SellerStatus.ACTIVE),
        price=50_000,
        status=OfferStatus.PUBLISHED,
    )
    OfferFactory(variant=ProductVariantFactory(product=product), price=60_000)
    assert prices() == [90_000, 100_000, 110_000]
    # Authorisation withdrawn, offer paused, reseller suspended: gone at once.
    ResaleAuthorization.objects.update(revoked_at=timezone.now())
    assert prices() == [100_000, 110_000]
    Offer.objects.filter(pk=holder_offers[1].pk).update(status=OfferStatus.PAUSED)
    assert prices() == [100_000]
    Business.objects.filter(pk=product.holder_id).update(status=SellerStatus.SUSPENDED)
    assert prices() == []
    assert centre_offer.price == 90_000


def test_the_unfiltered_count_is_the_certified_catalogue_and_pages_follow_it(gql):
    decision = DecisionFactory()
    for n in range(3):
        certified_product(decision=decision, name=f"Sản phẩm {n}")
    _expired, _evaluation, certificate = certified_product(decision=decision, name="Hết hạn")
    type(certificate).objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )

    first = gql(PAGE_OFFERS, {"first": 2})["products"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"] for e in first["edges"]] == ["Sản phẩm 0", "Sản phẩm 1"]
    rest = gql(PAGE_OFFERS, {"first": 2, "after": first["pageInfo"]["endCursor"]})["products"]
    assert rest["totalCount"] == 3
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["name"] for e in rest["edges"]] == ["Sản phẩm 2"]
    # A filter counts the filtered list itself.
    expired = gql("{ products(certificateStatus: EXPIRED) { totalCount } }")["products"]
    assert expired["totalCount"] == 1
