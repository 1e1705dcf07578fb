"""The seller ledger: bookings per order, reversals, payouts, and that sums always reconcile."""

import threading

import pytest
from django.db import connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.ledger.errors import LedgerError
from marketplace.ledger.models import LedgerEntry, Payout
from marketplace.ledger.selectors import ledger_totals
from marketplace.ledger.services import (
    commission_for,
    commission_rate_set,
    ledger_balance,
    ledger_order_confirmed,
    payout_record,
)
from marketplace.orders.models import PaymentMethod
from marketplace.orders.services import (
    checkout_place_orders,
    order_cancel,
    order_deliver,
    order_mark_paid,
    order_process,
    order_refund,
    order_ship,
)
from tests.factories import UserFactory, member
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db


def _order(offer, quantity=1, method=PaymentMethod.COD, confirmed=True):
    (order,) = checkout_place_orders(
        cart=ready_cart((offer, quantity)), payment_method=method, confirmed=confirmed
    )
    return order


@pytest.mark.parametrize(
    ("subtotal", "bp", "expected"),
    [(250_000, 500, 12_500), (99_990, 500, 5_000), (99_989, 500, 4_999), (120_000, 0, 0)],
)
def test_commission_rounds_half_up_to_the_dong(subtotal, bp, expected):
    assert commission_for(subtotal=subtotal, basis_points=bp) == expected


def test_cash_on_delivery_leaves_the_seller_owing_the_commission():
    offer, _ = offer_in_stock(price=125_000)
    order = _order(offer, 2)  # goods 250.000 + shipping 30.000
    assert ledger_totals(seller=offer.seller) == {
        "sale": 280_000,
        "commission": -12_500,
        "balance": 267_500,
    }
    actor = UserFactory()
    order_process(order=order, actor=actor)
    order_ship(order=order, actor=actor, carrier="VNPost", tracking_number="EB1")
    order_deliver(order=order, actor=actor, cod_collected=True)
    assert ledger_balance(seller=offer.seller) == -12_500


def test_a_paid_transfer_credits_total_minus_commission_and_a_refund_restores_zero():
    offer, _ = offer_in_stock(price=200_000)
    commission_rate_set(seller=offer.seller, basis_points=300, actor=UserFactory(is_staff=True))
    order = _order(offer, method=PaymentMethod.VIETQR, confirmed=False)
    assert ledger_balance(seller=offer.seller) == 0  # nothing owed before the money arrives
    order_mark_paid(order=order)
    assert ledger_balance(seller=offer.seller) == 230_000 - 6_000
    ledger_order_confirmed(order=order)  # booking twice books once
    assert LedgerEntry.objects.count() == 2
    order_refund(order=order, actor=None, reason="Vỡ hũ")
    assert ledger_balance(seller=offer.seller) == 0
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == sorted(
        [("sale", 230_000), ("commission", -6_000), ("reversal", -230_000), ("reversal", 6_000)]
    )


def test_cancelling_an_unpaid_order_books_nothing():
    offer, _ = offer_in_stock()
    order = _order(offer, method=PaymentMethod.VIETQR, confirmed=False)
    order_cancel(order=order, actor=None, reason="Không chuyển khoản")
    assert LedgerEntry.objects.count() == 0


def test_payouts_never_exceed_the_balance_and_only_staff_record_them():
    offer, _ = offer_in_stock(price=100_000)
    _order(offer, method=PaymentMethod.STRIPE, confirmed=True)  # 130.000 − 5.000
    staff = UserFactory(is_staff=True)
    with pytest.raises(LedgerError) as exc_info:
        payout_record(seller=offer.seller, amount=125_001, reference="FT1", actor=staff)
    assert (exc_info.value.code, exc_info.value.field) == ("out_of_range", "amount")
    with pytest.raises(LedgerError):
        payout_record(seller=offer.seller, amount=1_000, reference="FT1", actor=UserFactory())
    assert Payout.objects.count() == 0
    payout_record(seller=offer.seller, amount=125_000, reference="FT2611", actor=staff)
    assert ledger_balance(seller=offer.seller) == 0


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["cod", "paid", "collect", "reverse", "payout"]),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=8,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_sums_always_reconcile(operations):
    """Whatever happens, the balance is the sum of the entries and equals a pure model of it."""
    offer, _ = offer_in_stock(quantity=100, price=100_000)
    staff = UserFactory(is_staff=True)
    expected = 0
    orders = []
    for op, quantity in operations:
        if op in ("cod", "paid"):
            method = PaymentMethod.COD if op == "cod" else PaymentMethod.VIETQR
            order = _order(offer, quantity, method=method, confirmed=op == "cod")
            if op == "paid":
                order_mark_paid(order=order)
            expected += order.total - commission_for(subtotal=order.subtotal, basis_points=500)
            orders.append(order)
        elif op == "collect":
            cod = [o for o in orders if o.payment_method == "cod" and o.status == "confirmed"]
            if cod:
                order = cod[0]
                order_process(order=order, actor=staff)
                order_ship(order=order, actor=staff, carrier="GHN", tracking_number="1")
                order.refresh_from_db()
                order_deliver(order=order, actor=staff, cod_collected=True)
                order.refresh_from_db()
                expected -= order.total
        elif op == "reverse":
            live = [o for o in orders if o.status == "confirmed"]
            if live:
                order = live[0]
                order_cancel(order=order, actor=staff, reason="Hủy")
                order.refresh_from_db()
                expected -= order.total - commission_for(subtotal=order.subtotal, basis_points=500)
        elif op == "payout":
            amount = quantity * 10_000
            if amount <= expected:
                payout_record(seller=offer.seller, amount=amount, reference="FT", actor=staff)
                expected -= amount
        entries = list(
            LedgerEntry.objects.filter(seller=offer.seller).values_list("amount", flat=True)
        )
        assert ledger_balance(seller=offer.seller) == sum(entries) == expected
        assert all(isinstance(a, int) for a in entries)


def test_the_ledger_page_is_for_owners_and_managers_in_constant_queries(django_queries):
    offer, _ = offer_in_stock()
    _order(offer)
    owner = Client()
    owner.force_login(member(offer.seller, "owner"))
    url = f"/seller/{offer.seller.slug}/ledger/"
    owner.get(url)
    with django_queries(9):
        one = owner.get(url)
    for _ in range(4):
        _order(offer)
    with django_queries(9):
        many = owner.get(url)
    assert one.content.decode().count("data-entry=") == 2
    assert many.content.decode().count("data-entry=") == 10
    staff = Client()
    staff.force_login(member(offer.seller, "staff"))
    assert staff.get(url).status_code == 403
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(url).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_payouts_racing_for_one_balance_cannot_both_succeed():
    offer, _ = offer_in_stock(price=100_000)
    _order(offer, method=PaymentMethod.STRIPE, confirmed=True)  # balance 125.000
    staff = UserFactory(is_staff=True)
    barrier = threading.Barrier(2)
    results = []

    def pay(reference):
        barrier.wait()
        try:
            payout_record(seller=offer.seller, amount=100_000, reference=reference, actor=staff)
            results.append("paid")
        except LedgerError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(f"FT{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["paid", "refused"]
    assert ledger_balance(seller=offer.seller) == 25_000
