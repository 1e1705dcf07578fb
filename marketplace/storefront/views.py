from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.views import product_page_context
from marketplace.storefront.jsonld import product_jsonld
from marketplace.storefront.selectors import product_offers


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's product page plus where to buy it: every seller's visible offer."""
    context = product_page_context(slug=slug)
    certificate = context["current_certificate"]
    # No certificate in force: not for sale as OCOP, whatever offers exist.
    offers = list(product_offers(product=context["product"])) if certificate else []
    context["offers"] = offers
    context["jsonld"] = product_jsonld(
        product=context["product"],
        certificate=certificate,
        offers=offers,
        url=request.build_absolute_uri(request.path),
    )
    return render(request, "storefront/product_detail.html", context)
