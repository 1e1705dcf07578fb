"""GraphQL types of the sellers domain: businesses (chủ thể OCOP), the signed-in user and their
memberships, team mutations, and the helpers every seller-side mutation uses to act for a
business (``acting_businesses``, ``own_object``, ``SellerMutation``).

``Business.products`` is added by ``catalog.schema`` and ``Business.offers`` by
``marketplace.offers.schema`` (they may import sellers, not the reverse).
"""

from __future__ import annotations

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphene.utils.str_converters import to_camel_case
from graphene_django import DjangoObjectType
from graphql import GraphQLError

from core.graphql.connections import CountableConnection
from core.graphql.mutations import BaseMutation
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.selection import Tree, selection_tree
from core.graphql.types import ProvinceType, enum_from_choices
from sellers.auth import seller_businesses
from sellers.errors import PermissionDenied, SellerError
from sellers.models import (
    Business,
    Invitation,
    LegalType,
    Membership,
    MembershipRole,
    SellerStatus,
    SellerType,
)
from sellers.selectors import ROLES_ALL
from sellers.services import membership_invite, membership_remove, membership_role_change

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


# --- acting for a seller --------------------------------------------------------------------------
# Every seller-side query and mutation finds its objects through these helpers: the business
# must be one the request acts for (the user's memberships, narrowed to the token's business
# when the request came with an API token). A raw ID is never trusted on its own.


def acting_businesses(info, *, roles=ROLES_ALL) -> QuerySet[Business]:
    """The businesses the request may act for (none when anonymous)."""
    request = info.context
    if getattr(request, "user", None) is None:
        return Business.objects.none()
    return seller_businesses(request, roles=roles)


def acting_business_ids(info) -> frozenset[int]:
    """``acting_businesses`` as a set of IDs, read once per request (resolvers that hide
    seller-only data from the public ask it once per row)."""
    request = info.context
    cached = getattr(request, "_ocop_acting_business_ids", None)
    if cached is None:
        cached = frozenset(acting_businesses(info).values_list("pk", flat=True))
        request._ocop_acting_business_ids = cached
    return cached


def id_or_error(global_id, graphene_type, *, field: str) -> int:
    """The primary key of a typed global ID; a malformed or mistyped one is an input error on
    ``field`` (a mutation's ``errors``), not a failure of the whole request."""
    try:
        return from_global_id_or_error(global_id, graphene_type)
    except GraphQLError as exc:
        raise SellerError(exc.message, code="invalid", field=field) from None


def own_object(info, queryset, global_id, graphene_type, *, through: str, field: str):
    """The object ``global_id`` names, if its business (reached by the lookup path ``through``,
    e.g. "seller" or "product__holder") is one the request acts for; else PermissionDenied.

    Another business's object and an object that does not exist get the same answer, so IDs
    cannot be probed. The role is left to the service, which checks it again on every call.
    """
    pk = id_or_error(global_id, graphene_type, field=field)
    found = queryset.filter(pk=pk, **{f"{through}__in": acting_businesses(info)}).first()
    if found is None:
        raise PermissionDenied(
            _("There is no such object among the businesses you act for."), field=field
        )
    return found


def public_object(queryset, global_id, graphene_type, *, field: str):
    """An object anyone may name (a product variant, a reseller): NOT_FOUND when absent."""
    pk = id_or_error(global_id, graphene_type, field=field)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise SellerError(
            _("There is no %(type)s with this ID.") % {"type": graphene_type._meta.name},
            code="not_found",
            field=field,
        )
    return found


class SellerMutation(BaseMutation):
    """A mutation a signed-in seller (or an API token) makes.

    Anonymous requests are refused before anything is read. Everything else — which business,
    which role — is decided by looking objects up through ``own_object`` and by the service.
    Error fields come back in the schema's camelCase (services name their Python arguments).
    """

    class Meta:
        abstract = True

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        user = getattr(info.context, "user", None)
        return bool(user is not None and user.is_authenticated)

    @classmethod
    def mutate(cls, root, info, **data):
        result = super().mutate(root, info, **data)
        for error in result.errors or ():
            if error.field:
                error.field = to_camel_case(error.field)
        return result


# --- the team ---------------------------------------------------------------------------------


class MembershipType(DjangoObjectType):
    """A person's role in a business. Only the business's own members see its team."""

    role = graphene.Field(MembershipRoleEnum, required=True)
    email = graphene.String(required=True, description="The member's sign-in email.")
    business = graphene.Field(BusinessType, required=True)
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
        return _value(root.role)

    @staticmethod
    def resolve_email(root, info):
        return root.user.email

    @staticmethod
    def resolve_joined_at(root, info):
        return root.created_at


class InvitationType(DjangoObjectType):
    """An emailed invitation to join a business (the token itself is only in the email)."""

    role = graphene.Field(MembershipRoleEnum, required=True)
    business = graphene.Field(BusinessType, required=True)

    class Meta:
        model = Invitation
        name = "Invitation"
        convert_choices_to_enum = False
        fields = ("email", "role", "business", "expires_at")

    @staticmethod
    def resolve_role(root, info):
        return _value(root.role)


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


class Query(graphene.ObjectType):
    business = graphene.Field(
        BusinessType,
        id=graphene.ID(required=True, description="A Business ID."),
        description="A business by its ID, or null when there is none.",
    )
    me = graphene.Field(Me, description="Who is asking; null when anonymous.")

    @staticmethod
    def resolve_business(root, info, id):
        pk = from_global_id_or_error(id, BusinessType)
        return BusinessType.get_node(info, pk)

    @staticmethod
    def resolve_me(root, info):
        user = getattr(info.context, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return user


# --- team mutations (owners only: ``membership_invite`` / ``_role_change`` / ``_remove``) --------


class MemberInvite(SellerMutation):
    """Email someone an invitation to join the business with a role."""

    class Arguments:
        business = graphene.ID(required=True)
        email = graphene.String(required=True)
        role = MembershipRoleEnum(required=True)

    invitation = graphene.Field(InvitationType)

    @classmethod
    def perform_mutation(cls, root, info, business, email, role):
        business = own_object(
            info, Business.objects.all(), business, BusinessType, through="pk", field="business"
        )
        invitation, _raw = membership_invite(
            business=business, inviter=info.context.user, email=email, role=_value(role)
        )
        return cls(invitation=invitation)


class MemberRoleChange(SellerMutation):
    class Arguments:
        membership = graphene.ID(required=True)
        role = MembershipRoleEnum(required=True)

    membership = graphene.Field(MembershipType)

    @classmethod
    def perform_mutation(cls, root, info, membership, role):
        membership = own_object(
            info,
            Membership.objects.all(),
            membership,
            MembershipType,
            through="business",
            field="membership",
        )
        membership = membership_role_change(
            actor=info.context.user, membership=membership, role=_value(role)
        )
        return cls(membership=membership)


class MemberRemove(SellerMutation):
    class Arguments:
        membership = graphene.ID(required=True)

    removed_id = graphene.ID(description="The removed membership's ID.")

    @classmethod
    def perform_mutation(cls, root, info, membership):
        global_id = membership
        membership = own_object(
            info,
            Membership.objects.all(),
            membership,
            MembershipType,
            through="business",
            field="membership",
        )
        membership_remove(actor=info.context.user, membership=membership)
        return cls(removed_id=global_id)


def _value(member):
    """Graphene passes enum arguments as enum members; services take the plain value."""
    return getattr(member, "value", member)


class Mutation(graphene.ObjectType):
    member_invite = MemberInvite.Field()
    member_role_change = MemberRoleChange.Field()
    member_remove = MemberRemove.Field()
