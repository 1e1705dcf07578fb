"""Selling at a fair booth, seen by buyers: "at booth B-12, <fair>" on the offer rows of the
product page and the seller page (constant SQL), and pickup at the booth through the checkout
page with the fair's days and hours."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.fairs.services import booth_release
from marketplace.orders.models import Order
from tests.fairs.helpers import booth_selling

pytestmark = pytest.mark.django_db

FAIR_LINK = '<a href="/hoi-cho/{slug}/">Hội chợ OCOP Quảng Ninh</a>'


def _product_url(offer):
    return f"/san-pham/{offer.variant.product.slug}/"


def test_the_product_page_says_the_offer_is_at_the_booth_linked_to_the_fair(client):
    shop = booth_selling(quantity=3)
    html = client.get(_product_url(shop["offer"])).content.decode()
    link = FAIR_LINK.format(slug=shop["fair"].slug)
    assert f'<p class="offer-booth">Tại gian hàng B-12, {link}</p>' in html
    english = client.get(_product_url(shop["offer"]), HTTP_ACCEPT_LANGUAGE="en")
    assert f'<p class="offer-booth">At booth B-12, {link}</p>' in english.content.decode()


def test_no_booth_line_without_units_there_or_after_release(client):
    shop = booth_selling(quantity=0, warehouse=4)
    assert "offer-booth" not in client.get(_product_url(shop["offer"])).content.decode()
    shop = booth_selling(quantity=2)
    booth_release(assignment=shop["assignment"], actor=shop["organiser_user"])
    assert "offer-booth" not in client.get(_product_url(shop["offer"])).content.decode()


@pytest.mark.parametrize("count", [2, 11])
def test_booth_lines_cost_one_query_for_any_number_of_offers(client, count):
    shop = booth_selling(offers=count)
    for url in (_product_url(shop["offer"]), f"/nguoi-ban/{shop['seller'].slug}/"):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert html.count('class="offer-booth"') == count
        booth_queries = [
            q for q in captured.captured_queries if "fairs_boothassignment" in q["sql"]
        ]
        # One for the offer rows, one for the "At the fair" section; whatever the offers.
        assert len(booth_queries) == 2, url


def test_a_buyer_checks_out_with_pickup_at_the_booth_on_the_checkout_page(client):
    shop = booth_selling(quantity=3, warehouse=10)
    offer, location = shop["offer"], shop["location"]
    client.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 2})
    html = client.get("/thanh-toan/").content.decode()
    today = timezone.localdate()
    first = (today - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    last = (today + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    assert "Gian B-12 · Hội chợ OCOP Quảng Ninh" in html
    assert f"{first} – {last}, 08:00–21:00" in html
    assert re.search(rf'value="pickup:{location.pk}"', html)
    response = client.post(
        "/thanh-toan/",
        {
            "email": "lan@example.vn",
            "phone": "0912 345 678",
            "recipient_name": "Nguyễn Thị Lan",
            f"delivery_{shop['seller'].pk}": f"pickup:{location.pk}",
            "payment_method": "cod",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert (order.delivery_method, order.pickup_location_id) == ("pickup", location.pk)
    assert location.stocks.get(offer=offer).quantity == 1


def test_before_the_fair_the_booth_units_are_not_counted_as_in_stock(client):
    from marketplace.offers.models import StockLocation

    shop = booth_selling(quantity=3, warehouse=2)
    html = client.get(_product_url(shop["offer"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "5 in stock" in html
    later = timezone.localdate() + datetime.timedelta(days=5)
    StockLocation.objects.filter(pk=shop["location"].pk).update(
        available_from=later, available_until=later
    )
    html = client.get(_product_url(shop["offer"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 in stock" in html
    # Still announced: the fair is upcoming and the units wait at the booth.
    assert '<p class="offer-booth">At booth B-12, ' in html
