"""Root query fields of fairs: ``fairs`` (a capped connection) and ``fair(slug|id)``, public;
``fairApplications`` (the organiser's review list) and ``sellerFairApplications`` (a seller's
own), private."""

from __future__ import annotations

import graphene
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.graphql.connections import ConnectionField
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import from_global_id_or_error
from core.graphql.types import enum_value
from core.models import Province
from marketplace.fairs.graphql.types import (
    ApplicationStatusEnum,
    FairApplication,
    FairStatusEnum,
    FairType,
    fair_pages_attach,
)
from marketplace.fairs.models import Fair
from marketplace.fairs.permissions import organisers_for_user
from marketplace.fairs.selectors import (
    applications_for_review,
    applications_of_seller,
    applications_with_products,
    fairs_public,
)
from sellers.graphql.acting import business_acted_for


class FairConnectionField(ConnectionField):
    """After the page is fetched, its fairs' zones, booths and exhibitors are loaded at once."""

    @classmethod
    def connection_resolver(cls, resolver, connection, *args, **kwargs):
        page = super().connection_resolver(resolver, connection, *args, **kwargs)
        fairs = [edge.node for edge in page.edges]
        if fairs:
            fair_pages_attach(fairs)
        return page


class Query(graphene.ObjectType):
    fairs = FairConnectionField(
        FairType,
        status=graphene.Argument(FairStatusEnum),
        province=graphene.String(description="A province code, e.g. 22 for Quảng Ninh."),
        upcoming=graphene.Boolean(description="Only fairs whose last day is today or later."),
        starts_after=graphene.Date(description="Only fairs starting on or after this day."),
        description="Public fairs, soonest first (undated ones last).",
    )
    fair = graphene.Field(
        FairType,
        slug=graphene.String(),
        id=graphene.ID(),
        description="A public fair by its slug or its ID.",
    )

    fair_applications = graphene.List(
        graphene.NonNull(FairApplication),
        required=True,
        fair=graphene.ID(required=True),
        status=graphene.Argument(ApplicationStatusEnum),
        province=graphene.String(description="The seller's province code, e.g. 22."),
        product_set=graphene.Int(description="A product brought is in this product set, 1–26."),
        stars=graphene.Int(description="A product brought has at least this many stars."),
        description="The organiser's review list of one of its fairs (drafts included), in the "
        "order the applications came, with the products brought (stars, lapsing flag) and the "
        "booths assigned. For a signed-in member of the fair's organiser.",
    )
    seller_fair_applications = graphene.List(
        graphene.NonNull(FairApplication),
        required=True,
        business=graphene.ID(required=True),
        description="A business's applications to fairs, newest first, with the booths "
        "assigned and their fees.",
    )

    @staticmethod
    def resolve_fairs(
        root, info, status=None, province=None, upcoming=None, starts_after=None, **_pagination
    ):
        fairs = fairs_public()
        if status is not None:
            fairs = fairs.filter(status=enum_value(status))
        if province:
            fairs = fairs.filter(province__code=province)
        if upcoming:
            today = timezone.localdate()
            fairs = fairs.exclude(ends_on__lt=today)
        if starts_after is not None:
            fairs = fairs.filter(starts_on__gte=starts_after)
        return fairs.order_by(F("starts_on").asc(nulls_last=True), "name", "id")

    @staticmethod
    def resolve_fair(root, info, slug=None, id=None):
        fairs = fairs_public()
        if id is not None:
            fairs = fairs.filter(pk=from_global_id_or_error(id, FairType))
        elif slug:
            fairs = fairs.filter(slug=slug)
        else:
            return None
        fair = fairs.first()
        if fair is not None:
            fair_pages_attach([fair])
        return fair

    @staticmethod
    def resolve_fair_applications(
        root, info, fair, status=None, province=None, product_set=None, stars=None
    ):
        # API tokens act for a seller, never for an organiser.
        request = info.context
        found = None
        if getattr(request, "api_token", None) is None:
            pk = from_global_id_or_error(fair, FairType)
            found = (
                Fair.objects.filter(pk=pk, organiser__in=organisers_for_user(user=request.user))
                .select_related("province")
                .first()
            )
        if found is None:
            raise api_error(
                _("There is no such fair among your organisers' fairs."),
                ErrorCode.PERMISSION_DENIED,
            )
        province_id = None
        if province:
            province_id = (
                Province.objects.filter(code=province).values_list("pk", flat=True).first()
            )
            if province_id is None:
                return []
        return applications_for_review(
            fair=found,
            status=enum_value(status) if status is not None else "",
            province=province_id,
            product_set_number=product_set,
            stars=stars,
        )

    @staticmethod
    def resolve_seller_fair_applications(root, info, business):
        seller = business_acted_for(info, business)
        return applications_with_products(applications=list(applications_of_seller(seller=seller)))
