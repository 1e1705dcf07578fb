"""Storefront pages come from the catalogue cache with each visitor's own parts filled in.

The data is committed (``transaction=True``): inside a test transaction with uncommitted writes
the cache is bypassed on purpose (core.catalogue_cache)."""

import re

import pytest
from django.test import Client

from tests.factories import honey_on_sale, member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def on_sale():
    product, _certificate, offer, _stock = honey_on_sale(quantity=3)
    return product, offer


PAGES = ["/", "/san-pham/", "/san-pham/?stars=4&sort=price", "PRODUCT", "SELLER"]


def _path(path, product):
    if path == "PRODUCT":
        return f"/san-pham/{product.slug}/"
    if path == "SELLER":
        return f"/nguoi-ban/{product.holder.slug}/"
    return path


@pytest.mark.parametrize("page", PAGES)
def test_a_cached_page_runs_one_query_and_shows_the_same_page(on_sale, django_queries, page):
    path = _path(page, on_sale[0])
    first = Client().get(path)
    assert first.status_code == 200
    # The catalogue version; the product page's "buy in person near you" is a hole filled per
    # visitor from what the page's entry kept (no point stocks the product here).
    with django_queries(1) as captured:
        second = Client().get(path)
    assert all('"core_catalogueversion"' in query["sql"] for query in captured.captured_queries)
    assert second.status_code == 200
    assert second["Content-Type"] == "text/html; charset=utf-8"
    # Same page but for the CSRF tokens, which are each visitor's own.
    assert CSRF_INPUT.sub("", second.content.decode()) == CSRF_INPUT.sub("", first.content.decode())
    assert "Mật ong Tiên Yên" in second.content.decode()
    assert "<!--hole:" not in second.content.decode()
    assert "csrfhole" not in second.content.decode()


def test_every_visitor_gets_a_working_csrf_token_of_their_own(on_sale):
    product, offer = on_sale
    path = f"/san-pham/{product.slug}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for visitor in (first, second):
        html = visitor.get(path).content.decode()
        # The add-to-cart form (the language switch needs no token: see marketplace/urls.py).
        found = set(CSRF_INPUT.findall(html))
        assert len(CSRF_INPUT.findall(html)) == len(found) == 1
        tokens.append(found)
    assert not tokens[0] & tokens[1]
    for visitor, found in zip((first, second), tokens, strict=True):
        response = visitor.post(
            "/gio-hang/them/",
            {"offer": offer.pk, "quantity": 1, "csrfmiddlewaretoken": sorted(found)[0]},
        )
        assert response.status_code == 302
    # Another visitor's token is refused.
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/")
    refused = stranger.post(
        "/gio-hang/them/",
        {"offer": offer.pk, "quantity": 1, "csrfmiddlewaretoken": sorted(tokens[0])[0]},
    )
    assert refused.status_code == 403


def test_the_header_and_messages_are_each_visitors_own(on_sale):
    product, offer = on_sale
    path = f"/san-pham/{product.slug}/"
    buyer, stranger = Client(), Client()
    assert "data-cart-quantity" not in buyer.get(path).content.decode()  # cached now
    buyer.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 2})
    # Asking for more than is left: an error message, back to the product page.
    refused = buyer.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 3, "next": path})
    assert refused["Location"] == path
    html = buyer.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge" data-cart-quantity>2</span>' in html
    assert 'class="message message-error"' in html
    # Shown once; the stranger never sees the buyer's cart or messages.
    assert 'class="message' not in buyer.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    other = stranger.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-cart-quantity" not in other
    assert 'class="message' not in other


def test_signed_in_links_are_the_visitors_own(on_sale):
    product, _offer = on_sale
    path = f"/san-pham/{product.slug}/"
    anonymous = Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Producers: sign in" in anonymous
    seller = Client()
    seller.force_login(member(product.holder, "owner"))
    html = seller.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My account" in html
    assert "Producers: sign in" not in html
    # The language switch sends each visitor back to the page it is on.
    assert f'name="next" value="{path}"' in html


def test_each_language_has_its_own_page(on_sale):
    path = "/san-pham/"
    assert (
        "OCOP products for sale" in Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    vietnamese = Client().get(path, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "OCOP products for sale" not in vietnamese
    assert '<html lang="vi">' in vietnamese
    assert '<html lang="en">' in Client().get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_query_strings_are_pages_of_their_own(on_sale):
    _product, _offer = on_sale
    assert "Mật ong Tiên Yên" in Client().get("/san-pham/?stars=4").content.decode()
    assert "Mật ong Tiên Yên" not in Client().get("/san-pham/?stars=5").content.decode()
    assert "Mật ong Tiên Yên" in Client().get("/san-pham/?stars=4").content.decode()


def test_a_missing_page_is_not_cached(on_sale, django_queries):
    assert Client().get("/san-pham/khong-co/").status_code == 404
    with django_queries(2):  # the version, then the product is looked for again
        assert Client().get("/san-pham/khong-co/").status_code == 404


@pytest.mark.parametrize(
    ("path", "cached"),
    [
        ("/san-pham/?stars=4&sort=price&page=1", True),
        ("/san-pham/?q=mat+ong", False),  # free text: addresses without end
        ("/san-pham/?price_min=100000", False),
        ("PRODUCT?utm_source=zalo", False),  # parameters the page does not know
    ],
)
def test_only_addresses_with_the_pages_own_parameters_are_cached(on_sale, path, cached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    product, _offer = on_sale
    path = path.replace("PRODUCT", f"/san-pham/{product.slug}/")
    assert Client().get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(path).status_code == 200
    # A hit reads the catalogue version and nothing else.
    assert (len(captured.captured_queries) == 1) is cached
