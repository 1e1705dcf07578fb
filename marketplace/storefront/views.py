"""Buyer-facing pages: home, product listings, the product page with its offers, a seller.

Views are thin: validate the address and the query string, call the selectors, render. Every
offer shown comes from ``offers_visible``; stars always come from the certificate in force.

Each page is served through ``core.page_cache.catalogue_page``: rendered once per catalogue
version, address and language, then served from the cache with the visitor's header, messages
and CSRF token filled in. The ``build`` functions below run only when the page is not cached.
"""

import unicodedata

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from catalog.content import html_sanitise
from catalog.models import ProductPhoto, ProductSet
from core.models import Province
from core.page_cache import catalogue_page
from core.site import site_url
from marketplace.storefront.filters import StorefrontFilter
from marketplace.storefront.jsonld import product_jsonld
from marketplace.storefront.selectors import (
    CertifiedProductIds,
    current_categories,
    featured_products,
    page_certificate_in_force,
    product_cards,
    product_offers,
    product_page,
    provinces_with_products,
    seller_offers,
)
from sellers.models import Business

PRODUCTS_PER_PAGE = 24
# Listing addresses that are cached: the choice filters, sorting and the page number. Free text
# and typed prices make addresses without end; those pages are rendered every time.
LISTING_CACHED_PARAMS = frozenset(StorefrontFilter.base_filters) - {
    "q",
    "price_min",
    "price_max",
} | {"page"}


def _photo(photo: ProductPhoto) -> dict:
    """What an <img> needs: the stored renditions (narrowest first) plus the original make the
    srcset, so phones download the small copy."""
    candidates = [(r["name"], r["width"]) for r in photo.renditions or []]
    candidates.append((photo.image.name, photo.width))
    return {
        "src": photo.image.url,
        "srcset": ", ".join(f"{default_storage.url(name)} {width}w" for name, width in candidates),
        "width": photo.width,
        "height": photo.height,
        "alt": photo.alt_text,
    }


def _rich_text(value: str) -> str:
    """Description or story for the page. What ``catalog.content`` stored is nh3 output, and
    sanitising it again changes nothing: only that text is rendered as HTML. Anything else
    (imported plain text, older rows) is escaped with its line breaks kept."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if text and html_sanitise(text) == text:
        return mark_safe(text)
    return mark_safe(linebreaks(text, autoescape=True))


def _with_card_photos(products: list) -> list:
    """Set ``card_photo`` from the photos ``product_cards`` prefetched."""
    for product in products:
        photos = list(product.photos.all())
        product.card_photo = _photo(photos[0]) if photos else None
    return products


def home_view(request: HttpRequest) -> HttpResponse:
    return catalogue_page(request, build=_home)


def _home() -> tuple[str, dict]:
    five, four = featured_products(stars=5), featured_products(stars=4)
    cards = {p.pk: p for p in _with_card_photos(product_cards(product_ids=five + four))}
    return "storefront/home.html", {
        "five_stars": [cards[pk] for pk in five if pk in cards],
        "four_stars": [cards[pk] for pk in four if pk in cards],
        "categories": list(current_categories()),
        "provinces": list(provinces_with_products()),
    }


def _listing(
    request: HttpRequest, *, scope: dict | None = None, heading: str = "", lead=None
) -> tuple[str, dict]:
    filterset = StorefrontFilter(request.GET, scope=scope)
    filterset.is_valid()  # the sort key comes from the cleaned data
    if not scope and not filterset.filtered and filterset.sort_key() == "stars":
        # The whole catalogue in its default order: by star level, see CertifiedProductIds.
        ids = CertifiedProductIds()
    else:
        # Sort and cut the page on ids alone (a narrow row per product), then load the page's
        # cards by id: sorting full-width rows to keep 24 cost most of the listing's SQL time.
        ids = filterset.qs.values_list("pk", flat=True)
    page = Paginator(ids, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_card_photos(product_cards(product_ids=list(page.object_list)))
    return "storefront/product_list.html", {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "products": page.object_list,
        "heading": heading,
        "lead": lead,
        # Filters, sorting and page numbers are views of one list: one canonical address.
        "canonical_path": request.path,
    }


def product_list_view(request: HttpRequest) -> HttpResponse:
    return catalogue_page(
        request, build=lambda: _listing(request), cached_params=LISTING_CACHED_PARAMS
    )


def category_view(request: HttpRequest, slug: str) -> HttpResponse:
    def build():
        category = get_object_or_404(current_categories(), slug=slug)
        return _listing(request, scope={"category": category.slug}, heading=category)

    return catalogue_page(request, build=build, cached_params=LISTING_CACHED_PARAMS)


def product_set_view(request: HttpRequest, number: int) -> HttpResponse:
    def build():
        product_set = get_object_or_404(
            ProductSet.objects.filter(framework__in=current_categories().values("framework")),
            number=number,
        )
        return _listing(request, scope={"set": str(product_set.number)}, heading=product_set)

    return catalogue_page(request, build=build, cached_params=LISTING_CACHED_PARAMS)


def province_view(request: HttpRequest, slug: str) -> HttpResponse:
    def build():
        province = get_object_or_404(Province, slug=slug)
        return _listing(request, scope={"province": province.slug}, heading=province)

    return catalogue_page(request, build=build, cached_params=LISTING_CACHED_PARAMS)


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's product page plus where to buy it: every seller's visible offer."""
    return catalogue_page(request, build=lambda: _product_detail(request, slug))


def _product_detail(request: HttpRequest, slug: str) -> tuple[str, dict]:
    product = product_page(slug=slug)
    if product is None:
        raise Http404
    certificate = page_certificate_in_force(product=product)
    # No certificate in force: not for sale as OCOP, whatever offers exist.
    offers = list(product_offers(product=product)) if certificate else []
    photos = [_photo(photo) for photo in product.page_photos]
    context = dict(
        product=product,
        current_certificate=certificate,
        evaluations=product.history,
        offers=offers,
        photos=photos,
        description_html=_rich_text(product.description),
        story_html=_rich_text(product.story),
        canonical_path=request.path,
        jsonld=product_jsonld(
            product=product,
            certificate=certificate,
            offers=offers,
            url=site_url(request) + request.path,
            images=[
                site_url(request) + p["src"] if p["src"].startswith("/") else p["src"]
                for p in photos
            ],
        ),
    )
    return "storefront/product_detail.html", context


def seller_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    def build():
        seller = get_object_or_404(Business.objects.select_related("province"), slug=slug)
        return "storefront/seller_detail.html", {
            "seller": seller,
            "offers": list(seller_offers(seller=seller)),
        }

    return catalogue_page(request, build=build)
