"""Reads on points of sale: the public list and its filters, near-me by great-circle distance,
open now, and what a point has in stock (only what ``offers_visible`` lets buyers see).

Near me is a bounding-box prefilter on the indexed coordinates (one query returning ids and
coordinates), then exact haversine distances in Python: the same on SQLite and PostgreSQL, no
PostGIS. A page of points is then loaded by id with its hours, exceptions and province
prefetched, so a page costs the same SQL whatever its size.
"""

from __future__ import annotations

import csv
import datetime
import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import certificates_in_force
from core.text import fold
from marketplace.offers.models import Offer, Stock
from marketplace.offers.selectors import offers_visible
from marketplace.places.hours import HORIZON_DAYS, VIETNAM, Schedule
from marketplace.places.models import (
    OpeningException,
    OpeningHours,
    PointOfSale,
    PointStatus,
    Weekday,
)

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
RADIUS_MAX_KM = 500


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple:
    """(lat_min, lat_max, lng_min, lng_max) holding every point within ``radius_km``: the
    longitude span is taken at the box's latitude farthest from the equator, where a degree of
    longitude is shortest, so no point inside the circle falls outside the box."""
    dlat = radius_km / KM_PER_DEGREE
    far = min(89.0, abs(latitude) + dlat)
    dlng = radius_km / (KM_PER_DEGREE * math.cos(math.radians(far)))
    return latitude - dlat, latitude + dlat, longitude - dlng, longitude + dlng


def points_public() -> QuerySet[PointOfSale]:
    """Every point a buyer may see: not suspended, not closed for good (a temporarily closed
    point stays listed, saying so)."""
    return PointOfSale.objects.filter(suspended_at__isnull=True).exclude(status=PointStatus.CLOSED)


def _stock_at_point(offers: QuerySet[Offer]) -> Exists:
    return Exists(
        Stock.objects.filter(
            location=OuterRef("location"), quantity__gt=0, offer__in=offers.values("pk")
        )
    )


def _now_local(at: datetime.datetime | None) -> datetime.datetime:
    return (at or timezone.now()).astimezone(VIETNAM)


def open_now_q(at: datetime.datetime | None = None) -> Q:
    """The SQL form of ``Schedule.current`` for points: status open, and an interval of today
    (an exception's hours replace the week's) or of yesterday running past midnight covers the
    time. ``tests/places/test_hours.py`` proves them equal on the edge cases."""
    local = _now_local(at)
    today, time = local.date(), local.time().replace(tzinfo=None)
    yesterday = today - datetime.timedelta(days=1)

    def covers(prefix_q: Q, *, started_yesterday: bool) -> Q:
        if started_yesterday:
            return prefix_q & Q(closes__lte=F("opens"), closes__gt=time)
        return prefix_q & (
            Q(opens__lte=time, closes__gt=time) | Q(closes__lte=F("opens"), opens__lte=time)
        )

    def day_open(day: datetime.date, *, started_yesterday: bool) -> Q:
        exception = OpeningException.objects.filter(location=OuterRef("location"), date=day)
        weekly = OpeningHours.objects.filter(
            covers(Q(weekday=day.weekday()), started_yesterday=started_yesterday),
            location=OuterRef("location"),
        )
        special = exception.filter(covers(Q(closed=False), started_yesterday=started_yesterday))
        return (~Exists(exception) & Exists(weekly)) | Exists(special)

    return Q(status=PointStatus.OPEN) & (
        day_open(today, started_yesterday=False) | day_open(yesterday, started_yesterday=True)
    )


def points_filter(
    *,
    kind: str | None = None,
    province=None,
    product_set=None,
    product: Product | None = None,
    in_stock: bool = False,
    open_now: bool = False,
    at: datetime.datetime | None = None,
    queryset: QuerySet[PointOfSale] | None = None,
) -> QuerySet[PointOfSale]:
    """The public points narrowed by the list's filters. ``product`` with ``in_stock``: a
    visible offer of it has units at the point; ``product_set``: the point has a visible offer
    of that set in stock."""
    points = points_public() if queryset is None else queryset
    if kind:
        points = points.filter(kind=kind)
    if province is not None:
        points = points.filter(location__province=province)
    if product_set is not None:
        points = points.filter(
            _stock_at_point(offers_visible().filter(variant__product__product_set=product_set))
        )
    if product is not None:
        offers = offers_visible(product_ids=[product.pk])
        if in_stock:
            points = points.filter(_stock_at_point(offers))
        else:
            points = points.filter(
                Exists(Stock.objects.filter(location=OuterRef("location"), offer__in=offers))
            )
    elif in_stock:
        points = points.filter(_stock_at_point(offers_visible()))
    if open_now:
        points = points.filter(open_now_q(at))
    return points


def points_by_distance(
    points: QuerySet[PointOfSale],
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
) -> list[tuple[int, float]]:
    """(point id, distance in km) of the points within ``radius_km``, nearest first; equal
    distances in id order, so pages never shuffle. One query."""
    radius_km = min(float(radius_km), RADIUS_MAX_KM)
    lat_min, lat_max, lng_min, lng_max = bounding_box(latitude, longitude, radius_km)
    rows = points.filter(
        latitude__gte=Decimal(str(round(lat_min, 6))),
        latitude__lte=Decimal(str(round(lat_max, 6))),
        longitude__gte=Decimal(str(round(lng_min, 6))),
        longitude__lte=Decimal(str(round(lng_max, 6))),
    ).values_list("pk", "latitude", "longitude")
    found = []
    for pk, lat, lng in rows.order_by():
        distance = distance_km(latitude, longitude, float(lat), float(lng))
        if distance <= radius_km:
            found.append((pk, distance))
    found.sort(key=lambda row: (round(row[1], 6), row[0]))
    return found


def points_for_page(ids: list[int], *, at: datetime.datetime | None = None) -> list[PointOfSale]:
    """The points ``ids`` in that order, with what a card shows: location, province, operator,
    weekly hours and the exceptions of the next two weeks (``schedule`` set on each). Three
    queries whatever the number."""
    today = _now_local(at).date()
    points = (
        PointOfSale.objects.filter(pk__in=ids)
        .select_related("location__province", "location__business")
        .prefetch_related(
            Prefetch("location__opening_hours", queryset=OpeningHours.objects.order_by()),
            Prefetch(
                "location__opening_exceptions",
                queryset=OpeningException.objects.filter(
                    date__gte=today - datetime.timedelta(days=1),
                    date__lte=today + datetime.timedelta(days=HORIZON_DAYS + 1),
                ).order_by(),
            ),
        )
    )
    by_id = {point.pk: point for point in points}
    ordered = [by_id[pk] for pk in ids if pk in by_id]
    for point in ordered:
        point_schedule_attach(point)
    return ordered


def point_schedule_attach(point: PointOfSale) -> Schedule:
    location = point.location
    point.schedule = Schedule.from_rows(
        location.opening_hours.all(), location.opening_exceptions.all()
    )
    return point.schedule


@dataclass(frozen=True)
class OpenState:
    open_now: bool
    closes_at: datetime.datetime | None
    next_opening: datetime.datetime | None


def point_open_state(point: PointOfSale, *, at: datetime.datetime | None = None) -> OpenState:
    """Open now, until when, or when it next opens — from the hours, the exceptions, the
    point's status and the time in Vietnam."""
    at = _now_local(at)
    schedule = getattr(point, "schedule", None) or point_schedule_attach(point)
    if point.status == PointStatus.CLOSED:
        return OpenState(False, None, None)
    if point.status == PointStatus.TEMPORARILY_CLOSED:
        if point.reopens_on is None:
            return OpenState(False, None, None)
        return OpenState(False, None, schedule.next_opening(at, not_before=point.reopens_on))
    current = schedule.current(at)
    if current is not None:
        return OpenState(True, current.end, None)
    return OpenState(False, None, schedule.next_opening(at))


def offers_in_stock_at(*, locations: list[int]) -> QuerySet[Offer]:
    """The visible offers of each location's own operator with units there: one row per
    (offer, location), with ``stock_location_id``, ``units`` and the product's ``stars`` (from
    its certificate in force) annotated. One query for a page of points."""
    stars = certificates_in_force().filter(product=OuterRef("variant__product")).values("stars")[:1]
    return (
        offers_visible()
        .filter(
            stocks__location__in=locations,
            stocks__quantity__gt=0,
            seller=F("stocks__location__business"),
        )
        .annotate(
            stock_location_id=F("stocks__location_id"),
            units=F("stocks__quantity"),
            stars=Subquery(stars),
        )
        .select_related("variant__product")
        .order_by("variant__product__name", "variant__position", "id")
    )


def point_offers_in_stock(*, point: PointOfSale) -> QuerySet[Offer]:
    """The operator's visible offers with units at the point (``offers_in_stock_at``)."""
    return offers_in_stock_at(locations=[point.location_id])


def point_displayed_products(*, point: PointOfSale, exclude: set[int]) -> list[Product]:
    """Products the point shows but does not sell here (showrooms): never "in stock"."""
    return [
        product
        for product in point.displayed_products.order_by("name")
        if product.pk not in exclude
    ]


# --- distances from a picked place -----------------------------------------------------------

# The 34 provinces' administrative centres (the seats Resolution 202/2025/QH15 named for the
# merged provinces), to about two kilometres: data/province-centres.csv says where they come from.
PROVINCE_CENTRES = Path(__file__).resolve().parent / "data" / "province-centres.csv"


@functools.cache
def _province_centres() -> dict[str, tuple[float, float]]:
    with PROVINCE_CENTRES.open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
    return {
        code.zfill(2): (float(latitude), float(longitude))
        for code, _name, _seat, latitude, longitude in rows[1:]
    }


def province_centre(*, province) -> tuple[float, float] | None:
    """(latitude, longitude) of the province's administrative centre."""
    return _province_centres().get(str(province.code).zfill(2))


def point_communes(*, province=None) -> list[str]:
    """The communes (wards, special zones) public points name, for the "distance from" list:
    one query."""
    points = points_public()
    if province is not None:
        points = points.filter(location__province=province)
    # DISTINCT in the database: a few hundred names from 10,000 points, not 10,000 rows.
    names = (
        points.exclude(location__commune="")
        .values_list("location__commune", flat=True)
        .order_by()
        .distinct()
    )
    return sorted(names, key=fold)


def commune_centre(*, commune: str, province=None) -> tuple[float, float] | None:
    """The middle of the public points in ``commune`` (matched without diacritics or case, in
    ``province`` when given): the project keeps no commune boundaries, and the points there are
    where a buyer in that commune would go. One query; None when no point names the commune."""
    wanted = fold(commune)
    if not wanted:
        return None
    points = points_public()
    if province is not None:
        points = points.filter(location__province=province)
    rows = [
        (float(lat), float(lng))
        for name, lat, lng in points.exclude(location__commune="").values_list(
            "location__commune", "latitude", "longitude"
        )
        if fold(name) == wanted
    ]
    if not rows:
        return None
    return (
        sum(lat for lat, _lng in rows) / len(rows),
        sum(lng for _lat, lng in rows) / len(rows),
    )


@dataclass(frozen=True)
class PointNearby:
    point_id: int
    distance_km: float | None
    units: int  # units of the product in stock at the point; 0: displayed only


def products_points(
    *,
    product_ids: list[int],
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float = RADIUS_MAX_KM,
    limit: int = 10,
    include_displayed: bool = False,
) -> dict[int, list[PointNearby]]:
    """For each product, the public points with a visible offer of it in stock (units summed
    over its packs), nearest first when a place is given (within ``radius_km``), else by
    name; ``include_displayed`` adds the points that only display it, after those that sell
    it. At most ``limit`` per product. Two queries (one without ``include_displayed``),
    whatever the number of products or points."""
    near = latitude is not None and longitude is not None
    box = None
    if near:
        radius_km = min(float(radius_km), RADIUS_MAX_KM)
        lat_min, lat_max, lng_min, lng_max = bounding_box(latitude, longitude, radius_km)
        box = {
            "latitude__gte": Decimal(str(round(lat_min, 6))),
            "latitude__lte": Decimal(str(round(lat_max, 6))),
            "longitude__gte": Decimal(str(round(lng_min, 6))),
            "longitude__lte": Decimal(str(round(lng_max, 6))),
        }
    found = _points_stocking(product_ids, box=box, include_displayed=include_displayed)
    return {
        product_id: points_rank(
            points, latitude=latitude, longitude=longitude, radius_km=radius_km, limit=limit
        )
        for product_id, points in found.items()
    }


# A point as ``products_points`` ranks it: (name, latitude, longitude, units in stock).
StockedPoint = tuple[str, Decimal, Decimal, int]


def product_points_stocking(
    *, product_id: int, visible_offer_ids: list[int] | None = None
) -> dict[int, StockedPoint]:
    """Every public point with a visible offer of the product in stock, by point id, for
    ``points_rank`` to rank from any place (a product page keeps them with the page). One
    query; none when the caller already has the product's visible offers
    (``visible_offer_ids``, those of ``offers_visible``) and none of them is stocked."""
    if visible_offer_ids is not None and not visible_offer_ids:
        return {}
    return _points_stocking(
        [product_id], box=None, include_displayed=False, offer_ids=visible_offer_ids
    )[product_id]


def _points_stocking(
    product_ids: list[int],
    *,
    box: dict | None,
    include_displayed: bool,
    offer_ids: list[int] | None = None,
) -> dict[int, dict[int, StockedPoint]]:
    stocks = Stock.objects.filter(
        quantity__gt=0,
        offer__in=(
            offers_visible(product_ids=product_ids).values("pk") if offer_ids is None else offer_ids
        ),
        offer__seller=F("location__business"),
        location__point_of_sale__in=points_public().values("pk"),
    )
    displayed = PointOfSale.displayed_products.through.objects.filter(
        product__in=product_ids, pointofsale__in=points_public().values("pk")
    )
    if box is not None:
        stocks = stocks.filter(**{f"location__point_of_sale__{k}": v for k, v in box.items()})
        displayed = displayed.filter(**{f"pointofsale__{k}": v for k, v in box.items()})
    rows = (
        stocks.values(
            "offer__variant__product_id",
            "location__point_of_sale__id",
            "location__name",
            "location__point_of_sale__latitude",
            "location__point_of_sale__longitude",
        )
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    found: dict[int, dict[int, StockedPoint]] = {pk: {} for pk in product_ids}
    for row in rows:
        found[row["offer__variant__product_id"]][row["location__point_of_sale__id"]] = (
            row["location__name"],
            row["location__point_of_sale__latitude"],
            row["location__point_of_sale__longitude"],
            row["units"],
        )
    if include_displayed:
        for product_id, point_id, name, lat, lng in displayed.values_list(
            "product_id",
            "pointofsale_id",
            "pointofsale__location__name",
            "pointofsale__latitude",
            "pointofsale__longitude",
        ):
            found[product_id].setdefault(point_id, (name, lat, lng, 0))
    return found


def points_rank(
    points: dict[int, StockedPoint],
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float = RADIUS_MAX_KM,
    limit: int = 10,
) -> list[PointNearby]:
    """``products_points``' order: points with units before those only displaying it, then
    nearest first from a place (within ``radius_km``), else by name; at most ``limit``."""
    near = latitude is not None and longitude is not None
    if near:
        radius_km = min(float(radius_km), RADIUS_MAX_KM)
    ranked = []
    for point_id, (name, lat, lng, units) in points.items():
        distance = None
        if near:
            distance = distance_km(latitude, longitude, float(lat), float(lng))
            if distance > radius_km:
                continue
        order = round(distance, 6) if near else fold(name)
        ranked.append((units == 0, order, point_id, PointNearby(point_id, distance, units)))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:limit]]


@dataclass(frozen=True)
class NearestPoint:
    point: PointOfSale
    distance_km: float | None
    units: int
    open_state: OpenState


NEAREST_LIMIT = 3


def points_nearest_with_product(
    *,
    product_id: int,
    origin: tuple[float, float] | None,
    limit: int = NEAREST_LIMIT,
    at: datetime.datetime | None = None,
    stocking: dict[int, StockedPoint] | None = None,
) -> list[NearestPoint]:
    """ "Buy in person near you" — the product page's, the stamp scan page's and the API's
    ``StampVerification.pointsOfSale``: the ``limit`` public points nearest to ``origin`` with a
    visible offer of the product in stock (by name without an origin), each loaded as a card
    (``points_for_page``) with its open-now state at ``at``. Four queries (one when no point
    has it); three, or none, given what ``product_points_stocking`` read (``stocking``)."""
    at = _now_local(at)
    latitude, longitude = origin if origin is not None else (None, None)
    if stocking is not None:
        rows = points_rank(stocking, latitude=latitude, longitude=longitude, limit=limit)
    else:
        rows = products_points(
            product_ids=[product_id], latitude=latitude, longitude=longitude, limit=limit
        )[product_id]
    if not rows:
        return []
    by_id = {point.pk: point for point in points_for_page([row.point_id for row in rows], at=at)}
    return [
        NearestPoint(
            by_id[row.point_id],
            row.distance_km,
            row.units,
            point_open_state(by_id[row.point_id], at=at),
        )
        for row in rows
        if row.point_id in by_id
    ]


def origin_resolve(
    *, latitude=None, longitude=None, province=None, fallback_province=None
) -> tuple[tuple[float, float] | None, str]:
    """Where "near you" is measured from and how to say it: the browser's position, else a
    picked province's centre, else ``fallback_province``'s (a product's holder's)."""
    try:
        if latitude not in (None, "") and longitude not in (None, ""):
            lat, lng = float(latitude), float(longitude)
            if -90 <= lat <= 90 and -180 <= lng <= 180:
                return (lat, lng), _("your location")
    except (TypeError, ValueError):
        pass
    for candidate in (province, fallback_province):
        if candidate is not None:
            centre = province_centre(province=candidate)
            if centre is not None:
                return centre, _("the centre of %(province)s") % {"province": candidate.name}
    return None, ""


def points_for_operator(*, business, at: datetime.datetime | None = None) -> list[PointOfSale]:
    """The workspace list: every point of ``business`` (suspended and closed ones too) by name,
    with ``schedule``, ``offers_stocked`` (offers with units there) and ``photo_count``. Five
    queries whatever the number of points (ids, stock counts, points, hours, exceptions)."""
    rows = list(
        PointOfSale.objects.filter(location__business=business)
        .annotate(photo_count=Count("photos"))
        .order_by("location__name", "pk")
        .values_list("pk", "photo_count")
    )
    ids = [pk for pk, _count in rows]
    stocked = dict(
        Stock.objects.filter(location__point_of_sale__in=ids, quantity__gt=0)
        .values("location__point_of_sale")
        .annotate(n=Count("pk"))
        .values_list("location__point_of_sale", "n")
    )
    points = points_for_page(ids, at=at)
    photos = dict(rows)
    for point in points:
        point.photo_count = photos[point.pk]
        point.offers_stocked = stocked.get(point.pk, 0)
    return points


# --- pickup: a stock location where a buyer collects an order ------------------------------


def point_of(location) -> PointOfSale | None:
    """The point of sale ``location`` is the public face of, or None (a warehouse counter, a
    booth). Free when ``point_of_sale`` was select_related."""
    try:
        return location.point_of_sale
    except PointOfSale.DoesNotExist:
        return None


def point_takes_pickups(point: PointOfSale) -> bool:
    """A point hands over orders unless it is closed for good or suspended (a temporarily
    closed one keeps its orders for when it reopens, and says when)."""
    return point.status != PointStatus.CLOSED and point.suspended_at is None


def location_address(location) -> str:
    """ "Street, commune, province" of a stock location, for a pickup snapshot."""
    parts = [location.street, location.commune, location.province.name]
    return ", ".join(part for part in parts if part)


def pickup_location_prefetch(prefix: str, *, at: datetime.datetime | None = None) -> list:
    """What ``pickup_place`` reads, to prefetch on a queryset whose ``prefix`` is a stock
    location: weekly hours and exceptions from yesterday on (two queries for any number)."""
    today = _now_local(at).date()
    return [
        Prefetch(f"{prefix}__opening_hours", queryset=OpeningHours.objects.order_by()),
        Prefetch(
            f"{prefix}__opening_exceptions",
            queryset=OpeningException.objects.filter(
                date__gte=today - datetime.timedelta(days=1)
            ).order_by("date"),
        ),
    ]


@dataclass(frozen=True)
class PickupPlace:
    """Where and when to collect an order: name and address (the order's snapshot), the
    location's weekly hours and upcoming exceptions, and a directions link."""

    name: str
    address: str
    point: PointOfSale | None
    week: list[tuple[int, str, list[tuple[datetime.time, datetime.time]]]]
    exceptions: list[tuple[datetime.date, tuple[datetime.time, datetime.time] | None, str]]
    directions_url: str
    state: OpenState | None


def pickup_place(
    *, location, name: str = "", address: str = "", at: datetime.datetime | None = None
) -> PickupPlace:
    """The pickup place of ``location`` (hours prefetched with ``pickup_location_prefetch``,
    ``point_of_sale`` select_related). ``name`` and ``address`` default to the location's own."""
    today = _now_local(at).date()
    hours = list(location.opening_hours.all())
    exceptions = [row for row in location.opening_exceptions.all() if row.date >= today]
    schedule = Schedule.from_rows(hours, exceptions)
    point = point_of(location)
    address = address or location_address(location)
    if point is not None:
        point.schedule = schedule
        directions = point.directions_url()
        state = point_open_state(point, at=at)
    else:
        directions = "https://www.openstreetmap.org/search?" + urlencode({"query": address})
        state = None
    return PickupPlace(
        name=name or location.name,
        address=address,
        point=point,
        week=[(day, Weekday(day).label, schedule.week.get(day, [])) for day in range(7)],
        exceptions=[
            (row.date, None if row.closed else (row.opens, row.closes), row.reason)
            for row in sorted(exceptions, key=lambda row: row.date)
        ],
        directions_url=directions,
        state=state,
    )
