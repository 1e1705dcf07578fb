"""Demo shop: turns the demo catalogue (``load_demo``) into something a visitor can buy from.

Every demo producer holding a product with a certificate in force becomes an active seller with a
warehouse in its province and one published offer per pack; the OCOP centre of Hạ Long (a real
place, OCOP-RULES.md §8, with invented stock) resells a handful of them under the holders'
authorisations. Prices and quantities are invented but stable (derived from the slugs; a pack's
price is a per-product unit price times its net quantity), and
every row hangs off ``is_demo`` businesses. Running it again changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from catalog.demo.illustrations import demo_illustrations_ensure
from catalog.models import Product, ProductVariant
from catalog.selectors import certificates_in_force
from core.models import Province
from core.search import search_rows_changed
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
    StockLocationKind,
)
from sellers.models import Business, LegalType, SellerStatus, SellerType

CENTRE_NAME = "Trung tâm OCOP Hạ Long"
CENTRE_RESOLD = 6


@dataclass
class ShopSummary:
    sellers: int = 0
    offers: int = 0
    resold: int = 0
    extra: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Active demo sellers: {self.sellers}",
            f"Published demo offers: {self.offers}",
            f"Offers resold by {CENTRE_NAME}: {self.resold}",
            *self.extra,
        ]


# Packages above offers that add to the demo shop (points of sale, fairs) register a step here
# when Django starts; each runs after the shop, in the same transaction, and returns lines for
# the summary. Offers cannot import them.
_STEPS: list[Callable[[], list[str]]] = []


def demo_shop_step_register(step: Callable[[], list[str]]) -> None:
    if step not in _STEPS:
        _STEPS.append(step)


def _stable(text: str, low: int, high: int, step: int) -> int:
    digest = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return low + (digest % ((high - low) // step + 1)) * step


# The unit a pack's net quantity is priced in: grams and millilitres are priced per kilogram and
# per litre, so "Hũ 500 g" and "Hũ 1 kg" of one honey share one unit price.
_PER_BASE_UNIT = {"g": 1000, "kg": 1, "ml": 1000, "l": 1, "piece": 1}


def _unit_price(product: Product) -> int:
    """A stable, invented price per kilogram, litre or piece for one demo product."""
    return _stable(f"unit-{product.slug}", 60_000, 600_000, 5_000)


def _demo_price(variant: ProductVariant) -> int:
    """Whole đồng: the product's unit price times the pack's net quantity, rounded to 1,000 đ,
    so a larger pack of one product always costs more than a smaller one. A pack with no
    quantity is priced as one unit."""
    quantity, per = variant.net_quantity, _PER_BASE_UNIT.get(variant.unit)
    units = quantity / per if quantity and per else 1
    return max(15_000, int(round(_unit_price(variant.product) * units, -3)))


def demo_offer_price(variant: ProductVariant) -> int:
    """The demo price of a pack, for the packages that add resellers to the demo shop."""
    return _demo_price(variant)


def _location(business: Business, kind: str, name: str) -> StockLocation:
    location, _created = StockLocation.objects.get_or_create(
        business=business,
        name=name,
        defaults={"kind": kind, "province": business.province, "street": business.street},
    )
    return location


def _offer(seller: Business, variant: ProductVariant, location: StockLocation, price: int) -> bool:
    offer, created = Offer.objects.get_or_create(
        seller=seller,
        variant=variant,
        defaults={
            "price": price,
            "status": OfferStatus.PUBLISHED,
            "published_at": timezone.now(),
        },
    )
    Stock.objects.get_or_create(
        offer=offer,
        location=location,
        defaults={"quantity": _stable(f"stock-{variant.pk}-{seller.pk}", 12, 60, 1)},
    )
    return created


@transaction.atomic
def demo_shop_load() -> ShopSummary:
    summary = ShopSummary()
    in_force = certificates_in_force().filter(product__is_demo=True).values("product_id")
    products = list(
        Product.objects.filter(pk__in=in_force, holder__is_demo=True)
        .select_related("holder__province")
        .prefetch_related("variants")
        .order_by("pk")
    )
    holders = {p.holder for p in products}
    now = timezone.now()
    # What is for sale has a picture, even over a MEDIA_ROOT emptied since load_demo.
    changed = bool(demo_illustrations_ensure(products=products))
    for holder in holders:
        if holder.status != SellerStatus.ACTIVE:
            changed = True
            holder.status = SellerStatus.ACTIVE
            holder.terms_accepted_at = holder.terms_accepted_at or now
            holder.save(update_fields=["status", "terms_accepted_at", "updated_at"])
    summary.sellers = len(holders)
    for product in products:
        location = _location(product.holder, StockLocationKind.WAREHOUSE, "Kho chính")
        for variant in product.variants.all():
            price = _demo_price(variant)
            changed = _offer(product.holder, variant, location, price) or changed
            summary.offers += 1

    centre = Business.objects.filter(name=CENTRE_NAME, is_demo=True).first()
    if centre is None:
        centre = Business.objects.create(
            name=CENTRE_NAME,
            name_folded="trung tam ocop ha long",
            slug="trung-tam-ocop-ha-long-demo",
            legal_type=LegalType.ENTERPRISE,
            province=Province.objects.get(code="22"),
            commune="phường Hà Khẩu",
            street="Khu Đồn Điền",
            status=SellerStatus.ACTIVE,
            seller_type=SellerType.OCOP_CENTRE,
            terms_accepted_at=now,
            is_demo=True,
        )
    shop = _location(centre, StockLocationKind.POINT_OF_SALE, "Quầy trưng bày OCOP Hạ Long")
    for product in products[:CENTRE_RESOLD]:
        ResaleAuthorization.objects.get_or_create(
            product=product, reseller=centre, revoked_at__isnull=True
        )
        variant = product.variants.all()[0]
        # The centre's shelf costs it something: its price is the holder's plus 10,000 đ.
        price = _demo_price(variant) + 10_000
        changed = _offer(centre, variant, shop, price) or changed
        summary.resold += 1
    if changed:
        search_rows_changed(Product, [product.pk for product in products])
    for step in _STEPS:
        summary.extra.extend(step())
    return summary
