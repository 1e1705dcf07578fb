"""Pickup at a point of sale through the API: the choices on the cart, ``pickupPoint`` on
``checkoutDeliverySet`` with its refusals, and the order's pickup place with its hours."""

import datetime
import json

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from marketplace.offers.models import Stock
from marketplace.orders.models import Order
from marketplace.orders.services import checkout_delivery_set, checkout_place_orders
from marketplace.places.models import PointStatus
from marketplace.places.services import location_exception_write
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, StockFactory, UserFactory
from tests.factories_orders import offer_in_stock, ready_cart
from tests.factories_places import point

pytestmark = pytest.mark.django_db

SET = """mutation ($t: UUID!, $s: ID!, $p: ID) {
  checkoutDeliverySet(token: $t, seller: $s, method: PICKUP, pickupPoint: $p) {
    cart { total sellerGroups { deliveryMethod shippingFee pickupPoint
      pickupChoices { name address pointOfSale } } }
    errors { field code message } } }"""

ORDER = """query ($id: ID!) { node(id: $id) { ... on Order { number shippingFee pickupLocation
  pickup { name address pointOfSale directionsUrl openNow
    openingHours { weekday opens closes } openingExceptions { date closed } } } } }"""


@pytest.fixture
def shop():
    seller = BusinessFactory(status=SellerStatus.ACTIVE, name="HTX API Pickup")
    honey, _ = offer_in_stock(quantity=10, price=120_000, name="Mật ong API", holder=seller)
    open_point = point(operator=seller, name="Điểm API Móng Cái", street="5 Hùng Vương")
    closed = point(operator=seller, name="Điểm API Tiên Yên")
    empty = point(operator=seller, name="Điểm API Đầm Hà")
    StockFactory(offer=honey, location=open_point.location, quantity=2)
    StockFactory(offer=honey, location=closed.location, quantity=2)
    closed.status = PointStatus.CLOSED
    closed.save(update_fields=["status"])
    return seller, honey, open_point, closed, empty


def _set(gql, cart, seller, place):
    return gql(
        SET,
        {
            "t": str(cart.token),
            "s": to_global_id("Business", seller.pk),
            "p": to_global_id("PointOfSale", place.pk) if place else None,
        },
    )["checkoutDeliverySet"]


def test_the_buyer_picks_a_point_by_its_relay_id(gql, shop):
    seller, honey, open_point, closed, empty = shop
    cart = ready_cart((honey, 2))
    other = point(name="Điểm API người khác")
    refusals = [
        (closed, "POINT_CLOSED", "Điểm API Tiên Yên is closed; choose another pickup place."),
        (other, "NOT_SELLER_PLACE", "Choose one of the seller's pickup places."),
        (
            empty,
            "NOT_ENOUGH_STOCK",
            "Điểm API Đầm Hà does not have every item of your order in stock.",
        ),
    ]
    for place, code, message in refusals:
        result = _set(gql, cart, seller, place)
        assert result["errors"] == [{"field": "pickup_point", "code": code, "message": message}]
    assert cart.deliveries.count() == 0

    result = _set(gql, cart, seller, open_point)
    assert result["errors"] == []
    (group,) = result["cart"]["sellerGroups"]
    point_id = to_global_id("PointOfSale", open_point.pk)
    assert (group["deliveryMethod"], group["shippingFee"], group["pickupPoint"]) == (
        "PICKUP",
        0,
        point_id,
    )
    assert result["cart"]["total"] == 240_000
    # The warehouse holds the honey too; the closed and the empty points are not offered.
    choices = [(c["name"], c["pointOfSale"]) for c in group["pickupChoices"]]
    assert ("Điểm API Móng Cái", point_id) in choices
    assert [name for name, _id in choices if name.startswith("Điểm API")] == ["Điểm API Móng Cái"]


def test_an_orders_pickup_place_carries_the_hours(client, gql, shop):
    seller, honey, open_point, _closed, _empty = shop
    buyer = UserFactory()
    cart = ready_cart((honey, 1), user=buyer)
    client.force_login(buyer)
    assert _set(gql, cart, seller, open_point)["errors"] == []
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    location_exception_write(location=open_point.location, date=tomorrow, closed=True)
    (order,) = checkout_place_orders(cart=cart, payment_method="cod", confirmed=True)
    data = gql(ORDER, {"id": to_global_id("Order", order.pk)})["node"]
    pickup = data["pickup"]
    assert (data["shippingFee"], data["pickupLocation"]) == (0, "Điểm API Móng Cái")
    assert (pickup["name"], pickup["address"], pickup["pointOfSale"]) == (
        "Điểm API Móng Cái",
        "5 Hùng Vương, Tỉnh Quảng Ninh",
        to_global_id("PointOfSale", open_point.pk),
    )
    assert pickup["directionsUrl"] == open_point.directions_url()
    assert pickup["openingHours"] == [
        {"weekday": day, "opens": "08:00", "closes": "20:00"} for day in range(7)
    ]
    assert pickup["openingExceptions"] == [{"date": tomorrow.isoformat(), "closed": True}]
    assert isinstance(pickup["openNow"], bool)


def test_my_orders_with_pickups_run_constant_queries(client, django_queries, shop):
    seller, honey, open_point, _closed, _empty = shop
    Stock.objects.filter(offer=honey, location=open_point.location).update(quantity=50)
    buyer = UserFactory()
    client.force_login(buyer)
    body = json.dumps(
        {
            "query": "{ myOrders(first: 20) { totalCount edges { node { number pickup { name "
            "openingHours { opens } openingExceptions { date } } } } } }"
        }
    )

    def place():
        cart = ready_cart((honey, 1), user=buyer)
        checkout_delivery_set(
            cart=cart, seller=seller, method="pickup", pickup_location=open_point.location
        )
        checkout_place_orders(cart=cart, payment_method="cod", confirmed=True)

    place()
    client.post("/graphql/", body, content_type="application/json")
    with django_queries(QUERIES_MY_ORDERS):
        one = client.post("/graphql/", body, content_type="application/json").json()
    for _ in range(4):
        place()
    with django_queries(QUERIES_MY_ORDERS):
        many = client.post("/graphql/", body, content_type="application/json").json()
    assert one["data"]["myOrders"]["totalCount"] == 1
    assert many["data"]["myOrders"]["totalCount"] == 5
    assert {e["node"]["pickup"]["name"] for e in many["data"]["myOrders"]["edges"]} == {
        "Điểm API Móng Cái"
    }
    assert Order.objects.filter(pickup_point=open_point).count() == 5


# Session and user, count, the orders (with pickup location, province and point), lines,
# events, the places' weekly hours, their exceptions.
QUERIES_MY_ORDERS = 8


BOOTH_SET = """mutation ($t: UUID!, $s: ID!, $l: ID) {
  checkoutDeliverySet(token: $t, seller: $s, method: PICKUP, pickupLocation: $l) {
    cart { sellerGroups { deliveryMethod shippingFee
      pickupChoices { name availableFrom availableUntil location { id kind } } } }
    errors { field code message } } }"""


def test_the_buyer_picks_up_at_a_fair_booth_while_the_fair_runs(gql):
    from marketplace.fairs.services import booth_release
    from tests.fairs.helpers import booth_selling

    shop = booth_selling(quantity=2, warehouse=5)
    location = shop["location"]
    cart = ready_cart((shop["offer"], 2))
    variables = {
        "t": str(cart.token),
        "s": to_global_id("Business", shop["seller"].pk),
        "l": to_global_id("StockLocation", location.pk),
    }
    result = gql(BOOTH_SET, variables)["checkoutDeliverySet"]
    assert result["errors"] == []
    (group,) = result["cart"]["sellerGroups"]
    assert (group["deliveryMethod"], group["shippingFee"]) == ("PICKUP", 0)
    today = timezone.localdate()
    booth = {
        "name": "Gian B-12 · Hội chợ OCOP Quảng Ninh",
        "availableFrom": (today - datetime.timedelta(days=1)).isoformat(),
        "availableUntil": (today + datetime.timedelta(days=2)).isoformat(),
        "location": {"id": variables["l"], "kind": "BOOTH"},
    }
    assert booth in group["pickupChoices"]

    booth_release(assignment=shop["assignment"], actor=shop["organiser_user"])
    result = gql(BOOTH_SET, variables)["checkoutDeliverySet"]
    assert result["errors"] == [
        {
            "field": "pickup_location",
            "code": "NOT_SELLER_PLACE",
            "message": "Choose one of the seller's pickup places.",
        }
    ]
