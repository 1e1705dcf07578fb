"""Fair mutations: a seller applies and withdraws (``SellerMutation``, acting through its
memberships or its API token); an organiser's member waitlists, rejects and assigns booths (a
signed-in member only: an API token is a seller's, never an organiser's). Each calls one
service; refusals come back as ``errors``."""

from __future__ import annotations

import graphene
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from graphql_relay import to_global_id

from core.graphql.types import enum_value
from marketplace.fairs.errors import FairError
from marketplace.fairs.graphql.types import ApplicationStatusEnum, FairType
from marketplace.fairs.models import Booth, ExhibitorApplication, Zone
from marketplace.fairs.permissions import organisers_for_user
from marketplace.fairs.selectors import fairs_taking_applications
from marketplace.fairs.services import (
    application_reject,
    application_submit,
    application_waitlist,
    application_withdraw,
    booth_assign,
)
from sellers.errors import PermissionDenied
from sellers.graphql.acting import id_or_error, own_object
from sellers.graphql.mutations import SellerMutation
from sellers.models import Business


class ApplicationPayloadMixin:
    application_id = graphene.ID(description="The application's ID (ExhibitorApplication).")
    status = graphene.Field(ApplicationStatusEnum)

    @classmethod
    def answer(cls, application):
        return cls(
            application_id=to_global_id("ExhibitorApplication", application.pk),
            status=enum_value(application.status),
        )


def _fair(global_id):
    pk = id_or_error(global_id, FairType, field="fair")
    fair = fairs_taking_applications().filter(pk=pk).first()
    if fair is None:
        raise FairError(
            _("Applications to this fair are closed."), code="window_closed", field="fair"
        )
    return fair


class FairApply(ApplicationPayloadMixin, SellerMutation):
    """Apply to a fair for a business you manage, with products on sale that it will bring."""

    class Arguments:
        business = graphene.ID(required=True)
        fair = graphene.ID(required=True)
        offers = graphene.List(graphene.NonNull(graphene.ID), required=True)
        booths_wanted = graphene.Int(default_value=1)
        preferred_zone = graphene.ID()
        note = graphene.String(default_value="")

    @classmethod
    def perform_mutation(
        cls, root, info, business, fair, offers, booths_wanted=1, preferred_zone=None, note=""
    ):
        seller = own_object(
            info, Business.objects.all(), business, "Business", through="pk", field="business"
        )
        fair = _fair(fair)
        zone = None
        if preferred_zone:
            pk = id_or_error(preferred_zone, "FairZone", field="preferred_zone")
            zone = Zone.objects.filter(pk=pk, fair=fair).first()
            if zone is None:
                raise FairError(
                    _("That zone belongs to another fair."), code="invalid", field="preferred_zone"
                )
        application = application_submit(
            fair=fair,
            seller=seller,
            actor=info.context.user,
            offer_ids=[id_or_error(o, "Offer", field="offers") for o in offers],
            booths_wanted=booths_wanted,
            preferred_zone=zone,
            note=note,
            language=get_language() or "vi",
        )
        return cls.answer(application)


class FairApplicationWithdraw(ApplicationPayloadMixin, SellerMutation):
    class Arguments:
        application = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, application):
        found = own_object(
            info,
            ExhibitorApplication.objects.select_related("fair"),
            application,
            "ExhibitorApplication",
            through="seller",
            field="application",
        )
        return cls.answer(application_withdraw(application=found, actor=info.context.user))


class OrganiserMutation(ApplicationPayloadMixin, SellerMutation):
    """A decision of an organiser's member, signed in (API tokens act for sellers only)."""

    class Meta:
        abstract = True

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        if getattr(info.context, "api_token", None) is not None:
            return False
        return super().check_permissions(info, **data)

    @staticmethod
    def application(info, global_id) -> ExhibitorApplication:
        """The application if its fair's organiser is one of the user's; the same refusal for
        another organiser's and for no application at all."""
        pk = id_or_error(global_id, "ExhibitorApplication", field="application")
        found = (
            ExhibitorApplication.objects.filter(
                pk=pk, fair__organiser__in=organisers_for_user(user=info.context.user)
            )
            .select_related("fair__organiser", "seller")
            .first()
        )
        if found is None:
            raise PermissionDenied(
                _("There is no such application among your organisers' fairs."),
                field="application",
            )
        return found


class FairApplicationWaitlist(OrganiserMutation):
    class Arguments:
        application = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, application):
        found = cls.application(info, application)
        return cls.answer(application_waitlist(application=found, actor=info.context.user))


class FairApplicationReject(OrganiserMutation):
    class Arguments:
        application = graphene.ID(required=True)
        reason = graphene.String(required=True, description="Told to the seller.")

    @classmethod
    def perform_mutation(cls, root, info, application, reason):
        found = cls.application(info, application)
        return cls.answer(
            application_reject(application=found, actor=info.context.user, reason=reason)
        )


class FairBoothAssign(OrganiserMutation):
    """Accept an application on a free booth of its fair (or give it another booth)."""

    class Arguments:
        application = graphene.ID(required=True)
        booth = graphene.ID(required=True)

    booth_code = graphene.String()

    @classmethod
    def perform_mutation(cls, root, info, application, booth):
        found = cls.application(info, application)
        pk = id_or_error(booth, "FairBooth", field="booth")
        target = Booth.objects.filter(pk=pk, fair_id=found.fair_id).first()
        if target is None:
            raise FairError(_("That booth belongs to another fair."), code="invalid", field="booth")
        assignment = booth_assign(application=found, booth=target, actor=info.context.user)
        result = cls.answer(assignment.application)
        result.booth_code = target.code
        return result


class Mutation(graphene.ObjectType):
    fair_apply = FairApply.Field()
    fair_application_withdraw = FairApplicationWithdraw.Field()
    fair_application_waitlist = FairApplicationWaitlist.Field()
    fair_application_reject = FairApplicationReject.Field()
    fair_booth_assign = FairBoothAssign.Field()
