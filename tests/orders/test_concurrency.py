"""No overselling: buyers racing for the last units on PostgreSQL, each on its own connection."""

import pytest

from marketplace.offers.models import Stock
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Order, PaymentMethod, Reservation
from marketplace.orders.services import (
    checkout_delivery_set,
    checkout_place_orders,
    checkout_reserve,
)
from tests.factories_orders import offer_in_stock, ready_cart
from tests.factories_places import point
from tests.support.race import race

BUYERS = 24
UNITS = 5


def _race(carts, action):
    return race([lambda c=cart: action(c) for cart in carts], expected=CheckoutError)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buyers_racing_for_the_last_units_never_oversell():
    offer, stock = offer_in_stock(quantity=UNITS)
    carts = [ready_cart((offer, 1)) for _ in range(BUYERS)]

    def checkout(cart):
        checkout_reserve(cart=cart)
        return checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)

    outcomes = _race(carts, checkout)

    won = [o for o in outcomes if isinstance(o, list)]
    lost = [o for o in outcomes if isinstance(o, CheckoutError)]
    assert (len(won), len(lost)) == (UNITS, BUYERS - UNITS)
    assert {exc.code for exc in lost} == {"SOLD_OUT"}
    assert all("hết hàng" in str(exc) or "sold out" in str(exc) for exc in lost)
    assert Order.objects.count() == UNITS
    assert Stock.objects.get(pk=stock.pk).quantity == 0
    assert Reservation.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sellers_taken_in_opposite_orders_do_not_deadlock():
    honey, honey_stock = offer_in_stock(quantity=6)
    tea, tea_stock = offer_in_stock(quantity=6, name="Chè")
    carts = [
        ready_cart((honey, 1), (tea, 1)) if n % 2 else ready_cart((tea, 1), (honey, 1))
        for n in range(10)
    ]
    outcomes = _race(
        carts,
        lambda cart: checkout_place_orders(
            cart=cart, payment_method=PaymentMethod.COD, confirmed=True
        ),
    )
    won = [o for o in outcomes if isinstance(o, list)]
    assert len(outcomes) == 10 and len(won) == 6
    assert Order.objects.count() == 12
    assert Stock.objects.get(pk=honey_stock.pk).quantity == 0
    assert Stock.objects.get(pk=tea_stock.pk).quantity == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_buyers_picking_up_the_last_unit_at_one_point():
    """The seller has plenty in its warehouse, one unit at the point: pickup there takes only
    the point's row, so exactly one buyer gets it and the warehouse is untouched."""
    offer, warehouse = offer_in_stock(quantity=50)
    kiosk = point(operator=offer.seller, name="Ki-ốt bến xe đua")
    last = Stock.objects.create(offer=offer, location=kiosk.location, quantity=1)
    carts = [ready_cart((offer, 1)) for _ in range(2)]
    for cart in carts:
        checkout_delivery_set(
            cart=cart, seller=offer.seller, method="pickup", pickup_location=kiosk.location
        )

    def checkout(cart):
        checkout_reserve(cart=cart)
        return checkout_place_orders(cart=cart, payment_method=PaymentMethod.COD, confirmed=True)

    outcomes = _race(carts, checkout)

    won = [o for o in outcomes if isinstance(o, list)]
    lost = [o for o in outcomes if isinstance(o, CheckoutError)]
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code in {"SOLD_OUT", "NOT_ENOUGH_STOCK"}
    (order,) = won[0]
    assert (order.pickup_point_id, order.shipping_fee) == (kiosk.pk, 0)
    assert Stock.objects.get(pk=last.pk).quantity == 0
    assert Stock.objects.get(pk=warehouse.pk).quantity == 50
    assert not Stock.objects.filter(quantity__lt=0).exists()
    assert Reservation.objects.count() == 0
