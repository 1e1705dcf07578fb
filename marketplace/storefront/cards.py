"""A product card of the storefront (listing, home), written in Python.

The template engine takes about 0.3 ms a card (two includes, the stars tag, three translation
tags, the URL tag): 24 cards were a third of an uncached listing page. This writes the same
markup, byte for byte, from the attributes ``product_cards`` and ``card_photo`` set.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from core.money import format_vnd
from core.templatetags.ocop import stars_context

# The <img>'s fixed attributes, as the template had them.
_IMG = (
    '<img class="card-photo" src="{}" srcset="{}" sizes="(min-width: 48rem) 16rem, 50vw" '
    'width="{}" height="{}" alt="{}" loading="lazy" decoding="async">'
)


def _badge(css: str, title: str, text: str) -> SafeString:
    return format_html('<span class="badge {}" title="{}">{}</span>', css, title, text)


def _stars(count) -> SafeString:
    context = stars_context(count)
    return format_html(
        '<span class="stars" role="img" aria-label="{}"><span class="stars-on" '
        'aria-hidden="true">{}</span><span class="stars-off" aria-hidden="true">{}</span></span>\n',
        context["label"],
        context["filled"],
        context["empty"],
    )


def _price(amount) -> str:
    try:
        return format_vnd(amount)
    except (TypeError, ValueError):
        return ""


def shop_card(product) -> SafeString:
    """The card of ``product`` (a ``product_cards`` row with ``card_photo`` set)."""
    parts = ["\n", '<article class="card product-card shop-card">\n  ']
    photo = product.card_photo
    if photo:
        parts.append(
            format_html(
                _IMG,
                photo["src"],
                photo["srcset"],
                localize(photo["width"]),
                localize(photo["height"]),
                photo["alt"],
            )
        )
        if photo["illustration"]:
            parts.append(
                _badge(
                    "badge-illustration",
                    gettext("A generated picture, not a photo of the product."),
                    gettext("Illustration"),
                )
            )
        parts.append("\n")  # the end of the badge's template
    parts.append("\n  ")
    parts.append(
        format_html(
            '<h3 class="card-title"><a href="{}">{}</a></h3>',
            reverse("catalog:product_detail", args=[product.slug]),
            product.name,
        )
    )
    parts.append("\n  ")
    if product.current_stars:
        parts.append(format_html('<p class="card-stars">{}</p>', _stars(product.current_stars)))
    parts.append("\n  ")
    parts.append(
        format_html(
            '<p class="card-holder">{} · <span class="card-province">{}</span></p>',
            product.holder.name,
            product.holder.province.name,
        )
    )
    parts.append("\n  ")
    if product.min_price is not None:
        parts.append("\n  ")
        price = gettext("from %(price)s") % {"price": format_html("{}", _price(product.min_price))}
        parts.append(format_html('<p class="card-price">{}</p>', mark_safe(price)))
        parts.append("\n  ")
        count = product.seller_count
        sellers = ngettext("%(counter)s seller", "%(counter)s sellers", count) % {
            "counter": format_html("{}", localize(count))
        }
        if not product.in_stock:
            sellers += " · " + conditional_escape(gettext("Out of stock"))
        parts.append(format_html('<p class="card-sellers">{}</p>', mark_safe(sellers)))
        parts.append("\n  ")
    else:
        parts.append("\n  ")
        parts.append(format_html('<p class="card-sellers">{}</p>', gettext("Not sold online yet")))
        parts.append("\n  ")
    parts.append("\n  ")
    if product.card_demo:
        parts.append(
            _badge(
                "badge-demo",
                gettext("Illustrative data: the names are real, the scores and stars are not."),
                gettext("Demo data"),
            )
        )
    parts.append("\n\n</article>\n")
    return mark_safe("".join(parts))
