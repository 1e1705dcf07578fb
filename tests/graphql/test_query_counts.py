"""Every list resolves in a fixed number of SQL queries, whatever its length."""

import datetime
from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from catalog.services import evaluation_record
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    ProductVariantFactory,
    certified_product,
    product_set,
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
