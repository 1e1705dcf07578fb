"""Buyers' pages: ``/diem-ban/`` (filters, near me, open now; an accessible list that needs no
JavaScript or map tiles) and a point's page ``/diem-ban/<slug>/``."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.models import ProductSet
from catalog.product_page import photo_for_page
from catalog.selectors import framework_current
from core.site import site_url
from marketplace.places.forms import PointSearchForm
from marketplace.places.hours import VIETNAM
from marketplace.places.maps import map_tiles
from marketplace.places.models import PointOfSale, Weekday
from marketplace.places.product_page import near_choice_of, near_choice_remember
from marketplace.places.selectors import (
    commune_centre,
    point_communes,
    point_displayed_products,
    point_offers_in_stock,
    point_open_state,
    points_by_distance,
    points_filter,
    points_for_page,
    points_public,
    province_centre,
)

PER_PAGE = 24
DEFAULT_RADIUS_KM = 50
# From a picked province or commune: a province is up to ~300 km across since the 2025 merger.
PLACE_RADIUS_KM = 150
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _product_sets():
    framework = framework_current()
    if framework is None:
        return ProductSet.objects.none()
    return ProductSet.objects.filter(framework=framework).order_by("number")


def point_list_view(request: HttpRequest) -> HttpResponse:
    form = PointSearchForm(request.GET or None, product_sets=_product_sets())
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    points = points_filter(
        kind=data.get("kind") or None,
        province=data.get("province"),
        product_set=data.get("product_set"),
        product=data.get("product"),
        in_stock=bool(data.get("in_stock")),
        open_now=bool(data.get("open_now")),
        at=now,
    )
    origin, origin_label = _origin(data)
    near = origin is not None
    distances: dict[int, float] = {}
    if near:
        radius = data.get("radius") or (
            DEFAULT_RADIUS_KM if data.get("lat") is not None else PLACE_RADIUS_KM
        )
        found = points_by_distance(
            points, latitude=origin[0], longitude=origin[1], radius_km=radius
        )
        distances = dict(found)
        source = [pk for pk, _distance in found]
    else:
        source = points.order_by("location__name", "pk").values_list("pk", flat=True)
    page = Paginator(source, PER_PAGE).get_page(request.GET.get("page"))
    rows = points_for_page(list(page.object_list), at=now)
    for point in rows:
        point.open_state = point_open_state(point, at=now)
        point.distance_km = distances.get(point.pk)
    response = render(
        request,
        "places/point_list.html",
        {
            "form": form,
            "page": page,
            "points": rows,
            "near": near,
            "origin_label": origin_label,
            "communes": point_communes(province=data.get("near")),
            "product": data.get("product"),
            "map_points": _map_json(rows),
            **map_tiles(),
        },
    )
    # The place chosen here is where product and scan pages measure "near you" from next.
    choice = near_choice_of(
        latitude=data.get("lat"),
        longitude=data.get("lng"),
        province_slug=data["near"].slug if data.get("near") else None,
    )
    if choice:
        near_choice_remember(response, choice)
    return response


def _origin(data: dict) -> tuple[tuple[float, float] | None, str]:
    """Where distances are measured from, and how the page says so: the browser's position,
    else a picked commune's or province's centre."""
    if data.get("lat") is not None:
        return (float(data["lat"]), float(data["lng"])), _("your location")
    province = data.get("near")
    if province is None:
        return None, ""
    commune = data.get("commune") or ""
    if commune:
        centre = commune_centre(commune=commune, province=province)
        if centre is not None:
            return centre, f"{commune}, {province.name}"
    centre = province_centre(province=province)
    if centre is None:
        return None, ""
    if commune:
        return centre, _(
            "the centre of %(province)s (no point names the commune “%(commune)s”)"
        ) % {
            "province": province.name,
            "commune": commune,
        }
    return centre, _("the centre of %(province)s") % {"province": province.name}


def _map_json(points) -> list[dict]:
    """The page's points for a map script (names, coordinates, links): ``json_script``."""
    return [
        {
            "name": point.name,
            "lat": float(point.latitude),
            "lng": float(point.longitude),
            "url": point.get_absolute_url(),
        }
        for point in points
    ]


def _store_jsonld(request, point: PointOfSale, week) -> str:
    location = point.location
    data = {
        "@context": "https://schema.org",
        "@type": "Store",
        "name": point.name,
        "url": site_url(request) + point.get_absolute_url(),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.street or point.legacy_address,
            "addressLocality": location.commune,
            "addressRegion": location.province.name,
            "addressCountry": "VN",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(point.latitude),
            "longitude": float(point.longitude),
        },
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{Weekday(day).name.title()}",
                "opens": f"{opens:%H:%M}",
                "closes": f"{closes:%H:%M}",
            }
            for day, spans in week
            for opens, closes in spans
        ],
    }
    if point.phone:
        data["telephone"] = point.phone
    text = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def point_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    pk = points_public().filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    now = timezone.now()
    (point,) = points_for_page([pk], at=now)
    state = point_open_state(point, at=now)
    offers = list(point_offers_in_stock(point=point))
    sold = {offer.variant.product_id for offer in offers}
    week = [(day, point.schedule.week.get(day, [])) for day in range(7)]
    today = now.astimezone(VIETNAM).date()
    return render(
        request,
        "places/point_detail.html",
        {
            "point": point,
            "state": state,
            "offers": offers,
            "displayed": point_displayed_products(point=point, exclude=sold),
            # In the order the operator set in the workspace.
            "photos": [photo_for_page(photo) for photo in point.photos.order_by("position", "id")],
            "week": [(Weekday(day).label, spans) for day, spans in week],
            "exceptions": [
                (day, hours)
                for day, hours in sorted(point.schedule.exceptions.items())
                if day >= today
            ],
            "head_html": _store_jsonld(request, point, week),
        },
    )
