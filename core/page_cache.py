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
in the holes). A part that depends on the visitor's choices or on the time (the product page's
"buy in person near you": the chosen place, open now) is a named hole of its own
(``page_hole``): the cached page keeps a marker with a short argument, and a renderer
registered for the name (``page_hole_register``) fills it on every request. Query parameters
only such a renderer reads (``hole_params``) are left out of the cache key. What a renderer
needs from the catalogue can be given to ``page_hole`` as ``data``: it is kept in the page's
cache entry and handed to the renderer, so filling the hole reads nothing the page already knew.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

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
        "secret": secret,
    }


# name -> renderer(request, argument, data) -> HTML, registered by apps in ``AppConfig.ready``.
HoleRenderer = Callable[[HttpRequest, str, object], str]
_hole_renderers: dict[str, HoleRenderer] = {}
_HOLE_ARGUMENT = re.compile(r"[\w.:-]{0,100}")
# While a page is built: the ``data`` its holes were given, by "<name>:<argument>".
_hole_data: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar(
    "page_hole_data", default=None
)


def page_hole_register(name: str, render: HoleRenderer) -> None:
    """``render(request, argument, data)`` fills every ``page_hole(name, argument, data=…)`` of
    a cached page on each request (``data`` is None when the hole was given none)."""
    _hole_renderers[name] = render


def page_hole(name: str, argument: str = "", *, data: object = None) -> SafeString:
    """The marker a cached page keeps where the per-request part ``name`` goes; ``argument``
    (letters, digits, ``.:-_``) is what the renderer needs from the page (a product's id).
    ``data`` (picklable, never mutated) is kept with the page and given to the renderer: what
    the catalogue says and the page already read, so the hole need not read it again."""
    if name not in _hole_renderers or not _HOLE_ARGUMENT.fullmatch(argument):
        raise ValueError(f"page hole {name!r} is not registered or its argument is not plain")
    collected = _hole_data.get()
    if data is not None and collected is not None:
        collected[f"{name}:{argument}"] = data
    return mark_safe(f"<!--hole:{name}:{_markers()['secret']}:{argument}-->")


def page_hole_cookie_set(request: HttpRequest, name: str, value: str, **options) -> None:
    """A cookie a hole's renderer wants on this response (the visitor's choice, remembered):
    ``catalogue_page`` sets it."""
    request.__dict__.setdefault("_page_hole_cookies", {})[name] = (value, options)


def _render_with_holes(request: HttpRequest, template: str, context: dict) -> str:
    markers = _markers()
    holes = {"header": mark_safe(markers["header"]), "messages": mark_safe(markers["messages"])}
    return render_to_string(
        template, {**context, "page_holes": holes, "csrf_token": markers["csrf"]}, request
    )


def _build_page(request: HttpRequest, build: Callable[[], tuple[str, dict]]):
    """The page's HTML with its markers, and the data its holes were given."""
    data: dict[str, object] = {}
    token = _hole_data.set(data)
    try:
        html = _render_with_holes(request, *build())
    finally:
        _hole_data.reset(token)
    return html, data


def _fill_holes(request: HttpRequest, html: str, data: dict[str, object]) -> str:
    markers = _markers()
    html = html.replace(markers["header"], render_to_string(HEADER_TEMPLATE, request=request), 1)
    html = html.replace(
        markers["messages"], render_to_string(MESSAGES_TEMPLATE, request=request), 1
    )
    if markers["csrf"] in html:
        html = html.replace(markers["csrf"], get_token(request))
    if "<!--hole:" in html:
        named = re.compile(rf"<!--hole:([\w-]+):{markers['secret']}:([\w.:-]*)-->")
        html = named.sub(
            lambda m: _hole_renderers[m[1]](request, m[2], data.get(f"{m[1]}:{m[2]}")), html
        )
    return html


def _cache_path(request: HttpRequest, hole_params: frozenset[str]) -> str:
    if not hole_params or not hole_params.intersection(request.GET.keys()):
        return request.get_full_path()
    kept = request.GET.copy()
    for name in hole_params:
        kept.pop(name, None)
    query = kept.urlencode()
    return request.path + (f"?{query}" if query else "")


def catalogue_page(
    request: HttpRequest,
    *,
    build: Callable[[], tuple[str, dict]],
    cached_params: frozenset[str] = frozenset(),
    hole_params: frozenset[str] = frozenset(),
) -> HttpResponse:
    """The page ``build()`` describes (a template name and its context), rendered once per
    catalogue version, address and language. ``build`` runs only on a miss; an ``Http404`` it
    raises is not cached.

    Only addresses whose query parameters are all in ``cached_params`` are cached: a page's own
    choices and page numbers make a bounded set of addresses, while free text or made-up
    parameters would let anyone fill the cache with pages nobody asks for twice.
    ``hole_params`` are read only by the page's holes (``page_hole``): they are not part of the
    cache key, so every value shares the one cached page."""
    full_path = _cache_path(request, hole_params)
    if (
        request.method in ("GET", "HEAD")
        and len(full_path) <= MAX_CACHED_PATH_CHARS
        and (cached_params | hole_params).issuperset(request.GET.keys())
    ):
        html, data = catalogue_cached(
            key=f"page:{full_path}", build=lambda: _build_page(request, build)
        )
    else:
        html, data = _build_page(request, build)
    response = HttpResponse(_fill_holes(request, html, data))
    for name, (value, options) in request.__dict__.get("_page_hole_cookies", {}).items():
        response.set_cookie(name, value, **options)
    return response
