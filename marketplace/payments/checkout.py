"""The payment step of the buyer's pages (``marketplace.orders.payment``), provided by payments:
which methods the checkout offers, starting the payment, the card page and its return, and
what the order pages show about a payment (the VietQR transfer details while it is pending)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.ratelimit import client_ip
from marketplace.orders.models import Cart, Order, OrderStatus, PaymentMethod
from marketplace.orders.selectors import checkout_transfer_note, order_access_token
from marketplace.payments.models import Payment
from marketplace.payments.providers import stripe_enabled, vietqr_for
from marketplace.payments.services import checkout_payment_start, payment_order_cancelled


class CheckoutPaymentStep:
    def method_choices(self) -> list[tuple[str, str]]:
        methods = [(PaymentMethod.COD, PaymentMethod.COD.label)]
        methods.append((PaymentMethod.VIETQR, PaymentMethod.VIETQR.label))
        if stripe_enabled():
            methods.append((PaymentMethod.STRIPE, PaymentMethod.STRIPE.label))
        return methods

    def start(self, request: HttpRequest, *, cart: Cart, method: str) -> HttpResponse | None:
        actor = request.user if request.user.is_authenticated else None
        payment = checkout_payment_start(
            cart=cart, method=method, actor=actor, client_key=client_ip(request)
        )
        if method != PaymentMethod.STRIPE:
            return None
        return render(
            request,
            "payments/card.html",
            {
                "payment": payment,
                "STRIPE_PUBLISHABLE_KEY": settings.STRIPE_PUBLISHABLE_KEY,
                "return_url": request.build_absolute_uri(reverse("payments:card_return")),
            },
        )

    def order_context(self, *, orders: list[Order]) -> dict:
        payment = Payment.objects.filter(cart_id=orders[0].cart_id).first() if orders else None
        return {"payment": payment, **_vietqr(payment, orders)}

    def order_cancelled(self, *, order: Order) -> None:
        payment_order_cancelled(order=order)


def _vietqr(payment: Payment | None, orders: list[Order]) -> dict:
    if payment is None or payment.method != PaymentMethod.VIETQR or payment.status != "pending":
        return {}
    numbers = list(
        Order.objects.filter(cart_id=payment.cart_id)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("id")
        .values_list("number", flat=True)
    )
    return {
        "payment_panel": "payments/_vietqr.html",
        "vietqr_note": checkout_transfer_note(numbers=numbers, total=payment.amount_due),
        "vietqr_payload": vietqr_for(amount=payment.amount_due, reference=payment.reference),
        "vietqr_bank_bin": settings.VIETQR_BANK_BIN,
        "vietqr_account": settings.VIETQR_ACCOUNT,
        "vietqr_account_name": settings.VIETQR_ACCOUNT_NAME,
        "vietqr_token": order_access_token(order=orders[0]),
    }
