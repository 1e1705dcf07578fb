"""The payment step of the buyer's pages, as orders sees it.

Payments sit above orders (``payments → orders``: they reserve the stock and place the orders
through orders' services), yet the checkout page must start a payment and the confirmation and
order pages show how the orders are being paid. orders declares here what its pages need;
``marketplace.payments`` provides it when Django starts (``PaymentsConfig.ready`` calls
``payment_step_register``), so orders never imports payments.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from marketplace.orders.models import Cart, Order


class PaymentStep(Protocol):
    def method_choices(self) -> list[tuple[str, str]]:
        """The payment methods the checkout offers, as form choices."""

    def start(self, request: HttpRequest, *, cart: Cart, method: str) -> HttpResponse | None:
        """Start paying for ``cart`` (its details are complete): None once the orders are
        placed (cash on delivery, VietQR), else the page that takes the payment (a card).
        Refusals are ``CheckoutError``s and change nothing."""

    def order_context(self, *, orders: list[Order]) -> dict:
        """What the confirmation and order pages show about how ``orders`` are paid: the
        template context, with ``payment_panel`` the name of a template those pages include
        (the transfer details of a pending VietQR payment) when there is one."""

    def order_cancelled(self, *, order: Order) -> None:
        """Inside the transaction cancelling ``order``: the payment stops asking for its share,
        or records it as owed back when it was already paid."""


_registered: list[PaymentStep] = []


def payment_step_register(step: PaymentStep) -> None:
    """Called once, by the payments app when Django starts."""
    if _registered:
        raise ImproperlyConfigured("A payment step is already registered.")
    _registered.append(step)


def payment_step() -> PaymentStep:
    if not _registered:
        raise ImproperlyConfigured("No payment step: is marketplace.payments installed?")
    return _registered[0]
