"""Buyer-facing pages: home, product listings, a seller, and the offers on the product page.

Views are thin: validate the address and the query string, call the selectors, render. Every
offer shown comes from ``offers_visible``; stars always come from the certificate in force.

Each page is served through ``core.page_cache.catalogue_page``: rendered once per catalogue
version, address and language, then served from the cache with the visitor's header, messages
and CSRF token filled in. The ``build`` functions below run only when the page is not cached.
"""

from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from catalog.models import ProductSet
from catalog.product_page import photo_for_page
from catalog.selectors import current_categories
from core.catalogue_cache import catalogue_reads
from core.models import Province
from core.page_cache import catalogue_page
from core.site import site_url
from marketplace.storefront.cards import shop_card
from marketplace.storefront.filters import StorefrontFilter
from marketplace.storefront.jsonld import product_jsonld
from marketplace.storefront.offer_rows import offer_rows_attach
from marketplace.storefront.selectors import (
    CertifiedProductIds,
    featured_products,
    product_cards,
    product_offers,
    provinces_with_products,
    seller_offers,
)
from marketplace.storefront.seller_page import seller_page_sections
from marketplace.storefront.sitemaps import robots_txt, sitemap_index_entries
from sellers.models import Business

PRODUCTS_PER_PAGE = 24
# Listing addresses that are cached: the choice filters, sorting and the page number. Free text
# and typed prices make addresses without end; those pages are rendered every time.
LISTING_CACHED_PARAMS = frozenset(StorefrontFilter.base_filters) - {
    "q",
    "price_min",
    "price_max",
} | {"page"}


def _with_card_photos(products: list) -> list:
    """Set ``card_photo`` from the photos ``product_cards`` prefetched, and the card's markup
    (``card_html``, see ``marketplace.storefront.cards``)."""
    for product in products:
        photos = list(product.photos.all())
        product.card_photo = photo_for_page(photos[0]) if photos else None
        product.card_html = shop_card(product)
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


class OffersSection:
    """The product page's "where to buy" (``catalog.product_page``): every seller's visible
    offer — none without a certificate in force — and the page's schema.org JSON-LD."""

    template = "storefront/_product_offers.html"

    def context(self, request: HttpRequest, *, product, certificate, page: dict) -> dict:
        # No certificate in force: not for sale as OCOP, whatever offers exist.
        offers = []
        if certificate:
            with catalogue_reads(products=[product.pk]):
                offers = offer_rows_attach(list(product_offers(product=product)))
        images = [
            site_url(request) + p["src"] if p["src"].startswith("/") else p["src"]
            for p in page["photos"]
        ]
        return {
            "offers": offers,
            "head_html": product_jsonld(
                product=product,
                certificate=certificate,
                offers=offers,
                url=site_url(request) + request.path,
                images=images,
            ),
        }


def seller_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    def build():
        seller = get_object_or_404(Business.objects.select_related("province"), slug=slug)
        with catalogue_reads(sellers=[seller.pk]):
            offers = offer_rows_attach(list(seller_offers(seller=seller)))
        context = {"seller": seller, "offers": offers}
        sections = []
        for section in seller_page_sections():
            context.update(section.context(request, seller=seller))
            sections.append(section.template)
        context["sections"] = sections
        return "storefront/seller_detail.html", context

    return catalogue_page(request, build=build)


def sitemap_index_view(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: an index of the section sitemaps (``storefront.sitemaps``)."""
    entries = [SitemapIndexItem(location, None) for location in sitemap_index_entries()]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


def robots_txt_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(robots_txt(), content_type="text/plain; charset=utf-8")
