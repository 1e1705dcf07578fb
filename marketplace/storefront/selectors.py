"""Reads for the storefront: only what ``offers_visible`` lets buyers see.

A page of cards is cut on product ids first, then loaded by id: the products, their
certificates in force and photos, and one query over the visible offers of those products only
(``offer_summaries``), summed up in Python for "from 120.000 ₫ · 3 sellers · out of stock". A
page of 24 cards costs the same SQL as a page of one. Price sorts and the in-stock filter need a
value for every product of the list, so ``with_offer_summary`` annotates those (and only those)
as correlated subqueries over ``offers_visible``.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import (
    Product,
    ProductPhoto,
)
from catalog.selectors import certificates_in_force, product_list
from core.catalogue_cache import catalogue_reads
from core.models import Province
from core.text import vi_sort_key
from marketplace.offers.models import Offer
from marketplace.offers.selectors import offer_stocked, offers_visible, offers_with_stock
from sellers.models import Business

FEATURED_PER_STAR = 8


def product_offers(*, product: Product) -> QuerySet[Offer]:
    """A product's visible offers, cheapest first, with their stock — one query, reading only
    the columns the product page shows."""
    return (
        offers_with_stock(offers_visible(product_ids=[product.pk]))
        .select_related("seller__province", "variant")
        .only(
            "id",
            "price",
            "compare_at_price",
            "status",
            "seller__id",
            "seller__name",
            "seller__slug",
            "seller__seller_type",
            "seller__province__id",
            "seller__province__name",
            "variant__id",
            "variant__name",
        )
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


def with_offer_summary(
    queryset: QuerySet[Product],
    *,
    today: datetime.date | None = None,
    price: bool = False,
    stock: bool = False,
):
    """Annotate what sorting or filtering on offers needs: with ``price`` the lowest visible
    price ``min_price`` (the price sorts, "sold now"), with ``stock`` ``in_stock`` (a visible
    offer with stock somewhere). Each is a subquery per product of the whole list, so only
    what the list is sorted or filtered on is annotated; cards read ``offer_summaries``."""
    if price:
        visible = offers_visible(today=today)
        queryset = queryset.annotate(min_price=_offer_aggregate(visible, Min("price")))
    if stock:
        visible = offers_visible(today=today)
        queryset = queryset.annotate(
            in_stock=Exists(
                visible.filter(offer_stocked(today=today), variant__product=OuterRef("pk"))
            )
        )
    return queryset


@dataclass(frozen=True)
class OfferSummary:
    """What a product card says about the visible offers: "from 120.000 ₫ · 3 sellers"."""

    min_price: int | None = None
    max_price: int | None = None
    seller_count: int = 0
    in_stock: bool = False


def offer_summaries(
    *, product_ids: list[int], today: datetime.date | None = None
) -> dict[int, OfferSummary]:
    """Price range, seller count and stock of the visible offers of ``product_ids`` (a page of
    cards), in one query over those products' offers only; products nobody sells are left out.
    """
    if not product_ids:
        return {}
    rows = (
        offers_visible(today=today, product_ids=product_ids)
        .annotate(stocked=offer_stocked(today=today))
        .order_by()
        .values_list("variant__product_id", "price", "seller_id", "stocked")
    )
    grouped: dict[int, list[tuple[int, int, bool]]] = {}
    with catalogue_reads(products=product_ids):
        rows = list(rows)
    for product_id, price, seller_id, has_stock in rows:
        grouped.setdefault(product_id, []).append((price, seller_id, has_stock))
    return {
        product_id: OfferSummary(
            min_price=min(price for price, _, _ in offers),
            max_price=max(price for price, _, _ in offers),
            seller_count=len({seller for _, seller, _ in offers}),
            in_stock=any(has_stock for _, _, has_stock in offers),
        )
        for product_id, offers in grouped.items()
    }


CARD_FIELDS = (
    "id",
    "name",
    "slug",
    "is_demo",
    "holder__id",
    "holder__name",
    "holder__province__id",
    "holder__province__name",
)


def product_cards(*, product_ids: list[int], today: datetime.date | None = None) -> list[Product]:
    """The products of ``product_ids``, in that order, shaped for a card: holder and province
    joined, with the stars of the certificate in force (``current_stars``, None without one)
    and whether it is demo data (``card_demo``, the product's or the certificate's flag)
    joined too, the photos prefetched, and the offer summary set on each (``min_price``,
    ``max_price``, ``seller_count``, ``in_stock``). Three queries whatever the number of cards;
    only the columns a card shows are read."""
    today = today or timezone.localdate()
    products = (
        product_list(certified_only=False, today=today)
        .filter(pk__in=product_ids)
        .annotate(certificate_is_demo=F("certificate_in_force__is_demo"))
        .select_related("holder__province")
        .only(*CARD_FIELDS)
        .prefetch_related(
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id"))
        )
    )
    by_id = {product.pk: product for product in products}
    summaries = offer_summaries(product_ids=list(by_id), today=today)
    cards = []
    for pk in product_ids:
        product = by_id.get(pk)
        if product is None:
            continue
        summary = summaries.get(pk, OfferSummary())
        product.min_price = summary.min_price
        product.max_price = summary.max_price
        product.seller_count = summary.seller_count
        product.in_stock = summary.in_stock
        product.card_demo = bool(product.is_demo or product.certificate_is_demo)
        cards.append(product)
    return cards


def featured_products(*, stars: int, limit: int = FEATURED_PER_STAR) -> list[int]:
    """Ids of certified products with ``stars`` that buyers can order now (a visible offer),
    newest listed first; ``product_cards`` shapes them."""
    sold = offers_visible().filter(variant__product=OuterRef("pk"))
    return list(
        product_list(stars=stars)
        .filter(Exists(sold))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:limit]
    )


def provinces_with_products() -> list[Province]:
    """Current provinces where at least one certified product's holder is, with the count, in
    Vietnamese alphabetical order (34 at most: sorted here, whatever the database collation)."""
    certified = product_list().filter(holder__province=OuterRef("pk"))
    rows = Province.objects.filter(Exists(certified)).annotate(
        product_count=Coalesce(
            Subquery(
                certified.order_by().values("holder__province").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )
    )
    return sorted(rows, key=lambda province: vi_sort_key(province.name))


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


class CertifiedProductIds:
    """The ids of the whole certified catalogue in the listing's default order (most stars
    first, then by name), for a ``Paginator``.

    Sorting 20,000 products joined to their certificates to keep 24 took most of the listing's
    SQL time. Taken one star level at a time, a page is a walk down the name index that stops
    after 24 matches (≈ 1 ms): ``count()`` counts the certificates in force per star level
    (one query), and a page costs one query per star level it spans — one, or two where ★5
    gives way to ★4.
    """

    def __init__(self, *, today: datetime.date | None = None):
        self.today = today or timezone.localdate()
        self._per_stars: list[tuple[int, int]] | None = None

    def per_stars(self) -> list[tuple[int, int]]:
        """``(stars, products)`` pairs, most stars first."""
        if self._per_stars is None:
            rows = (
                certificates_in_force(today=self.today)
                .order_by()
                .values_list("stars")
                .annotate(n=Count("pk"))
            )
            self._per_stars = sorted(rows, reverse=True)
        return self._per_stars

    def count(self) -> int:
        return sum(n for _stars, n in self.per_stars())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[int]:
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        ids: list[int] = []
        for stars, n in self.per_stars():
            if stop <= start:
                break
            if start >= n:  # the page starts below this star level
                start, stop = start - n, stop - n
                continue
            level = product_list(stars=stars, today=self.today).order_by("name_folded", "id")
            ids += level.values_list("pk", flat=True)[start : min(stop, n)]
            start, stop = 0, stop - n
        return ids
