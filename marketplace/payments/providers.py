"""The outside world: Stripe's API and VietQR payloads. Nothing here touches the database, so the
services can call it with no transaction open and no stock row locked."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import stripe
from django.conf import settings

from marketplace.payments.vietqr import SERVICE_TO_ACCOUNT, vietqr_payload_build


@dataclass(frozen=True)
class IntentResult:
    provider_id: str
    client_secret: str
    status: str


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _stripe() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # Stripe's library waits 80 s for an answer by default: a slow Stripe would hold every
    # worker past gunicorn's timeout. A bounded wait fails the call cleanly instead.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        max_network_retries=2,
        http_client=stripe.new_default_http_client(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def stripe_intent_create(
    *, amount: int, reference: str, metadata: dict[str, str], description: str
) -> IntentResult:
    """A PaymentIntent in đồng: VND is zero-decimal, so ``amount`` goes as it is. The idempotency
    key is the payment's reference: a retried call returns the same intent, never a second."""
    intent = _stripe().v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "vnd",
            "automatic_payment_methods": {"enabled": True},
            "description": description,
            "metadata": {"payment_reference": reference, **metadata},
        },
        options={"idempotency_key": f"pi-{reference}"},
    )
    return IntentResult(intent.id, intent.client_secret or "", intent.status)


def stripe_intent_status(*, provider_id: str) -> str:
    return _stripe().v1.payment_intents.retrieve(provider_id).status


def stripe_refund_create(*, provider_id: str, amount: int, idempotency_key: str) -> str:
    refund = _stripe().v1.refunds.create(
        params={"payment_intent": provider_id, "amount": amount},
        options={"idempotency_key": idempotency_key},
    )
    return refund.id


def stripe_event_verify(*, payload: bytes, signature: str):
    """The event if ``signature`` is Stripe's for ``payload``; raises ValueError or
    ``stripe.SignatureVerificationError`` otherwise."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


def vietqr_for(*, amount: int, reference: str) -> str:
    return vietqr_payload_build(
        bank_bin=settings.VIETQR_BANK_BIN,
        account=settings.VIETQR_ACCOUNT,
        service=settings.VIETQR_SERVICE or SERVICE_TO_ACCOUNT,
        amount=amount,
        purpose=reference,
    )


BANK_SIGNATURE_HEADER = "HTTP_X_OCOP_SIGNATURE"


def bank_signature(body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw body with ``BANK_NOTIFY_SECRET``, sent by the bank connector in
    the ``X-OCOP-Signature`` header."""
    return hmac.new(settings.BANK_NOTIFY_SECRET.encode(), body, hashlib.sha256).hexdigest()


def bank_signature_valid(body: bytes, signature: str) -> bool:
    if not settings.BANK_NOTIFY_SECRET:
        return False
    return hmac.compare_digest(bank_signature(body), signature or "")


# --- the provider interface ------------------------------------------------------------------


class PaymentProvider:
    """One way to pay. ``checkout_payment_start`` asks it to start (with no transaction open),
    then places the orders at once when ``places_orders_at_start`` — confirmed when
    ``confirmed_at_start`` — or leaves them to ``checkout_complete`` and the provider's events."""

    method: str = ""
    places_orders_at_start = True
    confirmed_at_start = False

    def available(self) -> bool:
        return True

    def start(self, *, amount: int, reference: str, metadata: dict[str, str]) -> IntentResult:
        return IntentResult("", "", "pending")

    def refund(self, *, provider_id: str, amount: int, idempotency_key: str) -> str | None:
        """The provider's refund id, or None when the money goes back by hand (staff)."""
        return None


class CashOnDelivery(PaymentProvider):
    method = "cod"
    confirmed_at_start = True  # the seller collects on delivery; nothing to wait for


class VietQRTransfer(PaymentProvider):
    """The order page shows the payload; a bank notification or staff confirm the transfer."""

    method = "vietqr"


class StripeCard(PaymentProvider):
    method = "stripe"
    places_orders_at_start = False  # after the Payment Element confirms, or on the webhook

    def available(self) -> bool:
        return stripe_enabled()

    def start(self, *, amount: int, reference: str, metadata: dict[str, str]) -> IntentResult:
        return stripe_intent_create(
            amount=amount,
            reference=reference,
            metadata=metadata,
            description=f"Chợ OCOP {reference}",
        )

    def refund(self, *, provider_id: str, amount: int, idempotency_key: str) -> str | None:
        return stripe_refund_create(
            provider_id=provider_id, amount=amount, idempotency_key=idempotency_key
        )


PROVIDERS: dict[str, PaymentProvider] = {
    provider.method: provider for provider in (CashOnDelivery(), VietQRTransfer(), StripeCard())
}


def provider_for(method: str) -> PaymentProvider | None:
    return PROVIDERS.get(method)
