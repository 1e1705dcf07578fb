"""Documents built to burn CPU in graphql-core's validation are refused first, cheaply: a token
limit on the parser, then operations, fields, same-named fields and directives counted in one
pass (core.graphql.document). Each refusal is a 400 that costs no SQL and never reaches
graphql-core's validation or execution. How fast that is gets measured by benchmarks/abuse.py,
not here: a timed assertion fails on a loaded machine."""

import json

import graphene_django.views
import pytest
from django.test import Client

import core.graphql.views

pytestmark = pytest.mark.django_db

BODY_LIMIT = 128 * 1024


def _post(body) -> tuple[int, dict]:
    raw = json.dumps(body)
    assert len(raw) <= BODY_LIMIT
    response = Client().post("/graphql/", raw, content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def graphql_core_calls(monkeypatch) -> list[str]:
    """Records every call into graphql-core's validate/execute, wherever the view or
    graphene-django calls them, and fails the call: the expensive work these limits exist to
    avoid. A refusal made first leaves the list empty."""
    calls: list[str] = []

    def refuse(name):
        def called(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"graphql-core {name} reached")

        return called

    monkeypatch.setattr(core.graphql.views, "validate", refuse("validate"))
    monkeypatch.setattr(graphene_django.views, "validate", refuse("validate"))
    monkeypatch.setattr(graphene_django.views, "execute", refuse("execute"))
    return calls


def _fill(unit: str, *, head: str = "{ ", tail: str = " }") -> str:
    """As many ``unit``s as fit a 128 KB body."""
    count = (BODY_LIMIT - 200 - len(head) - len(tail)) // (len(unit) + 1)
    return head + " ".join([unit] * count) + tail


ABUSIVE = {
    "3,500 fields": "{ products(first: 1) { edges { node { "
    + " ".join(f"a{i}: name" for i in range(3_500))
    + " } } } }",
    "3,000 operations": "\n".join(f"query q{i} {{ __typename }}" for i in range(3_000)),
    "duplicate fields": _fill("__typename"),
    "repeated directives": _fill("@include(if: true)", head="{ __typename ", tail=" }"),
}


@pytest.mark.parametrize("name", list(ABUSIVE))
def test_each_abusive_document_is_refused_before_validation_without_sql(
    name, django_queries, graphql_core_calls
):
    with django_queries(0):
        status, body = _post({"query": ABUSIVE[name]})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "TOO_LARGE"
    assert graphql_core_calls == []


def test_the_probe_sees_a_document_that_is_not_refused(graphql_core_calls):
    """Without this, an empty list could mean the patches miss the real call sites."""
    with pytest.raises(AssertionError, match="graphql-core validate reached"):
        _post({"query": "{ probe: __typename }"})
    assert graphql_core_calls[0] == "validate"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "\n".join(f"query q{i} {{ __typename }}" for i in range(11)),
            "The document holds 11 operations; the maximum is 10.",
        ),
        ("{ " + " ".join(["__typename"] * 11) + " }", None),
        (
            "{ ... on Query { __typename } " + " ".join(["__typename"] * 10) + " }",
            None,
        ),
        (
            "{ __typename " + " ".join(["@include(if: true)"] * 51) + " }",
            "The query uses more than 50 directives.",
        ),
    ],
)
def test_limits_under_the_token_limit(query, message, graphql_core_calls):
    status, body = _post({"query": query})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY"
    assert body["errors"][0]["message"] == (
        message or "The query selects the same field more than 10 times in one place."
    )
    assert graphql_core_calls == []


def test_too_many_fields_is_refused(settings, graphql_core_calls):
    settings.GRAPHQL_MAX_FIELDS = 20
    fields = " ".join(f"f{i}: __typename" for i in range(21))
    status, body = _post({"query": "{ " + fields + " }"})
    assert (status, body["errors"][0]["message"]) == (
        400,
        "The query selects more than 20 fields.",
    )
    assert graphql_core_calls == []


def test_ten_same_named_fields_and_ten_operations_are_fine():
    query = "\n".join(f"query q{i} {{ " + " ".join(["__typename"] * 10) + " }" for i in range(10))
    status, body = _post({"query": query, "operationName": "q3"})
    assert (status, body) == (200, {"data": {"__typename": "Query"}})


@pytest.mark.parametrize(
    "query",
    [
        "{ products(first: " + "9" * 5_000 + ") { totalCount } }",
        "query ($n: Int = " + "9" * 5_000 + ") { products(first: $n) { totalCount } }",
        "{ product(id: " + "1" * 5_000 + ") { name } }",
    ],
)
def test_a_5000_digit_integer_is_a_400_not_a_500(query, django_queries):
    with django_queries(0):
        status, body = _post({"query": query})
    assert status == 400
    assert body["errors"][0]["message"] == "An integer in the query has too many digits."


@pytest.mark.parametrize("variables", [[1, 2], "[1]", 5])
def test_variables_that_are_not_an_object_are_refused(variables, django_queries):
    with django_queries(0):
        status, body = _post({"query": "{ __typename }", "variables": variables})
    assert status == 400
    assert body["errors"][0]["message"] in (
        "`variables` must be a JSON object.",
        "Variables are invalid JSON.",
    )


def test_an_accepted_document_is_parsed_once_and_checked_again_under_new_limits(
    settings, monkeypatch
):
    """The checks remember a document they accepted (with its variables, under the limits of
    the time): the same request again is not parsed by them, while other variables, a lower
    limit or another document are checked afresh."""
    import core.graphql.document as document

    parsed: list[str] = []
    real_parse = document.parse

    def counting_parse(query, **kwargs):
        parsed.append(query)
        return real_parse(query, **kwargs)

    monkeypatch.setattr(document, "parse", counting_parse)
    monkeypatch.setattr(document, "_accepted", set())
    query = "query ($n: Int) { products(first: $n) { totalCount } f1: __typename f2: __typename }"
    for _ in range(3):
        assert _post({"query": query, "variables": {"n": 5}})[0] == 200
    assert len(parsed) == 1
    status, body = _post({"query": query, "variables": {"n": 101}})
    assert (status, body["errors"][0]["extensions"]["code"]) == (400, "OUT_OF_RANGE")
    assert _post({"query": query, "variables": {"n": 101}})[0] == 400  # never remembered
    assert len(parsed) == 3
    settings.GRAPHQL_MAX_FIELDS = 3
    status, body = _post({"query": query, "variables": {"n": 5}})
    assert (status, body["errors"][0]["message"]) == (400, "The query selects more than 3 fields.")
    assert len(parsed) == 4
