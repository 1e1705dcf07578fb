"""A buyer finds a point of sale near a picked province, opens it and sees its hours and stock;
the map draws the page's points (phone + vi, desktop + en; no tiles: no network)."""

import datetime
import re

import pytest

from marketplace.offers.models import Stock
from tests.factories import selling_product
from tests.factories_places import point


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_nearest_to_a_province_then_a_points_page(open_context, viewport, language):
    # The suite's data is committed: each viewport brings its own points (in Cà Mau, far from
    # the demo points).
    near = point(
        name=f"Quầy OCOP Cà Mau gần {viewport}",
        code="96",
        latitude="9.180000",
        longitude="105.160000",
        hours=[(day, datetime.time(0), datetime.time(0)) for day in range(7)],
    )
    point(
        name=f"Quầy OCOP Cà Mau xa {viewport}",
        code="96",
        latitude="9.300000",
        longitude="105.200000",
        operator=near.location.business,
    )
    _product, _certificate, (offer,) = selling_product(
        holder=near.location.business, name=f"Khô cá lóc Cà Mau {viewport}"
    )
    Stock.objects.create(offer=offer, location=near.location, quantity=6)

    visit = open_context(viewport, language)
    page = visit.page
    visit.goto("/diem-ban/")
    page.select_option("#id_near", "ca-mau")
    page.locator("#point-filters button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"near=ca-mau"))
    visit.check()
    names = [
        name
        for name in page.locator(".point-list h3 a").all_inner_texts()
        if name.endswith(viewport)
    ]
    assert names == [f"Quầy OCOP Cà Mau gần {viewport}", f"Quầy OCOP Cà Mau xa {viewport}"]
    assert page.locator("#point-origin").is_visible()
    # The map draws a marker per point of the page.
    page.wait_for_selector("#point-map[data-markers]")
    markers = int(page.locator("#point-map").get_attribute("data-markers"))
    assert markers == page.locator(".point-list > li").count()
    assert page.locator("#point-map .leaflet-marker-icon").count() == markers

    page.locator(f".point-list a:text-is('Quầy OCOP Cà Mau gần {viewport}')").click()
    page.wait_for_url(re.compile(rf"/diem-ban/{near.slug}/$"))
    visit.check()
    body = page.locator("main").inner_text()
    assert "00:00–00:00" in body
    assert f"Khô cá lóc Cà Mau {viewport}" in body
