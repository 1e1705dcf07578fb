"""A buyer finds a point of sale near a picked province, opens it and sees its hours and stock;
the map draws the page's points (phone + vi, desktop + en; no tiles: no network)."""

import datetime
import re

import pytest

from marketplace.offers.models import Stock
from tests.browser.support import pickup_order_place
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


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_pickup_at_a_point_and_its_hours_on_the_order_page(open_context, viewport, language):
    from marketplace.places.services import location_exception_write

    kiosk = point(
        name=f"Ki-ốt nhận hàng Cần Thơ {viewport}",
        code="92",
        latitude="10.030000",
        longitude="105.770000",
        street="2 Hai Bà Trưng",
        hours=[(day, datetime.time(7, 30), datetime.time(21)) for day in range(7)],
    )
    holiday = datetime.date.today() + datetime.timedelta(days=2)
    location_exception_write(
        location=kiosk.location, date=holiday, closed=True, reason=f"Kiểm kê {viewport}"
    )
    _product, _certificate, (offer,) = selling_product(
        holder=kiosk.location.business, name=f"Bánh pía Sóc Trăng nhận {viewport}"
    )
    Stock.objects.create(offer=offer, location=kiosk.location, quantity=4)

    visit = open_context(viewport, language)
    page = visit.page
    visit.goto(f"/san-pham/{offer.variant.product.slug}/")
    page.locator(f'form.add-to-cart:has(input[name="offer"][value="{offer.pk}"]) button').click()
    page.wait_for_url(re.compile(r"/gio-hang/$"))
    visit.goto("/thanh-toan/")
    choice = f"input[name=delivery_{offer.seller_id}][value='pickup:{kiosk.location_id}']"
    page.check(choice)
    email = f"pickup-{viewport}@example.vn"
    order = pickup_order_place(visit, email=email)
    assert (order.pickup_point_id, order.shipping_fee) == (kiosk.pk, 0)

    visit.goto(f"/don-hang/{order.number}/")
    place = page.locator(".pickup-place")
    text = place.inner_text()
    pickup = "Nhận tại" if language == "vi" else "Pickup at"
    assert f"{pickup} Ki-ốt nhận hàng Cần Thơ {viewport}" in text
    assert "2 Hai Bà Trưng" in text
    assert place.locator("table.hours td").all_inner_texts() == ["07:30–21:00"] * 7
    assert f"Kiểm kê {viewport}" in place.locator(".exceptions").inner_text()
    assert place.locator("a.directions").get_attribute("href") == kiosk.directions_url()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_an_operator_sets_hours_and_stock_and_the_points_page_shows_them(
    open_context, viewport, language
):
    from tests.factories import member

    kiosk = point(name=f"Ki-ốt OCOP Bến xe Móng Cái {viewport}", hours=[])
    operator = kiosk.location.business
    manager = member(operator, "manager")
    _product, _certificate, (offer,) = selling_product(
        holder=operator, name=f"Chả mực Móng Cái {viewport}"
    )

    visit = open_context(viewport, language)
    page = visit.page
    visit.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", manager.email)
    page.fill("#id_password", "correct horse battery staple")  # the factories' password
    page.locator("form[action$='/dang-nhap/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tai-khoan/$"))

    # 0. Coordinates picked on the map (no tiles here: the map still takes the click).
    visit.goto(f"/seller/{operator.slug}/diem-ban/{kiosk.pk}/")
    visit.check()
    page.wait_for_selector("#point-pick-map[data-ready]")
    before = (page.input_value("#id_latitude"), page.input_value("#id_longitude"))
    box = page.locator("#point-pick-map").bounding_box()
    # Away from the zoom buttons (top left) and the marker (centre).
    page.locator("#point-pick-map").click(
        position={"x": box["width"] * 0.8, "y": box["height"] * 0.75}
    )
    picked = page.locator("#point-pick-map").get_attribute("data-picked")
    assert picked == f"{page.input_value('#id_latitude')},{page.input_value('#id_longitude')}"
    assert (page.input_value("#id_latitude"), page.input_value("#id_longitude")) != before
    assert all(re.fullmatch(r"-?\d+\.\d{6}", value) for value in picked.split(","))
    page.locator("form:has(#id_latitude) button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/diem-ban/{kiosk.pk}/$"))
    visit.check()
    kiosk.refresh_from_db()
    assert f"{kiosk.latitude:.6f},{kiosk.longitude:.6f}" == picked

    # 1. Weekly hours: two spans on every day.
    visit.goto(f"/seller/{operator.slug}/diem-ban/{kiosk.pk}/hours/")
    visit.check()
    for day in range(7):
        page.fill(f"#id_day_{day}", "07:00-11:30, 13:30-21:00")
    page.locator("form:has(#id_day_0) button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/diem-ban/{kiosk.pk}/hours/$"))
    visit.check()
    assert page.locator("#id_day_3").input_value() == "07:00-11:30, 13:30-21:00"

    # 2. Stock at the point: 9 units of the offer.
    visit.goto(f"/seller/{operator.slug}/diem-ban/{kiosk.pk}/stock/")
    visit.check()
    page.fill(f"[name=q_{offer.pk}_{kiosk.location_id}]", "9")
    page.locator("form.stock-grid button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/diem-ban/{kiosk.pk}/stock/$"))
    visit.check()
    assert Stock.objects.get(offer=offer, location=kiosk.location).quantity == 9

    # 3. A buyer sees both on the point's public page.
    buyer = open_context(viewport, language)
    buyer.goto(f"/diem-ban/{kiosk.slug}/")
    buyer.check()
    hours = buyer.page.locator("table.hours td").all_inner_texts()
    assert hours == ["07:00–11:30, 13:30–21:00"] * 7
    stocked = buyer.page.locator("section:has(#in-stock)")
    assert f"Chả mực Móng Cái {viewport}" in stocked.inner_text()
    assert stocked.locator(".offer-stock").all_inner_texts() == [
        "còn 9" if language == "vi" else "9 in stock"
    ]
