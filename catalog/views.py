"""Pages of the registry: the lookup, the one product page, a certificate, a business.

Views are thin: validate the query string, call the selectors, shape for display, render. The
business page lives here rather than in ``sellers`` because it lists products, and the
dependency direction is catalog → sellers (``sellers`` never imports ``catalog``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from catalog.filters import RegistryFilter
from catalog.models import Certificate, EvaluationChoice, EvaluationPart
from catalog.product_page import photo_for_page, product_page_sections, rich_text
from catalog.selectors import (
    page_certificate_in_force,
    product_list,
    product_list_for_display,
    product_page,
)
from core.page_cache import catalogue_page
from sellers.models import Business

PRODUCTS_PER_PAGE = 24


def product_list_view(request: HttpRequest) -> HttpResponse:
    filterset = RegistryFilter(request.GET)
    filterset.is_valid()  # invalid fields drop out of the filtering and are reported on the page
    products = product_list_for_display(queryset=filterset.qs)
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    # Evaluated once here: the prefetches then run once for the page, not per product.
    page.object_list = list(page.object_list)
    return render(
        request,
        "catalog/product_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "products": page.object_list,
            # Filters and the alias share one canonical address; later pages keep their number.
            "canonical_path": reverse("catalog:registry")
            + (f"?page={page.number}" if page.number > 1 else ""),
        },
    )


def product_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The one product page: the product, its certificate in force, photos, description and
    history, and the sections packages above add (``catalog.product_page``). Cached per
    catalogue version like every catalogue page."""
    hole_params = frozenset().union(
        *(getattr(section, "hole_params", ()) for section in product_page_sections())
    )
    return catalogue_page(
        request, build=lambda: _product_detail(request, slug), hole_params=hole_params
    )


def _product_detail(request: HttpRequest, slug: str) -> tuple[str, dict]:
    product = product_page(slug=slug)
    if product is None:
        raise Http404
    certificate = page_certificate_in_force(product=product)
    context = {
        "product": product,
        "current_certificate": certificate,
        "variants": product.page_variants,
        "evaluations": product.history,
        "photos": [photo_for_page(photo) for photo in product.page_photos],
        "description_html": rich_text(product.description),
        "story_html": rich_text(product.story),
        "canonical_path": request.path,
    }
    sections = []
    for section in product_page_sections():
        context.update(
            section.context(request, product=product, certificate=certificate, page=context)
        )
        sections.append(section.template)
    context["sections"] = sections
    return "catalog/product_detail.html", context


@dataclass
class _GroupRows:
    """One criterion group of the score sheet with the options the council chose in it."""

    group: object
    choices: list = field(default_factory=list)

    @property
    def score(self) -> Decimal:
        return sum((c.option.points for c in self.choices), Decimal(0))


def _choices_by_group(choices) -> list[_GroupRows]:
    groups: dict[int, _GroupRows] = {}
    for choice in choices:
        group = choice.criterion.group
        groups.setdefault(group.pk, _GroupRows(group=group)).choices.append(choice)
    return sorted(groups.values(), key=lambda g: (g.group.part.code, g.group.position))


def certificate_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    queryset = Certificate.objects.select_related(
        "product__holder__province",
        "product__product_set__category",
        "decision__province",
        "decision__framework",
        "evaluation__framework",
        "evaluation__product_set",
        "superseded_by",
    ).prefetch_related(
        Prefetch("evaluation__parts", queryset=EvaluationPart.objects.select_related("part")),
        Prefetch(
            "evaluation__choices",
            queryset=EvaluationChoice.objects.select_related(
                "criterion__group__part", "option"
            ).order_by("criterion__group__position", "criterion__position"),
        ),
    )
    certificate = get_object_or_404(queryset, number=number)
    evaluation = certificate.evaluation
    parts = list(evaluation.parts.all())
    return render(
        request,
        "catalog/certificate_detail.html",
        {
            "certificate": certificate,
            "certificate_state": certificate.status_on(timezone.localdate()),
            "product": certificate.product,
            "evaluation": evaluation,
            "parts": parts,
            "parts_max": sum((p.part.max_points for p in parts), 0),
            "groups": _choices_by_group(evaluation.choices.all()),
        },
    )


def business_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    business = get_object_or_404(
        Business.objects.select_related("province", "legacy_province"), slug=slug
    )
    products = list(
        product_list_for_display(
            queryset=product_list().filter(holder=business).order_by("name_folded", "id")
        )
    )
    return render(
        request,
        "catalog/business_detail.html",
        {"business": business, "products": products},
    )
