"""Search pages: the results page ``/tim-kiem/``, the header's suggestions as JSON, and the
index health page for staff.

Thin views: the form validates the query string, the backend chosen in settings answers
(``core.search.search_backend``), the cards are drawn from the documents alone — a results
page costs the same few SQL statements whatever it shows (vocabulary, facet counts, labels,
the page of documents).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.product_page import photo_alt
from core.search import (
    BUSINESS,
    ORDER_RELEVANCE,
    PRODUCT,
    SearchFilters,
    search_backend,
)
from core.text import nfc
from search.documents import PRICE_BANDS, document_types
from sellers.models import SellerType

RESULTS_PER_PAGE = 24
# The facets in the order the page shows them: (name in the query string, title).
FACET_TITLES = (
    ("stars", _("Stars")),
    ("in_stock", _("Availability")),
    ("price", _("Price")),
    ("seller_type", _("Sold by")),
    ("province", _("Province")),
    ("category", _("Category")),
    ("set", _("Product set")),
)
OTHER_KINDS_SHOWN = 3
QUERY_MAX_LENGTH = 100

SORT_CHOICES = [
    (ORDER_RELEVANCE, _("Best match")),
    ("stars", _("Stars (most first)")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("name", _("Name (A–Z)")),
]


class SearchForm(forms.Form):
    """The query string of ``/tim-kiem/``. A value that does not validate is dropped (and the
    page says so) rather than failing the page."""

    q = forms.CharField(required=False, max_length=QUERY_MAX_LENGTH)
    stars = forms.TypedChoiceField(
        required=False, choices=[("3", "3"), ("4", "4"), ("5", "5")], coerce=int, empty_value=None
    )
    province = forms.SlugField(required=False, max_length=100)
    category = forms.SlugField(required=False, max_length=120)
    set = forms.TypedChoiceField(
        required=False,
        choices=[(str(n), str(n)) for n in range(1, 27)],
        coerce=int,
        empty_value=None,
    )
    price = forms.ChoiceField(required=False, choices=[(key, key) for key in PRICE_BANDS])
    seller_type = forms.ChoiceField(required=False, choices=SellerType.choices)
    in_stock = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def clean_q(self) -> str:
        return nfc(self.cleaned_data.get("q"))

    def value(self, name: str):
        return getattr(self, "cleaned_data", {}).get(name)

    def filters(self) -> SearchFilters:
        return SearchFilters(
            stars=self.value("stars"),
            province=self.value("province") or "",
            category=self.value("category") or "",
            product_set=self.value("set"),
            price_band=self.value("price") or "",
            seller_type=self.value("seller_type") or "",
            in_stock=bool(self.value("in_stock")),
        )


class _Hits:
    """The search as a sequence for ``Paginator``: the total and one page, fetched together by
    one search for the page asked for (again only if the paginator moves to another page)."""

    def __init__(self, *, query: str, filters: SearchFilters, order: str, first_offset: int):
        self.query, self.filters, self.order = query, filters, order
        self.results = self._fetch(first_offset)
        self.offset = first_offset

    def _fetch(self, offset: int):
        return search_backend().search(
            query=self.query,
            filters=self.filters,
            order=self.order,
            offset=offset,
            limit=RESULTS_PER_PAGE,
        )

    def count(self) -> int:
        return self.results.total

    def __len__(self) -> int:
        return self.results.total

    def __getitem__(self, index: slice):
        start = index.start or 0
        if start != self.offset:
            facets = self.results.facets
            self.results, self.offset = self._fetch(start), start
            self.results.facets = facets
        return self.results.hits


def _photo(card: dict) -> dict | None:
    photo = card.get("photo")
    if not photo:
        return None
    candidates = [(r["name"], r["width"]) for r in photo.get("renditions") or []]
    candidates.append((photo["name"], photo["width"]))
    return {
        "src": default_storage.url(photo["name"]),
        "srcset": ", ".join(f"{default_storage.url(n)} {w}w" for n, w in candidates),
        "width": photo["width"],
        "height": photo["height"],
        "alt": photo_alt(photo.get("alt", ""), illustration=photo.get("illustration", False)),
        "illustration": photo.get("illustration", False),
    }


def _facet_groups(request: HttpRequest, facets: dict) -> list[dict]:
    """Each facet's values with the address that selects it (or, when selected, drops it);
    any other filter and the query stay, the page number goes."""
    groups = []
    for name, title in FACET_TITLES:
        values = []
        for value in facets.get(name, []):
            params = request.GET.copy()
            params.pop("page", None)
            if value.selected:
                params.pop(name, None)
            else:
                params[name] = value.value
            values.append(
                {
                    "value": value.value,
                    "label": value.label,
                    "count": value.count,
                    "selected": value.selected,
                    "url": f"{request.path}?{params.urlencode()}",
                }
            )
        groups.append({"name": name, "title": title, "values": values})
    return groups


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()
    query = form.value("q") or ""
    filters = form.filters()
    order = form.value("sort") or (ORDER_RELEVANCE if query else "stars")
    number = _page_number(request)
    hits = _Hits(
        query=query, filters=filters, order=order, first_offset=(number - 1) * RESULTS_PER_PAGE
    )
    page = Paginator(hits, RESULTS_PER_PAGE).get_page(number)
    for hit in page.object_list:
        hit.photo = _photo(hit.card)
    others = []
    if query and page.number == 1:
        # Producers (and any other kind registered later) that match, beside the products.
        for document_type in document_types():
            if document_type.kind == PRODUCT:
                continue
            found = search_backend().search(
                query=query, kind=document_type.kind, limit=OTHER_KINDS_SHOWN, facets=False
            )
            if found.hits:
                others.append(
                    {"label": document_type.label, "kind": document_type.kind, "results": found}
                )
    results = hits.results
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "query": query,
            "filters": filters,
            "results": results,
            "page": page,
            "hits": page.object_list,
            "facet_groups": _facet_groups(request, results.facets),
            "others": others,
            "sort_choices": SORT_CHOICES,
            "order": order,
            "narrowed": any(
                request.GET.get(name)
                for name in (
                    "stars",
                    "province",
                    "category",
                    "set",
                    "price",
                    "seller_type",
                    "in_stock",
                )
            ),
            "business_kind": BUSINESS,
            "canonical_path": request.path,
        },
    )


@require_GET
def suggest_view(request: HttpRequest) -> JsonResponse:
    """``?q=gio l`` → ``{"query": "gio l", "suggestions": [{"kind", "title", "url",
    "subtitle", "highlight"}]}``; the header's search box asks as the buyer types."""
    query = nfc(request.GET.get("q", ""))[:QUERY_MAX_LENGTH]
    suggestions = search_backend().suggest(prefix=query) if query else []
    response = JsonResponse(
        {
            "query": query,
            "suggestions": [
                {
                    "kind": s.kind,
                    "title": s.title,
                    "url": s.url,
                    "subtitle": s.subtitle,
                    "highlight": s.highlight,
                }
                for s in suggestions
            ],
        }
    )
    # Anonymous and the same for everyone: a browser may keep it while the buyer types on.
    response["Cache-Control"] = "public, max-age=60"
    return response


@staff_member_required
def health_view(request: HttpRequest) -> HttpResponse:
    health = search_backend().health()
    return render(
        request,
        "search/health.html",
        {"health": health, "kinds": {t.kind: t.label for t in document_types()}},
    )
