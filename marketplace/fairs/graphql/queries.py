"""Root query fields of fairs: ``fairs`` (a capped connection) and ``fair(slug|id)``."""

from __future__ import annotations

import graphene
from django.db.models import F
from django.utils import timezone

from core.graphql.connections import ConnectionField
from core.graphql.relay import from_global_id_or_error
from core.graphql.types import enum_value
from marketplace.fairs.graphql.types import FairStatusEnum, FairType, fair_pages_attach
from marketplace.fairs.selectors import fairs_public


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
