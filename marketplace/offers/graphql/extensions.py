"""What offers add to the types of packages below: ``Product.offers``, ``Business.offers`` and
the offer filters of ``products``.

catalog and sellers cannot import marketplace, so the fields are declared here as mixins (with
their resolvers and their shaping) and ``api.types`` / ``api.schema`` compose them into the
schema's ``Product``, ``Business`` and ``products``.
"""

from __future__ import annotations

import graphene
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from catalog.graphql.queries import ProductsFilter
from catalog.models import Product
from core.graphql.connections import ConnectionField
from core.graphql.errors import ErrorCode, api_error
from core.graphql.selection import Lookups, Tree, connection_node_tree, selection_tree
from core.graphql.types import enum_value
from marketplace.offers.graphql.shaping import (
    OFFER_VARIANTS,
    PAGE_OFFERS,
    VISIBLE_OFFERS,
    offer_queryset,
    page_offers_load,
    product_offer_lookups,
)
from marketplace.offers.graphql.types import OfferType
from marketplace.offers.selectors import offer_stocked, offers_visible
from sellers.graphql.types import SellerTypeEnum


class ProductOffers:
    """``Product.offers``: the offers buyers can take up now. On a products connection they are
    loaded for the whole page at once (``load_page``); elsewhere prefetched (``lookups``)."""

    offers = graphene.List(
        graphene.NonNull(OfferType),
        required=True,
        description="Offers buyers can take up now, cheapest first.",
    )

    @staticmethod
    def resolve_offers(root, info):
        page = getattr(root, PAGE_OFFERS, None)
        if page is not None:
            return page
        variants = getattr(root, OFFER_VARIANTS, None)
        if variants is not None:
            offers = [offer for variant in variants for offer in getattr(variant, VISIBLE_OFFERS)]
            return sorted(offers, key=lambda offer: (offer.price, offer.pk))
        tree = selection_tree(info)
        visible = offers_visible().filter(variant__product=root)
        return offer_queryset(tree, visible).order_by("price", "id")

    @classmethod
    def lookups(cls, tree: Tree, prefix: str = "", *, page_loaded: bool = False) -> Lookups:
        lookups = super().lookups(tree, prefix, page_loaded=page_loaded)
        if not page_loaded:
            lookups.extend(product_offer_lookups(tree, prefix))
        return lookups

    @classmethod
    def load_page(cls, products: list[Product], tree: Tree) -> None:
        super().load_page(products, tree)
        if "offers" in tree:
            page_offers_load(products, tree["offers"])


class BusinessOffers:
    """``Business.offers``: the business's visible offers."""

    offers = ConnectionField(
        OfferType, description="The business's visible offers, cheapest first."
    )

    @staticmethod
    def resolve_offers(root, info, **_pagination):
        tree = connection_node_tree(info)
        return offer_queryset(tree, offers_visible().filter(seller=root)).order_by("price", "id")


def _filter_products_by_offers(
    queryset: QuerySet[Product], *, price_min=None, price_max=None, seller_type=None, in_stock=None
) -> QuerySet[Product]:
    """Products with at least one visible offer matching every condition given (all on the
    same offer: "under 200.000 ₫ from an OCOP centre" means one offer that is both)."""
    for name, value in (("priceMin", price_min), ("priceMax", price_max)):
        if value is not None and value < 0:
            raise api_error(
                _("`%(arg)s` cannot be negative.") % {"arg": name}, ErrorCode.OUT_OF_RANGE
            )
    if price_min is not None and price_max is not None and price_min > price_max:
        raise api_error(_("`priceMin` is above `priceMax`."), ErrorCode.OUT_OF_RANGE)
    if price_min is None and price_max is None and seller_type is None and not in_stock:
        return queryset
    offers = offers_visible().filter(variant__product=OuterRef("pk"))
    if price_min is not None:
        offers = offers.filter(price__gte=price_min)
    if price_max is not None:
        offers = offers.filter(price__lte=price_max)
    if seller_type is not None:
        offers = offers.filter(seller__seller_type=enum_value(seller_type))
    if in_stock:
        offers = offers.filter(offer_stocked())
    return queryset.filter(Exists(offers))


PRODUCTS_BY_OFFERS = ProductsFilter(
    arguments={
        "price_min": graphene.Argument(
            graphene.Int, description="With a visible offer at this price or more (đồng)."
        ),
        "price_max": graphene.Argument(
            graphene.Int, description="With a visible offer at this price or less (đồng)."
        ),
        "seller_type": graphene.Argument(
            SellerTypeEnum, description="With a visible offer from this kind of seller."
        ),
        "in_stock": graphene.Argument(
            graphene.Boolean, description="true: with a visible offer that has stock on hand."
        ),
    },
    apply=_filter_products_by_offers,
)
