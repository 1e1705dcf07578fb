"""Stripe's charge.refunded: the orders and the seller ledger follow the refund exactly — a whole
order, part of one, the whole charge — and each refund is applied once, whichever event brings
it and whoever made it."""

import pytest
from django.db.models import Sum

from marketplace.ledger.models import EntryKind, LedgerEntry
from marketplace.offers.models import Stock
from marketplace.orders.models import OrderStatus, PaymentMethod
from marketplace.payments.models import ProviderEvent
from marketplace.payments.services import (
    checkout_complete,
    checkout_payment_start,
    order_refund_with_payment,
)
from tests.factories import UserFactory
from tests.factories_orders import offer_in_stock, ready_cart
from tests.support.stripe_stub import signed_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(stripe_stub):
    honey, honey_stock = offer_in_stock(quantity=5, price=120_000)
    tea, _ = offer_in_stock(quantity=5, price=90_000, name="Chè")
    cart = ready_cart((honey, 1), (tea, 2))
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    stripe_stub.succeed(payment.provider_id)
    orders = {o.seller_id: o for o in checkout_complete(cart=cart)}
    return payment, orders[honey.seller_id], orders[tea.seller_id], honey_stock


def _refunded(client, payment, event_id, refunds, total=None):
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": payment.provider_id,
        "amount": 360_000,
        "amount_refunded": total if total is not None else sum(r["amount"] for r in refunds),
    }
    if refunds is not None:
        charge["refunds"] = {"object": "list", "data": refunds}
    body, header = signed_event(
        {"id": event_id, "object": "event", "type": "charge.refunded", "data": {"object": charge}}
    )
    return client.post(
        "/payments/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def _balance(order):
    return LedgerEntry.objects.filter(order=order).aggregate(s=Sum("amount"))["s"]


def _status(order):
    return type(order).objects.get(pk=order.pk).status


def test_a_full_refund_from_the_dashboard_refunds_every_order_once(client, paid):
    payment, honey, tea, honey_stock = paid
    assert (_balance(honey), _balance(tea)) == (144_000, 201_000)
    refund = {"id": "re_all", "amount": 360_000, "status": "succeeded"}
    assert _refunded(client, payment, "evt_1", [refund]).json() == {"applied": True}
    assert (_status(honey), _status(tea)) == (OrderStatus.REFUNDED, OrderStatus.REFUNDED)
    assert (_balance(honey), _balance(tea)) == (0, 0)
    honey_stock.refresh_from_db()
    assert honey_stock.quantity == 5
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("refunded", 360_000)
    entries = LedgerEntry.objects.count()
    # Another event listing the same refund (charge.refund.updated, a replay under a new id).
    assert _refunded(client, payment, "evt_2", [refund]).json() == {"applied": True}
    assert LedgerEntry.objects.count() == entries
    payment.refresh_from_db()
    assert payment.amount_refunded == 360_000


def test_a_refund_of_one_orders_total_refunds_that_order(client, paid):
    payment, honey, tea, _ = paid
    _refunded(client, payment, "evt_1", [{"id": "re_tea", "amount": 210_000}])
    assert (_status(honey), _status(tea)) == (OrderStatus.CONFIRMED, OrderStatus.REFUNDED)
    assert (_balance(honey), _balance(tea)) == (144_000, 0)
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", 210_000)


def test_partial_refunds_reduce_the_ledger_exactly_and_add_up_to_zero(client, paid):
    payment, honey, _tea, _ = paid
    first = {"id": "re_a", "amount": 50_000, "metadata": {"order": honey.number}}
    _refunded(client, payment, "evt_1", [first])
    assert _status(honey) == OrderStatus.CONFIRMED
    (entry,) = LedgerEntry.objects.filter(order=honey, kind=EntryKind.REFUND)
    # 50.000 back to the buyer, less the commission on a third of the goods (6.000 / 3).
    assert entry.amount == -48_000
    assert _balance(honey) == 96_000
    second = {"id": "re_b", "amount": 100_000, "metadata": {"order": honey.number}}
    _refunded(client, payment, "evt_2", [second, first])
    assert _status(honey) == OrderStatus.REFUNDED
    assert _balance(honey) == 0
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", 150_000)


def test_a_refund_the_marketplace_made_is_not_applied_again(client, paid):
    payment, honey, tea, honey_stock = paid
    order_refund_with_payment(order=honey, actor=UserFactory(is_staff=True), reason="Vỡ")
    refund_id = ProviderEvent.objects.get(provider="stripe_refund").event_id
    assert refund_id.startswith("re_")  # the id Stripe answered the refund with
    entries = LedgerEntry.objects.count()
    _refunded(client, payment, "evt_1", [{"id": refund_id, "amount": 150_000}])
    assert LedgerEntry.objects.count() == entries
    assert (_status(honey), _status(tea)) == (OrderStatus.REFUNDED, OrderStatus.CONFIRMED)
    honey_stock.refresh_from_db()
    assert honey_stock.quantity == 5
    payment.refresh_from_db()
    assert payment.amount_refunded == 150_000


def test_without_the_refund_list_the_growth_of_amount_refunded_applies_once(client, paid):
    payment, honey, tea, _ = paid
    _refunded(client, payment, "evt_1", None, total=150_000)
    _refunded(client, payment, "evt_2", None, total=150_000)
    assert (_status(honey), _status(tea)) == (OrderStatus.REFUNDED, OrderStatus.CONFIRMED)
    payment.refresh_from_db()
    assert payment.amount_refunded == 150_000
    _refunded(client, payment, "evt_3", None, total=360_000)
    assert _status(tea) == OrderStatus.REFUNDED
    assert Stock.objects.filter(quantity=5).count() == 2
