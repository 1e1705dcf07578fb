"""The one product page, ``/san-pham/<slug>/``: the registry's product, and the sections the
packages above catalog add to it.

catalog owns the page (the product, its certificate in force, photos, description, story and
evaluation history) but may not import what sells it. A package above registers a section when
Django starts (``marketplace.storefront`` adds where to buy and the JSON-LD): the page calls
each section's ``context`` with what it has built and includes its template where the sections
go. There is no second product page and no route that only exists to be shadowed.
"""

from __future__ import annotations

import unicodedata
from typing import Protocol

from django.http import HttpRequest
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.content import html_sanitise
from catalog.models import Certificate, Product, ProductPhoto
from core.media import media_url


class ProductPageSection(Protocol):
    template: str

    def context(
        self, request: HttpRequest, *, product: Product, certificate: Certificate | None, page: dict
    ) -> dict:
        """What the section's template needs, merged into the page's context (``page`` is that
        context so far: the product, its certificate, ``photos``…). ``head_html`` goes into the
        page's <head>. A section that depends on the visitor or the time puts a
        ``core.page_cache.page_hole`` in its template instead, and names the query parameters
        its hole reads in ``hole_params`` (kept out of the page's cache key)."""


_sections: list[ProductPageSection] = []


def product_page_section_register(section: ProductPageSection) -> None:
    """Called by a package above catalog in its ``AppConfig.ready``; sections show in the order
    they are registered."""
    _sections.append(section)


def product_page_sections() -> list[ProductPageSection]:
    """In registration order, except that a section may ask to come later with a ``position``
    (default 0): the app order of INSTALLED_APPS is not the reading order of the page."""
    return sorted(_sections, key=lambda section: getattr(section, "position", 0))


def photo_for_page(photo: ProductPhoto) -> dict:
    """What an <img> needs: the stored renditions (narrowest first) plus the original make the
    srcset, so phones download the small copy. Any ``core.models.StoredImage`` (a product's
    photo, a point of sale's); only product photos can be generated illustrations."""
    illustration = getattr(photo, "is_illustration", False)
    candidates = [(r["name"], r["width"]) for r in photo.renditions or []]
    candidates.append((photo.image.name, photo.width))
    return {
        "src": media_url(photo.image.name) if photo.image.name else photo.image.url,
        "srcset": ", ".join(f"{media_url(name)} {width}w" for name, width in candidates),
        "width": photo.width,
        "height": photo.height,
        "alt": photo_alt(photo.alt_text, illustration=illustration),
        "illustration": illustration,
    }


def photo_alt(alt_text: str, *, illustration: bool) -> str:
    """The alt text pages give a photo: a generated illustration says it is one (in the reader's
    language), so a screen reader hears what the badge shows."""
    if illustration:
        return _("Illustration: %(name)s") % {"name": alt_text}
    return alt_text


def rich_text(value: str) -> str:
    """Description or story for the page. What ``catalog.content`` stored is nh3 output, and
    sanitising it again changes nothing: only that text is rendered as HTML. Anything else
    (imported plain text, older rows) is escaped with its line breaks kept."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if text and html_sanitise(text) == text:
        return mark_safe(text)
    return mark_safe(linebreaks(text, autoescape=True))
