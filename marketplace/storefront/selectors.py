"""Reads for the storefront: only what ``offers_visible`` lets buyers see."""

from django.db.models import QuerySet

from catalog.models import Product
from marketplace.offers.models import Offer
from marketplace.offers.selectors import offers_visible, offers_with_stock


def product_offers(*, product: Product) -> QuerySet[Offer]:
    """A product's visible offers, cheapest first, with their stock — one query."""
    return (
        offers_with_stock(offers_visible().filter(variant__product=product))
        .select_related("seller__province", "variant")
        .order_by("price", "id")
    )
