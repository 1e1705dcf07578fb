"""GraphQL types of points of sale, their hours and what they sell."""

from __future__ import annotations

import graphene
from django.utils import translation
from graphene_django import DjangoObjectType

from catalog.models import Product
from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.selection import selection_tree
from core.graphql.types import ProvinceType, enum_from_choices, enum_value, lazy_model_type
from marketplace.offers.graphql.types import OfferType
from marketplace.places.graphql.shaping import (
    DISPLAYED,
    IN_STOCK,
    OPEN_STATE,
    point_nodes_load,
)
from marketplace.places.models import PointKind, PointOfSale, PointStatus
from marketplace.places.selectors import point_open_state, points_public
from sellers.models import Business

PointKindEnum = enum_from_choices(
    "PointOfSaleKind", PointKind, "The kinds of place Decision 950/QĐ-BCT names."
)
PointStatusEnum = enum_from_choices("PointOfSaleStatus", PointStatus, "Whether a point is open.")


def _hhmm(value) -> str | None:
    return None if value is None else f"{value:%H:%M}"


class OpeningInterval(graphene.ObjectType):
    """One opening interval on a weekday, Vietnam time. ``closes`` at or before ``opens`` runs
    past midnight into the next day (00:00–00:00: the whole day)."""

    weekday = graphene.Int(required=True, description="0 Monday … 6 Sunday.")
    opens = graphene.String(required=True, description="HH:MM.")
    closes = graphene.String(required=True, description="HH:MM.")

    @staticmethod
    def resolve_opens(root, info):
        return _hhmm(root[1])

    @staticmethod
    def resolve_closes(root, info):
        return _hhmm(root[2])

    @staticmethod
    def resolve_weekday(root, info):
        return root[0]


class OpeningExceptionDay(graphene.ObjectType):
    """A date whose hours differ from the week's (Tết, a holiday)."""

    date = graphene.Date(required=True)
    closed = graphene.Boolean(required=True, description="true: closed all day.")
    opens = graphene.String(description="HH:MM, when not closed.")
    closes = graphene.String(description="HH:MM, when not closed.")

    @staticmethod
    def resolve_date(root, info):
        return root[0]

    @staticmethod
    def resolve_closed(root, info):
        return root[1] is None

    @staticmethod
    def resolve_opens(root, info):
        return None if root[1] is None else _hhmm(root[1][0])

    @staticmethod
    def resolve_closes(root, info):
        return None if root[1] is None else _hhmm(root[1][1])


class PointRecognition(graphene.ObjectType):
    """The decision recognising the point as an official OCOP introduction-and-sales point."""

    number = graphene.String(required=True)
    date = graphene.Date()
    body = graphene.String(required=True, description="The issuing body.")

    @staticmethod
    def resolve_number(root, info):
        return root.recognition_number

    @staticmethod
    def resolve_date(root, info):
        return root.recognition_date

    @staticmethod
    def resolve_body(root, info):
        return root.recognition_body


class PointStock(graphene.ObjectType):
    """A visible offer of the point's operator with units at the point."""

    offer = graphene.Field(OfferType, required=True)
    product = graphene.Field(lazy_model_type(Product), required=True)
    units = graphene.Int(required=True, description="Units on hand at this point.")
    stars = graphene.Int(description="The product's stars (its certificate in force).")

    @staticmethod
    def resolve_offer(root, info):
        return root

    @staticmethod
    def resolve_product(root, info):
        return root.variant.product


class PointOfSaleType(DjangoObjectType):
    """A public place to buy or see OCOP products: an OCOP centre, a kiosk at a station, a
    showroom. What it sells comes from stock (``offersInStock``), never from a typed list."""

    name = graphene.String(required=True)
    kind = graphene.Field(PointKindEnum, required=True)
    status = graphene.Field(PointStatusEnum, required=True)
    closure_reason = graphene.String(description="Why it is temporarily closed.")
    province = graphene.Field(ProvinceType, required=True)
    commune = graphene.String()
    street = graphene.String()
    legacy_address = graphene.String(description="The address as published, kept as given.")
    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)
    phone = graphene.String()
    description = graphene.String(description="In the request's language (vi, else en).")
    operator = graphene.Field(lazy_model_type(Business), required=True)
    recognition = graphene.Field(PointRecognition, description="Null when not recognised.")
    url = graphene.String(required=True, description="The point's page (a path).")
    directions_url = graphene.String(required=True, description="Directions on OpenStreetMap.")
    opening_hours = graphene.List(graphene.NonNull(OpeningInterval), required=True)
    opening_exceptions = graphene.List(
        graphene.NonNull(OpeningExceptionDay),
        required=True,
        description="Dated exceptions of the next two weeks.",
    )
    open_now = graphene.Boolean(
        required=True, description="From the hours, exceptions and status, Vietnam time."
    )
    closes_at = graphene.DateTime(description="When open now: when it closes.")
    next_opening = graphene.DateTime(
        description="When closed: when it next opens (within two weeks), else null."
    )
    offers_in_stock = graphene.List(
        graphene.NonNull(PointStock),
        required=True,
        description="The operator's visible offers with units here, by product name.",
    )
    displayed_products = graphene.List(
        graphene.NonNull(lazy_model_type(Product)),
        required=True,
        description="Products shown here but not sold here (never in stock), by name.",
    )

    class Meta:
        model = PointOfSale
        name = "PointOfSale"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = (
            "id",
            "slug",
            "coordinates_approximate",
            "reopens_on",
            "description_vi",
            "description_en",
            "is_demo",
        )

    @classmethod
    def get_node(cls, info, id):
        pk = points_public().filter(pk=id).values_list("pk", flat=True).first()
        if pk is None:
            return None
        (point,) = point_nodes_load([pk], selection_tree(info, as_type=cls._meta.name))
        return point

    @staticmethod
    def resolve_name(root, info):
        return root.location.name

    @staticmethod
    def resolve_kind(root, info):
        return enum_value(root.kind)

    @staticmethod
    def resolve_status(root, info):
        return enum_value(root.status)

    @staticmethod
    def resolve_closure_reason(root, info):
        return root.closure_reason or None

    @staticmethod
    def resolve_province(root, info):
        return root.location.province

    @staticmethod
    def resolve_commune(root, info):
        return root.location.commune or None

    @staticmethod
    def resolve_street(root, info):
        return root.location.street or None

    @staticmethod
    def resolve_legacy_address(root, info):
        return root.legacy_address or None

    @staticmethod
    def resolve_latitude(root, info):
        return float(root.latitude)

    @staticmethod
    def resolve_longitude(root, info):
        return float(root.longitude)

    @staticmethod
    def resolve_phone(root, info):
        return root.phone or None

    @staticmethod
    def resolve_description(root, info):
        if translation.get_language() == "en":
            return root.description_en or root.description_vi or None
        return root.description_vi or root.description_en or None

    @staticmethod
    def resolve_operator(root, info):
        return root.location.business

    @staticmethod
    def resolve_recognition(root, info):
        return root if root.is_recognised else None

    @staticmethod
    def resolve_url(root, info):
        return root.get_absolute_url()

    @staticmethod
    def resolve_directions_url(root, info):
        return root.directions_url()

    @staticmethod
    def resolve_opening_hours(root, info):
        week = root.schedule.week
        return [(day, opens, closes) for day in range(7) for opens, closes in week.get(day, [])]

    @staticmethod
    def resolve_opening_exceptions(root, info):
        return sorted(root.schedule.exceptions.items())

    @staticmethod
    def resolve_open_now(root, info):
        return _state(root).open_now

    @staticmethod
    def resolve_closes_at(root, info):
        return _state(root).closes_at

    @staticmethod
    def resolve_next_opening(root, info):
        return _state(root).next_opening

    @staticmethod
    def resolve_offers_in_stock(root, info):
        return getattr(root, IN_STOCK)

    @staticmethod
    def resolve_displayed_products(root, info):
        return getattr(root, DISPLAYED)


def _state(point):
    state = getattr(point, OPEN_STATE, None)
    if state is None:
        state = point_open_state(point)
        setattr(point, OPEN_STATE, state)
    return state


class PointOfSaleConnection(CountableConnection):
    class Meta:
        node = PointOfSaleType

    class Edge:
        distance_km = graphene.Float(
            description="Great-circle distance from `near`, in km; null without `near`."
        )


class ProductPointOfSale(graphene.ObjectType):
    """A point where a product can be bought (or, with ``includeDisplayed``, seen)."""

    point = graphene.Field(PointOfSaleType, required=True)
    distance_km = graphene.Float(description="From `near`, in km; null without `near`.")
    units = graphene.Int(
        required=True, description="Units of the product on hand there; 0: displayed only."
    )
    in_stock = graphene.Boolean(required=True)

    @staticmethod
    def resolve_in_stock(root, info):
        return root.units > 0
