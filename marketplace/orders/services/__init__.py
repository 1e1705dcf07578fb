"""Cart, checkout and order writes, in three modules along the buyer's way: ``cart`` (finding
and filling the cart), ``checkout`` (details, reservations, placing orders) and ``lifecycle``
(an order's transitions after it is placed, the sellers' delivery rules). Callers import from
here.
"""

from marketplace.orders.services.cart import (
    CART_SESSION_KEY,
    LINE_QUANTITY_MAX,
    cart_create,
    cart_for_request,
    cart_line_add,
    cart_line_remove,
    cart_line_update,
    cart_merge,
)
from marketplace.orders.services.checkout import (
    DeliveryChoice,
    checkout_accept_prices,
    checkout_address_set,
    checkout_contact_set,
    checkout_delivery_set,
    checkout_details_set,
    checkout_note_set,
    checkout_place_orders,
    checkout_recipient_set,
    checkout_release,
    checkout_reserve,
    checkout_validate,
    reservations_expire,
)
from marketplace.orders.services.lifecycle import (
    delivery_rule_set,
    order_cancel,
    order_complete,
    order_deliver,
    order_mark_paid,
    order_process,
    order_refund,
    order_ship,
)

__all__ = [
    "CART_SESSION_KEY",
    "LINE_QUANTITY_MAX",
    "DeliveryChoice",
    "cart_create",
    "cart_for_request",
    "cart_line_add",
    "cart_line_remove",
    "cart_line_update",
    "cart_merge",
    "checkout_accept_prices",
    "checkout_address_set",
    "checkout_contact_set",
    "checkout_delivery_set",
    "checkout_details_set",
    "checkout_note_set",
    "checkout_place_orders",
    "checkout_recipient_set",
    "checkout_release",
    "checkout_reserve",
    "checkout_validate",
    "delivery_rule_set",
    "order_cancel",
    "order_complete",
    "order_deliver",
    "order_mark_paid",
    "order_process",
    "order_refund",
    "order_ship",
    "reservations_expire",
]
