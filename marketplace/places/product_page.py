"""The product page's "Buy in person near you" (``catalog.product_page`` section) and the same
list for the stamp scan page: the nearest public points with the product in stock, from the
visitor's position (``?lat=&lng=``, filled by the browser on a click), a picked province
(``?near=<slug>``), else the product's holder's province."""

from __future__ import annotations

from django.http import HttpRequest

from core.catalogue_cache import catalogue_reads
from core.models import Province
from marketplace.places.selectors import origin_resolve, points_nearest_with_product


def nearest_points_context(
    *, product, latitude=None, longitude=None, province_slug: str | None = None
) -> dict:
    province = None
    slug = (province_slug or "").strip()[:100]
    if slug:
        province = Province.objects.filter(slug=slug).first()
    origin, label = origin_resolve(
        latitude=latitude,
        longitude=longitude,
        province=province,
        fallback_province=product.holder.province if product.holder_id else None,
    )
    with catalogue_reads(products=[product.pk]):
        nearest = points_nearest_with_product(product=product, origin=origin)
    return {
        "nearest_points": nearest,
        "nearest_origin": label,
        "nearest_province": province,
        "nearest_provinces": Province.objects.order_by("name"),
    }


class NearestPointsSection:
    template = "places/_nearest_points.html"
    position = 10  # after "where to buy" online (storefront's section)

    def context(self, request: HttpRequest, *, product, certificate, page: dict) -> dict:
        if certificate is None:
            return {"nearest_points": None}
        return nearest_points_context(
            product=product,
            latitude=request.GET.get("lat"),
            longitude=request.GET.get("lng"),
            province_slug=request.GET.get("near"),
        )
