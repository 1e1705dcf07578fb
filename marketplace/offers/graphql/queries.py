"""Root query fields of offers: ``offer``, ``seller``, ``myOffers``, ``myStockLocations``."""

from __future__ import annotations

import graphene

from core.graphql.connections import ConnectionField
from core.graphql.relay import from_global_id_or_error
from core.graphql.selection import connection_node_tree, selection_tree
from core.graphql.types import enum_value, lazy_model_type
from marketplace.offers.graphql.shaping import offer_queryset
from marketplace.offers.graphql.types import OfferStatusEnum, OfferType, StockLocationType
from marketplace.offers.models import Offer, StockLocation
from sellers.graphql.acting import business_acted_for
from sellers.graphql.shaping import business_related
from sellers.models import Business


class Query(graphene.ObjectType):
    offer = graphene.Field(
        OfferType,
        id=graphene.ID(required=True, description="An Offer ID."),
        description="A visible offer, or one of your own in any state; null otherwise.",
    )
    seller = graphene.Field(
        lazy_model_type(Business),
        slug=graphene.String(required=True),
        description="A business by its slug, with its visible offers; null when there is none.",
    )
    my_offers = ConnectionField(
        OfferType,
        business=graphene.ID(required=True, description="A business you belong to."),
        status=graphene.Argument(OfferStatusEnum),
        description="Your business's offers in any state (visible or not), cheapest first.",
    )
    my_stock_locations = graphene.List(
        graphene.NonNull(StockLocationType),
        required=True,
        business=graphene.ID(required=True, description="A business you belong to."),
        description="Your business's stock locations.",
    )

    @staticmethod
    def resolve_offer(root, info, id):
        return OfferType.get_node(info, from_global_id_or_error(id, OfferType))

    @staticmethod
    def resolve_seller(root, info, slug):
        tree = selection_tree(info)
        related = business_related(tree)
        return Business.objects.select_related(*related).filter(slug=slug.strip()).first()

    @staticmethod
    def resolve_my_offers(root, info, business, status=None, **_pagination):
        business = business_acted_for(info, business)
        offers = Offer.objects.filter(seller=business)
        if status is not None:
            offers = offers.filter(status=enum_value(status))
        return offer_queryset(connection_node_tree(info), offers).order_by("price", "id")

    @staticmethod
    def resolve_my_stock_locations(root, info, business):
        business = business_acted_for(info, business)
        return StockLocation.objects.filter(business=business).select_related("province")
