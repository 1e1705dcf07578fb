"""Pickup at a point of sale: which points a buyer may choose, the refusals, units taken from the
point's own stock row, and the point with its hours on the order pages and the e-mail."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from marketplace.offers.models import Stock
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Allocation, DeliveryMethod, Order, PaymentMethod, Reservation
from marketplace.orders.selectors import checkout_summary
from marketplace.orders.services import (
    checkout_delivery_set,
    checkout_place_orders,
    checkout_reserve,
)
from marketplace.places.models import PointStatus
from marketplace.places.services import location_exception_write, point_write
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, StockFactory, member
from tests.factories_orders import offer_in_stock, ready_cart
from tests.factories_places import point

pytestmark = pytest.mark.django_db


def _code(exc_info):
    return exc_info.value.code, exc_info.value.field


@pytest.fixture
def seller_shop():
    """One cooperative selling honey and tea, each with units in its warehouse, and three
    points: Hạ Long has both, Cẩm Phả honey only, Uông Bí (closed for good) both."""
    seller = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX Pickup Bình Liêu")
    honey, _ = offer_in_stock(quantity=20, price=120_000, name="Mật ong Pickup", holder=seller)
    tea, _ = offer_in_stock(quantity=20, price=90_000, name="Chè Pickup", holder=seller)
    halong = point(operator=seller, name="Điểm OCOP Hạ Long", street="1 Đường Hạ Long")
    campha = point(operator=seller, name="Điểm OCOP Cẩm Phả")
    uongbi = point(operator=seller, name="Điểm OCOP Uông Bí")
    for place, offers in ((halong, (honey, tea)), (campha, (honey,)), (uongbi, (honey, tea))):
        for offer in offers:
            StockFactory(offer=offer, location=place.location, quantity=3)
    uongbi.status = PointStatus.CLOSED
    uongbi.save(update_fields=["status"])
    return seller, honey, tea, halong, campha, uongbi


def test_the_choices_are_the_sellers_open_points_with_every_lines_units(seller_shop):
    _seller, honey, tea, halong, _campha, _uongbi = seller_shop
    cart = ready_cart((honey, 2), (tea, 1))
    (group,) = checkout_summary(cart=cart).groups
    # Not Cẩm Phả (no tea), not Uông Bí (closed for good), not a warehouse (one offer each).
    assert group.pickup_locations == [halong.location]

    # Honey alone: Cẩm Phả too, and each warehouse that holds honey.
    honey_cart = ready_cart((honey, 3))
    (group,) = checkout_summary(cart=honey_cart).groups
    names = [location.name for location in group.pickup_locations]
    assert "Điểm OCOP Hạ Long" in names and "Điểm OCOP Cẩm Phả" in names
    assert "Điểm OCOP Uông Bí" not in names
    # Four honeys: no point has them (3 each), only the warehouse (20).
    cart_four = ready_cart((honey, 4))
    (group,) = checkout_summary(cart=cart_four).groups
    assert [location.kind for location in group.pickup_locations] == ["warehouse"]

    # A suspended point is gone too; a temporarily closed one stays (it keeps its orders).
    halong.suspended_at = timezone.now()
    halong.save(update_fields=["suspended_at"])
    (group,) = checkout_summary(cart=cart).groups
    assert group.pickup_locations == []
    halong.suspended_at = None
    halong.status, halong.closure_reason = PointStatus.TEMPORARILY_CLOSED, "Kiểm kê"
    halong.save(update_fields=["suspended_at", "status", "closure_reason"])
    (group,) = checkout_summary(cart=cart).groups
    assert group.pickup_locations == [halong.location]


def test_refusals_name_the_field_and_say_why(seller_shop):
    seller, honey, tea, halong, campha, uongbi = seller_shop
    cart = ready_cart((honey, 2), (tea, 1))
    other = point(name="Điểm của người khác")
    cases = [
        (uongbi, "POINT_CLOSED", "Điểm OCOP Uông Bí is closed; choose another pickup place."),
        (other, "NOT_SELLER_PLACE", "Choose one of the seller's pickup places."),
        (
            campha,
            "NOT_ENOUGH_STOCK",
            "Điểm OCOP Cẩm Phả does not have every item of your order in stock.",
        ),
    ]
    for place, code, message in cases:
        with translation.override("en"), pytest.raises(CheckoutError) as exc_info:
            checkout_delivery_set(
                cart=cart, seller=seller, method="pickup", pickup_location=place.location
            )
        assert _code(exc_info) == (code, "pickup_location")
        assert exc_info.value.message == message
    with pytest.raises(CheckoutError) as exc_info:
        checkout_delivery_set(cart=cart, seller=seller, method="pickup", pickup_location=None)
    assert _code(exc_info) == ("NOT_SELLER_PLACE", "pickup_location")
    assert cart.deliveries.count() == 0

    # Units held by another buyer's checkout at Hạ Long count as gone.
    rival = ready_cart((tea, 3))
    checkout_delivery_set(
        cart=rival, seller=seller, method="pickup", pickup_location=halong.location
    )
    checkout_reserve(cart=rival)
    with pytest.raises(CheckoutError) as exc_info:
        checkout_delivery_set(
            cart=cart, seller=seller, method="pickup", pickup_location=halong.location
        )
    assert _code(exc_info) == ("NOT_ENOUGH_STOCK", "pickup_location")


def test_pickup_takes_the_points_own_units_and_keeps_its_snapshot(seller_shop):
    seller, honey, tea, halong, _campha, _uongbi = seller_shop
    cart = ready_cart((honey, 2), (tea, 1))
    checkout_delivery_set(
        cart=cart, seller=seller, method="pickup", pickup_location=halong.location
    )
    (group,) = checkout_summary(cart=cart).groups
    assert (group.delivery_method, group.shipping_fee, group.total) == ("pickup", 0, 330_000)
    checkout_reserve(cart=cart)
    assert sorted(Reservation.objects.values_list("stock__location", "quantity")) == [
        (halong.location_id, 1),
        (halong.location_id, 2),
    ]
    warehouse_units = dict(
        Stock.objects.exclude(location=halong.location)
        .filter(location__kind="warehouse")
        .values_list("pk", "quantity")
    )

    (order,) = checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)

    assert (order.delivery_method, order.shipping_fee, order.total) == ("pickup", 0, 330_000)
    assert (order.pickup_location, order.pickup_point) == (halong.location, halong)
    assert order.pickup_name == "Điểm OCOP Hạ Long"
    assert order.pickup_address == "1 Đường Hạ Long, Tỉnh Quảng Ninh"
    assert (order.province, order.street) == (None, "")
    assert sorted(
        Stock.objects.filter(location=halong.location).values_list("offer", "quantity")
    ) == sorted([(honey.pk, 1), (tea.pk, 2)])
    assert {a.stock.location_id for a in Allocation.objects.filter(line__order=order)} == {
        halong.location_id
    }
    assert (
        dict(Stock.objects.filter(pk__in=warehouse_units).values_list("pk", "quantity"))
        == warehouse_units
    )

    # The point is renamed and moves: the order still says what the buyer was told.
    point_write(
        business=seller,
        point=halong,
        name="Trung tâm OCOP Quảng Ninh",
        kind=halong.kind,
        province=halong.location.province,
        latitude=halong.latitude,
        longitude=halong.longitude,
        street="9 Phố Mới",
    )
    order.refresh_from_db()
    assert (order.pickup_name, order.pickup_address) == (
        "Điểm OCOP Hạ Long",
        "1 Đường Hạ Long, Tỉnh Quảng Ninh",
    )


def test_units_sold_elsewhere_after_choosing_are_refused_at_the_point(seller_shop):
    seller, honey, _tea, halong, _campha, _uongbi = seller_shop
    cart = ready_cart((honey, 3))
    checkout_delivery_set(
        cart=cart, seller=seller, method="pickup", pickup_location=halong.location
    )
    Stock.objects.filter(location=halong.location, offer=honey).update(quantity=1)
    with translation.override("en"), pytest.raises(CheckoutError) as exc_info:
        checkout_reserve(cart=cart)
    assert _code(exc_info) == ("NOT_ENOUGH_STOCK", "pickup_location")
    assert Reservation.objects.count() == 0


def _pickup_order(seller_shop, *, language="vi"):
    seller, honey, tea, halong, _campha, _uongbi = seller_shop
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    location_exception_write(
        location=halong.location, date=tomorrow, closed=True, reason="Giỗ Tổ Hùng Vương"
    )
    location_exception_write(
        location=halong.location,
        date=timezone.localdate() - datetime.timedelta(days=3),
        closed=True,
        reason="Đã qua",
    )
    client = Client()
    if language == "en":
        client.cookies["django_language"] = "en"
    for offer in (honey, tea):
        client.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 1})
    html = client.get("/thanh-toan/").content.decode()
    assert f'value="pickup:{halong.location_id}"' in html
    assert f'value="pickup:{_campha.location_id}"' not in html
    data = {
        "email": "lan@example.vn",
        "phone": "0912345678",
        "recipient_name": "Nguyễn Thị Lan",
        "province": "",
        "commune": "",
        "street": "",
        "note": "",
        "payment_method": "cod",
        f"delivery_{seller.pk}": f"pickup:{halong.location_id}",
    }
    response = client.post("/thanh-toan/", data)
    assert response.status_code == 302, response.content.decode()
    return client, Order.objects.get(), tomorrow


def test_the_order_page_shows_the_point_with_its_hours(
    seller_shop, django_capture_on_commit_callbacks
):
    halong = seller_shop[3]
    with django_capture_on_commit_callbacks(execute=True):
        client, order, tomorrow = _pickup_order(seller_shop)
    assert order.shipping_fee == 0

    page = client.get(f"/don-hang/{order.number}/").content.decode()
    assert "Nhận tại Điểm OCOP Hạ Long" in page
    assert "1 Đường Hạ Long, Tỉnh Quảng Ninh" in page
    assert f'href="{halong.directions_url()}"' in page
    assert page.count("<td>08:00–20:00</td>") == 7
    assert "(Giỗ Tổ Hùng Vương)" in page
    assert "Đã qua" not in page  # a past exception is history, not news
    assert f'href="/diem-ban/{halong.slug}/"' in page

    confirmation = client.get(f"/don-hang/xac-nhan/{order.cart.token}/").content.decode()
    assert "Nhận tại Điểm OCOP Hạ Long" in confirmation

    # The buyer's e-mail says where, when and how to get there.
    (email,) = [m for m in mail.outbox if order.number in m.subject]
    assert "Nhận tại Điểm OCOP Hạ Long" in email.body
    assert "1 Đường Hạ Long, Tỉnh Quảng Ninh" in email.body
    assert f"Chỉ đường: {halong.directions_url()}" in email.body
    assert email.body.count(": 08:00–20:00") == 7
    assert f"{tomorrow:%d/%m/%Y}: Đã đóng cửa (Giỗ Tổ Hùng Vương)" in email.body

    # The seller's page shows it too.
    seller_client = Client()
    seller_client.force_login(member(order.seller, "owner"))
    seller_page = seller_client.get(
        f"/seller/{order.seller.slug}/orders/{order.number}/"
    ).content.decode()
    assert "Nhận tại Điểm OCOP Hạ Long" in seller_page
    assert seller_page.count("<td>08:00–20:00</td>") == 7


def test_an_english_buyer_reads_the_pickup_in_english(
    seller_shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client, order, tomorrow = _pickup_order(seller_shop, language="en")
    (email,) = [m for m in mail.outbox if order.number in m.subject]
    assert "Pickup at Điểm OCOP Hạ Long" in email.body
    assert "Monday: 08:00–20:00" in email.body
    assert f"{tomorrow:%d/%m/%Y}: Closed (Giỗ Tổ Hùng Vương)" in email.body
    page = client.get(f"/don-hang/{order.number}/").content.decode()
    assert "Pickup at Điểm OCOP Hạ Long" in page
    assert '<th scope="row">Monday</th><td>08:00–20:00</td>' in page


@pytest.mark.parametrize("count", [2, 10])
def test_the_checkout_page_costs_the_same_for_2_or_10_points(
    count, client, django_assert_num_queries
):
    seller = BusinessFactory(status=SellerStatus.ACTIVE)
    honey, _ = offer_in_stock(quantity=50, name=f"Mật ong đếm {count}", holder=seller)
    points = [point(operator=seller, name=f"Điểm đếm {count}-{n}") for n in range(count)]
    for place in points:
        StockFactory(offer=honey, location=place.location, quantity=2)
    client.post("/gio-hang/them/", {"offer": honey.pk, "quantity": 1})
    client.get("/thanh-toan/")  # warm the session and caches
    with django_assert_num_queries(QUERIES_CHECKOUT_PAGE) as captured:
        html = client.get("/thanh-toan/").content.decode()
    assert len(re.findall(r'value="pickup:\d+"', html)) == count + 1, captured


# Session, cart, has it lines, its lines, visible offers, stock rows, other carts' holds,
# deliveries, the sellers' locations (with their points), their opening hours (a fair booth's
# choice shows them), provinces for the address form.
QUERIES_CHECKOUT_PAGE = 11


def test_a_shipped_order_has_no_pickup(seller_shop):
    seller, honey, _tea, _halong, _campha, _uongbi = seller_shop
    cart = ready_cart((honey, 1))
    checkout_delivery_set(cart=cart, seller=seller, method=DeliveryMethod.SHIPPING)
    (order,) = checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert (order.pickup_location, order.pickup_point, order.pickup_name) == (None, None, "")
