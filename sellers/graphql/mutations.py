"""``SellerMutation``, the base of every seller-side mutation, and the team mutations (owners
only: ``membership_invite`` / ``_role_change`` / ``_remove``)."""

from __future__ import annotations

import graphene
from graphene.utils.str_converters import to_camel_case

from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from sellers.graphql.acting import own_object
from sellers.graphql.types import BusinessType, InvitationType, MembershipRoleEnum, MembershipType
from sellers.models import Business, Membership
from sellers.services import membership_invite, membership_remove, membership_role_change


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
            business=business, inviter=info.context.user, email=email, role=enum_value(role)
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
            actor=info.context.user, membership=membership, role=enum_value(role)
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


class Mutation(graphene.ObjectType):
    member_invite = MemberInvite.Field()
    member_role_change = MemberRoleChange.Field()
    member_remove = MemberRemove.Field()
