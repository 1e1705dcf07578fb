"""A fair's booth map (SVG) and exhibitor list, written in Python.

The template engine spent about a millisecond per booth and per exhibitor here (a variable
lookup, a ``{% url %}`` and a ``{% stars %}`` per product): at 300 booths and 1,500 products
brought, the fair page took ~300 ms of CPU and its map ~200 ms (``benchmarks/fairs.py``). This
writes the same markup the templates wrote, from ``selectors.FairPage`` (as
``marketplace.storefront.cards`` does for product cards); every text goes through
``html.escape`` (what Django's ``escape`` calls).
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.templatetags.ocop import stars_context

_MARKER = "slug-marker"


def _url_maker(name: str):
    """``reverse(name, args=[slug])`` for many slugs: reversed once, the slug put in its place
    (slugs are URL-safe, so reversing quotes nothing)."""
    head, tail = reverse(name, args=[_MARKER]).split(_MARKER)
    return lambda slug: f"{head}{slug}{tail}"


def _stars_html(count: int) -> str:
    """What ``{% stars count %}`` renders (``templates/includes/stars.html``)."""
    context = stars_context(count)
    return (
        f'<span class="stars" role="img" aria-label="{escape(str(context["label"]))}">'
        f'<span class="stars-on" aria-hidden="true">{context["filled"]}</span>'
        f'<span class="stars-off" aria-hidden="true">{context["empty"]}</span></span>\n'
    )


def booth_map_svg(page, *, standalone: bool = False, link_base: str = "") -> SafeString:
    """The floor plan of ``page``: a rectangle per booth at its grid position, coloured by its
    zone, linking to ``#booth-<code>`` (after ``link_base``, the fair page's URL, and the page
    of its exhibitor list the booth's exhibitor is on) or to the booth's ``pick_url`` when the
    organiser's desk set one; its
    ``<title>`` names the exhibitor (not its products: the exhibitor entry the booth links to
    lists them with their stars, and repeating them per booth cost a fifth of the map). With
    ``standalone`` it starts with the XML declaration (the ``so-do.svg`` file)."""
    label = gettext("Booth map of %(fair)s") % {"fair": page.fair.name}
    blocked, available = gettext("Blocked"), gettext("Available")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if standalone else []
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="booth-map" '
        f'viewBox="-1 -1 {page.width + 2} {page.height + 2}" role="group" '
        f'aria-labelledby="booth-map-title" font-family="sans-serif">\n'
        f'<title id="booth-map-title">{escape(label)}</title>\n'
    )
    link_base = escape(link_base)
    for booth in page.booths:
        code = escape(booth.code)
        pick_url = getattr(booth, "pick_url", "")
        exhibitor = booth.exhibitor
        if pick_url:
            href = escape(pick_url)
        elif exhibitor is not None and exhibitor.page_number > 1:
            href = f"{link_base}?page={exhibitor.page_number}#booth-{code}"
        else:
            href = f"{link_base}#booth-{code}"
        if exhibitor is not None:
            title = f"{code} · {escape(exhibitor.seller.name)}"
            opacity = "0.9"
        else:
            if booth.status == "held":
                title = f"{code} · {escape(booth.held_for)}"
            elif booth.status == "blocked":
                title = f"{code} · {escape(blocked)}"
            else:
                title = f"{code} · {escape(available)}"
            opacity = "0.15" if booth.status == "blocked" else "0.4"
        parts.append(
            f'<a href="{href}" class="booth booth-{escape(booth.status)}'
            f'{" booth-pick" if pick_url else ""}" data-zone="{booth.zone_id}" '
            f'data-booth="{code}"><title>{title}</title><rect x="{booth.x}" y="{booth.y}" '
            f'width="{booth.width}" height="{booth.height}" fill="{escape(booth.colour)}" '
            f'fill-opacity="{opacity}" stroke="#fff" stroke-width="0.1"/>'
            f'<text x="{booth.x}.3" y="{booth.y}.9" font-size="0.8">{code}</text></a>\n'
        )
    parts.append("</svg>\n")
    return mark_safe("".join(parts))  # every value above is escaped


def exhibitor_items(exhibitors) -> SafeString:
    """The ``<li>`` of each exhibitor on the fair page: its booth codes (the anchors the map
    links to), its name linking to its page, its province, the products it brings linking to
    theirs, with their stars."""
    seller_url = _url_maker("storefront:seller_detail")
    product_url = _url_maker("catalog:product_detail")
    stars_of: dict[int, str] = {}
    parts = []
    for exhibitor in exhibitors:
        seller = exhibitor.seller
        booths = "".join(
            f'<span id="booth-{escape(b.code)}" class="booth-code" '
            f'style="border-color: {escape(b.colour)}">{escape(b.code)}</span>'
            for b in exhibitor.booths
        )
        products = []
        for item in exhibitor.products:
            stars = ""
            if item.stars:
                if item.stars not in stars_of:
                    stars_of[item.stars] = " " + _stars_html(item.stars)
                stars = stars_of[item.stars]
            products.append(
                f'<li><a href="{product_url(item.product.slug)}">{escape(item.product.name)}</a>'
                f"{stars}</li>"
            )
        parts.append(
            f'\n      <li class="exhibitor" id="exhibitor-{exhibitor.application_id}">\n'
            f"        {booths}\n"
            f'        <a href="{seller_url(seller.slug)}">{escape(seller.name)}</a>\n'
            f'        <span class="meta">{escape(seller.province.name)}</span>\n'
            f'        <ul class="exhibitor-products">\n'
            f"          {''.join(products)}\n"
            f"        </ul>\n"
            f"      </li>\n      "
        )
    return mark_safe("".join(parts))  # every value above is escaped
