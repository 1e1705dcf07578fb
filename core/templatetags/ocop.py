"""Presentation helpers for every page: money, phone numbers, stars, scores, demo badges,
bilingual names.

Nothing here decides anything. A certificate's standing is worded by catalog's
``{% certificate_validity %}`` (``catalog/templatetags/certificates.py``).
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language, ngettext

from core.money import format_vnd
from core.phone import phone_display

register = template.Library()

MAX_STARS = 5


@register.filter
def vnd(amount) -> str:
    """Whole đồng as "1.250.000 ₫"; anything that is not whole đồng renders empty."""
    try:
        return format_vnd(amount)
    except (TypeError, ValueError):
        return ""


@register.filter
def phone(value) -> str:
    """A stored E.164 number as written in Vietnam: "+842438251234" -> "024 3825 1234"."""
    return phone_display(value or "")


@register.filter
def localized_name(obj) -> str:
    """``name_en`` when the page is in English and one is known, otherwise ``name``."""
    if obj is None:
        return ""
    name_en = getattr(obj, "name_en", "")
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return getattr(obj, "name", str(obj))


@register.filter
def percent(value, maximum) -> int:
    """``value`` as a whole percentage of ``maximum``, clamped to 0–100 (for score bars)."""
    try:
        value, maximum = Decimal(str(value)), Decimal(str(maximum))
    except (InvalidOperation, TypeError, ValueError):
        return 0
    if maximum <= 0:
        return 0
    return int(max(Decimal(0), min(Decimal(100), value * 100 / maximum)))


@register.filter
def points(value) -> str:
    """Scores without needless zeros, Vietnamese style decimal comma: 72.50 -> "72,5"."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if (get_language() or "").startswith("vi"):
        text = text.replace(".", ",")
    return text


@register.inclusion_tag("includes/stars.html")
def stars(count) -> dict:
    """★★★★☆ with an accessible label ("4 sao" / "4 stars")."""
    return stars_context(count)


def stars_context(count) -> dict:
    """What ``{% stars %}`` shows (also written by ``marketplace.storefront.cards``)."""
    try:
        count = max(0, min(MAX_STARS, int(count)))
    except (TypeError, ValueError):
        count = 0
    return {
        "count": count,
        "filled": "★" * count,
        "empty": "☆" * (MAX_STARS - count),
        "label": ngettext("%(count)s star", "%(count)s stars", count) % {"count": count},
    }


@register.inclusion_tag("includes/demo_badge.html")
def demo_badge(*objects) -> dict:
    """The "demo data" badge when any of ``objects`` is a demo row."""
    return {"show": any(getattr(obj, "is_demo", False) for obj in objects if obj is not None)}
