"""An order's life after it is placed: each transition checked against the table, logged,
booked in the ledger and announced by e-mail in one transaction; the sellers' delivery rules."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.search import search_rows_changed
from marketplace.ledger.services import (
    ledger_order_cod_collected,
    ledger_order_confirmed,
    ledger_order_reversed,
)
from marketplace.offers.models import Stock
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import (
    Allocation,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    SellerDeliveryRule,
)
from marketplace.orders.notifications import order_notify
from marketplace.orders.payment import payment_step
from marketplace.orders.services.checkout import text_clean
from sellers.models import Business

# --- order lifecycle ------------------------------------------------------------------------

_NEXT = {
    OrderStatus.AWAITING_PAYMENT: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.PROCESSING, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.REFUNDED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.COMPLETED: {OrderStatus.REFUNDED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}


def _transition(order: Order, to: str, *, actor, note: str = "", fields=()) -> Order:
    """Lock the order, check the move is allowed from its current status, apply, record."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if to not in _NEXT[locked.status]:
        raise CheckoutError(
            _("Order %(number)s cannot go from “%(from)s” to “%(to)s”.")
            % {
                "number": locked.number,
                "from": locked.get_status_display(),
                "to": OrderStatus(to).label,
            },
            code="INVALID_TRANSITION",
            field="status",
        )
    for name in fields:
        setattr(locked, name, getattr(order, name))
    previous = locked.status
    locked.status = to
    locked.save(update_fields=["status", *fields])
    OrderEvent.objects.create(
        order=locked, from_status=previous, to_status=to, actor=actor, note=note[:500]
    )
    order_notify(order=locked, to_status=to)
    return locked


def _return_stock(order: Order) -> None:
    allocations = list(
        Allocation.objects.filter(line__order=order).select_related("stock").order_by("stock_id")
    )
    stock_ids = sorted({a.stock_id for a in allocations})
    locked = {
        s.pk: s for s in Stock.objects.select_for_update().filter(pk__in=stock_ids).order_by("id")
    }
    for allocation in allocations:
        row = locked[allocation.stock_id]
        row.quantity += allocation.quantity
        row.save(update_fields=["quantity"])
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).delete()
    search_rows_changed(Stock, stock_ids)


@transaction.atomic
def order_mark_paid(*, order: Order, actor=None, when: datetime.datetime | None = None) -> Order:
    order.paid_at = when or timezone.now()
    order = _transition(order, OrderStatus.CONFIRMED, actor=actor, fields=("paid_at",))
    ledger_order_confirmed(order=order)
    return order


@transaction.atomic
def order_process(*, order: Order, actor) -> Order:
    return _transition(order, OrderStatus.PROCESSING, actor=actor)


@transaction.atomic
def order_ship(*, order: Order, actor, carrier: str, tracking_number: str) -> Order:
    order.carrier = text_clean(carrier, field="carrier", limit=80, label=_("carrier"))
    order.tracking_number = text_clean(
        tracking_number, field="tracking_number", limit=80, label=_("tracking number")
    )
    if order.delivery_method == DeliveryMethod.PICKUP:
        raise CheckoutError(
            _("This order is picked up in person: mark it delivered when it is handed over."),
            code="INVALID_TRANSITION",
            field="status",
        )
    return _transition(
        order,
        OrderStatus.SHIPPED,
        actor=actor,
        note=f"{order.carrier} {order.tracking_number}",
        fields=("carrier", "tracking_number"),
    )


@transaction.atomic
def order_deliver(*, order: Order, actor, cod_collected: bool = False) -> Order:
    fields = []
    current = Order.objects.get(pk=order.pk)
    if (
        current.delivery_method == DeliveryMethod.PICKUP
        and current.status == OrderStatus.PROCESSING
    ):
        # A pickup skips "shipped": it goes from the shelf to the buyer's hands.
        current = _transition(current, OrderStatus.SHIPPED, actor=actor, note=_("Picked up"))
    if current.payment_method == PaymentMethod.COD:
        if not cod_collected:
            raise CheckoutError(
                _("Confirm that the cash was collected."), code="required", field="cod_collected"
            )
        current.cod_collected_at = current.paid_at = timezone.now()
        fields = ["cod_collected_at", "paid_at"]
    order = _transition(current, OrderStatus.DELIVERED, actor=actor, fields=fields)
    if order.cod_collected_at:
        ledger_order_cod_collected(order=order)
    return order


@transaction.atomic
def order_complete(*, order: Order, actor) -> Order:
    return _transition(order, OrderStatus.COMPLETED, actor=actor)


@transaction.atomic
def order_cancel(*, order: Order, actor, reason: str) -> Order:
    reason = text_clean(reason, field="reason", limit=500, label=_("reason"))
    order = _transition(order, OrderStatus.CANCELLED, actor=actor, note=reason)
    _return_stock(order)
    ledger_order_reversed(order=order)
    # The checkout's payment must stop asking for this share (or owe it back), or a transfer
    # for the old total would confirm the other orders and keep this one's money silently.
    payment_step().order_cancelled(order=order)
    return order


@transaction.atomic
def order_refund(*, order: Order, actor, reason: str) -> Order:
    """Mark refunded (the payments app moves the money); unshipped goods go back to stock."""
    reason = text_clean(reason, field="reason", limit=500, label=_("reason"))
    before = Order.objects.get(pk=order.pk).status
    order = _transition(order, OrderStatus.REFUNDED, actor=actor, note=reason)
    if before in (OrderStatus.CONFIRMED, OrderStatus.PROCESSING):
        _return_stock(order)
    ledger_order_reversed(order=order)
    return order


def delivery_rule_set(
    *, seller: Business, ships: bool, flat_fee: int, free_above: int | None, pickup_enabled: bool
) -> SellerDeliveryRule:
    for value, field in ((flat_fee, "flat_fee"), (free_above, "free_above")):
        if value is not None and (int(value) < 0 or int(value) > 10_000_000):
            raise CheckoutError(
                _("Enter an amount from 0 to 10.000.000 ₫."), code="invalid", field=field
            )
    if not ships and not pickup_enabled:
        raise CheckoutError(
            _("Offer at least one way to receive orders."), code="invalid", field="ships"
        )
    rule, _created = SellerDeliveryRule.objects.update_or_create(
        seller=seller,
        defaults={
            "ships": ships,
            "flat_fee": int(flat_fee),
            "free_above": None if free_above is None else int(free_above),
            "pickup_enabled": pickup_enabled,
        },
    )
    return rule
