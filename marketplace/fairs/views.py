"""Visitor pages: the fair list, a fair's page with its booth map and exhibitors, the map as
SVG and the fair as an iCalendar file."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from catalog.rules import star_choices
from core.models import Province
from core.site import site_url
from marketplace.fairs.calendar import fair_ics, fair_jsonld
from marketplace.fairs.exports import FORMATS, KINDS, fair_export
from marketplace.fairs.models import Fair
from marketplace.fairs.permissions import ROLES_ALL, organiser_member_require
from marketplace.fairs.rendering import booth_map_svg, exhibitor_items
from marketplace.fairs.selectors import (
    exhibitors_page,
    fair_exhibitors_search,
    fair_list,
    fair_page,
    fair_when,
    fairs_public,
)
from sellers.errors import PermissionDenied

MONTH_FORMAT = "%Y-%m"


def _month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, MONTH_FORMAT).date()
    except ValueError:
        return None


def fair_list_view(request: HttpRequest) -> HttpResponse:
    province = None
    if slug := request.GET.get("tinh", ""):
        province = Province.objects.filter(slug=slug).first()
    month = _month(request.GET.get("thang", ""))
    groups = fair_list(province=province, month=month)
    url = site_url(request)
    return TemplateResponse(
        request,
        "fairs/fair_list.html",
        {
            "groups": [
                ("running", groups["running"]),
                ("upcoming", groups["upcoming"]),
                ("past", groups["past"]),
            ],
            "provinces": Province.objects.order_by("name"),
            "province": province,
            "month": request.GET.get("thang", "") if month else "",
            "jsonld": [
                fair_jsonld(f, url=url + f.get_absolute_url())
                for group in groups.values()
                for f in group
            ],
        },
    )


def _page(slug: str, *, products: bool, programme: bool):
    page = fair_page(slug=slug, products=products, programme=programme)
    if page is None:
        raise Http404
    return page


def fair_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The fair's page, its exhibitor list a page at a time (the booth map links each booth to
    its exhibitor's page); with a search (name or product, province, stars) the exhibitors
    found alone: the booth map, the zones and the programme do not change with a search, and
    reading and drawing them for every search cost what the whole page costs
    (benchmarks/fairs.py)."""
    query = request.GET.get("q", "")
    province_name = request.GET.get("tinh", "")
    try:
        stars = int(request.GET.get("sao", "") or 0)
    except ValueError:
        stars = 0
    searching = bool(query or province_name or stars)
    results = None
    if searching:
        page = None
        fair = fairs_public().filter(slug=slug).first()
        if fair is None:
            raise Http404
        results = fair_exhibitors_search(
            fair=fair,
            text=query,
            province_name=province_name,
            stars=stars or None,
            page=request.GET.get("page"),
        )
        exhibitors, total, provinces = results.exhibitors, results.total, results.provinces
        shown = results.page
    else:
        # Every exhibitor for the map, the products of only those on the list's page shown.
        page = _page(slug, products=False, programme=True)
        fair = page.fair
        shown = exhibitors_page(exhibitors=page.exhibitors, number=request.GET.get("page"))
        exhibitors, total = shown.object_list, len(page.exhibitors)
        provinces = page.exhibitor_provinces
    url = site_url(request) + fair.get_absolute_url()
    return TemplateResponse(
        request,
        "fairs/fair_detail.html",
        {
            "page": page,
            "fair": fair,
            "when": fair_when(fair, timezone.localdate()),
            "exhibitors": exhibitors,
            "results_page": shown,
            "exhibitor_items": exhibitor_items(exhibitors),
            "exhibitor_count": total,
            "searching": searching,
            "query": query,
            "province_name": province_name,
            "stars": stars,
            "star_choices": star_choices(),
            "exhibitor_provinces": provinces,
            "map_svg": booth_map_svg(page, link_base=fair.get_absolute_url()) if page else "",
            "jsonld": fair_jsonld(fair, url=url),
        },
    )


def fair_map_svg_view(request: HttpRequest, slug: str) -> HttpResponse:
    # The map names exhibitors, not their products.
    page = _page(slug, products=False, programme=False)
    body = booth_map_svg(page, standalone=True, link_base=page.fair.get_absolute_url())
    return HttpResponse(body, content_type="image/svg+xml; charset=utf-8")


def fair_export_view(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    """The organiser's exhibitor list or booth assignments (any member of the organiser)."""
    fair = get_object_or_404(Fair.objects.select_related("organiser"), slug=slug)
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    try:
        organiser_member_require(user=request.user, organiser=fair.organiser, roles=ROLES_ALL)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from None
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(fair_export(fair=fair, kind=kind, fmt=fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{fair.slug}-{kind}.{fmt}"'
    return response


def fair_ics_view(request: HttpRequest, slug: str) -> HttpResponse:
    fair = fairs_public().filter(slug=slug).first()
    if fair is None or fair.starts_on is None:
        raise Http404
    url = site_url(request) + fair.get_absolute_url()
    response = HttpResponse(
        fair_ics(fair, url=url, host=urlsplit(url).hostname or "localhost"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{fair.slug}.ics"'
    return response
