"""Root query fields of points of sale: ``pointsOfSale`` and ``pointOfSale``."""

from __future__ import annotations

import graphene
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.graphql.types import ProductType
from catalog.models import Product, ProductSet
from catalog.selectors import framework_current
from core.graphql.connections import InMemoryConnectionField
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import from_global_id_or_error
from core.graphql.selection import connection_node_tree, selection_tree
from core.graphql.types import enum_value
from core.models import Province
from marketplace.places.graphql.shaping import point_nodes_load
from marketplace.places.graphql.types import (
    PointKindEnum,
    PointOfSaleConnection,
    PointOfSaleType,
)
from marketplace.places.selectors import (
    RADIUS_MAX_KM,
    points_by_distance,
    points_filter,
    points_public,
)

DEFAULT_RADIUS_KM = 50


class Coordinates(graphene.InputObjectType):
    """A place on Earth, in decimal degrees (WGS 84)."""

    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)


def near_clean(
    near, radius_km, *, default_radius: float = DEFAULT_RADIUS_KM
) -> tuple[float, float, float] | None:
    """(latitude, longitude, radius) of a ``near`` argument, or a clear error."""
    if near is None:
        if radius_km is not None:
            raise api_error(_("`radiusKm` needs `near`."), ErrorCode.INVALID)
        return None
    latitude, longitude = near.latitude, near.longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise api_error(
            _("`near` is not a place on Earth: latitude −90…90, longitude −180…180."),
            ErrorCode.OUT_OF_RANGE,
        )
    radius = default_radius if radius_km is None else radius_km
    if not 0 < radius <= RADIUS_MAX_KM:
        raise api_error(
            _("`radiusKm` must be above 0 and at most %(max)d.") % {"max": RADIUS_MAX_KM},
            ErrorCode.OUT_OF_RANGE,
        )
    return latitude, longitude, radius


def _province(value: str) -> Province:
    value = value.strip()
    found = Province.objects.filter(Q(slug=value) | Q(code=value.zfill(2))).first()
    if found is None:
        raise api_error(
            _("There is no province “%(province)s”.") % {"province": value}, ErrorCode.NOT_FOUND
        )
    return found


def _product_set(number: int) -> ProductSet:
    framework = framework_current()
    found = (
        ProductSet.objects.filter(framework=framework, number=number).first()
        if framework is not None
        else None
    )
    if found is None:
        raise api_error(
            _("There is no product set %(number)s.") % {"number": number}, ErrorCode.NOT_FOUND
        )
    return found


class PointIds(list):
    """The ids of every point that matches, in order, with their distances: the connection
    slices this list, then loads only the page's points."""

    def __init__(self, ids, *, distances, at, tree):
        super().__init__(ids)
        self.distances = distances
        self.at = at
        self.tree = tree


class PointConnectionField(InMemoryConnectionField):
    """A connection over the matching ids: capped at 100 like every other; the page's points
    are loaded once sliced, so a page costs the same SQL whatever its size."""

    @classmethod
    def resolve_connection(cls, connection_type, args, resolved):
        connection = super().resolve_connection(connection_type, args, resolved)
        ids = [edge.node for edge in connection.edges]
        points = {point.pk: point for point in point_nodes_load(ids, resolved.tree, at=resolved.at)}
        for edge in connection.edges:
            edge.distance_km = resolved.distances.get(edge.node)
            edge.node = points[edge.node]
        return connection


class Query(graphene.ObjectType):
    points_of_sale = PointConnectionField(
        PointOfSaleConnection,
        near=graphene.Argument(
            Coordinates, description="Nearest first, within `radiusKm`, with `distanceKm`."
        ),
        radius_km=graphene.Float(description="With `near`: 50 unless given, at most 500."),
        kind=graphene.Argument(PointKindEnum),
        province=graphene.String(description="The current province, by slug or code."),
        product_set=graphene.Int(
            description="With a visible offer of this product set (its number) in stock."
        ),
        product=graphene.ID(description="With a visible offer of this Product."),
        in_stock=graphene.Boolean(
            description="true: with units in stock (of `product` when given)."
        ),
        open_now=graphene.Boolean(description="true: open now, Vietnam time."),
        description=(
            "Public points of sale (not suspended, not closed for good), by name, or nearest "
            "first with `near`; at most 100 a page."
        ),
    )
    point_of_sale = graphene.Field(
        PointOfSaleType,
        id=graphene.ID(description="A PointOfSale ID."),
        slug=graphene.String(),
        description="A public point of sale by ID or slug; null when there is none.",
    )

    @staticmethod
    def resolve_points_of_sale(
        root,
        info,
        near=None,
        radius_km=None,
        kind=None,
        province=None,
        product_set=None,
        product=None,
        in_stock=None,
        open_now=None,
        **_pagination,
    ):
        place = near_clean(near, radius_km)
        product_row = None
        if product is not None:
            pk = from_global_id_or_error(product, ProductType)
            product_row = Product.objects.filter(pk=pk).first()
            if product_row is None:
                raise api_error(_("There is no Product with this ID."), ErrorCode.NOT_FOUND)
        at = timezone.now()
        points = points_filter(
            kind=enum_value(kind) if kind is not None else None,
            province=_province(province) if province else None,
            product_set=_product_set(product_set) if product_set is not None else None,
            product=product_row,
            in_stock=bool(in_stock),
            open_now=bool(open_now),
            at=at,
        )
        distances: dict[int, float] = {}
        if place is not None:
            latitude, longitude, radius = place
            found = points_by_distance(
                points, latitude=latitude, longitude=longitude, radius_km=radius
            )
            distances = dict(found)
            ids = [pk for pk, _distance in found]
        else:
            ids = list(points.order_by("location__name", "pk").values_list("pk", flat=True))
        return PointIds(ids, distances=distances, at=at, tree=connection_node_tree(info))

    @staticmethod
    def resolve_point_of_sale(root, info, id=None, slug=None):
        if (id is None) == (slug is None):
            raise api_error(_("Give either `id` or `slug`."), ErrorCode.INVALID)
        points = points_public()
        if id is not None:
            points = points.filter(pk=from_global_id_or_error(id, PointOfSaleType))
        else:
            points = points.filter(slug=slug.strip())
        pk = points.values_list("pk", flat=True).first()
        if pk is None:
            return None
        (point,) = point_nodes_load([pk], selection_tree(info))
        return point
