"""GraphQL types of the sellers domain: businesses (chủ thể OCOP), the signed-in user and their
memberships.

``BusinessType`` is the base of the schema's ``Business``: catalog adds ``Business.products``
and marketplace ``Business.offers`` (they may import sellers, not the reverse), and
``api.types`` composes the three. Refer to the type with ``lazy_model_type(Business)``.
"""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.selection import selection_tree
from core.graphql.types import ProvinceType, enum_from_choices, enum_value, lazy_model_type
from sellers.graphql.acting import acting_businesses
from sellers.graphql.shaping import business_related
from sellers.models import (
    Business,
    Invitation,
    LegalType,
    Membership,
    MembershipRole,
    SellerStatus,
    SellerType,
)

LegalTypeEnum = enum_from_choices("LegalType", LegalType, "The legal form of a business.")
SellerStatusEnum = enum_from_choices(
    "SellerStatus", SellerStatus, "Where a business stands on the marketplace."
)
SellerTypeEnum = enum_from_choices("SellerType", SellerType, "What kind of seller a business is.")
MembershipRoleEnum = enum_from_choices(
    "MembershipRole",
    MembershipRole,
    "Owners run the team; owners and managers run offers, prices, content and resale; "
    "staff update stock.",
)


class BusinessMeta:
    """The options of ``Business``, shared by the base and its composition in ``api.types``."""

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

    class Meta(BusinessMeta):
        skip_registry = True  # the schema's Business is composed in api.types

    @classmethod
    def get_node(cls, info, id):
        tree = selection_tree(info, as_type=cls._meta.name)
        return Business.objects.select_related(*business_related(tree)).filter(pk=id).first()


class MembershipType(DjangoObjectType):
    """A person's role in a business. Only the business's own members see its team."""

    role = graphene.Field(MembershipRoleEnum, required=True)
    email = graphene.String(required=True, description="The member's sign-in email.")
    business = graphene.Field(lazy_model_type(Business), required=True)
    joined_at = graphene.DateTime(required=True)

    class Meta:
        model = Membership
        name = "Membership"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = ("id", "role", "business")

    @classmethod
    def get_node(cls, info, id):
        return (
            Membership.objects.select_related("user", "business__province")
            .filter(pk=id, business__in=acting_businesses(info))
            .first()
        )

    @staticmethod
    def resolve_role(root, info):
        return enum_value(root.role)

    @staticmethod
    def resolve_email(root, info):
        return root.user.email

    @staticmethod
    def resolve_joined_at(root, info):
        return root.created_at


class InvitationType(DjangoObjectType):
    """An emailed invitation to join a business (the token itself is only in the email)."""

    role = graphene.Field(MembershipRoleEnum, required=True)
    business = graphene.Field(lazy_model_type(Business), required=True)

    class Meta:
        model = Invitation
        name = "Invitation"
        convert_choices_to_enum = False
        fields = ("email", "role", "business", "expires_at")

    @staticmethod
    def resolve_role(root, info):
        return enum_value(root.role)


class Me(graphene.ObjectType):
    """The signed-in user (or the API token's creator) and the businesses they act for."""

    email = graphene.String(required=True)
    memberships = graphene.List(
        graphene.NonNull(MembershipType),
        required=True,
        description="With an API token, only the membership of the token's business.",
    )

    @staticmethod
    def resolve_email(root, info):
        return root.email

    @staticmethod
    def resolve_memberships(root, info):
        tree = selection_tree(info)
        related = ["user", "business"]
        related += business_related(tree.get("business", {}), "business__")
        return (
            Membership.objects.filter(user=root, business__in=acting_businesses(info))
            .select_related(*related)
            .order_by("business__name", "id")
        )
