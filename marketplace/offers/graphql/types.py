"""GraphQL types of offers, stock locations and resale authorisations."""

from __future__ import annotations

import graphene
from django.db.models import Q, Sum
from graphene_django import DjangoObjectType

from catalog.graphql.types import ProductVariantType
from catalog.models import Product
from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.selection import selection_tree
from core.graphql.types import enum_from_choices, enum_value, lazy_model_type, request_today
from marketplace.offers.graphql.shaping import STOCKS, offer_queryset, offers_for_viewer
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
    StockLocationKind,
)
from marketplace.offers.selectors import offer_hidden_reasons
from sellers.graphql.acting import acting_business_ids, acting_businesses
from sellers.models import Business

OfferStatusEnum = enum_from_choices("OfferStatus", OfferStatus, "Where an offer stands.")
StockLocationKindEnum = enum_from_choices(
    "StockLocationKind", StockLocationKind, "What kind of place holds the stock."
)


class StockLocationType(DjangoObjectType):
    """A seller's warehouse, point of sale or fair booth. Only the seller's people see these."""

    kind = graphene.Field(StockLocationKindEnum, required=True)

    class Meta:
        model = StockLocation
        name = "StockLocation"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = (
            "id",
            "name",
            "kind",
            "province",
            "commune",
            "street",
            "is_active",
            "available_from",
            "available_until",
        )

    @classmethod
    def get_node(cls, info, id):
        return (
            StockLocation.objects.select_related("province")
            .filter(pk=id, business__in=acting_businesses(info))
            .first()
        )

    @staticmethod
    def resolve_kind(root, info):
        return enum_value(root.kind)


class StockType(DjangoObjectType):
    """Units of an offer on hand at one location."""

    location = graphene.Field(StockLocationType, required=True)

    class Meta:
        model = Stock
        name = "Stock"
        fields = ("location", "quantity")


class OfferType(DjangoObjectType):
    """A seller's sale of one pack. Stars are the product's certificate's, never the offer's."""

    price = graphene.Int(required=True, description="Whole đồng.")
    compare_at_price = graphene.Int(description="The crossed-out price, in whole đồng.")
    status = graphene.Field(OfferStatusEnum, required=True)
    stock = graphene.Int(required=True, description="Units on hand across all locations.")
    seller = graphene.Field(lazy_model_type(Business), required=True)
    variant = graphene.Field(ProductVariantType, required=True)
    product = graphene.Field(lazy_model_type(Product), required=True)
    stocks = graphene.List(
        graphene.NonNull(StockType),
        required=True,
        description="Units per location; only the seller's own people see them (else empty).",
    )
    hidden_reasons = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description=(
            "Why buyers cannot see this offer (not published, seller not active, certificate "
            "expired or revoked, resale not authorised), in the caller's language; empty when "
            "they can. Only the seller's own people see the reasons (else empty)."
        ),
    )

    class Meta:
        model = Offer
        name = "Offer"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "price",
            "compare_at_price",
            "status",
            "published_at",
            "seller",
            "variant",
        )

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return offer_queryset(tree, offers_for_viewer(info)).filter(pk=id).first()

    @staticmethod
    def resolve_status(root, info):
        # A freshly created offer holds the TextChoices member; the enum maps plain values.
        return enum_value(root.status)

    @staticmethod
    def resolve_stock(root, info):
        total = getattr(root, "stock_total", None)
        if total is None:
            total = root.stocks.aggregate(total=Sum("quantity"))["total"] or 0
        return total

    @staticmethod
    def resolve_product(root, info):
        return root.variant.product

    @staticmethod
    def resolve_hidden_reasons(root, info):
        if root.seller_id not in acting_business_ids(info):
            return []
        return offer_hidden_reasons(offer=root, today=request_today(info))

    @staticmethod
    def resolve_stocks(root, info):
        if root.seller_id not in acting_business_ids(info):
            return []
        prefetched = getattr(root, STOCKS, None)
        if prefetched is not None:
            return prefetched
        return root.stocks.select_related("location").order_by("location__name")


class ResaleAuthorizationType(DjangoObjectType):
    """The holder's permission for another business to resell one of its products."""

    product = graphene.Field(lazy_model_type(Product), required=True)
    reseller = graphene.Field(lazy_model_type(Business), required=True)
    is_active = graphene.Boolean(required=True)

    class Meta:
        model = ResaleAuthorization
        name = "ResaleAuthorization"
        interfaces = (Node,)
        fields = ("id", "product", "reseller", "granted_at", "revoked_at")

    @classmethod
    def get_node(cls, info, id):
        # The two parties see it: the holder's people and the reseller's.
        businesses = acting_businesses(info)
        return (
            ResaleAuthorization.objects.select_related("product", "reseller")
            .filter(Q(product__holder__in=businesses) | Q(reseller__in=businesses), pk=id)
            .first()
        )

    @staticmethod
    def resolve_is_active(root, info):
        return root.revoked_at is None
