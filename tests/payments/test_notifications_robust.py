"""Provider notifications that are signed but odd: fractional amounts, malformed events, and the
same bank notification delivered twice at once. Each gets a clean answer and changes nothing
twice."""

import hashlib
import hmac
import json
import threading

import pytest
from django.db import connections

from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.payments.models import BankNotification, Payment, PaymentStatus, ProviderEvent
from marketplace.payments.services import checkout_payment_start
from tests.factories_orders import offer_in_stock, ready_cart
from tests.support.stripe_stub import signed_event


def _cart():
    honey, _ = offer_in_stock(quantity=5, price=120_000)
    tea, _ = offer_in_stock(quantity=5, price=90_000, name="Chè")
    return ready_cart((honey, 1), (tea, 2))


def _bank_raw(client, raw: bytes):
    signature = hmac.new(b"bank-secret", raw, hashlib.sha256).hexdigest()
    return client.post(
        "/payments/bank/notify/",
        raw,
        content_type="application/json",
        HTTP_X_OCOP_SIGNATURE=signature,
    )


@pytest.fixture
def bank_secret(settings):
    settings.BANK_NOTIFY_SECRET = "bank-secret"


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["360000.5", "359999.99", "360000.0001", "1e-3"])
def test_a_fractional_amount_is_refused_never_truncated(client, bank_secret, amount):
    payment = checkout_payment_start(cart=_cart(), method=PaymentMethod.VIETQR)
    raw = f'{{"transaction_id": "FT1", "amount": {amount}, "note": "{payment.reference}"}}'
    response = _bank_raw(client, raw.encode())
    assert response.status_code == 400
    assert "whole number of đồng" in response.content.decode()
    assert BankNotification.objects.count() == 0
    assert Payment.objects.get().status == PaymentStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["true", "-360000", "0", '"36e4"', "[360000]", "null"])
def test_an_amount_that_is_not_a_positive_whole_number_is_refused(client, bank_secret, amount):
    raw = f'{{"transaction_id": "FT1", "amount": {amount}, "note": "x"}}'
    assert _bank_raw(client, raw.encode()).status_code == 400
    assert BankNotification.objects.count() == 0


@pytest.mark.django_db
def test_a_whole_amount_as_integer_string_or_point_zero_is_accepted(client, bank_secret):
    payment = checkout_payment_start(cart=_cart(), method=PaymentMethod.VIETQR)
    raw = f'{{"transaction_id": "FT1", "amount": 360000.0, "note": "{payment.reference}"}}'
    assert _bank_raw(client, raw.encode()).json() == {"status": "matched"}
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CONFIRMED}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event",
    [
        {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded"},
        {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": None},
        {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": []},
        {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {}},
        {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {"object": "x"}},
        {"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {"object": [1]}},
        {"id": 7, "object": "event", "type": "charge.refunded", "data": {"object": {}}},
        {"id": "evt_1", "object": "event", "data": {"object": {}}},
    ],
)
def test_a_signed_but_malformed_stripe_event_is_a_clean_400(client, stripe_stub, event):
    payment = checkout_payment_start(cart=_cart(), method=PaymentMethod.STRIPE)
    body, header = signed_event(event)
    response = client.post(
        "/payments/stripe/webhook/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert ProviderEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_a_signed_stripe_body_that_is_not_an_object_is_a_clean_400(client, stripe_stub):
    import time

    raw = b"[1, 2, 3]"
    timestamp = int(time.time())
    signature = hmac.new(
        b"whsec_test_secret", f"{timestamp}.".encode() + raw, hashlib.sha256
    ).hexdigest()
    response = client.post(
        "/payments/stripe/webhook/",
        raw,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )
    assert response.status_code == 400
    assert ProviderEvent.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("note", ["matching", "unknown"])
def test_concurrent_duplicate_bank_notifications_never_500(bank_secret, note):
    from django.test import Client

    payment = checkout_payment_start(cart=_cart(), method=PaymentMethod.VIETQR)
    text = payment.reference if note == "matching" else "no reference here"
    raw = json.dumps({"transaction_id": "FT-RACE", "amount": 360_000, "note": text}).encode()
    barrier = threading.Barrier(8)
    codes = []

    def deliver():
        try:
            barrier.wait()
            response = _bank_raw(Client(raise_request_exception=False), raw)
            codes.append((response.status_code, response.json()["status"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    expected = "matched" if note == "matching" else "flagged"
    assert codes == [(200, expected)] * 8
    assert BankNotification.objects.count() == 1
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == ({"confirmed"} if note == "matching" else {"awaiting_payment"})
