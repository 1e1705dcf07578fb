"""E-mails about orders, rendered after the transaction that changed the order commits (a
rolled-back step never mails anyone), in the language the buyer used when ordering, and sent by
the e-mail task (``core.mail.email_queue``): a mail server that is down delays them, never the
order."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.mail import email_queue
from core.site import site_url
from core.text import nfc
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.selectors import (
    checkout_transfer_note,
    order_access_token,
    order_pickup,
    order_pickup_shape,
)
from sellers.models import Membership

SUBJECTS = {
    OrderStatus.AWAITING_PAYMENT: _("Order %(number)s received: awaiting payment"),
    OrderStatus.CONFIRMED: _("Order %(number)s confirmed"),
    OrderStatus.PROCESSING: _("Order %(number)s is being prepared"),
    OrderStatus.SHIPPED: _("Order %(number)s has shipped"),
    OrderStatus.DELIVERED: _("Order %(number)s delivered"),
    OrderStatus.COMPLETED: _("Order %(number)s completed"),
    OrderStatus.CANCELLED: _("Order %(number)s cancelled"),
    OrderStatus.REFUNDED: _("Order %(number)s refunded"),
}

# The statuses in which a picked-up order still waits to be collected.
PICKUP_PENDING = {OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PROCESSING}


def order_notify(*, order: Order, to_status: str, new: bool = False) -> None:
    order_id = order.pk
    # The origin is read now, while the request that changed the order is being served.
    origin = site_url()
    # robust: nothing after the commit may turn a committed order into an error page (the buyer
    # would order again); Django logs a failed callback instead. Sending is the task's.
    transaction.on_commit(lambda: _send(order_id, to_status, new, origin), robust=True)


def _send(order_id: int, to_status: str, new: bool, origin: str) -> None:
    order = order_pickup_shape(Order.objects.select_related("seller", "province")).get(pk=order_id)
    lines = list(order.lines.all())
    link = origin + reverse("orders:order_detail", args=[order.number])
    context = {
        "order": order,
        "lines": lines,
        "status": OrderStatus(to_status).label,
        "link": f"{link}?t={order_access_token(order=order)}",
    }
    if to_status in PICKUP_PENDING:  # where and when to collect it, while it waits there
        with translation.override(order.language):
            context["pickup"] = order_pickup(order)
    if to_status == OrderStatus.AWAITING_PAYMENT and order.payment_method == PaymentMethod.VIETQR:
        together = list(Order.objects.filter(cart_id=order.cart_id).order_by("id"))
        with translation.override(order.language):
            context["transfer_note"] = checkout_transfer_note(
                numbers=[o.number for o in together], total=sum(o.total for o in together)
            )
    with translation.override(order.language):
        subject = str(SUBJECTS[to_status]) % {"number": order.number}
        body = render_to_string("orders/email/order_update.txt", context)
    email_queue(subject=subject, body=body, to=[order.email])
    if new:
        _notify_seller(order, lines, origin)


def _notify_seller(order: Order, lines, origin: str) -> None:
    recipients = list(
        Membership.objects.filter(business=order.seller, role__in=["owner", "manager"])
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    link = origin + reverse("orders_workspace:order_detail", args=[order.seller.slug, order.number])
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("New order %(number)s")) % {"number": order.number}
        body = render_to_string(
            "orders/email/seller_new_order.txt", {"order": order, "lines": lines, "link": link}
        )
    email_queue(subject=subject, body=body, to=recipients)


def order_link_send(*, number: str, email: str) -> bool:
    """E-mail a fresh link to order ``number`` when ``email`` is the address it was placed
    with; True when one was sent. Callers answer the same either way (no one learns whether
    an order exists, or whose it is), and the link goes only to the order's own address."""
    number = nfc(number).strip().upper()
    email = nfc(email).strip().lower()
    order = Order.objects.filter(number=number, email=email).first() if number and email else None
    if order is None:
        return False
    link = settings.SITE_URL + reverse("orders:order_detail", args=[order.number])
    context = {
        "order": order,
        "link": f"{link}?t={order_access_token(order=order)}",
        "days": settings.ORDERS_LINK_MAX_AGE_DAYS,
    }
    with translation.override(order.language):
        subject = str(_("A new link to order %(number)s")) % {"number": order.number}
        body = render_to_string("orders/email/order_link.txt", context)
    email_queue(subject=subject, body=body, to=[order.email])
    return True
