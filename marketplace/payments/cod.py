"""Cash on delivery without an account: how much a stranger may order.

A cash-on-delivery order costs the buyer nothing until the parcel arrives, so without limits
anyone can place orders in other people's names (the e-mails go to any address) and make sellers
pack and ship goods nobody will pay for. A real first-time buyer still orders in one visit: the
first checkouts of an e-mail address or phone number go through at once. Beyond a few a day, or
a total a day, the buyer pays by transfer or card, or signs in (accounts are verified by e-mail).

Two limits, each with its own home:
- per e-mail address *and* per phone number, counted from the orders themselves (a database
  count, so it holds across workers and survives a cache outage): ``ORDERS_ANONYMOUS_COD_PER_DAY``
  checkouts and ``ORDERS_ANONYMOUS_COD_MAX_TOTAL`` đồng in the last 24 hours; the check and the
  placing of the orders run in one transaction holding a lock per e-mail address and phone
  number, so two checkouts racing for the last allowance cannot both pass;
- per client (IP address), in the cache: ``COD_ANONYMOUS_PER_CLIENT`` checkouts an hour, so one
  machine cannot walk through invented addresses and numbers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_vnd
from core.ratelimit import FailureLimit
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Cart, Order, PaymentMethod

# Open: the daily cap per e-mail and phone (in the database) still holds during an outage.
COD_ANONYMOUS_PER_CLIENT = FailureLimit(
    "cod-anonymous-ip", limit=10, window=60 * 60, on_outage="open"
)
COD_WINDOW = datetime.timedelta(hours=24)


def cod_anonymous_applies(*, cart: Cart, method: str, actor) -> bool:
    return method == PaymentMethod.COD and actor is None and cart.user_id is None


def cod_anonymous_check(*, cart: Cart, total: int, client_key: str | None = None) -> None:
    """Refuse an anonymous cash-on-delivery checkout of ``total`` đồng over the limits, with a
    message saying what the buyer can do instead. ``client_key`` None skips the per-client
    limit (internal callers without a request)."""
    alternatives = _("Pay by bank transfer (VietQR) or card, or sign in to order more.")
    if client_key is not None:
        wait = COD_ANONYMOUS_PER_CLIENT.retry_after(client_key)
        if wait:
            raise CheckoutError(
                _("Too many cash-on-delivery orders from your connection.") + " " + alternatives,
                code="too_many",
                field="payment_method",
            )
    _buyer_lock(cart=cart)
    since = timezone.now() - COD_WINDOW
    same_buyer = Q(email=cart.email) | (Q(phone=cart.phone) if cart.phone else Q(pk__in=[]))
    placed = Order.objects.filter(
        same_buyer, payment_method=PaymentMethod.COD, buyer__isnull=True, placed_at__gte=since
    ).aggregate(checkouts=Count("cart_id", distinct=True), total=Sum("total"))
    per_day = settings.ORDERS_ANONYMOUS_COD_PER_DAY
    if placed["checkouts"] >= per_day:
        raise CheckoutError(
            _(
                "Without an account, cash on delivery is limited to %(count)d orders a day for "
                "one e-mail address or phone number."
            )
            % {"count": per_day}
            + " "
            + alternatives,
            code="too_many",
            field="payment_method",
        )
    ceiling = settings.ORDERS_ANONYMOUS_COD_MAX_TOTAL
    if (placed["total"] or 0) + total > ceiling:
        raise CheckoutError(
            _(
                "Without an account, cash on delivery is limited to %(amount)s a day for one "
                "e-mail address or phone number."
            )
            % {"amount": format_vnd(ceiling)}
            + " "
            + alternatives,
            code="too_many",
            field="payment_method",
        )


def _buyer_lock(*, cart: Cart) -> None:
    """Serialise anonymous cash-on-delivery checkouts of one e-mail address or phone number
    until the caller's transaction ends (PostgreSQL advisory locks, taken in a fixed order so
    two buyers sharing one of them cannot deadlock). SQLite serialises writers already."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("cod_anonymous_check must run inside the checkout's transaction")
    keys = sorted(
        {f"cod-email:{cart.email.casefold()}", *([f"cod-phone:{cart.phone}"] if cart.phone else [])}
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def cod_anonymous_placed(*, client_key: str | None) -> None:
    """Count a placed anonymous cash-on-delivery checkout against its client."""
    if client_key is not None:
        COD_ANONYMOUS_PER_CLIENT.fail(client_key)
