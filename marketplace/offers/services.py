"""Writes on offers, stock and resale authorisations. Every function checks the actor's
membership of the business it acts for; stock rows are locked in id order."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product, ProductVariant
from catalog.selectors import certificates_in_force
from core.search import search_rows_changed
from core.text import nfc
from marketplace.offers.models import (
    PRICE_MAX,
    PRICE_MIN,
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
    StockLocationKind,
)
from sellers.errors import SellerError
from sellers.models import Business, SellerStatus
from sellers.selectors import ROLES_ALL, ROLES_MANAGE
from sellers.services import membership_require

MAX_STOCK = 1_000_000


def _money(value, *, field: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SellerError(_("Prices are whole đồng."), code="invalid", field=field)
    if not PRICE_MIN <= value <= PRICE_MAX:
        raise SellerError(
            _("The price must be between 1.000 ₫ and 1.000.000.000 ₫."),
            code="out_of_range",
            field=field,
        )
    return value


def _check_compare_at(price: int, compare_at: int | None) -> None:
    if compare_at is not None and compare_at <= price:
        raise SellerError(
            _("The compare-at price must be higher than the price."),
            code="invalid",
            field="compare_at_price",
        )


def seller_may_sell(*, seller: Business, product: Product) -> bool:
    return (
        seller.pk == product.holder_id
        or ResaleAuthorization.objects.filter(
            product=product, reseller=seller, revoked_at__isnull=True
        ).exists()
    )


@transaction.atomic
def offer_create(
    *,
    actor,
    seller: Business,
    variant: ProductVariant,
    price: int,
    compare_at_price: int | None = None,
) -> Offer:
    membership_require(user=actor, business=seller, roles=ROLES_MANAGE)
    price = _money(price, field="price")
    compare_at_price = _money(compare_at_price, field="compare_at_price", allow_none=True)
    _check_compare_at(price, compare_at_price)
    if not seller_may_sell(seller=seller, product=variant.product):
        raise SellerError(
            _("Only the holder, or a reseller it has authorised, can offer this product."),
            code="permission_denied",
            field="variant",
        )
    duplicate = SellerError(
        _("You already have an offer for this variant."), code="duplicate", field="variant"
    )
    if Offer.objects.filter(seller=seller, variant=variant).exists():
        raise duplicate
    try:
        # A savepoint: a double-submitted form loses the race with a message, not a 500.
        with transaction.atomic():
            return Offer.objects.create(
                seller=seller, variant=variant, price=price, compare_at_price=compare_at_price
            )
    except IntegrityError:
        raise duplicate from None


@transaction.atomic
def offer_update(
    *,
    actor,
    offer: Offer,
    price: int | None = None,
    compare_at_price: int | None = None,
    clear_compare_at: bool = False,
) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    membership_require(user=actor, business=offer.seller, roles=ROLES_MANAGE)
    if price is not None:
        offer.price = _money(price, field="price")
    if clear_compare_at:
        offer.compare_at_price = None
    elif compare_at_price is not None:
        offer.compare_at_price = _money(compare_at_price, field="compare_at_price")
    _check_compare_at(offer.price, offer.compare_at_price)
    offer.save(update_fields=["price", "compare_at_price", "updated_at"])
    search_rows_changed(Offer, [offer.pk])
    return offer


@transaction.atomic
def offer_publish(*, actor, offer: Offer) -> Offer:
    """Publishing needs an active seller, a certificate in force and the right to sell."""
    offer = (
        Offer.objects.select_for_update()
        .select_related("seller", "variant__product")
        .get(pk=offer.pk)
    )
    membership_require(user=actor, business=offer.seller, roles=ROLES_MANAGE)
    if offer.seller.status != SellerStatus.ACTIVE:
        raise SellerError(
            _("Only an active seller can publish offers; your business is %(status)s.")
            % {"status": offer.seller.get_status_display()},
            code="invalid_status",
            field="seller",
        )
    product = offer.variant.product
    if not certificates_in_force().filter(product=product).exists():
        raise SellerError(
            _("This product has no OCOP certificate in force, so it cannot be sold as OCOP."),
            code="not_certified",
            field="offer",
        )
    if not seller_may_sell(seller=offer.seller, product=product):
        raise SellerError(
            _("The holder has not authorised you to resell this product."),
            code="permission_denied",
            field="offer",
        )
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = offer.published_at or timezone.now()
    offer.save(update_fields=["status", "published_at", "updated_at"])
    search_rows_changed(Offer, [offer.pk])
    return offer


@transaction.atomic
def offer_pause(*, actor, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    membership_require(user=actor, business=offer.seller, roles=ROLES_MANAGE)
    if offer.status != OfferStatus.PUBLISHED:
        raise SellerError(
            _("Only a published offer can be paused."), code="invalid_status", field="offer"
        )
    offer.status = OfferStatus.PAUSED
    offer.save(update_fields=["status", "updated_at"])
    search_rows_changed(Offer, [offer.pk])
    return offer


@transaction.atomic
def offer_delete(*, actor, offer: Offer) -> None:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    membership_require(user=actor, business=offer.seller, roles=ROLES_MANAGE)
    if offer.status == OfferStatus.PUBLISHED:
        raise SellerError(
            _("Pause the offer before deleting it."), code="invalid_status", field="offer"
        )
    offer.delete()


def _quantity(quantity) -> int:
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 0 <= quantity <= MAX_STOCK
    ):
        raise SellerError(
            _("Stock must be a whole number between 0 and 1.000.000."),
            code="out_of_range",
            field="quantity",
        )
    return quantity


def _check_location(*, offer: Offer, location: StockLocation) -> None:
    if location.business_id != offer.seller_id:
        raise SellerError(
            _("This stock location belongs to another business."),
            code="permission_denied",
            field="location",
        )


def _check_closed(*, location: StockLocation, quantity: int, current: int) -> None:
    """A closed location's units may only be taken out (a released fair booth's, moved back to
    the warehouse): never added."""
    if not location.is_active and quantity > current:
        raise SellerError(
            _("The location “%(name)s” is closed; reopen it before changing its stock.")
            % {"name": location.name},
            code="invalid_status",
            field="location",
        )


@transaction.atomic
def stock_set(*, actor, offer: Offer, location: StockLocation, quantity: int) -> Stock:
    """Set the units on hand at one of the seller's own locations. Staff may do this: counting
    stock is their job, prices and publishing are not."""
    membership_require(user=actor, business=offer.seller, roles=ROLES_ALL)
    _check_location(offer=offer, location=location)
    quantity = _quantity(quantity)
    stock, _created = Stock.objects.select_for_update().get_or_create(
        offer=offer, location=location
    )
    _check_closed(location=location, quantity=quantity, current=stock.quantity)
    stock.quantity = quantity
    stock.save(update_fields=["quantity"])
    search_rows_changed(Offer, [offer.pk])
    return stock


@transaction.atomic
def stock_set_many(*, actor, business: Business, entries: Iterable[tuple]) -> int:
    """Set several stock cells of ``business`` at once, all or nothing (the stock editor's
    form). Each entry is ``(offer, location, quantity)`` or ``(offer, location, quantity,
    seen)``, ``seen`` being the figure the editor showed: such a cell is written only when the
    seller changed it, and only if it still holds ``seen`` — otherwise nothing is written and
    ``SellerError(code="stale")`` names the cells that moved (a sale, another editor). Every offer
    and location must be the business's own; rows are locked in id order, the order every stock
    writer uses (checkout, cancellations), so writers queue instead of deadlocking. Returns how
    many cells changed."""
    membership_require(user=actor, business=business, roles=ROLES_ALL)
    wanted: dict[tuple[int, int], int] = {}
    seen: dict[tuple[int, int], int] = {}
    labels: dict[tuple[int, int], str] = {}
    closed: dict[tuple[int, int], StockLocation] = {}
    for offer, location, quantity, *basis in entries:
        if offer.seller_id != business.pk:
            raise SellerError(
                _("This offer belongs to another business."),
                code="permission_denied",
                field="offer",
            )
        _check_location(offer=offer, location=location)
        key = (offer.pk, location.pk)
        quantity = _quantity(quantity)
        if basis and basis[0] is not None:
            if basis[0] == quantity:
                continue  # not touched by the seller: leave whatever the row holds now
            seen[key] = basis[0]
            labels[key] = f"{offer.variant} @ {location.name}"
        wanted[key] = quantity
        if not location.is_active:
            closed[key] = location
    if not wanted:
        return 0
    offer_ids = {offer_id for offer_id, _loc in wanted}
    existing = {
        (stock.offer_id, stock.location_id): stock
        for stock in Stock.objects.select_for_update()
        .filter(offer_id__in=offer_ids, offer__seller=business)
        .order_by("id")
    }
    moved = [
        key
        for key in sorted(seen)
        if (existing[key].quantity if key in existing else 0) != seen[key]
    ]
    if moved:
        raise SellerError(
            _(
                "The stock changed while you were editing (%(cells)s). Nothing was saved: "
                "the grid shows the current figures, enter your changes again."
            )
            % {"cells": "; ".join(labels[key] for key in moved)},
            code="stale",
        )
    for key, location in sorted(closed.items()):
        current = existing[key].quantity if key in existing else 0
        _check_closed(location=location, quantity=wanted[key], current=current)
    changed = 0
    for key in sorted(wanted):
        quantity = wanted[key]
        stock = existing.get(key)
        if stock is None:
            if quantity == 0:
                continue  # an empty cell left empty: no row needed
            Stock.objects.create(offer_id=key[0], location_id=key[1], quantity=quantity)
            changed += 1
        elif stock.quantity != quantity:
            stock.quantity = quantity
            stock.save(update_fields=["quantity"])
            changed += 1
    if changed:
        search_rows_changed(Offer, offer_ids)
    return changed


@transaction.atomic
def stock_location_create(
    *,
    actor,
    business: Business,
    name: str,
    province,
    kind: str = StockLocationKind.WAREHOUSE,
    commune: str = "",
    street: str = "",
) -> StockLocation:
    membership_require(user=actor, business=business, roles=ROLES_MANAGE)
    name = nfc(name)
    if not name:
        raise SellerError(_("Name the location."), code="required", field="name")
    if len(name) > 120:
        raise SellerError(
            _("The name can have at most 120 characters."), code="too_long", field="name"
        )
    if kind not in StockLocationKind.values:
        raise SellerError(_("Choose a kind of location."), code="invalid", field="kind")
    if province is None:
        raise SellerError(_("Choose the province."), code="required", field="province")
    commune, street = nfc(commune), nfc(street)
    if len(commune) > 255 or len(street) > 255:
        raise SellerError(
            _("The address can have at most 255 characters per line."),
            code="too_long",
            field="street" if len(street) > 255 else "commune",
        )
    if StockLocation.objects.filter(business=business, name=name).exists():
        raise SellerError(
            _("You already have a location with this name."), code="duplicate", field="name"
        )
    return StockLocation.objects.create(
        business=business, name=name, kind=kind, province=province, commune=commune, street=street
    )


@transaction.atomic
def resale_grant(*, actor, product: Product, reseller: Business) -> ResaleAuthorization:
    """The holder authorises another business to resell one of its products."""
    membership_require(user=actor, business=product.holder, roles=ROLES_MANAGE)
    if reseller.pk == product.holder_id:
        raise SellerError(_("The holder needs no authorisation."), code="invalid", field="reseller")
    existing = ResaleAuthorization.objects.filter(
        product=product, reseller=reseller, revoked_at__isnull=True
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            authorization = ResaleAuthorization.objects.create(
                product=product, reseller=reseller, granted_by=actor
            )
            search_rows_changed(Product, [product.pk])
            return authorization
    except IntegrityError:
        # Granted concurrently (a double click): the live row is what the caller wanted.
        return ResaleAuthorization.objects.get(
            product=product, reseller=reseller, revoked_at__isnull=True
        )


@transaction.atomic
def resale_revoke(*, actor, authorization: ResaleAuthorization) -> ResaleAuthorization:
    """Withdrawing the authorisation hides the reseller's offers at once."""
    authorization = (
        ResaleAuthorization.objects.select_for_update()
        .select_related("product__holder")
        .get(pk=authorization.pk)
    )
    membership_require(user=actor, business=authorization.product.holder, roles=ROLES_MANAGE)
    if authorization.revoked_at is None:
        authorization.revoked_at = timezone.now()
        authorization.revoked_by = actor
        authorization.save(update_fields=["revoked_at", "revoked_by"])
        search_rows_changed(Product, [authorization.product_id])
    return authorization


@transaction.atomic
def stock_windows_turn(*, today: datetime.date) -> int:
    """Announce the offers whose units became sellable, or stopped being, with the date alone:
    stock at a location whose availability window opened today or closed at the end of yesterday
    (a fair booth on the fair's first day and the day after its last). Nothing was written, so
    nothing else tells search and the page cache; this rewrites their documents and pages.
    The day before is covered too, so a missed nightly run is caught up by the next one (the
    announcement is idempotent). Returns how many offers were announced."""
    opened = Q(location__available_from__range=(today - datetime.timedelta(days=1), today))
    closed = Q(
        location__available_until__range=(
            today - datetime.timedelta(days=2),
            today - datetime.timedelta(days=1),
        )
    )
    offer_ids = sorted(
        set(
            Stock.objects.filter(opened | closed, quantity__gt=0)
            .order_by()
            .values_list("offer_id", flat=True)
        )
    )
    search_rows_changed(Offer, offer_ids)
    return len(offer_ids)
