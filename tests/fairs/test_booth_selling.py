"""Selling at a fair booth: the assignment opens the exhibitor's booth stock location (window =
the fair's days, the fair's hours and closed days), release and cancellation close it, and
checkout offers pickup there only while the fair runs, from the booth's own units."""

import datetime

import pytest
from django.utils import timezone

from marketplace.fairs.models import FairStatus
from marketplace.fairs.services import booth_fees_expire, booth_release, fair_transition
from marketplace.offers.models import StockLocation, StockLocationKind
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Allocation, DeliveryMethod, PaymentMethod
from marketplace.orders.selectors import checkout_summary, stock_available
from marketplace.orders.services import (
    checkout_delivery_set,
    checkout_place_orders,
    checkout_reserve,
)
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.factories_orders import ready_cart
from tests.fairs.helpers import applied, booth_selling

pytestmark = pytest.mark.django_db


def test_assigning_a_booth_opens_the_sellers_booth_location_with_the_fairs_days_and_hours():
    shop = booth_selling()
    location, fair = shop["location"], shop["fair"]
    today = timezone.localdate()
    assert location.name == "Gian B-12 · Hội chợ OCOP Quảng Ninh"
    assert location.business_id == shop["seller"].pk
    assert location.kind == StockLocationKind.BOOTH
    assert location.province_id == fair.province_id
    assert location.street == "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh, Trần Quốc Nghiễn, Hạ Long"
    assert location.is_active is True
    # fair_update moved the dates after the assignment: the window followed.
    assert (location.available_from, location.available_until) == (
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=2),
    )
    hours = sorted(location.opening_hours.values_list("weekday", "opens", "closes"))
    assert hours == [(day, datetime.time(8, 0), datetime.time(21, 0)) for day in range(7)]
    assert list(location.opening_exceptions.values_list("date", "closed")) == [
        (today + datetime.timedelta(days=2), True)
    ]


def test_the_same_booth_assigned_again_reopens_the_same_location():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    booth = BoothFactory(zone=ZoneFactory(fair=fair), code="C-01", price=0)
    application = applied(fair=fair, booths_wanted=2)
    first = booth_assign_(application, booth, user)
    other = BoothFactory(zone=booth.zone, code="C-02", price=0)
    booth_assign_(application, other, user)
    booth_release(assignment=first, actor=user, offer_to_waitlist=False)
    first.location.refresh_from_db()
    assert first.location.is_active is False
    again = booth_assign_(application, booth, user)
    assert again.location_id == first.location_id
    again.location.refresh_from_db()
    assert again.location.is_active is True
    assert StockLocation.objects.filter(business=application.seller).count() == 2


def booth_assign_(application, booth, user):
    from marketplace.fairs.services import booth_assign

    return booth_assign(application=application, booth=booth, actor=user)


def test_release_closes_the_booth_location_and_keeps_its_stock():
    shop = booth_selling(quantity=4)
    booth_release(assignment=shop["assignment"], actor=shop["organiser_user"])
    location = StockLocation.objects.get(pk=shop["location"].pk)
    assert location.is_active is False
    assert location.stocks.get().quantity == 4
    assert stock_available([shop["offer"].pk], cart=None) == {shop["offer"].pk: 0}


def test_an_unpaid_fee_expiring_closes_the_booth_location():
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    booth = BoothFactory(zone=ZoneFactory(fair=fair), price=500_000)
    assignment = booth_assign_(applied(fair=fair), booth, user)
    assert assignment.location.is_active is True
    assert booth_fees_expire(today=assignment.pay_by + datetime.timedelta(days=1)) == 1
    assignment.location.refresh_from_db()
    assert assignment.location.is_active is False


def test_cancelling_the_fair_closes_every_booth_location():
    shop = booth_selling()
    fair_transition(
        fair=shop["fair"], to=FairStatus.CANCELLED, actor=shop["organiser_user"], reason="Bão"
    )
    shop["location"].refresh_from_db()
    assert shop["location"].is_active is False


def test_checkout_offers_pickup_at_the_booth_while_the_fair_runs_and_takes_its_units():
    shop = booth_selling(quantity=3, warehouse=10)
    offer, location = shop["offer"], shop["location"]
    cart = ready_cart((offer, 2))
    (group,) = checkout_summary(cart=cart).groups
    assert location in group.pickup_locations
    checkout_delivery_set(
        cart=cart, seller=shop["seller"], method=DeliveryMethod.PICKUP, pickup_location=location
    )
    (group,) = checkout_summary(cart=cart).groups
    assert group.delivery_problem == ""
    checkout_reserve(cart=cart)
    (order,) = checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)
    assert order.pickup_location_id == location.pk
    assert order.pickup_name == "Gian B-12 · Hội chợ OCOP Quảng Ninh"
    assert list(Allocation.objects.filter(line__order=order).values_list(
        "stock__location_id", "quantity"
    )) == [(location.pk, 2)]  # fmt: skip


@pytest.mark.parametrize("days", [-2, 3])
def test_outside_the_fairs_days_the_booth_is_no_pickup_place_and_its_stock_does_not_sell(days):
    shop = booth_selling(quantity=3, warehouse=1)
    offer, location = shop["offer"], shop["location"]
    cart = ready_cart((offer, 1))
    checkout_delivery_set(
        cart=cart, seller=shop["seller"], method=DeliveryMethod.PICKUP, pickup_location=location
    )
    moved = timezone.localdate() + datetime.timedelta(days=days)
    StockLocation.objects.filter(pk=location.pk).update(available_from=moved, available_until=moved)
    location.refresh_from_db()
    (group,) = checkout_summary(cart=cart).groups
    assert location not in group.pickup_locations
    assert group.delivery_problem_code == "PLACE_NOT_AVAILABLE"
    assert f"{moved:%d/%m/%Y}" in group.delivery_problem
    # Only the warehouse unit counts, and shipping never draws on the booth.
    assert stock_available([offer.pk], cart=None) == {offer.pk: 1}
    with pytest.raises(CheckoutError) as refused:
        checkout_delivery_set(
            cart=cart, seller=shop["seller"], method=DeliveryMethod.PICKUP, pickup_location=location
        )
    assert refused.value.code == "PLACE_NOT_AVAILABLE"
    checkout_delivery_set(cart=cart, seller=shop["seller"], method=DeliveryMethod.SHIPPING)
    checkout_reserve(cart=cart)
    assert list(cart.reservations.values_list("stock__location__kind", "quantity")) == [
        ("warehouse", 1)
    ]
    with pytest.raises(CheckoutError) as refused:
        ready_cart((offer, 1))
    assert refused.value.code == "SOLD_OUT"


def test_after_release_the_booth_is_refused_for_pickup():
    shop = booth_selling()
    cart = ready_cart((shop["offer"], 1))
    checkout_delivery_set(
        cart=cart,
        seller=shop["seller"],
        method=DeliveryMethod.PICKUP,
        pickup_location=shop["location"],
    )
    booth_release(assignment=shop["assignment"], actor=shop["organiser_user"])
    (group,) = checkout_summary(cart=cart).groups
    assert group.pickup_locations == []
    assert group.delivery_problem_code == "NOT_SELLER_PLACE"


def test_the_seller_stocks_its_booth_in_the_stock_editor_which_shows_the_fairs_days():
    from django.test import Client
    from django.urls import reverse

    shop = booth_selling(quantity=3)
    client = Client()
    client.force_login(shop["seller_user"])
    page = client.get(reverse("offers:stock", args=[shop["seller"].slug]))
    html = page.content.decode()
    today = timezone.localdate()
    first = (today - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    last = (today + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    assert "Gian B-12 · Hội chợ OCOP Quảng Ninh" in html
    assert f"bán từ {first} đến {last}" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_buyers_picking_up_the_last_unit_at_a_booth_cannot_both_get_it():
    """One unit at the booth, plenty in the warehouse: pickup at the booth takes only the
    booth's row, so exactly one buyer gets it and the warehouse is untouched."""
    from marketplace.offers.models import Stock
    from marketplace.orders.models import Order, Reservation
    from tests.support.race import race

    shop = booth_selling(quantity=1, warehouse=50)
    offer, location = shop["offer"], shop["location"]
    carts = [ready_cart((offer, 1)) for _ in range(2)]
    for cart in carts:
        checkout_delivery_set(
            cart=cart, seller=shop["seller"], method=DeliveryMethod.PICKUP, pickup_location=location
        )

    def checkout(cart):
        checkout_reserve(cart=cart)
        return checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)

    outcomes = race([lambda c=cart: checkout(c) for cart in carts], expected=CheckoutError)
    won = [o for o in outcomes if isinstance(o, list)]
    lost = [o for o in outcomes if isinstance(o, CheckoutError)]
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code in {"SOLD_OUT", "NOT_ENOUGH_STOCK"}
    assert Order.objects.get().pickup_location_id == location.pk
    assert Stock.objects.get(location=location).quantity == 0
    assert Stock.objects.exclude(location=location).get(offer=offer).quantity == 50
    assert Reservation.objects.count() == 0


def test_after_release_the_seller_takes_the_booth_units_out_but_cannot_add_any():
    from django.test import Client
    from django.urls import reverse

    from marketplace.offers.services import stock_set, stock_set_many
    from sellers.errors import SellerError
    from tests.factories import StockLocationFactory

    shop = booth_selling(quantity=4)
    booth_release(assignment=shop["assignment"], actor=shop["organiser_user"])
    offer, user = shop["offer"], shop["seller_user"]
    location = StockLocation.objects.get(pk=shop["location"].pk)
    client = Client()
    client.force_login(user)
    html = client.get(reverse("offers:stock", args=[shop["seller"].slug])).content.decode()
    assert "Gian B-12 · Hội chợ OCOP Quảng Ninh" in html
    assert "đã đóng: chỉ được rút hàng ra" in html
    with pytest.raises(SellerError) as refused:
        stock_set(actor=user, offer=offer, location=location, quantity=5)
    assert refused.value.code == "invalid_status"
    warehouse = StockLocationFactory(business=shop["seller"], name="Kho Hạ Long")
    changed = stock_set_many(
        actor=user,
        business=shop["seller"],
        entries=[(offer, location, 0, 4), (offer, warehouse, 4, 0)],
    )
    assert changed == 2
    assert location.stocks.get(offer=offer).quantity == 0
    assert stock_available([offer.pk], cart=None) == {offer.pk: 4}
