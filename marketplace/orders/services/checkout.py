"""Checkout: the buyer's details, stock reservations and placing one order per seller.

Stock rules: every function that reads availability in order to change it locks the ``Stock``
rows it needs with ``select_for_update()`` **in id order**, so two buyers taking the same two
offers in opposite line order queue instead of deadlocking. Available units of a stock row are
its quantity minus the live reservations of *other* carts. Payment providers are never called
from here: the payments app reserves (a short transaction), calls the provider with no lock
held, then places.
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import DomainErrorCollector
from core.models import Province
from core.phone import PhoneInvalid, phone_normalise
from core.search import search_rows_changed
from core.text import nfc
from marketplace.ledger.services import (
    ledger_order_confirmed,
)
from marketplace.offers.models import Offer, Stock, StockLocation
from marketplace.offers.selectors import stock_locations_usable
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import (
    Allocation,
    Cart,
    CartDelivery,
    CartLine,
    CartStatus,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Reservation,
)
from marketplace.orders.notifications import order_notify
from marketplace.orders.selectors import (
    checkout_summary,
    delivery_rule_for,
    offer_line_name,
    pickup_problem,
    shipping_fee,
    stock_free_by_location,
)
from marketplace.orders.services.cart import cart_require_open
from marketplace.places.selectors import location_address, point_of
from sellers.models import Business

# Unambiguous characters for order numbers read over the phone (no 0/O, 1/I/L).
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# --- checkout details ----------------------------------------------------------------------


def checkout_contact_set(*, cart: Cart, email: str, phone: str) -> Cart:
    cart_require_open(cart)
    errors = DomainErrorCollector()
    email = nfc(email).strip().lower()
    with errors.check():
        try:
            validate_email(email)
        except ValidationError:
            raise CheckoutError(
                _("Enter a valid e-mail address."), code="invalid", field="email"
            ) from None
    with errors.check():
        try:
            phone = phone_normalise(phone)
        except PhoneInvalid as exc:
            raise CheckoutError(exc.message, code=exc.code, field="phone") from None
    errors.raise_any()
    cart.email, cart.phone = email, phone
    cart.save(update_fields=["email", "phone", "updated_at"])
    return cart


def text_clean(value: str, *, field: str, limit: int, label: str, required: bool = True) -> str:
    value = " ".join(nfc(value or "").split())
    if required and not value:
        raise CheckoutError(
            _("Enter the %(label)s.") % {"label": label}, code="required", field=field
        )
    if len(value) > limit:
        raise CheckoutError(
            _("The %(label)s can have at most %(limit)s characters.")
            % {"label": label, "limit": limit},
            code="invalid",
            field=field,
        )
    return value


def checkout_address_set(
    *, cart: Cart, recipient_name: str, province: Province | None, commune: str, street: str
) -> Cart:
    cart_require_open(cart)
    errors = DomainErrorCollector()
    with errors.check():
        recipient_name = text_clean(
            recipient_name, field="recipient_name", limit=120, label=_("recipient's name")
        )
    with errors.check():
        if province is None:
            raise CheckoutError(
                _("Choose the province or city."), code="required", field="province"
            )
    with errors.check():
        commune = text_clean(commune, field="commune", limit=255, label=_("commune or ward"))
    with errors.check():
        street = text_clean(street, field="street", limit=255, label=_("street address"))
    errors.raise_any()
    cart.recipient_name, cart.province, cart.commune, cart.street = (
        recipient_name,
        province,
        commune,
        street,
    )
    cart.save()
    return cart


def checkout_recipient_set(*, cart: Cart, recipient_name: str) -> Cart:
    """The recipient's name alone, when every seller's goods are picked up (no address)."""
    cart_require_open(cart)
    cart.recipient_name = text_clean(
        recipient_name,
        field="recipient_name",
        limit=120,
        label=_("recipient's name"),
        required=False,
    )
    cart.save(update_fields=["recipient_name", "updated_at"])
    return cart


def checkout_note_set(*, cart: Cart, note: str) -> Cart:
    cart_require_open(cart)
    cart.note = text_clean(note, field="note", limit=1000, label=_("note"), required=False)
    cart.save(update_fields=["note", "updated_at"])
    return cart


def checkout_delivery_set(
    *, cart: Cart, seller: Business, method: str, pickup_location: StockLocation | None = None
) -> CartDelivery:
    cart_require_open(cart)
    if not cart.lines.filter(offer__seller=seller).exists():
        raise CheckoutError(
            _("Your cart has nothing from this seller."), code="NOT_FOUND", field="seller"
        )
    rule = delivery_rule_for(seller)
    if method == DeliveryMethod.SHIPPING:
        if not rule.ships:
            raise CheckoutError(
                _("%(seller)s does not ship; choose pickup.") % {"seller": seller.name},
                code="invalid",
                field="method",
            )
        pickup_location = None
    elif method == DeliveryMethod.PICKUP:
        if not rule.pickup_enabled:
            raise CheckoutError(
                _("%(seller)s does not offer pickup.") % {"seller": seller.name},
                code="invalid",
                field="method",
            )
        needs: dict[int, int] = defaultdict(int)
        for offer_id, quantity in cart.lines.filter(offer__seller=seller).values_list(
            "offer_id", "quantity"
        ):
            needs[offer_id] += quantity
        problem = pickup_problem(
            location=pickup_location,
            seller=seller,
            needs=needs,
            free=stock_free_by_location(needs, cart=cart) if pickup_location else {},
        )
        if problem is not None:
            raise CheckoutError(problem.message, code=problem.code, field="pickup_location")
    else:
        raise CheckoutError(_("Choose how to receive the order."), code="invalid", field="method")
    delivery, _created = CartDelivery.objects.update_or_create(
        cart=cart, seller=seller, defaults={"method": method, "pickup_location": pickup_location}
    )
    return delivery


@dataclass(frozen=True)
class DeliveryChoice:
    """How the buyer receives one seller's goods: shipping, or pickup at one of its places."""

    seller: Business
    method: str
    pickup_location: StockLocation | None = None


@transaction.atomic
def checkout_details_set(
    *,
    cart: Cart,
    email: str,
    phone: str,
    note: str,
    deliveries: list[DeliveryChoice],
    recipient_name: str,
    province: Province | None,
    commune: str,
    street: str,
) -> Cart:
    """Everything the checkout page asks for, in one transaction: contact, note, each seller's
    delivery and — when anything ships — the address, else the recipient's name alone. Every
    refusal is collected (the first raised carrying the others, as ``DomainErrorCollector``
    does), and then nothing is saved."""
    locked = Cart.objects.select_for_update().only("status").get(pk=cart.pk)
    cart_require_open(locked)
    errors = DomainErrorCollector()
    with errors.check():
        checkout_contact_set(cart=cart, email=email, phone=phone)
    with errors.check():
        checkout_note_set(cart=cart, note=note)
    for choice in deliveries:
        with errors.check():
            checkout_delivery_set(
                cart=cart,
                seller=choice.seller,
                method=choice.method,
                pickup_location=choice.pickup_location,
            )
    with errors.check():
        if any(choice.method != DeliveryMethod.PICKUP for choice in deliveries):
            checkout_address_set(
                cart=cart,
                recipient_name=recipient_name,
                province=province,
                commune=commune,
                street=street,
            )
        else:
            checkout_recipient_set(cart=cart, recipient_name=recipient_name)
    errors.raise_any()
    return cart


# --- stock: reservations and allocation ----------------------------------------------------


def _lines_for_update(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.select_related("offer__variant__product", "offer__seller").order_by("id")
    )


def stock_lock(*, lines: list[CartLine], locations: dict[int, int]) -> dict[int, list[Stock]]:
    """Lock every stock row the lines may draw from, in id order; the rows per line. A seller
    in ``locations`` (seller id → stock location id: a pickup point, a fair booth) hands over
    only what lies at that location, so only those rows are taken; the other sellers' lines
    draw from any location of theirs usable today (``stock_locations_usable``)."""
    if not lines:
        return {}
    anywhere = sorted({line.offer_id for line in lines if line.offer.seller_id not in locations})
    where = Q(offer_id__in=anywhere)
    for seller_id, location_id in sorted(locations.items()):
        offers = sorted({line.offer_id for line in lines if line.offer.seller_id == seller_id})
        where |= Q(offer_id__in=offers, location_id=location_id)
    rows = list(
        Stock.objects.select_for_update()
        .filter(where, stock_locations_usable(prefix="location__"))
        .order_by("id")
    )
    by_offer: dict[int, list[Stock]] = defaultdict(list)
    for row in rows:
        by_offer[row.offer_id].append(row)
    return {line.pk: by_offer.get(line.offer_id, []) for line in lines}


def _pickup_locations(deliveries: dict[int, CartDelivery]) -> dict[int, int]:
    return {
        seller_id: delivery.pickup_location_id
        for seller_id, delivery in deliveries.items()
        if delivery.method == DeliveryMethod.PICKUP and delivery.pickup_location_id
    }


def _held_by_others(stock_ids: list[int], cart: Cart, now) -> dict[int, int]:
    return dict(
        Reservation.objects.filter(stock_id__in=stock_ids, expires_at__gt=now)
        .exclude(cart=cart)
        .values("stock_id")
        .annotate(n=Sum("quantity"))
        .values_list("stock_id", "n")
    )


def _plan(cart: Cart, lines, rows_by_line, now, deliveries) -> list[tuple[CartLine, Stock, int]]:
    stock_ids = [row.pk for rows in rows_by_line.values() for row in rows]
    held = _held_by_others(stock_ids, cart, now)
    taken: dict[int, int] = defaultdict(int)
    plan = []
    for line in lines:
        needed = line.quantity
        for row in rows_by_line[line.pk]:
            free = row.quantity - held.get(row.pk, 0) - taken[row.pk]
            if free <= 0:
                continue
            take = min(free, needed)
            plan.append((line, row, take))
            taken[row.pk] += take
            needed -= take
            if needed == 0:
                break
        if needed:
            available = line.quantity - needed
            delivery = deliveries.get(line.offer.seller_id)
            place = delivery.pickup_location if delivery and delivery.pickup_location_id else None
            names = {"available": available, "product": offer_line_name(line.offer)}
            if place is not None and delivery.method == DeliveryMethod.PICKUP:
                names["place"] = place.name
                message = (
                    _("%(product)s is sold out at %(place)s.") % names
                    if available == 0
                    else _("Only %(available)s of %(product)s left at %(place)s.") % names
                )
            else:
                message = (
                    _("%(product)s is sold out.") % names
                    if available == 0
                    else _("Only %(available)s of %(product)s left.") % names
                )
            raise CheckoutError(message, code="SOLD_OUT", field=f"line-{line.pk}")
    return plan


def _deliveries(cart: Cart) -> dict[int, CartDelivery]:
    return {
        d.seller_id: d
        for d in cart.deliveries.select_related(
            "pickup_location__point_of_sale", "pickup_location__province"
        )
    }


@transaction.atomic
def checkout_reserve(*, cart: Cart, ttl_minutes: int | None = None) -> datetime.datetime:
    """Hold the cart's units for ``ttl_minutes`` (replacing earlier holds); SOLD_OUT names the
    line that cannot be served."""
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    cart_require_open(cart)
    checkout_validate(cart=cart, prices=True)
    ttl = ttl_minutes or settings.ORDERS_RESERVATION_MINUTES
    now = timezone.now()
    lines = _lines_for_update(cart)
    deliveries = _deliveries(cart)
    rows = stock_lock(lines=lines, locations=_pickup_locations(deliveries))
    cart.reservations.all().delete()
    plan = _plan(cart, lines, rows, now, deliveries)
    expires = now + datetime.timedelta(minutes=ttl)
    Reservation.objects.bulk_create(
        Reservation(cart=cart, line=line, stock=row, quantity=quantity, expires_at=expires)
        for line, row, quantity in plan
    )
    return expires


def checkout_release(*, cart: Cart) -> int:
    deleted, _detail = Reservation.objects.filter(cart=cart).delete()
    return deleted


def reservations_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete expired holds. They already count for nothing; this only keeps the table small."""
    deleted, _detail = Reservation.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _order_number(now) -> str:
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
    return f"DH{timezone.localtime(now):%y%m%d}-{suffix}"


@transaction.atomic
def checkout_place_orders(
    *, cart: Cart, payment_method: str, confirmed: bool, actor=None, language: str | None = None
) -> list[Order]:
    """One order per seller from the cart's lines, stock allocated from the cart's holds (taken
    again if they lapsed and the units are still there), the cart completed. All or nothing."""
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    cart_require_open(cart)
    if payment_method not in PaymentMethod.values:
        raise CheckoutError(_("Choose a payment method."), code="invalid", field="payment_method")
    checkout_validate(cart=cart, prices=True)
    now = timezone.now()
    lines = _lines_for_update(cart)
    deliveries = _deliveries(cart)
    rows = stock_lock(lines=lines, locations=_pickup_locations(deliveries))
    cart.reservations.all().delete()
    plan = _plan(cart, lines, rows, now, deliveries)
    per_line: dict[int, list[tuple[Stock, int]]] = defaultdict(list)
    for line, row, quantity in plan:
        per_line[line.pk].append((row, quantity))
    by_seller: dict[int, list[CartLine]] = defaultdict(list)
    for line in lines:
        by_seller[line.offer.seller_id].append(line)
    orders = []
    status = OrderStatus.CONFIRMED if confirmed else OrderStatus.AWAITING_PAYMENT
    for seller_id in sorted(by_seller):
        seller_lines = by_seller[seller_id]
        seller = seller_lines[0].offer.seller
        delivery = deliveries.get(seller_id)
        method = delivery.method if delivery else DeliveryMethod.SHIPPING
        subtotal = sum(line.offer.price * line.quantity for line in seller_lines)
        fee = shipping_fee(seller=seller, subtotal=subtotal, method=method)
        order = _order_create(
            cart=cart,
            seller=seller,
            delivery=delivery,
            method=method,
            subtotal=subtotal,
            fee=fee,
            payment_method=payment_method,
            status=status,
            language=language or get_language() or settings.LANGUAGE_CODE,
            now=now,
        )
        for line in seller_lines:
            order_line = OrderLine.objects.create(
                order=order,
                offer=line.offer,
                product_name=line.offer.variant.product.name,
                variant_name=line.offer.variant.name,
                unit_price=line.offer.price,
                quantity=line.quantity,
                line_total=line.offer.price * line.quantity,
            )
            for row, quantity in per_line[line.pk]:
                row.quantity -= quantity
                row.save(update_fields=["quantity"])
                Allocation.objects.create(line=order_line, stock=row, quantity=quantity)
        OrderEvent.objects.create(order=order, from_status="", to_status=status, actor=actor)
        if confirmed:
            ledger_order_confirmed(order=order)
        order_notify(order=order, to_status=status, new=True)
        orders.append(order)
    cart.status = CartStatus.COMPLETED
    cart.save(update_fields=["status", "updated_at"])
    # Stock went down: a product may now be out of stock in search results.
    search_rows_changed(Offer, [line.offer_id for lines in by_seller.values() for line in lines])
    return orders


def _order_create(
    *, cart, seller, delivery, method, subtotal, fee, payment_method, status, language, now
) -> Order:
    fields = {
        "cart": cart,
        "seller": seller,
        "buyer": cart.user,
        "email": cart.email,
        "phone": cart.phone,
        "recipient_name": cart.recipient_name,
        "province": cart.province if method == DeliveryMethod.SHIPPING else None,
        "commune": cart.commune if method == DeliveryMethod.SHIPPING else "",
        "street": cart.street if method == DeliveryMethod.SHIPPING else "",
        "note": cart.note,
        "delivery_method": method,
        **_pickup_snapshot(delivery if method == DeliveryMethod.PICKUP else None),
        "subtotal": subtotal,
        "shipping_fee": fee,
        "total": subtotal + fee,
        "payment_method": payment_method,
        "status": status,
        "language": language[:8],
        "placed_at": now,
        "paid_at": None,
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Order.objects.create(number=_order_number(now), **fields)
        except IntegrityError:  # 31^5 numbers a day: a clash is rare, so just draw again
            continue
    raise RuntimeError("Could not draw a free order number")


def _pickup_snapshot(delivery: CartDelivery | None) -> dict:
    """The pickup place as the buyer was told it: the location, its point of sale, and the
    name and address at the time (the order's history when the place changes or goes)."""
    location = delivery.pickup_location if delivery else None
    if location is None:
        return {"pickup_location": None, "pickup_point": None}
    return {
        "pickup_location": location,
        "pickup_point": point_of(location),
        "pickup_name": location.name,
        "pickup_address": location_address(location),
    }


def checkout_validate(*, cart: Cart, prices: bool = False) -> None:
    """Refuse to go on while the cart is empty, details are missing, or (with ``prices``) an
    offer changed price, vanished or lost its certificate since it was added."""
    summary = checkout_summary(cart=cart)
    if not summary.groups:
        raise CheckoutError(_("Your cart is empty."), code="EMPTY", field=None)
    if not cart.email or not cart.phone:
        raise CheckoutError(
            _("Enter your e-mail address and phone number."), code="required", field="email"
        )
    if not cart.recipient_name:
        raise CheckoutError(
            _("Enter the recipient's name."), code="required", field="recipient_name"
        )
    if any(g.delivery_method == DeliveryMethod.SHIPPING for g in summary.groups) and not (
        cart.province_id and cart.street and cart.commune
    ):
        raise CheckoutError(_("Enter the delivery address."), code="required", field="street")
    for group in summary.groups:
        if group.delivery_problem:
            field = "method" if group.delivery_problem_code == "invalid" else "pickup_location"
            raise CheckoutError(
                group.delivery_problem, code=group.delivery_problem_code, field=field
            )
        for line in group.lines:
            for problem in line.problems:
                if problem.code == "PRICE_CHANGED" and not prices:
                    continue
                raise CheckoutError(
                    problem.message, code=problem.code, field=f"line-{line.line.pk}"
                )


@transaction.atomic
def checkout_accept_prices(*, cart: Cart) -> Cart:
    """The buyer saw the new prices: take them as the prices of the cart."""
    for line in cart.lines.select_related("offer"):
        if line.unit_price != line.offer.price:
            line.unit_price = line.offer.price
            line.save(update_fields=["unit_price"])
    return cart
