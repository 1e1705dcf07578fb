"""Cart and order reads, shaped so a page costs a constant number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.money import format_vnd
from marketplace.offers.models import Offer, Stock, StockLocation
from marketplace.offers.selectors import (
    offers_visible,
    stock_location_usable,
    stock_locations_usable,
)
from marketplace.orders.models import (
    Cart,
    CartLine,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    Reservation,
    SellerDeliveryRule,
)
from marketplace.places.models import OpeningHours
from marketplace.places.selectors import (
    PickupPlace,
    location_address,
    pickup_location_prefetch,
    pickup_place,
    point_of,
    point_takes_pickups,
)
from sellers.models import Business


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class LineView:
    line: CartLine
    unit_price: int
    line_total: int
    available: int
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SellerGroup:
    seller: Business
    lines: list[LineView]
    subtotal: int
    shipping_fee: int
    delivery_method: str
    pickup_location: StockLocation | None
    pickup_locations: list[StockLocation]
    ships: bool
    pickup_enabled: bool
    delivery_problem: str = ""
    delivery_problem_code: str = "invalid"

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_fee


@dataclass
class CheckoutSummary:
    cart: Cart
    groups: list[SellerGroup]

    @property
    def subtotal(self) -> int:
        return sum(g.subtotal for g in self.groups)

    @property
    def shipping_fee(self) -> int:
        return sum(g.shipping_fee for g in self.groups)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def quantity(self) -> int:
        return sum(v.line.quantity for g in self.groups for v in g.lines)

    @property
    def problems(self) -> list[Problem]:
        return [p for g in self.groups for v in g.lines for p in v.problems]


def stock_free_by_location(offer_ids: Iterable[int], *, cart: Cart | None) -> dict:
    """Units each stock row can still sell, by (offer id, location id): its quantity minus
    other carts' live reservations. Only locations usable today count (a closed location, a
    fair booth outside the fair's days: ``stock_locations_usable``), as in ``stock_lock``.
    Two queries."""
    offer_ids = list(offer_ids)
    rows = list(
        Stock.objects.filter(stock_locations_usable(prefix="location__"), offer_id__in=offer_ids)
        .order_by()
        .values_list("pk", "offer_id", "location_id", "quantity")
    )
    held_rows = Reservation.objects.filter(
        stock__offer_id__in=offer_ids, expires_at__gt=timezone.now()
    )
    if cart is not None:
        held_rows = held_rows.exclude(cart=cart)
    held = dict(
        held_rows.values("stock_id").annotate(n=Sum("quantity")).values_list("stock_id", "n")
    )
    free: dict[tuple[int, int], int] = defaultdict(int)
    for pk, offer_id, location_id, quantity in rows:
        free[(offer_id, location_id)] += quantity - held.get(pk, 0)
    return dict(free)


def stock_available(offer_ids: Iterable[int], *, cart: Cart | None) -> dict[int, int]:
    """Units each offer can still sell: stock minus other carts' live reservations."""
    offer_ids = list(offer_ids)
    return _available_from(stock_free_by_location(offer_ids, cart=cart), offer_ids)


def _available_from(free: dict, offer_ids: list[int]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for (offer_id, _location_id), units in free.items():
        totals[offer_id] += units
    return {offer_id: max(totals.get(offer_id, 0), 0) for offer_id in offer_ids}


def pickup_problem(
    *, location: StockLocation | None, seller: Business, needs: dict[int, int], free: dict
) -> Problem | None:
    """Why the seller's goods cannot be picked up at ``location``, or None. ``needs``: units
    per offer of the seller's lines; ``free``: ``stock_free_by_location``. A location that is a
    point of sale must not be closed for good or suspended, and every line's units must lie
    there (the same for any stock location: a warehouse counter, a fair booth)."""
    if location is None or location.business_id != seller.pk or not location.is_active:
        return Problem("NOT_SELLER_PLACE", _("Choose one of the seller's pickup places."))
    if not stock_location_usable(location):
        # A fair booth hands over orders on the fair's days only.
        return Problem(
            "PLACE_NOT_AVAILABLE",
            _("%(place)s takes pickups from %(first)s to %(last)s only.")
            % {
                "place": location.name,
                "first": date_format(location.available_from, "d/m/Y")
                if location.available_from
                else "…",
                "last": date_format(location.available_until, "d/m/Y")
                if location.available_until
                else "…",
            },
        )
    point = point_of(location)
    if point is not None and not point_takes_pickups(point):
        return Problem(
            "POINT_CLOSED",
            _("%(place)s is closed; choose another pickup place.") % {"place": location.name},
        )
    if any(free.get((offer_id, location.pk), 0) < units for offer_id, units in needs.items()):
        return Problem(
            "NOT_ENOUGH_STOCK",
            _("%(place)s does not have every item of your order in stock.")
            % {"place": location.name},
        )
    return None


def pickup_locations_of(*, seller_ids: Iterable[int]) -> QuerySet[StockLocation]:
    """The sellers' stock locations usable today (``stock_locations_usable``: a fair booth
    during the fair only), with what a pickup choice shows (``pickup_choice_label``)."""
    return (
        StockLocation.objects.filter(stock_locations_usable(), business_id__in=seller_ids)
        .select_related("point_of_sale", "province")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
    )


def pickup_choice_label(location: StockLocation) -> str:
    """How checkout names a pickup place: name and address, and for a place open some days
    only (a fair booth) those days and, when every day is the same, its hours: "Gian B-12 ·
    Hội chợ … (address) · 06/12/2026 – 09/12/2026, 08:00–21:00". Reads the hours
    ``pickup_locations_of`` prefetched."""
    place = f"{location.name} ({location_address(location)})"
    if location.available_from is not None or location.available_until is not None:
        days = " – ".join(
            date_format(day, "d/m/Y") if day else "…"
            for day in (location.available_from, location.available_until)
        )
        spans = {(row.weekday, row.opens, row.closes) for row in location.opening_hours.all()}
        daily = {(opens, closes) for _day, opens, closes in spans}
        if len(daily) == 1 and len(spans) == 7:
            ((opens, closes),) = daily
            days += f", {opens:%H:%M}–{closes:%H:%M}"
        place += f" · {days}"
    return _("Pickup at %(place)s") % {"place": place}


def offer_line_name(offer: Offer) -> str:
    """How a line names what was bought: "Mật ong (Hũ 500 g)"."""
    return f"{offer.variant.product.name} ({offer.variant.name})"


def delivery_rule_for(seller: Business) -> SellerDeliveryRule:
    """The seller's rule, or the marketplace default (not saved) for one who set none."""
    rule = getattr(seller, "_delivery_rule_cache", None)
    if rule is None:
        try:
            rule = seller.delivery_rule
        except SellerDeliveryRule.DoesNotExist:
            rule = SellerDeliveryRule(seller=seller, flat_fee=settings.ORDERS_DEFAULT_SHIPPING_FEE)
        seller._delivery_rule_cache = rule
    return rule


def shipping_fee(*, seller: Business, subtotal: int, method: str) -> int:
    if method == DeliveryMethod.PICKUP:
        return 0
    rule = delivery_rule_for(seller)
    if rule.free_above is not None and subtotal >= rule.free_above:
        return 0
    return rule.flat_fee


def checkout_summary(*, cart: Cart) -> CheckoutSummary:
    """The cart grouped by seller with prices, fees and what changed since lines were added.
    Seven queries whatever the number of lines and sellers."""
    lines = list(
        cart.lines.select_related(
            "offer__variant__product", "offer__seller", "offer__seller__delivery_rule"
        ).order_by("id")
    )
    if not lines:
        return CheckoutSummary(cart=cart, groups=[])
    offer_ids = [line.offer_id for line in lines]
    visible = set(offers_visible().filter(pk__in=offer_ids).values_list("pk", flat=True))
    free = stock_free_by_location(offer_ids, cart=cart)
    available = _available_from(free, offer_ids)
    deliveries = {
        d.seller_id: d
        for d in cart.deliveries.select_related(
            "pickup_location__point_of_sale", "pickup_location__province"
        )
    }
    seller_ids = sorted({line.offer.seller_id for line in lines})
    locations: dict[int, list[StockLocation]] = defaultdict(list)
    for location in pickup_locations_of(seller_ids=seller_ids):
        locations[location.business_id].append(location)
    needs: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        needs[line.offer.seller_id][line.offer_id] += line.quantity
    by_seller: dict[int, list[LineView]] = defaultdict(list)
    for line in lines:
        offer = line.offer
        view = LineView(
            line=line,
            unit_price=offer.price,
            line_total=offer.price * line.quantity,
            available=available[offer.pk],
        )
        name = offer_line_name(offer)
        if offer.pk not in visible:
            view.problems.append(
                Problem(
                    "OFFER_UNAVAILABLE",
                    _(
                        "%(product)s is no longer on sale (its seller paused it, or its OCOP "
                        "certificate is no longer in force). Remove it to continue."
                    )
                    % {"product": name},
                )
            )
        if view.available <= 0:
            view.problems.append(
                Problem("SOLD_OUT", _("%(product)s is sold out.") % {"product": name})
            )
        elif line.quantity > view.available:
            view.problems.append(
                Problem(
                    "SOLD_OUT",
                    _("Only %(available)s of %(product)s left.")
                    % {"available": view.available, "product": name},
                )
            )
        if line.unit_price != offer.price:
            view.problems.append(
                Problem(
                    "PRICE_CHANGED",
                    _("The price of %(product)s changed from %(old)s ₫ to %(new)s ₫.")
                    % {
                        "product": name,
                        "old": f"{line.unit_price:,}".replace(",", "."),
                        "new": f"{offer.price:,}".replace(",", "."),
                    },
                )
            )
        by_seller[offer.seller_id].append(view)
    groups = []
    for seller_id in seller_ids:
        views = by_seller[seller_id]
        seller = views[0].line.offer.seller
        rule = delivery_rule_for(seller)
        delivery = deliveries.get(seller_id)
        method = (
            delivery.method
            if delivery
            else (DeliveryMethod.SHIPPING if rule.ships else DeliveryMethod.PICKUP)
        )
        subtotal = sum(v.line_total for v in views)
        places = [
            location
            for location in locations[seller_id]
            if pickup_problem(location=location, seller=seller, needs=needs[seller_id], free=free)
            is None
        ]
        group = SellerGroup(
            seller=seller,
            lines=views,
            subtotal=subtotal,
            shipping_fee=shipping_fee(seller=seller, subtotal=subtotal, method=method),
            delivery_method=method,
            pickup_location=delivery.pickup_location if delivery else None,
            pickup_locations=places,
            ships=rule.ships,
            pickup_enabled=rule.pickup_enabled,
        )
        if method == DeliveryMethod.PICKUP and group.pickup_location is None:
            group.delivery_problem = _("Choose where to pick up the order from %(seller)s.") % {
                "seller": seller.name
            }
        elif method == DeliveryMethod.PICKUP:
            problem = pickup_problem(
                location=group.pickup_location, seller=seller, needs=needs[seller_id], free=free
            )
            if problem is not None:
                group.delivery_problem = problem.message
                group.delivery_problem_code = problem.code
        groups.append(group)
    return CheckoutSummary(cart=cart, groups=groups)


ORDER_SESSION_KEY = "placed_checkouts"
_ORDER_SALT = "marketplace.orders.access"


def order_access_token(*, order: Order) -> str:
    """An unguessable link token for the buyer's e-mails: signed, so an order number alone
    (printed on parcels, read over the phone) never opens the order page. It carries its
    signing time and opens the order for ``ORDERS_LINK_MAX_AGE_DAYS`` (a forwarded or leaked
    e-mail is not a key for ever); the buyer gets a fresh one by e-mail (``order_link_send``)."""
    return signing.dumps(order.number, salt=_ORDER_SALT)


def order_link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ORDERS_LINK_MAX_AGE_DAYS)


def order_link_expired(*, order: Order, token: str) -> bool:
    """Whether ``token`` is a genuine link to ``order`` that has run out (so the page may say
    so and offer a fresh one: only the holder of a real link learns anything)."""
    try:
        signing.loads(token, salt=_ORDER_SALT, max_age=order_link_max_age())
    except signing.SignatureExpired:
        try:
            return signing.loads(token, salt=_ORDER_SALT) == order.number
        except signing.BadSignature:
            return False
    except signing.BadSignature:
        return False
    return False


def checkout_transfer_note(*, numbers: list[str], total: int) -> str:
    """The sentence beside every VietQR code and in every e-mail asking for the transfer. One
    transfer pays all the orders of a checkout; shown beside one order's total without saying
    so, its amount reads as that order's and a buyer may pay again for the others."""
    if len(numbers) > 1:
        numbers_text = _("%(first)s and %(last)s") % {
            "first": ", ".join(numbers[:-1]),
            "last": numbers[-1],
        }
    else:
        numbers_text = "".join(numbers)
    return ngettext(
        "This transfer pays order %(numbers)s (%(total)s).",
        "This transfer pays orders %(numbers)s together (total %(total)s).",
        len(numbers),
    ) % {"numbers": numbers_text, "total": format_vnd(total)}


def order_visible_to(*, order: Order, user, session, token: str = "") -> bool:
    if user is not None and user.is_authenticated and order.buyer_id == user.pk:
        return True
    if str(order.cart.token) in session.get(ORDER_SESSION_KEY, []):
        return True
    if token:
        try:
            return (
                signing.loads(token, salt=_ORDER_SALT, max_age=order_link_max_age()) == order.number
            )
        except signing.BadSignature:  # SignatureExpired included
            return False
    return False


def _order_shape(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return order_pickup_shape(
        queryset.select_related("seller", "province").prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch(
                "events",
                queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id"),
            ),
        )
    )


def order_pickup_shape(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """What ``order_pickup`` reads: the pickup location, its point, its hours and upcoming
    exceptions (two queries for a page of orders, none when nothing is picked up)."""
    return queryset.select_related(
        "pickup_location__point_of_sale", "pickup_location__province"
    ).prefetch_related(*pickup_location_prefetch("pickup_location"))


def order_pickup(order: Order) -> PickupPlace | None:
    """Where and when the buyer collects ``order`` (None when it ships): the name and address
    the buyer was told, the place's hours and exceptions now, a directions link."""
    if order.delivery_method != DeliveryMethod.PICKUP or order.pickup_location_id is None:
        return None
    return pickup_place(
        location=order.pickup_location, name=order.pickup_name, address=order.pickup_address
    )


def orders_pickup_attach(orders: Iterable[Order]) -> list[Order]:
    """``pickup`` on each order (``order_pickup``), for the pages and e-mails."""
    orders = list(orders)
    for order in orders:
        order.pickup = order_pickup(order)
    return orders


def order_by_number(*, number: str) -> Order | None:
    order = _order_shape(Order.objects.select_related("cart").filter(number=number)).first()
    return orders_pickup_attach([order])[0] if order else None


def orders_for_buyer(*, user) -> QuerySet[Order]:
    return Order.objects.filter(buyer=user).select_related("seller")


def orders_of_checkout(*, cart: Cart) -> QuerySet[Order]:
    return _order_shape(Order.objects.filter(cart=cart).order_by("id"))


def orders_for_seller(*, business: Business, status: str | None = None) -> QuerySet[Order]:
    queryset = Order.objects.filter(seller=business)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))


def order_for_seller(*, business: Business, number: str) -> Order | None:
    order = _order_shape(Order.objects.filter(seller=business, number=number)).first()
    return orders_pickup_attach([order])[0] if order else None
