"""Buyer-facing pages: home, product listings, the product page with its offers, a seller.

Views are thin: validate the address and the query string, call the selectors, render. Every
offer shown comes from ``offers_visible``; stars always come from the certificate in force.
"""

import unicodedata

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from catalog.content import html_sanitise
from catalog.models import ProductPhoto, ProductSet
from catalog.views import product_page_context
from core.models import Province
from marketplace.storefront.filters import StorefrontFilter
from marketplace.storefront.jsonld import product_jsonld
from marketplace.storefront.selectors import (
    current_categories,
    featured_products,
    product_cards,
    product_offers,
    products_in_stock,
    provinces_with_products,
    seller_offers,
)
from sellers.models import Business

PRODUCTS_PER_PAGE = 24


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


def _with_card_photos(products) -> list:
    """Cards need a photo and the stock flag: photos are prefetched by ``product_cards``; the
    flag comes from the in-stock filter's annotation, or one query for the cards on show."""
    unknown = [p.pk for p in products if not hasattr(p, "in_stock")]
    stocked = products_in_stock(product_ids=unknown) if unknown else set()
    for product in products:
        photos = list(product.photos.all())
        product.card_photo = _photo(photos[0]) if photos else None
        if not hasattr(product, "in_stock"):
            product.in_stock = product.pk in stocked
    return products


def home_view(request: HttpRequest) -> HttpResponse:
    five, four = featured_products(stars=5), featured_products(stars=4)
    _with_card_photos(five + four)  # one stock query for both rows
    return render(
        request,
        "storefront/home.html",
        {
            "five_stars": five,
            "four_stars": four,
            "categories": list(current_categories()),
            "provinces": list(provinces_with_products()),
        },
    )


def _listing(request: HttpRequest, *, scope: dict | None = None, heading: str = "", lead=None):
    filterset = StorefrontFilter(request.GET, scope=scope)
    products = filterset.qs
    # Sort and cut the page on ids alone (a narrow row per product), then load the page's cards
    # in full: sorting 20,000 full-width rows to keep 24 was most of the listing's SQL time.
    page = Paginator(products.values_list("pk", flat=True), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    cards = {p.pk: p for p in product_cards(products.order_by().filter(pk__in=ids))}
    # Prefetches ran once for the page when the dict was built, not per card.
    page.object_list = _with_card_photos([cards[pk] for pk in ids if pk in cards])
    return render(
        request,
        "storefront/product_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "products": page.object_list,
            "heading": heading,
            "lead": lead,
            # Filters, sorting and page numbers are views of one list: one canonical address.
            "canonical_path": request.path,
        },
    )


def product_list_view(request: HttpRequest) -> HttpResponse:
    return _listing(request)


def category_view(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(current_categories(), slug=slug)
    return _listing(request, scope={"category": category.slug}, heading=category)


def product_set_view(request: HttpRequest, number: int) -> HttpResponse:
    product_set = get_object_or_404(
        ProductSet.objects.filter(framework__in=current_categories().values("framework")),
        number=number,
    )
    return _listing(request, scope={"set": str(product_set.number)}, heading=product_set)


def province_view(request: HttpRequest, slug: str) -> HttpResponse:
    province = get_object_or_404(Province, slug=slug)
    return _listing(request, scope={"province": province.slug}, heading=province)


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's product page plus where to buy it: every seller's visible offer."""
    context = product_page_context(slug=slug)
    product = context["product"]
    certificate = context["current_certificate"]
    # No certificate in force: not for sale as OCOP, whatever offers exist.
    offers = list(product_offers(product=product)) if certificate else []
    photos = [_photo(photo) for photo in product.photos.order_by("position", "id")]
    context.update(
        offers=offers,
        photos=photos,
        description_html=_rich_text(product.description),
        story_html=_rich_text(product.story),
        canonical_path=request.path,
        jsonld=product_jsonld(
            product=product,
            certificate=certificate,
            offers=offers,
            url=settings.SITE_URL + request.path,
            images=[
                settings.SITE_URL + p["src"] if p["src"].startswith("/") else p["src"]
                for p in photos
            ],
        ),
    )
    return render(request, "storefront/product_detail.html", context)


def seller_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    seller = get_object_or_404(Business.objects.select_related("province"), slug=slug)
    return render(
        request,
        "storefront/seller_detail.html",
        {"seller": seller, "offers": list(seller_offers(seller=seller))},
    )
