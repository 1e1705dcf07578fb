"""GraphQL types of the sellers domain: businesses (chủ thể OCOP).

``Business.products`` is added by ``catalog.schema`` (catalog may import sellers, not the reverse).
"""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountableConnection
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.selection import Tree, selection_tree
from core.graphql.types import ProvinceType, enum_from_choices
from sellers.models import Business, LegalType, SellerStatus, SellerType

LegalTypeEnum = enum_from_choices("LegalType", LegalType, "The legal form of a business.")
SellerStatusEnum = enum_from_choices(
    "SellerStatus", SellerStatus, "Where a business stands on the marketplace."
)
SellerTypeEnum = enum_from_choices("SellerType", SellerType, "What kind of seller a business is.")


def business_related(tree: Tree, prefix: str = "") -> list[str]:
    """``select_related`` paths for the business fields in ``tree`` (all are joins)."""
    if "province" in tree:
        return [f"{prefix}province"]
    return []


class BusinessType(DjangoObjectType):
    """A chủ thể OCOP: the cooperative, enterprise or household that holds certified products.

    Registration details (tax code, legal type, address) are public in Vietnam's business
    registry; personal contact details are not exposed here.
    """

    legal_type = graphene.Field(LegalTypeEnum, required=True)
    status = graphene.Field(SellerStatusEnum, required=True)
    seller_type = graphene.Field(SellerTypeEnum, required=True)
    province = graphene.Field(ProvinceType, required=True)
    legacy_address = graphene.String(
        required=True, description="The address exactly as the registry gave it (often pre-2025)."
    )

    class Meta:
        model = Business
        name = "Business"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "name",
            "slug",
            "legal_type",
            "tax_code",
            "province",
            "commune",
            "street",
            "legacy_address",
            "website",
            "status",
            "seller_type",
            "is_demo",
        )

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return Business.objects.select_related(*business_related(tree)).filter(pk=id).first()


class Query(graphene.ObjectType):
    business = graphene.Field(
        BusinessType,
        id=graphene.ID(required=True, description="A Business ID."),
        description="A business by its ID, or null when there is none.",
    )

    @staticmethod
    def resolve_business(root, info, id):
        pk = from_global_id_or_error(id, BusinessType)
        return BusinessType.get_node(info, pk)
