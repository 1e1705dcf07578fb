"""A buyer sees "at booth B-12, <fair>" on a product page and checks out with pickup at the
booth, whose days and hours the choice names (phone + vi, desktop + en)."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.support import pickup_order_place


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_a_buyer_picks_up_at_a_fair_booth(open_context, viewport, language):
    from tests.fairs.helpers import booth_selling

    shop = booth_selling(quantity=3)
    offer, location, fair = shop["offer"], shop["location"], shop["fair"]

    visit = open_context(viewport, language)
    page = visit.page
    visit.goto(f"/san-pham/{offer.variant.product.slug}/")
    row = page.locator(f'li.offer:has(input[name="offer"][value="{offer.pk}"])')
    at = "Tại gian hàng B-12" if language == "vi" else "At booth B-12"
    assert row.locator(".offer-booth").inner_text() == f"{at}, {fair.name}"
    assert row.locator(".offer-booth a").get_attribute("href") == f"/hoi-cho/{fair.slug}/"
    row.locator("form.add-to-cart button").click()
    page.wait_for_url(re.compile(r"/gio-hang/$"))

    visit.goto("/thanh-toan/")
    choice = page.locator(f"input[name=delivery_{offer.seller_id}][value='pickup:{location.pk}']")
    today = timezone.localdate()
    days = (
        f"{today - datetime.timedelta(days=1):%d/%m/%Y} – "
        f"{today + datetime.timedelta(days=2):%d/%m/%Y}, 08:00–21:00"
    )
    label = page.locator(f"label:has(input[value='pickup:{location.pk}'])").inner_text()
    assert "Gian B-12 · Hội chợ OCOP Quảng Ninh" in label and days in label
    choice.check()
    email = f"booth-{viewport}@example.vn"
    order = pickup_order_place(visit, email=email)
    assert (order.pickup_location_id, order.shipping_fee) == (location.pk, 0)
    assert location.stocks.get(offer=offer).quantity == 2
