"""GraphQL search on the demo catalogue: search with facets and cursors, suggest, and
products(search:), answered by the same backend as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.graphql import GraphQLClient

pytestmark = pytest.mark.usefixtures("demo")

SEARCH = """
query ($query: String!, $filters: SearchFiltersInput, $first: Int, $after: String) {
  search(query: $query, filters: $filters, first: $first, after: $after) {
    totalCount corrected didYouMean
    facets { name values { value label count selected } }
    pageInfo { hasNextPage endCursor }
    edges { node { kind title highlight stars inForce buyable minPrice sellerCount
                   product { name slug holder { name } currentCertificate { stars } } } }
  }
}
"""


@pytest.fixture
def gql(client):
    return GraphQLClient(client)


def test_search_ranks_and_reads_the_query_as_typed(gql):
    data = gql(SEARCH, {"query": "ruou bakich"})["search"]
    assert data["totalCount"] == 1
    assert data["corrected"] == "ruou ba kich"
    node = data["edges"][0]["node"]
    assert node["title"] == "Rượu ba kích Ba Chẽ"
    assert node["highlight"] == (
        "<mark>Rượu</mark> <mark>ba</mark> <mark>kích</mark> <mark>Ba</mark> Chẽ"
    )
    assert node["product"]["holder"]["name"] == "Công ty CP kinh doanh lâm sản Đạp Thanh"
    assert node["stars"] == node["product"]["currentCertificate"]["stars"] == 4
    assert node["inForce"] and node["buyable"] and node["sellerCount"] >= 1


def test_facets_filters_and_cursors(gql):
    first = gql(SEARCH, {"query": "ba che", "first": 2})["search"]
    assert first["totalCount"] == 3
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    stars = next(f for f in first["facets"] if f["name"] == "stars")
    assert sorted((v["value"], v["count"]) for v in stars["values"]) == [
        ("3", 1), ("4", 1), ("5", 1),
    ]  # fmt: skip
    rest = gql(SEARCH, {"query": "ba che", "after": first["pageInfo"]["endCursor"]})["search"]
    assert [e["node"]["title"] for e in first["edges"] + rest["edges"]] == [
        "Ba kích khô Ba Chẽ",
        "Trà hoa vàng Ba Chẽ",
        "Rượu ba kích Ba Chẽ",
    ]
    assert not rest["pageInfo"]["hasNextPage"]
    five = gql(SEARCH, {"query": "ba che", "filters": {"stars": 5}})["search"]
    assert [e["node"]["title"] for e in five["edges"]] == ["Trà hoa vàng Ba Chẽ"]


def test_registry_statuses_through_filters(gql):
    data = gql(SEARCH, {"query": "ruou ba kich", "filters": {"certificateStatus": "ANY"}})
    nodes = [e["node"] for e in data["search"]["edges"]]
    assert [n["title"] for n in nodes if n["buyable"]] == ["Rượu ba kích Ba Chẽ"]
    assert all(n["stars"] is None and n["minPrice"] is None for n in nodes if not n["inForce"])
    assert len(nodes) == 3


def test_bad_arguments_are_refused_with_a_code(gql):
    errors = gql.errors(SEARCH, {"query": "mat ong", "first": 101}, status=400)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"
    errors = gql.errors(SEARCH, {"query": "mat ong", "filters": {"priceBand": "cheap"}})
    assert errors[0]["extensions"]["code"] == "INVALID"
    errors = gql.errors(SEARCH, {"query": "x" * 101})
    assert errors[0]["extensions"]["code"] == "TOO_LONG"


def test_constant_sql_per_page(gql):
    def count(variables):
        with CaptureQueriesContext(connection) as captured:
            gql(SEARCH, variables)
        return len(captured.captured_queries)

    assert (
        count({"query": "gio lua"})
        == count({"query": "ba che"})
        == count({"query": "quang ninh", "first": 10})
    )


def test_suggest(gql):
    data = gql('{ suggest(prefix: "rau m") { kind title url highlight } }')
    assert data["suggest"][0] == {
        "kind": "product",
        "title": "Rau mầm Song Hành",
        "url": "/san-pham/rau-mam-song-hanh/",
        "highlight": "<mark>Rau</mark> <mark>mầm</mark> Song Hành",
    }


def test_products_search_uses_the_same_backend(gql):
    data = gql(
        '{ products(search: "gom trang tri", first: 5) { totalCount edges { node { name } } } }'
    )
    assert [e["node"]["name"] for e in data["products"]["edges"]] == ["Gốm sứ trang trí Quang Vinh"]
    data = gql('{ products(search: "mat ong tien yenn") { edges { node { name } } } }')
    assert [e["node"]["name"] for e in data["products"]["edges"]] == ["Mật ong Tiên Yên"]
