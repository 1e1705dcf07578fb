"""The product page's "Buy in person near you" (``catalog.product_page`` section) and the same
list on the stamp scan page: the nearest public points with the product in stock, with open
now, from the visitor's chosen place — the browser's position (``?lat=&lng=``, filled on a
click), a picked province (``?near=<slug>``; ``?province=`` on the scan page), else the choice
remembered in the ``ocop_near`` cookie (set by this list and by ``/diem-ban/``) — else the
product's holder's province.

The product page is cached (``core.page_cache``); this section is a hole in it, rendered on
every request, so the chosen place and open now are the visitor's and the current time's while
the rest of the page stays cached once for everyone.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from core.catalogue_cache import catalogue_cached, catalogue_local, catalogue_reads
from core.models import Province
from core.page_cache import page_hole, page_hole_cookie_set, page_hole_register
from marketplace.places.selectors import (
    NearestPoint,
    StockedPoint,
    origin_resolve,
    point_open_state,
    points_nearest_with_product,
    product_points_stocking,
)

HOLE = "nearest-points"
NEAR_COOKIE = "ocop_near"
NEAR_COOKIE_AGE = 180 * 24 * 3600  # half a year
TEMPLATE = "places/_nearest_points.html"


def _position(latitude, longitude) -> tuple[float, float] | None:
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        return lat, lng
    return None


def near_choice(request: HttpRequest, *, province_param: str = "near") -> tuple[str, bool]:
    """The visitor's chosen place as the cookie stores it — ``"<lat>,<lng>"`` (rounded to
    0.001°, ≈ 100 m) or a province slug — and whether it came with this request (so it is to be
    remembered) rather than from the cookie. ``""`` when nothing was chosen."""
    chosen = near_choice_of(
        latitude=request.GET.get("lat"),
        longitude=request.GET.get("lng"),
        province_slug=request.GET.get(province_param),
    )
    if chosen:
        return chosen, True
    return (request.COOKIES.get(NEAR_COOKIE) or "").strip()[:100], False


def near_choice_of(*, latitude=None, longitude=None, province_slug=None) -> str:
    """A position (both coordinates) or else a province slug, in the cookie's form."""
    position = _position(latitude, longitude)
    if position is not None:
        return f"{position[0]:.3f},{position[1]:.3f}"
    return (province_slug or "").strip()[:100]


def near_choice_remember(response: HttpResponse, choice: str) -> None:
    response.set_cookie(NEAR_COOKIE, choice, max_age=NEAR_COOKIE_AGE, samesite="Lax")


def _provinces() -> list[Province]:
    return list(Province.objects.order_by("name"))


def nearest_points_context(
    *,
    product_id: int,
    choice: str,
    fallback_province_id: int | None = None,
    at: datetime.datetime | None = None,
    provinces: list[Province] | None = None,
    stocking: dict[int, StockedPoint] | None = None,
) -> dict:
    """What ``places/_nearest_points.html`` shows for ``choice`` (``near_choice``), open now at
    ``at``. The provinces and, from a province, the nearest points (``points_nearest_with_product``)
    come from the catalogue cache (one query each when cached); from a position they are read
    each time (four queries). Open now is always worked out for ``at``, from the hours loaded.
    ``provinces`` and ``stocking`` (``product_points_stocking``) are what a cached product page
    kept: given them, no point has the product in stock costs no query at all."""
    if provinces is None:
        provinces = catalogue_cached(key="places:provinces", build=_provinces)
    by_slug = {province.slug: province for province in provinces}
    province = by_slug.get(choice)
    latitude = longitude = None
    if province is None and "," in choice:
        latitude, longitude = choice.split(",", 1)
    origin, label = origin_resolve(
        latitude=latitude,
        longitude=longitude,
        province=province,
        fallback_province=next((p for p in provinces if p.pk == fallback_province_id), None),
    )

    def build() -> list[NearestPoint]:
        with catalogue_reads(products=[product_id]):
            return points_nearest_with_product(
                product_id=product_id, origin=origin, at=at, stocking=stocking
            )

    if stocking is not None and not stocking:
        nearest = []
    elif latitude is None:  # a known province or none: a bounded set of entries per product
        key = f"places:nearest:{product_id}:{province.slug if province else ''}"
        key += f":{fallback_province_id or ''}"
        nearest = catalogue_cached(key=key, build=build)
    else:
        nearest = build()
    return {
        "nearest_points": [
            dataclasses.replace(row, open_state=point_open_state(row.point, at=at))
            for row in nearest
        ],
        "nearest_origin": label,
        "nearest_province": province,
        "nearest_provinces": provinces,
    }


def _hole_render(request: HttpRequest, argument: str, data: dict | None = None) -> str:
    """Fills the product page's hole ``<product id>:<holder's province id>``; ``data`` is what
    the page kept for it (``NearestPointsSection``): the provinces and the points stocking the
    product."""
    product_id, _sep, province_id = argument.partition(":")
    choice, chosen_now = near_choice(request)
    if chosen_now:
        page_hole_cookie_set(request, NEAR_COOKIE, choice, max_age=NEAR_COOKIE_AGE, samesite="Lax")
    context = nearest_points_context(
        product_id=int(product_id),
        choice=choice,
        fallback_province_id=int(province_id) if province_id else None,
        **(data or {}),
    )
    return render_to_string(TEMPLATE, context, request)


def nearest_points_hole_register() -> None:
    page_hole_register(HOLE, _hole_render)


class NearestPointsSection:
    template = "places/_nearest_points_hole.html"
    position = 10  # after "where to buy" online (storefront's section)
    hole_params = frozenset({"near", "lat", "lng"})

    def context(self, request: HttpRequest, *, product, certificate, page: dict) -> dict:
        if certificate is None:
            return {"nearest_points_hole": ""}
        province_id = product.holder.province_id if product.holder_id else None
        # What the hole needs from the catalogue, kept with the page (as fresh as its offers):
        # the provinces, and the points that have the product in stock, ranked per visitor.
        # The visible offers the page lists ("where to buy", storefront's section) with some
        # stock anywhere: only those can be in stock at a point.
        offers = page.get("offers")
        stocked_offers = (
            None if offers is None else [o.pk for o in offers if getattr(o, "stock_total", 1)]
        )
        with catalogue_reads(products=[product.pk]):
            stocking = product_points_stocking(
                product_id=product.pk, visible_offer_ids=stocked_offers
            )
        data = {
            "provinces": catalogue_local(key="places:provinces", build=_provinces),
            "stocking": stocking,
        }
        return {
            "nearest_points_hole": page_hole(HOLE, f"{product.pk}:{province_id or ''}", data=data)
        }
