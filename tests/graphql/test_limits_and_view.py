"""Abusive queries are refused before any SQL; the endpoint's HTTP behaviour."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory, certified_product

pytestmark = pytest.mark.django_db


# --- page size -----------------------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["first", "last"])
def test_more_than_100_items_is_refused_without_sql(gql, django_queries, argument):
    certified_product()
    with django_queries(0):
        errors = gql.errors(
            "{ products(" + argument + ": 101) { edges { node { name } } } }", status=400
        )

    assert errors[0]["message"] == (
        f"`{argument}: 101` on `products` asks for too many items; "
        "at most 100 can be fetched at a time."
    )
    assert errors[0]["extensions"] == {"code": "OUT_OF_RANGE"}


# Refused before the catalogue version the answer would be cached under is even looked up.
@pytest.mark.parametrize("n", [500, 10**9])
def test_page_size_sent_as_a_variable_is_checked_too(gql, django_queries, n):
    with django_queries(0):
        errors = gql.errors(
            "query ($n: Int) { products(first: $n) { totalCount } }", {"n": n}, status=400
        )
    assert errors[0]["message"].startswith(f"`first: {n}` on `products` asks for too many items")


def test_a_page_size_inside_a_nested_connection_is_refused_before_the_outer_query(
    gql, django_queries
):
    certified_product()
    query = "query ($n: Int = 101) { products(first: 1) { edges { node { holder {"
    query += " products(first: $n) { totalCount } } } } } }"
    with django_queries(0):
        errors = gql.errors(query, status=400)
    assert errors[0]["extensions"] == {"code": "OUT_OF_RANGE"}


def test_negative_page_size_is_refused(gql, django_queries):
    with django_queries(0):
        errors = gql.errors("{ products(first: -1) { totalCount } }", status=400)
    assert errors[0]["message"] == "`first` on `products` cannot be negative."


def test_exactly_100_is_accepted(gql):
    certified_product()
    assert gql("{ products(first: 100) { totalCount } }") == {"products": {"totalCount": 1}}


# --- depth ---------------------------------------------------------------------------------------

# 13 levels: products > edges > node > holder > products > edges > node > holder > products >
# edges > node > holder > name.
DEEP = """{ products(first: 1) { edges { node { holder { products(first: 1) { edges { node {
    holder { products(first: 1) { edges { node { holder { name } } } } } } } } } } } } }"""

DEEP_THROUGH_FRAGMENTS = """
{ products(first: 1) { ...Page } }
fragment Page on ProductConnection { edges { node { ...Holder } } }
fragment Holder on Product { holder { products(first: 1) { edges { node { ...Inner } } } } }
fragment Inner on Product { holder { products(first: 1) { edges { node { holder { name } } } } } }
"""


@pytest.mark.parametrize("query", [DEEP, DEEP_THROUGH_FRAGMENTS], ids=["inline", "fragments"])
def test_too_deep_is_refused_without_sql(gql, django_queries, query):
    certified_product()
    with django_queries(0):
        errors = gql.errors(query, status=400)

    assert [e["message"] for e in errors] == [
        "The query is nested 13 levels deep; the maximum is 12."
    ]
    assert errors[0]["extensions"] == {"code": "QUERY_TOO_DEEP"}


def test_depth_limit_follows_settings(gql, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    query = '{ product(slug: "x") { currentCertificate { evaluation { totalScore } } } }'
    errors = gql.errors(query, status=400)
    assert errors[0]["message"] == "The query is nested 4 levels deep; the maximum is 3."


def test_fragment_cycles_are_reported_not_followed(gql, django_queries):
    query = """
    { products(first: 1) { edges { node { ...A } } } }
    fragment A on Product { holder { products(first: 1) { edges { node { ...B } } } } }
    fragment B on Product { holder { products(first: 1) { edges { node { ...A } } } } }
    """
    with django_queries(0):
        errors = gql.errors(query, status=400)

    assert [e["message"] for e in errors] == ["Cannot spread fragment 'A' within itself via 'B'."]


def test_introspection_fits_the_limits(gql):
    from graphql import get_introspection_query

    data = gql(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "root", ["{ __schema { queryType { name } } }", '{ __type(name: "Order") { name } }']
)
def test_introspection_is_refused_when_closed(gql, settings, django_queries, root):
    # Production: DEBUG off, so GRAPHQL_INTROSPECTION defaults to off.
    settings.GRAPHQL_INTROSPECTION = False
    with django_queries(0):
        errors = gql.errors(root, status=400)
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
        ("Introspection is disabled on this server.", "INTROSPECTION_DISABLED")
    ]


def test_typename_is_answered_when_introspection_is_closed(gql, settings):
    settings.GRAPHQL_INTROSPECTION = False
    assert gql("{ __typename }") == {"__typename": "Query"}


# --- aliases -------------------------------------------------------------------------------------


def test_too_many_aliases_is_refused_without_sql(gql, django_queries):
    query = "{ " + " ".join(f'p{n}: product(slug: "p{n}") {{ name }}' for n in range(16)) + " }"
    with django_queries(0):
        errors = gql.errors(query, status=400)

    assert [e["message"] for e in errors] == ["The query uses 16 aliases; the maximum is 15."]
    assert errors[0]["extensions"] == {"code": "TOO_MANY_ALIASES"}


def test_aliases_inside_a_fragment_count_each_time_it_is_spread(gql, django_queries):
    # 3 aliased fields at the root plus 5 in the fragment, spread 3 times: 18.
    query = """
    { a: product(slug: "a") { ...F } b: product(slug: "b") { ...F } c: product(slug: "c") { ...F } }
    fragment F on Product { n1: name n2: name n3: name n4: name n5: name }
    """
    with django_queries(0):
        errors = gql.errors(query, status=400)
    assert [e["message"] for e in errors] == ["The query uses 18 aliases; the maximum is 15."]


def test_fifteen_aliases_are_fine(gql):
    query = "{ " + " ".join(f'p{n}: product(slug: "p{n}") {{ name }}' for n in range(15)) + " }"
    assert gql(query) == {f"p{n}": None for n in range(15)}


# --- cost ----------------------------------------------------------------------------------------

# cost = 1 per field, times first/last of every enclosing connection:
# inner node {name slug id} = 1+3 = 4, edges 5, inner products 1+100*5 = 501, holder 502,
# node 503, edges 504, outer products 1+100*504 = 50401.
COSTLY = """{ products(first: 100) { edges { node { holder {
    products(first: 100) { edges { node { name slug id } } } } } } } }"""


def test_too_costly_is_refused_without_sql(gql, django_queries):
    certified_product()
    with django_queries(0):
        errors = gql.errors(COSTLY, status=400)

    assert [e["message"] for e in errors] == [
        "The query's estimated cost is 50401; the maximum is 50000."
    ]
    assert errors[0]["extensions"] == {"code": "QUERY_TOO_COSTLY"}


def test_missing_or_variable_page_size_is_costed_at_100(gql, django_queries):
    without_first = COSTLY.replace("(first: 100)", "")
    with django_queries(0):
        errors = gql.errors(without_first, status=400)
    assert errors[0]["message"] == "The query's estimated cost is 50401; the maximum is 50000."

    with_variable = "query ($n: Int) " + COSTLY.replace("first: 100", "first: $n")
    with django_queries(0):
        errors = gql.errors(with_variable, {"n": 1}, status=400)
    assert errors[0]["message"] == "The query's estimated cost is 50401; the maximum is 50000."


def test_cost_hidden_in_fragments_is_counted(gql, django_queries):
    query = """
    { products(first: 100) { ...Outer } }
    fragment Outer on ProductConnection { edges { node { holder { ...Inner } } } }
    fragment Inner on Business { products(first: 100) { edges { node { name slug id } } } }
    """
    with django_queries(0):
        errors = gql.errors(query, status=400)
    assert errors[0]["message"] == "The query's estimated cost is 50401; the maximum is 50000."


def test_a_smaller_page_brings_the_same_query_under_the_limit(gql):
    certified_product()
    data = gql(
        COSTLY.replace(
            "products(first: 100) { edges { node { holder",
            "products(first: 99) { edges { node { holder",
            1,
        )
    )
    assert len(data["products"]["edges"]) == 1


# --- the endpoint --------------------------------------------------------------------------------


def test_graphiql_is_served_only_when_debugging(client, settings):
    settings.DEBUG = True
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert b"graphiql" in page.content.lower()

    settings.DEBUG = False
    refused = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {"message": "Must provide query string.", "extensions": {"code": "GRAPHQL_ERROR"}}
        ]
    }


def test_queries_work_over_get(client):
    response = client.get("/graphql/", {"query": "{ products { totalCount } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"products": {"totalCount": 0}}}


def test_oversized_body_is_refused_before_parsing(client, django_queries):
    padding = " " * (128 * 1024)
    with django_queries(0):
        response = client.post(
            "/graphql/",
            json.dumps({"query": "{ products { totalCount } }" + padding}),
            content_type="application/json",
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == (
        "The request body is larger than 131072 bytes."
    )


def test_unexpected_errors_are_masked(gql, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("catalog.graphql.shaping.product_list", broken)
    errors = gql.errors("{ products { totalCount } }")
    assert errors == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["products"],
            "extensions": {"code": "INTERNAL_ERROR"},
        }
    ]


QUERY = json.dumps({"query": "{ products { totalCount } }"})


def test_session_posts_need_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())

    refused = browser.post("/graphql/", QUERY, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED"}

    # The token comes from the cookie any page (GraphiQL included) sets.
    browser.get("/graphql/", {"query": "{ products { totalCount } }"})
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/graphql/", QUERY, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    assert accepted.json() == {"data": {"products": {"totalCount": 0}}}


def test_requests_without_a_session_cookie_need_no_csrf_token():
    integrator = Client(enforce_csrf_checks=True)
    response = integrator.post("/graphql/", QUERY, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"data": {"products": {"totalCount": 0}}}
