"""The cart: found or made for a request, merged at sign-in, its lines within stock."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.offers.models import Offer
from marketplace.offers.selectors import offers_visible
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import (
    Cart,
    CartLine,
    CartStatus,
)
from marketplace.orders.selectors import (
    offer_line_name,
    stock_available,
)

CART_SESSION_KEY = "cart_token"
LINE_QUANTITY_MAX = 99


# --- cart -----------------------------------------------------------------------------------


def _open_cart_of(user) -> Cart | None:
    return Cart.objects.filter(user=user, status=CartStatus.OPEN).first()


def cart_create(*, user=None) -> Cart:
    """A new cart for an anonymous buyer; for a signed-in one, their open cart, created when
    they have none (one open cart per buyer is a database constraint: a parallel request that
    created it first wins, and its cart is returned)."""
    if user is None or not user.is_authenticated:
        return Cart.objects.create()
    cart = _open_cart_of(user)
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user=user)
        except IntegrityError:
            cart = _open_cart_of(user)
    return cart


def cart_for_request(*, user, session, create: bool = True) -> Cart | None:
    """The request's open cart. Anonymous buyers keep theirs by a token in the session; for a
    signed-in buyer whose session still holds an anonymous cart (they just signed in — Django
    keeps session data across login), that cart is merged into theirs here, on first use."""
    token = session.get(CART_SESSION_KEY)
    anonymous = None
    if token:
        anonymous = Cart.objects.filter(
            token=token, status=CartStatus.OPEN, user__isnull=True
        ).first()
        if anonymous is None:
            session.pop(CART_SESSION_KEY, None)
    if user is None or not user.is_authenticated:
        if anonymous is None and create:
            anonymous = cart_create()
            session[CART_SESSION_KEY] = str(anonymous.token)
        return anonymous
    cart = _open_cart_of(user)
    if anonymous is not None:
        session.pop(CART_SESSION_KEY, None)
        if cart is None:
            anonymous.user = user
            anonymous.save(update_fields=["user", "updated_at"])
            return anonymous
        return cart_merge(source=anonymous, target=cart)
    if cart is None and create:
        cart = cart_create(user=user)
    return cart


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move ``source``'s lines into ``target`` (quantities add up, capped) and delete it."""
    existing = {line.offer_id: line for line in target.lines.select_for_update()}
    for line in source.lines.all():
        kept = existing.get(line.offer_id)
        if kept is None:
            line.cart = target
            line.save(update_fields=["cart"])
        else:
            kept.quantity = min(kept.quantity + line.quantity, LINE_QUANTITY_MAX)
            kept.save(update_fields=["quantity"])
    for field in ("email", "phone", "recipient_name", "province_id", "commune", "street"):
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    target.save()
    source.delete()
    return target


def _quantity(value) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise CheckoutError(_("Enter a whole number."), code="invalid", field="quantity") from None
    if quantity < 0 or quantity > LINE_QUANTITY_MAX:
        raise CheckoutError(
            _("Choose a quantity from 1 to %(max)s.") % {"max": LINE_QUANTITY_MAX},
            code="invalid",
            field="quantity",
        )
    return quantity


def cart_require_open(cart: Cart) -> None:
    if cart.status != CartStatus.OPEN:
        raise CheckoutError(_("This checkout has already been placed."), code="INVALID", field=None)


@transaction.atomic
def cart_line_add(*, cart: Cart, offer: Offer, quantity=1) -> CartLine:
    cart_require_open(cart)
    quantity = _quantity(quantity)
    if quantity < 1:
        raise CheckoutError(_("Choose at least one."), code="invalid", field="quantity")
    if not offers_visible().filter(pk=offer.pk).exists():
        raise CheckoutError(
            _("%(product)s is not on sale any more.") % {"product": offer_line_name(offer)},
            code="OFFER_UNAVAILABLE",
            field="offer",
        )
    line = CartLine.objects.filter(cart=cart, offer=offer).select_for_update().first()
    wanted = quantity + (line.quantity if line else 0)
    _check_stock(offer=offer, wanted=min(wanted, LINE_QUANTITY_MAX), cart=cart, field="quantity")
    if line is None:
        return CartLine.objects.create(
            cart=cart, offer=offer, quantity=quantity, unit_price=offer.price
        )
    line.quantity = min(wanted, LINE_QUANTITY_MAX)
    line.unit_price = offer.price
    line.save(update_fields=["quantity", "unit_price"])
    return line


def _check_stock(*, offer: Offer, wanted: int, cart: Cart | None, field: str) -> None:
    available = stock_available([offer.pk], cart=cart)[offer.pk]
    if available <= 0:
        raise CheckoutError(
            _("%(product)s is sold out.") % {"product": offer_line_name(offer)},
            code="SOLD_OUT",
            field=field,
        )
    if wanted > available:
        raise CheckoutError(
            _("Only %(available)s of %(product)s left.")
            % {"available": available, "product": offer_line_name(offer)},
            code="SOLD_OUT",
            field=field,
        )


@transaction.atomic
def cart_line_update(*, cart: Cart, line: CartLine, quantity) -> CartLine | None:
    """Set a line's quantity; 0 removes it."""
    cart_require_open(cart)
    if line.cart_id != cart.pk:
        raise CheckoutError(_("That line is not in your cart."), code="NOT_FOUND", field="line")
    quantity = _quantity(quantity)
    if quantity == 0:
        line.delete()
        return None
    if quantity > line.quantity:
        _check_stock(offer=line.offer, wanted=quantity, cart=cart, field=f"line-{line.pk}")
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_line_remove(*, cart: Cart, line: CartLine) -> None:
    cart_line_update(cart=cart, line=line, quantity=0)
