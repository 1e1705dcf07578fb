"""Anonymous pages without a POST form — cached storefront pages, registry pages, 404s and
GraphQL answers — set no csrftoken cookie (the token used to come with the header's language
switch on every page, making every cached answer set a cookie). Pages with a form still do,
and the language switch still works without a token."""

import pytest
from django.test import Client

from tests.factories import honey_on_sale

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def on_sale():
    product, certificate, _offer, _stock = honey_on_sale(quantity=3)
    return product, certificate


def _paths(product, certificate):
    return [
        "/",
        "/san-pham/",
        f"/nguoi-ban/{product.holder.slug}/",
        "/tra-cuu/",
        "/tim-kiem/?q=mat+ong",
        "/khong-co-trang-nay/",
        "/graphql/?query=%7Bproducts(first%3A1)%7BtotalCount%7D%7D",
    ]


def test_pages_without_a_form_set_no_csrf_cookie(on_sale):
    for path in _paths(*on_sale):
        for attempt in ("miss", "hit"):  # rendered, then from the cache
            response = Client().get(path)
            assert response.status_code in (200, 404), (path, response.status_code)
            assert "csrftoken" not in response.cookies, (path, attempt)
            assert "csrfmiddlewaretoken" not in response.content.decode(), (path, attempt)


def test_graphql_post_answers_set_no_csrf_cookie(on_sale):
    response = Client().post(
        "/graphql/",
        {"query": "{ products(first: 1) { totalCount } }"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "csrftoken" not in response.cookies


def test_a_page_with_a_post_form_still_gets_its_token(on_sale):
    product, _certificate = on_sale
    response = Client().get(f"/san-pham/{product.slug}/")  # add to cart
    assert "csrftoken" in response.cookies


def test_the_language_switch_works_without_a_token(on_sale):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.cookies["django_language"].value == "en"
