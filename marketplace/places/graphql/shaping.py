"""A page of points for what the query selected: ``points_for_page`` (location, province,
operator, hours, exceptions), then the page's offers in stock and displayed products at once."""

from __future__ import annotations

import datetime

from catalog.graphql.shaping import products_for_page
from core.graphql.selection import Tree
from marketplace.offers.graphql.shaping import offer_lookups, offer_queryset
from marketplace.places.models import PointOfSale
from marketplace.places.selectors import offers_in_stock_at, points_for_page

# Attributes the loaders below store their lists in.
IN_STOCK = "graphql_offers_in_stock"
DISPLAYED = "graphql_displayed_products"
OPEN_STATE = "graphql_open_state"


def point_nodes_load(
    ids: list[int], tree: Tree, *, at: datetime.datetime | None = None
) -> list[PointOfSale]:
    """The points ``ids`` in order, with what ``tree`` selects loaded for all of them: three
    queries, plus one for offers in stock and two or three for displayed products."""
    return point_nodes_shape(points_for_page(ids, at=at), tree)


def point_nodes_shape(points: list[PointOfSale], tree: Tree) -> list[PointOfSale]:
    """Points already loaded by ``points_for_page``, with the stock and displayed products
    ``tree`` selects loaded for all of them (one query, plus two or three)."""
    if points and "offersInStock" in tree:
        _offers_load(points, tree["offersInStock"])
    if points and "displayedProducts" in tree:
        _displayed_load(points, tree["displayedProducts"])
    return points


def _offers_load(points: list[PointOfSale], tree: Tree) -> None:
    offers = offers_in_stock_at(locations=[point.location_id for point in points])
    offers = offer_queryset(tree.get("offer", {}), offers)
    if "product" in tree:
        offers = offer_lookups({"product": tree["product"]}).apply(offers)
    by_location: dict[int, list] = {point.location_id: [] for point in points}
    for offer in offers:
        by_location[offer.stock_location_id].append(offer)
    for point in points:
        setattr(point, IN_STOCK, by_location[point.location_id])


def _displayed_load(points: list[PointOfSale], tree: Tree) -> None:
    through = PointOfSale.displayed_products.through
    pairs = list(
        through.objects.filter(pointofsale__in=[point.pk for point in points]).values_list(
            "pointofsale_id", "product_id"
        )
    )
    if pairs and not all(hasattr(point, IN_STOCK) for point in points):
        _offers_load(points, {})
    sold = {
        (point.pk, offer.variant.product_id)
        for point in points
        for offer in getattr(point, IN_STOCK, ())
    }
    products = products_for_page(sorted({product for _point, product in pairs}), tree)
    by_point: dict[int, list] = {point.pk: [] for point in points}
    for point_id, product_id in pairs:
        if (point_id, product_id) not in sold and product_id in products:
            by_point[point_id].append(products[product_id])
    for point in points:
        setattr(point, DISPLAYED, sorted(by_point[point.pk], key=lambda p: (p.name, p.pk)))
