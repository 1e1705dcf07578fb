"""Whole pages from the catalogue cache, with the visitor's own parts punched out as holes.

A storefront page is the same for every visitor except for a few parts: the header (cart count,
signed-in links, the language switch and its CSRF token), the flash messages, and the CSRF
token of any form in the page (add to cart). The page is rendered once with a marker in each of
those places and cached under the catalogue version (``core.catalogue_cache``) with the path,
query string and language; every request then renders only the header and the messages and
puts its own CSRF token in. The markers are derived from ``SECRET_KEY`` so that no text a
seller types can contain one.

Everything else a cached page shows must depend on nothing but the catalogue, the address and
the language: no ``user``, ``messages`` or session in page bodies (``base.html`` renders those
in the holes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.catalogue_cache import catalogue_cached

# Longer addresses (piles of filter parameters) are rendered every time rather than cached.
MAX_CACHED_PATH_CHARS = 500

HEADER_TEMPLATE = "includes/site_header.html"
MESSAGES_TEMPLATE = "includes/messages.html"


@cache
def _markers() -> dict[str, str]:
    secret = hashlib.sha256(f"page-holes:{settings.SECRET_KEY}".encode()).hexdigest()[:20]
    return {
        "header": f"<!--hole:header:{secret}-->",
        "messages": f"<!--hole:messages:{secret}-->",
        # Goes inside value="…" of {% csrf_token %}: letters and digits only.
        "csrf": f"csrfhole{secret}",
    }


def _render_with_holes(request: HttpRequest, template: str, context: dict) -> str:
    markers = _markers()
    holes = {"header": mark_safe(markers["header"]), "messages": mark_safe(markers["messages"])}
    return render_to_string(
        template, {**context, "page_holes": holes, "csrf_token": markers["csrf"]}, request
    )


def _fill_holes(request: HttpRequest, html: str) -> str:
    markers = _markers()
    html = html.replace(markers["header"], render_to_string(HEADER_TEMPLATE, request=request), 1)
    html = html.replace(
        markers["messages"], render_to_string(MESSAGES_TEMPLATE, request=request), 1
    )
    if markers["csrf"] in html:
        html = html.replace(markers["csrf"], get_token(request))
    return html


def catalogue_page(
    request: HttpRequest,
    *,
    build: Callable[[], tuple[str, dict]],
    cached_params: frozenset[str] = frozenset(),
) -> HttpResponse:
    """The page ``build()`` describes (a template name and its context), rendered once per
    catalogue version, address and language. ``build`` runs only on a miss; an ``Http404`` it
    raises is not cached.

    Only addresses whose query parameters are all in ``cached_params`` are cached: a page's own
    choices and page numbers make a bounded set of addresses, while free text or made-up
    parameters would let anyone fill the cache with pages nobody asks for twice."""
    full_path = request.get_full_path()
    if (
        request.method in ("GET", "HEAD")
        and len(full_path) <= MAX_CACHED_PATH_CHARS
        and cached_params.issuperset(request.GET.keys())
    ):
        html = catalogue_cached(
            key=f"page:{full_path}", build=lambda: _render_with_holes(request, *build())
        )
    else:
        html = _render_with_holes(request, *build())
    return HttpResponse(_fill_holes(request, html))
