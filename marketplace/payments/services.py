"""Paying for a checkout.

The order of steps is the point: stock is reserved in one short transaction (rows locked in id
order), the provider is called with **no transaction open**, and orders are placed in another
transaction. A provider that hangs never holds a stock lock, and a provider event is applied in
the same transaction that stores its id, so a replay changes nothing.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import secrets
from collections.abc import Callable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.ledger.services import ledger_order_partially_refunded
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Cart, CartStatus, Order, OrderStatus, PaymentMethod
from marketplace.orders.selectors import checkout_summary
from marketplace.orders.services import (
    checkout_place_orders,
    checkout_release,
    checkout_reserve,
    order_cancel,
    order_mark_paid,
    order_refund,
)
from marketplace.payments import providers
from marketplace.payments.cod import (
    cod_anonymous_applies,
    cod_anonymous_check,
    cod_anonymous_placed,
)
from marketplace.payments.models import (
    BankNotification,
    NotificationStatus,
    Payment,
    PaymentStatus,
    ProviderEvent,
)

logger = logging.getLogger(__name__)

# No 0, 1, I, L or O: read aloud or typed into a banking app, a reference is never misread, and
# one prefix never appears inside another's random part ("OCOP…" never holds "GIAN").
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_REFERENCE = re.compile(r"OCOP[2-9A-HJKMNP-Z]{8}")


def reference_draw(*, prefix: str) -> str:
    """A fresh transfer reference: ``prefix`` and eight random characters of the alphabet
    above. Callers store it under a unique constraint and draw again on a collision."""
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _reference() -> str:
    return reference_draw(prefix="OCOP")


# Other things paid by bank transfer with their own reference (a fair's booth fees) register a
# matcher here from their AppConfig.ready: payments never imports the packages above it.
# ``matcher(note=, amount=, notification=)`` runs inside the notification's transaction and
# returns None when the note holds none of its references, "" when it matched and applied the
# transfer, or the reason the transfer is flagged for staff.
_TRANSFER_MATCHERS: list[Callable[..., str | None]] = []


def bank_transfer_matcher_register(matcher: Callable[..., str | None]) -> None:
    if matcher not in _TRANSFER_MATCHERS:
        _TRANSFER_MATCHERS.append(matcher)


@transaction.atomic
def _payment_prepare(*, cart: Cart, method: str) -> Payment:
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if cart.status != CartStatus.OPEN:
        raise CheckoutError(_("This checkout has already been placed."), code="INVALID")
    amount = checkout_summary(cart=cart).total
    payment = Payment.objects.filter(cart=cart).first()
    if payment is None:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return Payment.objects.create(
                        cart=cart, method=method, amount=amount, reference=_reference()
                    )
            except IntegrityError:
                continue
        raise RuntimeError("Could not draw a free payment reference")
    if payment.status != PaymentStatus.PENDING:
        raise CheckoutError(_("This checkout has already been paid."), code="INVALID")
    # The buyer changed method or cart before paying: a new intent is needed for a new amount.
    if (payment.method, payment.amount) != (method, amount):
        payment.method, payment.amount = method, amount
        payment.provider_id = payment.client_secret = ""
        payment.reference = _reference()
        payment.save()
    return payment


def checkout_payment_start(
    *, cart: Cart, method: str, actor=None, client_key: str | None = None
) -> Payment:
    """Start paying: reserve the stock, then
    - cash on delivery: place the orders, confirmed;
    - VietQR: place the orders awaiting the transfer (the order page shows the QR code);
    - card: create the Stripe PaymentIntent; ``checkout_complete`` places the orders once the
      Payment Element has confirmed it (or the webhook does, if the buyer never comes back).

    Cash on delivery without an account is limited (``marketplace.payments.cod``); pages and
    the API pass the client's address as ``client_key``.
    """
    provider = providers.provider_for(method)
    if provider is None:
        raise CheckoutError(_("Choose a payment method."), code="invalid", field="payment_method")
    if not provider.available():
        raise CheckoutError(
            _("Card payments are not available; choose another method."),
            code="invalid",
            field="payment_method",
        )
    anonymous_cod = cod_anonymous_applies(cart=cart, method=method, actor=actor)
    if anonymous_cod:
        # Check and place in one transaction: the check locks the buyer's e-mail and phone.
        with transaction.atomic():
            cod_anonymous_check(
                cart=cart, total=checkout_summary(cart=cart).total, client_key=client_key
            )
            payment = _payment_start(cart=cart, method=method, provider=provider, actor=actor)
        cod_anonymous_placed(client_key=client_key)
        return payment
    return _payment_start(cart=cart, method=method, provider=provider, actor=actor)


def _payment_start(
    *, cart: Cart, method: str, provider: providers.PaymentProvider, actor
) -> Payment:
    checkout_reserve(cart=cart)
    payment = _payment_prepare(cart=cart, method=method)
    if not payment.provider_id:
        try:
            intent = provider.start(
                amount=payment.amount,
                reference=payment.reference,
                metadata={"cart": str(cart.token)},
            )
        except Exception:
            logger.exception("Starting %s payment %s failed", method, payment.reference)
            checkout_release(cart=cart)
            raise CheckoutError(
                _("The card payment could not be started. Try again or choose another method."),
                code="PROVIDER_ERROR",
                field="payment_method",
            ) from None
        if intent.provider_id:
            Payment.objects.filter(pk=payment.pk).update(
                provider_id=intent.provider_id, client_secret=intent.client_secret
            )
            payment.refresh_from_db()
    if provider.places_orders_at_start:
        checkout_place_orders(
            cart=cart,
            payment_method=method,
            confirmed=provider.confirmed_at_start,
            actor=actor,
        )
    return payment


def checkout_complete(*, cart: Cart, actor=None) -> list[Order]:
    """The buyer is back from the card form: place the orders (awaiting payment until Stripe
    says it succeeded; confirmed at once when it already has)."""
    payment = Payment.objects.get(cart=cart)
    if cart.status == CartStatus.COMPLETED:
        return list(cart.orders.order_by("id"))
    try:
        status = providers.stripe_intent_status(provider_id=payment.provider_id)
    except Exception:
        # Stripe unreachable or slow: nothing is placed here, and nothing is lost — the
        # webhook places the orders when Stripe confirms, or the buyer comes back.
        logger.exception("Checking payment %s with Stripe failed", payment.reference)
        raise CheckoutError(
            _(
                "We could not reach the card processor to check your payment; try again in a "
                "moment. If the payment went through, your order is placed when it confirms."
            ),
            code="PROVIDER_ERROR",
            field="payment_method",
        ) from None
    if status in ("requires_payment_method", "canceled"):
        raise CheckoutError(
            _("The card payment did not go through. Try again or choose another method."),
            code="PAYMENT_FAILED",
            field="payment_method",
        )
    with transaction.atomic():
        orders = checkout_place_orders(
            cart=cart, payment_method=PaymentMethod.STRIPE, confirmed=False, actor=actor
        )
        if status == "succeeded":
            _payment_succeeded(Payment.objects.select_for_update().get(pk=payment.pk))
    return list(Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("id"))


def _payment_succeeded(payment: Payment, *, received: int | None = None) -> None:
    """Within the caller's transaction, with ``payment`` locked. ``received`` is what actually
    came in (a card is charged the whole checkout even if an order was cancelled meanwhile):
    anything above what is still due is owed back to the buyer, never kept."""
    if payment.status == PaymentStatus.SUCCEEDED:
        return
    received = payment.amount if received is None else received
    payment.status = PaymentStatus.SUCCEEDED
    payment.refund_due += max(received - payment.amount_due, 0)
    payment.save(update_fields=["status", "refund_due", "updated_at"])
    cart = payment.cart
    if cart.status == CartStatus.OPEN:
        checkout_place_orders(cart=cart, payment_method=payment.method, confirmed=True)
        return
    now = timezone.now()
    for order in cart.orders.filter(status=OrderStatus.AWAITING_PAYMENT).order_by("id"):
        order_mark_paid(order=order, when=now)


def payment_event_apply(*, provider: str, event_id: str, kind: str, data: dict) -> bool:
    """Apply one provider event exactly once; False when it was seen before (or is not ours)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(
                    provider=provider, event_id=event_id, kind=kind, payload=data
                )
        except IntegrityError:
            return False
        intent_id = data.get("payment_intent") or data.get("id") or ""
        if kind.startswith("charge."):
            intent_id = data.get("payment_intent") or ""
        payment = Payment.objects.select_for_update().filter(provider_id=intent_id).first()
        if payment is None:
            logger.warning("Stripe event %s for unknown intent %s", event_id, intent_id)
            return False
        event.payment = payment
        event.save(update_fields=["payment"])
        if kind == "payment_intent.succeeded":
            _payment_succeeded(payment)
        elif kind == "payment_intent.payment_failed":
            if payment.status == PaymentStatus.PENDING:
                payment.status = PaymentStatus.FAILED
                payment.save(update_fields=["status", "updated_at"])
                if payment.cart.status == CartStatus.OPEN:
                    checkout_release(cart=payment.cart)
        elif kind == "charge.refunded":
            _stripe_refunds_apply(payment=payment, charge=data)
        return True


_REFUND_PROVIDER = "stripe_refund"


def _refund_seen(*, payment: Payment, refund_id: str | None, amount: int, orders: dict) -> bool:
    """Store a provider refund under its own id (unique with the provider): False when it was
    applied before — by an earlier event, or because the marketplace made it itself."""
    if not refund_id:
        return True
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                provider=_REFUND_PROVIDER,
                event_id=refund_id,
                kind="refund",
                payment=payment,
                payload={"amount": amount, "orders": orders},
            )
    except IntegrityError:
        return False
    return True


def _positive_int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _stripe_refunds_apply(*, payment: Payment, charge: dict) -> None:
    """Each refund of the charge, once (by refund id): the money owed back for cancelled orders
    first, then the paid orders — the one the refund names, one it pays exactly, or in order —
    each refunded in full (status, stock, ledger reversed) or, for part of one, its ledger
    reduced by exactly that part. Without the refund list (not expanded), the growth of
    ``amount_refunded`` is one refund keyed by that figure."""
    refunds = charge.get("refunds")
    items = refunds.get("data") if isinstance(refunds, dict) else None
    total_refunded = _positive_int(charge.get("amount_refunded"))
    if not isinstance(items, list):
        delta = total_refunded - payment.amount_refunded
        charge_id = charge.get("id") if isinstance(charge.get("id"), str) else payment.provider_id
        items = [{"id": f"{charge_id}:{total_refunded}", "amount": delta}] if delta > 0 else []
    for item in items:
        if not isinstance(item, dict) or item.get("status") in ("failed", "canceled"):
            continue
        amount, refund_id = _positive_int(item.get("amount")), item.get("id")
        if not amount or not isinstance(refund_id, str):
            continue
        metadata = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
        if not _refund_seen(payment=payment, refund_id=refund_id, amount=amount, orders={}):
            continue
        allocated = _refund_allocate(
            payment=payment, amount=amount, order_number=str(metadata.get("order") or "")
        )
        ProviderEvent.objects.filter(provider=_REFUND_PROVIDER, event_id=refund_id).update(
            payload={"amount": amount, "orders": allocated}
        )
        payment.amount_refunded = min(payment.amount, payment.amount_refunded + amount)
    live = payment.cart.orders.exclude(
        status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED]
    ).exists()
    if payment.amount_refunded:
        payment.status = PaymentStatus.PARTIALLY_REFUNDED if live else PaymentStatus.REFUNDED
    payment.save(update_fields=["amount_refunded", "refund_due", "status", "updated_at"])


def _refunded_so_far(payment: Payment) -> dict[str, int]:
    done: dict[str, int] = {}
    for payload in ProviderEvent.objects.filter(
        provider=_REFUND_PROVIDER, payment=payment
    ).values_list("payload", flat=True):
        for number, part in (payload.get("orders") or {}).items():
            done[number] = done.get(number, 0) + part
    return done


def _refund_allocate(*, payment: Payment, amount: int, order_number: str) -> dict[str, int]:
    """Within the caller's transaction (payment locked): what of ``amount`` went to which order."""
    allocated: dict[str, int] = {}
    owed = min(amount, payment.refund_due)
    if owed and not order_number:
        payment.refund_due -= owed  # cancelled orders: their ledger is already reversed
        amount -= owed
    done = _refunded_so_far(payment)
    live = list(
        payment.cart.orders.filter(paid_at__isnull=False)
        .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .order_by("id")
    )
    remaining = {o.number: o.total - done.get(o.number, 0) for o in live}
    exact = [o for o in live if remaining[o.number] == amount]
    named = [o for o in live if o.number == order_number]
    targets = named + exact[:1] + live
    for order in dict.fromkeys(targets):
        if amount <= 0:
            break
        take = min(amount, remaining[order.number])
        if take <= 0:
            continue
        amount -= take
        allocated[order.number] = take
        if take == remaining[order.number]:
            order_refund(order=order, actor=None, reason=_("Refunded through the card provider."))
        else:
            ledger_order_partially_refunded(order=order, amount=take, memo=f"refund {take}")
    if amount > 0:
        logger.warning("Refund on %s of %s ₫ matched no order", payment.reference, amount)
    return allocated


def stripe_webhook_receive(*, payload: bytes, signature: str) -> bool:
    """Verify and apply a Stripe webhook; raises ValueError on a bad signature or body."""
    import stripe

    try:
        providers.stripe_event_verify(payload=payload, signature=signature)
    except stripe.SignatureVerificationError as exc:
        raise ValueError("bad signature") from exc
    except (TypeError, AttributeError, KeyError) as exc:  # signed, but not an event object
        raise ValueError("malformed event") from exc
    # Verified: the raw body is the event Stripe signed, as plain JSON. A correctly signed event
    # may still lack the shape we read (an API version change, a test event): refuse it before
    # anything is stored, so Stripe's retry after a fix applies it.
    body = json.loads(payload)
    if not isinstance(body, dict):
        raise ValueError("malformed event")
    data = body.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    event_id, kind = body.get("id"), body.get("type")
    if not isinstance(obj, dict) or not isinstance(event_id, str) or not isinstance(kind, str):
        raise ValueError("malformed event")
    return payment_event_apply(provider="stripe", event_id=event_id, kind=kind, data=obj)


def _whole_dong(value) -> int:
    """A transfer's amount: a positive whole number of đồng (VND has no minor unit), given as a
    JSON integer or a string of digits. Anything fractional is refused, never truncated."""
    if isinstance(value, bool):
        raise ValueError("The amount must be a whole number of đồng.")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,15}", value.strip()):
        value = int(value.strip())
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError("The amount must be a whole number of đồng, not a fraction.")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError("The amount must be a whole number of đồng.")
    if not 0 < value < 10**15:
        raise ValueError("The amount must be above 0 đồng.")
    return value


def bank_notification_receive(*, body: bytes, signature: str) -> BankNotification:
    """A signed incoming transfer ``{"transaction_id", "amount", "note"}``. It confirms the
    orders only when the note holds a pending VietQR payment's reference AND the amount is
    exactly that payment's; a note without such a reference goes to the registered transfer
    matchers (booth fees); anything else is kept and flagged for staff."""
    if not providers.bank_signature_valid(body, signature):
        raise PermissionError("bad signature")
    try:
        # Decimals, never floats: 360000.5 must be seen as fractional, not rounded or truncated.
        data = json.loads(body, parse_float=Decimal)
        transaction_id = str(data["transaction_id"])[:100]
        amount = _whole_dong(data["amount"])
        note = str(data.get("note", ""))[:255]
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError("malformed notification") from exc
    if not transaction_id:
        raise ValueError("malformed notification: no transaction_id")
    with transaction.atomic():
        # Stored first, under its unique key: a concurrent duplicate waits for this insert and
        # then fails on it, and is answered with the stored outcome instead of a 500.
        try:
            with transaction.atomic():
                notification = BankNotification.objects.create(
                    transaction_id=transaction_id,
                    amount=amount,
                    note=note,
                    status=NotificationStatus.FLAGGED,
                )
        except IntegrityError:
            return BankNotification.objects.get(transaction_id=transaction_id)
        match = _REFERENCE.search(note.upper())
        payment = None
        if match:
            payment = (
                Payment.objects.select_for_update()
                .filter(reference=match.group(0), method=PaymentMethod.VIETQR)
                .first()
            )
        else:
            for matcher in _TRANSFER_MATCHERS:
                claimed = matcher(note=note, amount=amount, notification=notification)
                if claimed is not None:
                    notification.status = (
                        NotificationStatus.FLAGGED if claimed else NotificationStatus.MATCHED
                    )
                    notification.reason = claimed
                    notification.refund_due = amount if claimed else 0
                    notification.save(update_fields=["status", "reason", "refund_due"])
                    return notification
        reason = ""
        if payment is None:
            reason = "No VietQR payment has this reference."
        elif payment.status == PaymentStatus.CANCELLED:
            reason = "Every order of this payment was cancelled."
        elif payment.status != PaymentStatus.PENDING:
            reason = "The payment is not awaiting a transfer."
        elif amount != payment.amount_due:
            reason = f"Amount {amount} differs from the {payment.amount_due} due."
            if payment.amount_cancelled:
                reason += f" Orders for {payment.amount_cancelled} were cancelled."
        notification.payment = payment
        notification.status = NotificationStatus.FLAGGED if reason else NotificationStatus.MATCHED
        notification.reason = reason
        # A flagged transfer confirms nothing, so all of it is owed back until staff decide.
        notification.refund_due = amount if reason else 0
        notification.save(update_fields=["payment", "status", "reason", "refund_due"])
        if not reason:
            _payment_succeeded(payment, received=amount)
        return notification


@transaction.atomic
def payment_order_cancelled(*, order: Order) -> Payment | None:
    """Inside the transaction cancelling ``order``: its share is no longer due — or, when it was
    already paid for, is owed back to the buyer. A payment whose orders are all cancelled before
    it was paid is cancelled, so a transfer arriving later is flagged, never matched."""
    payment = Payment.objects.select_for_update().filter(cart_id=order.cart_id).first()
    if payment is None:
        return None
    if order.paid_at and payment.method != PaymentMethod.COD:
        payment.refund_due += order.total
    else:
        payment.amount_cancelled = min(payment.amount_cancelled + order.total, payment.amount)
        if payment.status == PaymentStatus.PENDING and payment.amount_due == 0:
            payment.status = PaymentStatus.CANCELLED
    payment.save(update_fields=["amount_cancelled", "refund_due", "status", "updated_at"])
    return payment


def payment_refund_record(*, payment: Payment, actor) -> Payment:
    """Staff give back what a payment owes the buyer: through Stripe for a card (no lock held
    while it is called; the key makes a retry refund once), recorded for a transfer paid back
    by hand."""
    if not getattr(actor, "is_staff", False):
        raise CheckoutError(_("Only marketplace staff record refunds."), code="PERMISSION_DENIED")
    payment = Payment.objects.get(pk=payment.pk)
    amount = payment.refund_due
    if amount <= 0:
        raise CheckoutError(_("Nothing is owed back on this payment."), code="INVALID")
    provider = providers.provider_for(payment.method)
    refund_id = None
    if payment.provider_id and provider is not None:
        refund_id = provider.refund(
            provider_id=payment.provider_id,
            amount=amount,
            idempotency_key=f"refund-{payment.reference}-{payment.amount_refunded}",
        )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        _refund_seen(payment=payment, refund_id=refund_id, amount=amount, orders={})
        amount = min(amount, payment.refund_due)
        payment.refund_due -= amount
        payment.amount_refunded = min(payment.amount, payment.amount_refunded + amount)
        live = payment.cart.orders.exclude(
            status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED]
        ).exists()
        payment.status = PaymentStatus.PARTIALLY_REFUNDED if live else PaymentStatus.REFUNDED
        payment.save(update_fields=["refund_due", "amount_refunded", "status", "updated_at"])
    return payment


@transaction.atomic
def bank_notification_refund_record(*, notification: BankNotification, actor) -> BankNotification:
    """Staff paid a flagged transfer back to its sender (by hand: the bank has no refund API)."""
    if not getattr(actor, "is_staff", False):
        raise CheckoutError(_("Only marketplace staff record refunds."), code="PERMISSION_DENIED")
    notification = BankNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.refund_due <= 0 or notification.refunded_at is not None:
        raise CheckoutError(_("Nothing is owed back on this transfer."), code="INVALID")
    notification.refunded_at = timezone.now()
    notification.reviewed_by = actor
    notification.save(update_fields=["refunded_at", "reviewed_by"])
    return notification


@transaction.atomic
def vietqr_reconcile(*, payment: Payment, actor) -> Payment:
    """Staff saw the transfer on the bank statement: confirm the orders."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.method != PaymentMethod.VIETQR or payment.status != PaymentStatus.PENDING:
        raise CheckoutError(
            _("Only a VietQR payment awaiting its transfer can be confirmed."), code="INVALID"
        )
    if not getattr(actor, "is_staff", False):
        raise CheckoutError(
            _("Only marketplace staff confirm transfers."), code="PERMISSION_DENIED"
        )
    _payment_succeeded(payment, received=payment.amount_due)
    return payment


def payments_expire_unpaid(*, older_than: datetime.timedelta, now=None) -> int:
    """Cancel the orders of bank transfers that never arrived (their stock goes back) and mark
    the payments failed, so a transfer arriving later is flagged for staff, never applied."""
    now = now or timezone.now()
    expired = 0
    stale = Payment.objects.filter(
        method=PaymentMethod.VIETQR, status=PaymentStatus.PENDING, created_at__lt=now - older_than
    ).order_by("id")
    for payment_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.status != PaymentStatus.PENDING:
                continue
            hours = int(older_than.total_seconds() // 3600)
            reason = _("No bank transfer within %(hours)s hours.") % {"hours": hours}
            for order in payment.cart.orders.filter(status=OrderStatus.AWAITING_PAYMENT):
                order_cancel(order=order, actor=None, reason=reason)
            payment.status = PaymentStatus.FAILED
            payment.save(update_fields=["status", "updated_at"])
            expired += 1
    return expired


def order_refund_with_payment(*, order: Order, actor, reason: str) -> Order:
    """Refund one seller's order: the money first (card: through Stripe, with no lock held; bank
    transfer and cash: recorded, paid back by staff), then the order and its stock."""
    payment = Payment.objects.get(cart_id=order.cart_id)
    refund_id = None
    if payment.provider_id and order.paid_at:
        refund_id = providers.provider_for(payment.method).refund(
            provider_id=payment.provider_id,
            amount=order.total,
            idempotency_key=f"refund-{order.number}",
        )
    with transaction.atomic():
        order = order_refund(order=order, actor=actor, reason=reason)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        # Stripe's charge.refunded will list this refund: applied here, so skipped there.
        _refund_seen(
            payment=payment,
            refund_id=refund_id,
            amount=order.total,
            orders={order.number: order.total},
        )
        if order.paid_at:
            payment.amount_refunded = min(payment.amount, payment.amount_refunded + order.total)
            payment.status = (
                PaymentStatus.REFUNDED
                if payment.amount_refunded >= payment.amount
                else PaymentStatus.PARTIALLY_REFUNDED
            )
            payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    return order
