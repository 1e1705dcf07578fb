"""Payments: VietQR payloads, Stripe through a loopback stand-in, webhooks applied once, bank
notifications reconciled only on an exact match."""

import hashlib
import hmac
import json
import threading

import pytest
from django.db import connection, connections
from hypothesis import given
from hypothesis import strategies as st

from marketplace.offers.models import Stock
from marketplace.orders.models import CartStatus, Order, OrderStatus, PaymentMethod
from marketplace.payments.models import (
    BankNotification,
    NotificationStatus,
    Payment,
    PaymentStatus,
    ProviderEvent,
)
from marketplace.payments.services import (
    checkout_complete,
    checkout_payment_start,
    order_refund_with_payment,
    vietqr_reconcile,
)
from marketplace.payments.vietqr import (
    VietQRError,
    crc16_ccitt_false,
    tlv_fields,
    tlv_parse,
    vietqr_payload_build,
)
from tests.factories import UserFactory
from tests.factories_orders import offer_in_stock, ready_cart
from tests.support.stripe_stub import signed_event

KNOWN_GOOD = [
    (
        {
            "bank_bin": "970415",
            "account": "0011001932418",
            "service": "QRIBFTTA",
            "amount": 120000,
            "purpose": "ung ho lu lut",
        },
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA53037045406"
        "1200005802VN62170813ung ho lu lut6304C15C",
    ),
    (
        {
            "bank_bin": "970436",
            "account": "1023456789",
            "service": "QRIBFTTA",
            "amount": 1943000,
            "purpose": "TT000069",
        },
        "00020101021238540010A00000072701240006970436011010234567890208QRIBFTTA53037045407"
        "19430005802VN62120808TT0000696304A8E5",
    ),
]


# --- VietQR ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "expected"), KNOWN_GOOD)
def test_vietqr_reproduces_the_known_good_payloads(kwargs, expected):
    assert vietqr_payload_build(**kwargs) == expected


def test_vietqr_static_payload_and_folded_purpose():
    payload = vietqr_payload_build(
        bank_bin="970422", account="123456", service="QRIBFTTC", purpose="Đơn hàng số 5"
    )
    fields = tlv_parse(payload)
    assert (fields["01"], "54" in fields) == ("11", False)
    assert tlv_fields(fields["62"]) == {"08": "Don hang so 5"}
    assert tlv_fields(tlv_fields(fields["38"])["01"]) == {"00": "970422", "01": "123456"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"bank_bin": "97041"}, "bank_bin"),
        ({"account": "12 34"}, "account"),
        ({"service": "QRPUSH"}, "service"),
        ({"amount": 0}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"purpose": "x" * 26}, "purpose"),
        ({"purpose": "ủng hộ #1"}, "purpose"),
    ],
)
def test_vietqr_refuses_bad_input_naming_the_field(kwargs, field):
    base = {"bank_bin": "970415", "account": "123456", "service": "QRIBFTTA", "amount": 1000}
    with pytest.raises(VietQRError) as exc_info:
        vietqr_payload_build(**{**base, **kwargs})
    assert exc_info.value.field == field


@given(
    amount=st.integers(min_value=1, max_value=10**12),
    purpose=st.text(alphabet="ABCXYZabc0123456789 ", max_size=25),
)
def test_vietqr_payloads_always_parse_back_with_a_valid_crc(amount, purpose):
    payload = vietqr_payload_build(
        bank_bin="970436", account="1023456789", service="QRIBFTTA", amount=amount, purpose=purpose
    )
    fields = tlv_parse(payload)
    assert fields["54"] == str(amount)
    assert int(payload[-4:], 16) == crc16_ccitt_false(payload[:-4].encode())


def test_crc_catalogue_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


# --- checkout with each method ----------------------------------------------------------------

pytestmark = pytest.mark.django_db(databases=["default"])


def _two_seller_cart():
    honey, honey_stock = offer_in_stock(quantity=5, price=120_000)
    tea, tea_stock = offer_in_stock(quantity=5, price=90_000, name="Chè")
    return ready_cart((honey, 1), (tea, 2)), honey_stock, tea_stock


def test_cash_on_delivery_places_confirmed_orders_at_once():
    cart, honey_stock, tea_stock = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.COD)
    assert (payment.method, payment.amount, payment.status) == ("cod", 360_000, "pending")
    assert sorted(cart.orders.values_list("status", "total")) == [
        ("confirmed", 150_000),
        ("confirmed", 210_000),
    ]
    honey_stock.refresh_from_db()
    tea_stock.refresh_from_db()
    assert (honey_stock.quantity, tea_stock.quantity) == (4, 3)


def test_vietqr_places_orders_awaiting_the_transfer(settings):
    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.VIETQR)
    assert payment.reference.startswith("OCOP") and len(payment.reference) == 12
    assert set(cart.orders.values_list("status", flat=True)) == {"awaiting_payment"}
    staff = UserFactory(is_staff=True)
    vietqr_reconcile(payment=payment, actor=staff)
    assert set(cart.orders.values_list("status", flat=True)) == {"confirmed"}
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED


def _bank(client, settings, body: dict, secret="bank-secret"):
    settings.BANK_NOTIFY_SECRET = "bank-secret"
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/payments/bank/notify/",
        raw,
        content_type="application/json",
        HTTP_X_OCOP_SIGNATURE=signature,
    )


def test_bank_notification_confirms_only_an_exact_match(client, settings):
    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.VIETQR)
    wrong_amount = {"transaction_id": "FT1", "amount": 359_000, "note": f"CK {payment.reference}"}
    assert _bank(client, settings, wrong_amount).json() == {"status": "flagged"}
    unknown = {"transaction_id": "FT2", "amount": 360_000, "note": "OCOPZZZZZZZZ"}
    assert _bank(client, settings, unknown).json() == {"status": "flagged"}
    assert set(cart.orders.values_list("status", flat=True)) == {"awaiting_payment"}
    forged = {"transaction_id": "FT3", "amount": 360_000, "note": payment.reference}
    assert _bank(client, settings, forged, secret="guess").status_code == 403
    assert BankNotification.objects.count() == 2

    exact = {"transaction_id": "FT4", "amount": 360_000, "note": f"ck {payment.reference.lower()}"}
    assert _bank(client, settings, exact).json() == {"status": "matched"}
    assert _bank(client, settings, exact).json() == {"status": "matched"}
    assert set(cart.orders.values_list("status", flat=True)) == {"confirmed"}
    assert list(
        BankNotification.objects.order_by("transaction_id").values_list("status", flat=True)
    ) == [
        NotificationStatus.FLAGGED,
        NotificationStatus.FLAGGED,
        NotificationStatus.MATCHED,
    ]


def test_unpaid_transfers_expire_and_a_late_transfer_is_flagged(client, settings):
    import datetime
    from io import StringIO

    from django.core.management import call_command

    cart, honey_stock, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.VIETQR)
    out = StringIO()
    call_command("payments_expire_unpaid", stdout=out)
    assert out.getvalue() == "0 unpaid bank transfers expired\n"
    Payment.objects.filter(pk=payment.pk).update(
        created_at=payment.created_at - datetime.timedelta(hours=49)
    )
    call_command("payments_expire_unpaid", stdout=out)
    assert set(cart.orders.values_list("status", flat=True)) == {"cancelled"}
    honey_stock.refresh_from_db()
    assert honey_stock.quantity == 5
    late = {"transaction_id": "FT9", "amount": 360_000, "note": payment.reference}
    assert _bank(client, settings, late).json() == {"status": "flagged"}
    assert Payment.objects.get().status == PaymentStatus.FAILED


# --- Stripe -------------------------------------------------------------------------------------


def test_card_payment_creates_an_intent_in_dong_with_an_idempotency_key(stripe_stub):
    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    (request,) = stripe_stub.requests
    assert (request.method, request.path) == ("POST", "/v1/payment_intents")
    assert (request.form["amount"], request.form["currency"]) == ("360000", "vnd")
    assert request.form["metadata[payment_reference]"] == payment.reference
    assert request.form["metadata[cart]"] == str(cart.token)
    assert request.headers["Idempotency-Key"] == f"pi-{payment.reference}"
    assert payment.provider_id.startswith("pi_") and payment.client_secret
    assert cart.orders.count() == 0  # placed when the buyer comes back or the webhook arrives


def _webhook(client, event: dict, secret="whsec_test_secret"):
    body, header = signed_event(event, secret=secret)
    return client.post(
        "/payments/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def _succeeded(payment, event_id="evt_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": payment.provider_id, "object": "payment_intent"}},
    }


def test_replaying_a_webhook_ten_times_changes_state_once(client, stripe_stub):
    cart, _honey_stock, _tea_stock = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    stripe_stub.succeed(payment.provider_id)
    orders = checkout_complete(cart=cart)
    assert [o.status for o in orders] == ["confirmed", "confirmed"]

    other_cart, _, _ = _two_seller_cart()
    other = checkout_payment_start(cart=other_cart, method=PaymentMethod.STRIPE)
    responses = [_webhook(client, _succeeded(other, "evt_replayed")) for _ in range(10)]
    assert [r.json()["applied"] for r in responses] == [True] + [False] * 9
    # The buyer never came back: the webhook placed the orders itself, once.
    assert list(other_cart.orders.values_list("status", flat=True)) == ["confirmed", "confirmed"]
    assert ProviderEvent.objects.filter(event_id="evt_replayed").count() == 1
    assert Order.objects.count() == 4


def test_a_webhook_with_a_wrong_signature_changes_nothing(client, stripe_stub):
    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    response = _webhook(client, _succeeded(payment), secret="whsec_forged")
    assert response.status_code == 400
    assert (ProviderEvent.objects.count(), Order.objects.count()) == (0, 0)
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_failed_card_releases_the_held_stock(client, stripe_stub):
    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    assert cart.reservations.count() == 2
    event = _succeeded(payment, "evt_failed")
    event["type"] = "payment_intent.payment_failed"
    assert _webhook(client, event).json() == {"applied": True}
    assert (cart.reservations.count(), Payment.objects.get().status) == (0, "failed")


def test_refund_goes_through_stripe_then_returns_the_stock(client, stripe_stub):
    cart, honey_stock, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    stripe_stub.succeed(payment.provider_id)
    orders = checkout_complete(cart=cart)
    honey_order = next(o for o in orders if o.seller == honey_stock.offer.seller)
    order_refund_with_payment(order=honey_order, actor=UserFactory(is_staff=True), reason="Vỡ")
    refund = stripe_stub.requests[-1]
    assert (refund.path, refund.form["amount"], refund.form["payment_intent"]) == (
        "/v1/refunds",
        "150000",
        payment.provider_id,
    )
    assert refund.headers["Idempotency-Key"] == f"refund-{honey_order.number}"
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", 150_000)
    assert Order.objects.get(pk=honey_order.pk).status == OrderStatus.REFUNDED
    honey_stock.refresh_from_db()
    assert honey_stock.quantity == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_provider_is_called_with_no_transaction_and_no_stock_lock(stripe_stub):
    cart, honey_stock, _ = _two_seller_cart()
    seen = {}

    def probe(_request):
        # From another connection: a NOWAIT lock fails if the checkout still held the row.
        with connections["default"].cursor():
            pass
        seen["atomic"] = connection.in_atomic_block
        from django.db import connections as conns

        other = conns.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM offers_stock WHERE id = %s FOR UPDATE NOWAIT", [honey_stock.pk]
            )
            seen["lockable"] = cursor.fetchone() is not None
        other.close()

    stripe_stub.on_request = probe
    checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    assert seen == {"atomic": False, "lockable": True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_deliveries_of_one_webhook_apply_once(stripe_stub):
    from django.test import Client

    cart, _, _ = _two_seller_cart()
    payment = checkout_payment_start(cart=cart, method=PaymentMethod.STRIPE)
    barrier = threading.Barrier(10)
    results = []

    def deliver():
        barrier.wait()
        results.append(_webhook(Client(), _succeeded(payment, "evt_race")).json()["applied"])
        connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 9 + [True]
    assert Order.objects.filter(cart=cart, status="confirmed").count() == 2
    assert Stock.objects.filter(quantity=4).count() == 1
    cart.refresh_from_db()
    assert cart.status == CartStatus.COMPLETED
