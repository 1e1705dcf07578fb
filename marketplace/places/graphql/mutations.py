"""Operators' mutations on points of sale: thin, each looks the point up through the caller's
memberships (``own_object``) and calls one service of ``marketplace.places.services``, which
checks the role again (owners and managers edit; staff set stock through ``stockUpdate`` on the
point's stock location, listed by ``myStockLocations``)."""

from __future__ import annotations

import graphene
from django.db.models import Q
from django.utils.translation import gettext as _

from core.graphql.selection import selection_tree
from core.graphql.types import enum_value
from core.models import Province
from marketplace.places.errors import PlaceError
from marketplace.places.graphql.shaping import point_nodes_load
from marketplace.places.graphql.types import PointKindEnum, PointOfSaleType, PointStatusEnum
from marketplace.places.models import OpeningException, PointOfSale
from marketplace.places.services import (
    location_exception_delete,
    location_exception_set,
    location_hours_set,
    point_create,
    point_status_set,
    point_update,
)
from sellers.graphql.acting import own_object
from sellers.graphql.mutations import SellerMutation
from sellers.graphql.types import BusinessType
from sellers.models import Business


def _own_point(info, global_id) -> PointOfSale:
    return own_object(
        info,
        PointOfSale.objects.select_related("location__business", "location__province"),
        global_id,
        PointOfSaleType,
        through="location__business",
        field="point",
    )


def _province(value: str | None) -> Province | None:
    value = (value or "").strip()
    if not value:
        return None
    found = Province.objects.filter(Q(slug=value) | Q(code=value.zfill(2))).first()
    if found is None:
        raise PlaceError(
            _("There is no province “%(province)s”.") % {"province": value},
            code="not_found",
            field="province",
        )
    return found


def _loaded(info, point: PointOfSale) -> PointOfSale:
    """The point again, loaded as a query would load it (hours, open state…)."""
    (loaded,) = point_nodes_load([point.pk], selection_tree(info).get("point", {}))
    return loaded


class PointFields:
    name = graphene.String()
    kind = graphene.Argument(PointKindEnum)
    province = graphene.String(description="The current province, by slug or code.")
    commune = graphene.String()
    street = graphene.String()
    latitude = graphene.Float(description="Inside Vietnam; stored with six decimals.")
    longitude = graphene.Float(description="Inside Vietnam; stored with six decimals.")
    coordinates_approximate = graphene.Boolean()
    phone = graphene.String()
    description_vi = graphene.String()
    description_en = graphene.String()


def _fields(data: dict) -> dict:
    fields = {key: value for key, value in data.items() if value is not None}
    if "kind" in fields:
        fields["kind"] = enum_value(fields["kind"])
    if "province" in fields:
        fields["province"] = _province(fields["province"])
    for key in ("latitude", "longitude"):
        if key in fields:
            fields[key] = repr(fields[key])  # the service rounds text exactly, not a binary float
    return fields


class PointOfSaleCreate(SellerMutation):
    """A new point of sale of a business you manage, with its own stock location."""

    class Arguments(PointFields):
        business = graphene.ID(required=True, description="The operating business.")
        name = graphene.String(required=True)
        kind = graphene.Argument(PointKindEnum, required=True)
        province = graphene.String(required=True, description="By slug or code.")
        latitude = graphene.Float(required=True)
        longitude = graphene.Float(required=True)

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, business, **data):
        business = own_object(
            info, Business.objects.all(), business, BusinessType, through="pk", field="business"
        )
        point = point_create(actor=info.context.user, business=business, **_fields(data))
        return cls(point=_loaded(info, point))


class PointOfSaleUpdate(SellerMutation):
    """Change a point's details; what is left out stays as it is."""

    class Arguments(PointFields):
        point = graphene.ID(required=True)

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, point, **data):
        point = _own_point(info, point)
        location = point.location
        current = {
            "name": location.name,
            "kind": point.kind,
            "province": location.province,
            "commune": location.commune,
            "street": location.street,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "legacy_address": point.legacy_address,
            "coordinates_approximate": point.coordinates_approximate,
            "phone": point.phone,
            "description_vi": point.description_vi,
            "description_en": point.description_en,
        }
        point = point_update(actor=info.context.user, point=point, **{**current, **_fields(data)})
        return cls(point=_loaded(info, point))


class OpeningIntervalInput(graphene.InputObjectType):
    weekday = graphene.Int(required=True, description="0 Monday … 6 Sunday.")
    opens = graphene.String(required=True, description="HH:MM.")
    closes = graphene.String(
        required=True, description="HH:MM; at or before `opens`: past midnight."
    )


class PointOfSaleHoursSet(SellerMutation):
    """Replace the point's weekly hours (an empty list: no regular hours)."""

    class Arguments:
        point = graphene.ID(required=True)
        hours = graphene.List(graphene.NonNull(OpeningIntervalInput), required=True)

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, point, hours):
        point = _own_point(info, point)
        location_hours_set(
            actor=info.context.user,
            location=point.location,
            intervals=[(row.weekday, row.opens, row.closes) for row in hours],
        )
        return cls(point=_loaded(info, point))


class PointOfSaleExceptionSet(SellerMutation):
    """Closed all day on a date (Tết, a holiday) or special hours then."""

    class Arguments:
        point = graphene.ID(required=True)
        date = graphene.Date(required=True)
        closed = graphene.Boolean(required=True)
        opens = graphene.String(description="HH:MM, when not closed.")
        closes = graphene.String(description="HH:MM, when not closed.")
        reason = graphene.String()

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, point, date, closed, opens=None, closes=None, reason=""):
        point = _own_point(info, point)
        location_exception_set(
            actor=info.context.user,
            location=point.location,
            date=date,
            closed=closed,
            opens=opens,
            closes=closes,
            reason=reason or "",
        )
        return cls(point=_loaded(info, point))


class PointOfSaleExceptionDelete(SellerMutation):
    """Back to the week's hours on a date."""

    class Arguments:
        point = graphene.ID(required=True)
        date = graphene.Date(required=True)

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, point, date):
        point = _own_point(info, point)
        exception = OpeningException.objects.filter(location=point.location, date=date).first()
        if exception is None:
            raise PlaceError(
                _("There is no exception on %(date)s.") % {"date": f"{date:%d/%m/%Y}"},
                code="not_found",
                field="date",
            )
        location_exception_delete(actor=info.context.user, exception=exception)
        return cls(point=_loaded(info, point))


class PointOfSaleStatusSet(SellerMutation):
    """Open, temporarily closed (with a reason buyers see and an optional reopening date) or
    closed for good."""

    class Arguments:
        point = graphene.ID(required=True)
        status = graphene.Argument(PointStatusEnum, required=True)
        reason = graphene.String()
        reopens_on = graphene.Date()

    point = graphene.Field(PointOfSaleType)

    @classmethod
    def perform_mutation(cls, root, info, point, status, reason="", reopens_on=None):
        point = _own_point(info, point)
        point = point_status_set(
            actor=info.context.user,
            point=point,
            status=enum_value(status),
            reason=reason or "",
            reopens_on=reopens_on,
        )
        return cls(point=_loaded(info, point))


class Mutation(graphene.ObjectType):
    point_of_sale_create = PointOfSaleCreate.Field()
    point_of_sale_update = PointOfSaleUpdate.Field()
    point_of_sale_hours_set = PointOfSaleHoursSet.Field()
    point_of_sale_exception_set = PointOfSaleExceptionSet.Field()
    point_of_sale_exception_delete = PointOfSaleExceptionDelete.Field()
    point_of_sale_status_set = PointOfSaleStatusSet.Field()
