"""A cancellation changes what a payment asks for: a transfer for the old amount, or for a
checkout whose orders are all cancelled, confirms nothing and is flagged to staff as money to pay
back; money received for a cancelled order is never kept silently."""

import hashlib
import hmac
import json

import pytest

from marketplace.ledger.models import LedgerEntry
from marketplace.orders.models import OrderStatus, PaymentMethod
from marketplace.orders.services import order_cancel
from marketplace.payments.models import BankNotification, NotificationStatus, Payment
from marketplace.payments.services import checkout_complete, checkout_payment_start
from tests.factories import UserFactory
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db


def _checkout(method=PaymentMethod.VIETQR):
    honey, _honey_stock = offer_in_stock(quantity=5, price=120_000)
    tea, _ = offer_in_stock(quantity=5, price=90_000, name="Chè")
    cart = ready_cart((honey, 1), (tea, 2))
    payment = checkout_payment_start(cart=cart, method=method)
    orders = {o.seller_id: o for o in cart.orders.all()}
    return payment, orders[honey.seller_id], orders[tea.seller_id]


def _bank(client, settings, transaction_id, amount, note):
    settings.BANK_NOTIFY_SECRET = "bank-secret"
    raw = json.dumps({"transaction_id": transaction_id, "amount": amount, "note": note}).encode()
    signature = hmac.new(b"bank-secret", raw, hashlib.sha256).hexdigest()
    return client.post(
        "/payments/bank/notify/",
        raw,
        content_type="application/json",
        HTTP_X_OCOP_SIGNATURE=signature,
    )


def _statuses(*orders):
    return [type(o).objects.get(pk=o.pk).status for o in orders]


def test_a_transfer_for_a_fully_cancelled_checkout_confirms_nothing_and_is_owed_back(
    client, settings
):
    payment, honey, tea = _checkout()
    order_cancel(order=honey, actor=None, reason="Hết hàng")
    order_cancel(order=tea, actor=None, reason="Hết hàng")
    payment.refresh_from_db()
    assert (payment.status, payment.amount_due) == ("cancelled", 0)

    response = _bank(client, settings, "FT1", 360_000, payment.reference)
    assert response.json() == {"status": "flagged"}
    notification = BankNotification.objects.get()
    assert (notification.refund_due, notification.payment_id) == (360_000, payment.pk)
    assert notification.reason == "Every order of this payment was cancelled."
    assert _statuses(honey, tea) == [OrderStatus.CANCELLED, OrderStatus.CANCELLED]
    assert Payment.objects.get().status == "cancelled"
    assert LedgerEntry.objects.count() == 0


def test_one_seller_cancelled_the_old_total_is_flagged_the_new_total_matches(client, settings):
    payment, honey, tea = _checkout()
    order_cancel(order=honey, actor=None, reason="Hết hàng")
    payment.refresh_from_db()
    assert (payment.amount, payment.amount_cancelled, payment.amount_due) == (
        360_000,
        150_000,
        210_000,
    )
    # The old total (QR code saved before the cancellation): the cancelled share is not kept.
    assert _bank(client, settings, "FT1", 360_000, payment.reference).json() == {
        "status": "flagged"
    }
    flagged = BankNotification.objects.get(transaction_id="FT1")
    assert flagged.refund_due == 360_000
    assert flagged.reason == (
        "Amount 360000 differs from the 210000 due. Orders for 150000 were cancelled."
    )
    assert _statuses(honey, tea) == [OrderStatus.CANCELLED, OrderStatus.AWAITING_PAYMENT]

    assert _bank(client, settings, "FT2", 210_000, payment.reference).json() == {
        "status": "matched"
    }
    assert _statuses(honey, tea) == [OrderStatus.CANCELLED, OrderStatus.CONFIRMED]
    payment.refresh_from_db()
    assert (payment.status, payment.refund_due) == ("succeeded", 0)
    assert BankNotification.objects.get(transaction_id="FT2").refund_due == 0


def test_the_qr_code_asks_for_the_amount_still_due(client):
    from marketplace.payments.checkout import CheckoutPaymentStep

    _payment, honey, tea = _checkout()
    order_cancel(order=honey, actor=None, reason="Hết hàng")
    context = CheckoutPaymentStep().order_context(orders=[tea])

    assert "210.000" in context["vietqr_note"] and tea.number in context["vietqr_note"]
    assert honey.number not in context["vietqr_note"]
    assert "5406210000" in context["vietqr_payload"]


def test_a_paid_order_cancelled_afterwards_is_owed_back_and_staff_record_it(client, settings):
    payment, honey, _tea = _checkout()
    assert _bank(client, settings, "FT1", 360_000, payment.reference).json() == {
        "status": "matched"
    }
    order_cancel(order=honey, actor=None, reason="Hỏng")
    payment.refresh_from_db()
    assert (payment.status, payment.refund_due) == ("succeeded", 150_000)

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    listing = client.get("/admin/payments/payment/?refund_due=yes")
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [payment]
    client.post(
        "/admin/payments/payment/",
        {"action": "refund_due_paid_back", "_selected_action": [payment.pk]},
    )
    payment.refresh_from_db()
    assert (payment.refund_due, payment.amount_refunded, payment.status) == (
        0,
        150_000,
        "partially_refunded",
    )
    assert list(client.get("/admin/payments/payment/?refund_due=yes").context["cl"].queryset) == []


def test_a_card_charged_in_full_after_a_cancellation_owes_the_share_back(client, stripe_stub):
    honey, _ = offer_in_stock(quantity=5, price=120_000)
    tea, _ = offer_in_stock(quantity=5, price=90_000, name="Chè")
    cart = ready_cart((honey, 1), (tea, 2))
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    stripe_stub.intents[payment.provider_id]["status"] = "processing"
    orders = checkout_complete(cart=cart)  # placed, awaiting the card
    first = next(o for o in orders if o.seller_id == honey.seller_id)
    order_cancel(order=first, actor=None, reason="Hết hàng")
    from tests.support.stripe_stub import signed_event

    body, header = signed_event(
        {
            "id": "evt_ok",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": payment.provider_id, "object": "payment_intent"}},
        }
    )
    client.post(
        "/payments/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    payment.refresh_from_db()
    assert (payment.status, payment.refund_due) == ("succeeded", 150_000)
    assert sorted(cart.orders.values_list("status", flat=True)) == ["cancelled", "confirmed"]


def test_staff_find_flagged_transfers_to_pay_back_and_record_them(client, settings):
    payment, _honey, _tea = _checkout()
    _bank(client, settings, "FT1", 359_000, payment.reference)
    _bank(client, settings, "FT2", 360_000, payment.reference)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get("/admin/payments/banknotification/?refund_due=yes")
    assert [n.transaction_id for n in page.context["cl"].queryset] == ["FT1"]
    assert "359.000" in page.content.decode() or "359000" in page.content.decode()
    client.post(
        "/admin/payments/banknotification/",
        {
            "action": "refund_paid_back",
            "_selected_action": [BankNotification.objects.get(transaction_id="FT1").pk],
        },
    )
    done = BankNotification.objects.get(transaction_id="FT1")
    assert (done.status, done.reviewed_by, done.refunded_at is not None) == (
        NotificationStatus.FLAGGED,
        staff,
        True,
    )
    assert (
        list(client.get("/admin/payments/banknotification/?refund_due=yes").context["cl"].queryset)
        == []
    )
