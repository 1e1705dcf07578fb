"""What points of sale add to the types of packages below: ``Product.pointsOfSale``, composed
into the schema's ``Product`` by ``api.types``."""

from __future__ import annotations

import graphene
from django.conf import settings
from django.utils.translation import gettext as _

from catalog.models import Product
from core.graphql.errors import ErrorCode, api_error
from core.graphql.selection import Tree, selection_tree
from marketplace.places.graphql.queries import Coordinates, near_clean
from marketplace.places.graphql.shaping import point_nodes_load
from marketplace.places.graphql.types import ProductPointOfSale
from marketplace.places.selectors import RADIUS_MAX_KM, products_points

# The page of products a product was loaded with (``load_page``), so the first product's
# ``pointsOfSale`` loads the whole page's at once.
PAGE = "graphql_points_page"
DEFAULT_FIRST = 10


class ProductPointsOfSale:
    """``Product.pointsOfSale``: where to buy it in person."""

    points_of_sale = graphene.List(
        graphene.NonNull(ProductPointOfSale),
        required=True,
        near=graphene.Argument(
            Coordinates, description="Nearest first, within `radiusKm` (500 unless given)."
        ),
        radius_km=graphene.Float(),
        first=graphene.Int(description="At most this many (10 unless given; 100 at most)."),
        include_displayed=graphene.Boolean(
            description="true: also the points that only display it (after those selling it)."
        ),
        description=(
            "Public points with a visible offer of this product in stock, nearest first with "
            "`near`, else by name."
        ),
    )

    @staticmethod
    def resolve_points_of_sale(
        root, info, near=None, radius_km=None, first=None, include_displayed=False
    ):
        limit = settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100)
        first = DEFAULT_FIRST if first is None else first
        if not 0 <= first <= limit:
            raise api_error(
                _("`%(arg)s` must be between 0 and %(max)d.") % {"arg": "first", "max": limit},
                ErrorCode.OUT_OF_RANGE,
            )
        place = near_clean(near, radius_km, default_radius=RADIUS_MAX_KM)
        key = (
            "graphql_points_of_sale",
            place,
            first,
            bool(include_displayed),
            id(info.field_nodes[0]),
        )
        loaded = getattr(root, key[0], None)
        if loaded is None or loaded[0] != key:
            page = getattr(root, PAGE, None) or [root]
            _page_points_load(
                page, key, place, first, bool(include_displayed), selection_tree(info)
            )
            loaded = getattr(root, key[0])
        return loaded[1]

    @classmethod
    def load_page(cls, products: list[Product], tree: Tree) -> None:
        super().load_page(products, tree)
        if "pointsOfSale" in tree:
            for product in products:
                setattr(product, PAGE, products)


def _page_points_load(products, key, place, first, include_displayed, tree) -> None:
    latitude = longitude = None
    radius = RADIUS_MAX_KM
    if place is not None:
        latitude, longitude, radius = place
    found = products_points(
        product_ids=[product.pk for product in products],
        latitude=latitude,
        longitude=longitude,
        radius_km=radius,
        limit=first,
        include_displayed=include_displayed,
    )
    ids = sorted({row.point_id for rows in found.values() for row in rows})
    points = {point.pk: point for point in point_nodes_load(ids, tree.get("point", {}))}
    for product in products:
        rows = [
            ProductPointOfSale(
                point=points[row.point_id], distance_km=row.distance_km, units=row.units
            )
            for row in found.get(product.pk, [])
            if row.point_id in points
        ]
        setattr(product, key[0], (key, rows))
