"""Reads for the storefront: only what ``offers_visible`` lets buyers see.

Prices, seller counts and stock on product cards are correlated subqueries over
``offers_visible`` rather than joins or per-row queries: a page of 24 cards costs the same SQL
as a page of one, and a join over offers could never multiply the product rows.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from catalog.models import Framework, Product, ProductCategory, ProductPhoto
from catalog.selectors import product_list, product_list_for_display
from core.models import Province
from marketplace.offers.models import Offer, Stock
from marketplace.offers.selectors import offers_visible, offers_with_stock
from sellers.models import Business

FEATURED_PER_STAR = 8


def product_offers(*, product: Product) -> QuerySet[Offer]:
    """A product's visible offers, cheapest first, with their stock — one query."""
    return (
        offers_with_stock(offers_visible().filter(variant__product=product))
        .select_related("seller__province", "variant")
        .order_by("price", "id")
    )


def _offer_aggregate(offers: QuerySet[Offer], expression) -> Subquery:
    """One value aggregated over ``offers`` of the outer product (a scalar subquery)."""
    return Subquery(
        offers.filter(variant__product=OuterRef("pk"))
        .order_by()  # Offer's default ordering would otherwise join into the GROUP BY
        .values("variant__product")
        .annotate(value=expression)
        .values("value"),
        output_field=IntegerField(),
    )


def _stocked(visible: QuerySet[Offer]) -> QuerySet[Offer]:
    return visible.filter(Exists(Stock.objects.filter(offer=OuterRef("pk"), quantity__gt=0)))


def with_offer_summary(
    queryset: QuerySet[Product], *, today: datetime.date | None = None, stock: bool = False
):
    """Annotate ``min_price``, ``max_price`` and ``seller_count`` over visible offers, and with
    ``stock`` also ``in_stock`` (a visible offer with stock somewhere) for filtering on it.

    ``in_stock`` is left out otherwise: PostgreSQL evaluates that EXISTS as one hashed subplan
    over every visible offer (≈ 115 ms at 60,000 offers) even for a page of 24 —
    ``products_in_stock`` answers it for the page's ids instead."""
    visible = offers_visible(today=today)
    queryset = queryset.annotate(
        min_price=_offer_aggregate(visible, Min("price")),
        max_price=_offer_aggregate(visible, Max("price")),
        seller_count=Coalesce(_offer_aggregate(visible, Count("seller", distinct=True)), 0),
    )
    if stock:
        queryset = queryset.annotate(
            in_stock=Exists(_stocked(visible).filter(variant__product=OuterRef("pk")))
        )
    return queryset


def products_in_stock(*, product_ids: list[int], today: datetime.date | None = None) -> set[int]:
    """Which of ``product_ids`` have a visible offer with stock: one query on those ids only."""
    if not product_ids:
        return set()
    return set(
        _stocked(offers_visible(today=today))
        .filter(variant__product_id__in=product_ids)
        .order_by()
        .values_list("variant__product_id", flat=True)
        .distinct()
    )


def product_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Shape products (already ``with_offer_summary``) for cards: the registry's display shape
    (certificate in force, holder) and the photos; a fixed number of queries per page."""
    return product_list_for_display(queryset=queryset).prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id"))
    )


def featured_products(*, stars: int, limit: int = FEATURED_PER_STAR) -> list[Product]:
    """Certified products with ``stars`` that buyers can order now (a visible offer), newest
    listed first."""
    queryset = (
        with_offer_summary(product_list(stars=stars))
        .filter(min_price__isnull=False)
        .order_by("-created_at", "-id")
    )
    return list(product_cards(queryset)[:limit])


def current_framework() -> Framework | None:
    return Framework.objects.order_by("-in_force_from").first()


def current_categories() -> QuerySet[ProductCategory]:
    """The six product groups of the framework in force most recently."""
    latest = Framework.objects.order_by("-in_force_from").values("pk")[:1]
    return ProductCategory.objects.filter(framework=Subquery(latest)).order_by("code")


def provinces_with_products() -> QuerySet[Province]:
    """Current provinces where at least one certified product's holder is, with the count."""
    certified = product_list().filter(holder__province=OuterRef("pk"))
    return (
        Province.objects.filter(Exists(certified))
        .annotate(
            product_count=Coalesce(
                Subquery(
                    certified.order_by()
                    .values("holder__province")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .order_by("name")
    )


def seller_offers(*, seller: Business) -> QuerySet[Offer]:
    """``seller``'s visible offers with product, holder and stock, by product name — one query."""
    return (
        offers_with_stock(offers_visible().filter(seller=seller))
        .select_related("variant__product__holder")
        .order_by("variant__product__name_folded", "variant__position", "price", "id")
    )


def storefront_ordering(key: str) -> list:
    """Order expressions for the storefront sorts, price meaning the lowest visible offer
    ("from …" on the card); products nobody sells yet come last; ``id`` keeps pages stable."""
    if key == "price_asc":
        return [F("min_price").asc(nulls_last=True), "name_folded", "id"]
    if key == "price_desc":
        return [F("min_price").desc(nulls_last=True), "name_folded", "id"]
    if key == "newest":
        return ["-created_at", "-id"]
    return [F("current_stars").desc(nulls_last=True), "name_folded", "id"]
