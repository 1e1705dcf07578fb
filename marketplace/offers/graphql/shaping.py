"""Selection → queryset for offers, and for ``Product.offers`` wherever a product is reached."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet

from catalog.graphql.shaping import product_lookups
from catalog.models import Certificate, Product, ProductVariant
from core.catalogue_cache import catalogue_reads
from core.graphql.selection import Lookups, Tree
from marketplace.offers.models import Offer, Stock
from marketplace.offers.selectors import offers_visible, offers_with_stock, resale_authorized
from sellers.graphql.acting import acting_businesses
from sellers.graphql.shaping import BUSINESS_UNREAD, business_related

# Attributes the prefetches below store their lists in.
OFFER_VARIANTS = "graphql_offer_variants"
VISIBLE_OFFERS = "graphql_visible_offers"
PAGE_OFFERS = "graphql_page_offers"
STOCKS = "graphql_stocks"


def offer_lookups(tree: Tree, prefix: str = "") -> Lookups:
    lookups = Lookups()
    if "seller" in tree:
        lookups.related.append(f"{prefix}seller")
        lookups.related += business_related(tree["seller"], f"{prefix}seller__")
    if "variant" in tree:
        lookups.related.append(f"{prefix}variant")
    if "product" in tree:
        lookups.related.append(f"{prefix}variant__product")
        lookups.extend(product_lookups(tree["product"], f"{prefix}variant__product__"))
    if "stocks" in tree:
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}stocks",
                queryset=Stock.objects.select_related("location").order_by("location__name"),
                to_attr=STOCKS,
            )
        )
    return lookups


def offer_queryset(tree: Tree, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """``queryset`` shaped for what ``tree`` selects on each offer (stock summed in SQL)."""
    if "stock" in tree:
        queryset = offers_with_stock(queryset)
    if "hiddenReasons" in tree:
        # What offer_hidden_reasons reads, loaded with the page: seller status, the product's
        # certificates and the live resale authorisation.
        queryset = queryset.select_related("seller", "variant__product").annotate(
            resale_ok=resale_authorized()
        )
        queryset = queryset.prefetch_related(
            Prefetch(
                "variant__product__certificates",
                queryset=Certificate.objects.order_by("-valid_from", "-id"),
            )
        )
    return offer_lookups(tree).apply(queryset)


def offers_for_viewer(info) -> QuerySet[Offer]:
    """Visible offers, plus every offer of the businesses the request acts for."""
    return Offer.objects.filter(
        Q(pk__in=offers_visible().values("pk")) | Q(seller__in=acting_businesses(info))
    )


def product_offer_lookups(tree: Tree, prefix: str) -> Lookups:
    """``Product.offers`` below something other than a products connection (``offer { product
    { offers } }``, ``certificate { product { offers } }``…): Offer has no key to Product, so
    the packs are prefetched with their visible offers inside (two queries)."""
    lookups = Lookups()
    if "offers" in tree:
        offers = offer_queryset(tree["offers"], offers_visible()).order_by("price", "id")
        lookups.prefetch.append(
            Prefetch(
                f"{prefix}variants",
                queryset=ProductVariant.objects.prefetch_related(
                    Prefetch("offers", queryset=offers, to_attr=VISIBLE_OFFERS)
                ),
                to_attr=OFFER_VARIANTS,
            )
        )
    return lookups


def page_offers_load(products: list[Product], tree: Tree) -> None:
    """``Product.offers`` for a page of a products connection: one query for the visible offers
    of the page's products, by product id (the packs are not loaded first)."""
    deferred = ["created_at", "updated_at"]  # no field reads them
    if "seller" in tree:
        deferred += [f"seller__{column}" for column in BUSINESS_UNREAD]
    offers = (
        offer_queryset(tree, offers_visible(product_ids=[product.pk for product in products]))
        .annotate(page_product_id=F("variant__product_id"))
        .defer(*deferred)
        .order_by("price", "id")
    )
    by_product: dict[int, list[Offer]] = {product.pk: [] for product in products}
    with catalogue_reads(products=list(by_product)):
        offers = list(offers)
    for offer in offers:
        by_product[offer.page_product_id].append(offer)
    for product in products:
        setattr(product, PAGE_OFFERS, by_product[product.pk])
