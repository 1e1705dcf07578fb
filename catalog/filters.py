"""The product filters every listing shares, as django-filter FilterSets.

``ProductFilter`` holds the registry filters (text, stars, province, category, product set):
they reach ``catalog.selectors.product_list`` together, so the text search folds diacritics
exactly as the API does. The registry lookup (``/tra-cuu/``) adds the certificate status and
its orderings (``RegistryFilter``); the storefront's listings add their offer filters on the same
base (``marketplace.storefront.filters.StorefrontFilter``). An invalid value drops out of
``cleaned_data`` and the page says so instead of failing.
"""

from django import forms
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, Filter, FilterSet

from catalog.models import (
    Certificate,
    CertificateStatus,
    Product,
    ProductSet,
)
from catalog.rules import star_choices
from catalog.selectors import current_categories, product_list
from core.catalogue_cache import catalogue_local
from core.forms import QuickSelect
from core.models import Province
from core.search import search_backend
from core.text import nfc, vi_sort_key

# "" is the default: only products with a certificate in force, which is what the public sees.
STATUS_ALL = "all"
STATUS_CHOICES = [
    (CertificateStatus.EXPIRED.value, _("Certificate expired")),
    (CertificateStatus.REVOKED.value, _("Certificate revoked")),
    (STATUS_ALL, _("All products, any certificate status")),
]
# "relevance" orders by how well a product matches the words searched for (the search
# backend's ranking, as on /tim-kiem/); it is the default when there are words.
SORT_RELEVANCE = "relevance"
REGISTRY_SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    ("name", _("Name (A–Z)")),
    ("stars", _("Stars (most first)")),
    ("newest", _("Newest certificate")),
]
STAR_CHOICES = star_choices()
# The fields a listing's own address can fix (/danh-muc/<slug>/, /bo-san-pham/<n>/, /tinh/<slug>/).
SCOPES = ("category", "set", "province")


def _name(obj) -> str:
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


def _filter_choices(names: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """The choices of the province, category and product set filters among ``names``, in the
    active language: one query each."""
    choices = {}
    if "province" in names:
        provinces = Province.objects.only("slug", "name")
        choices["province"] = [
            (p.slug, p.name) for p in sorted(provinces, key=lambda p: vi_sort_key(p.name))
        ]
    if "category" in names:
        choices["category"] = [(c.slug, _name(c)) for c in current_categories()]
    if "set" in names:
        sets = ProductSet.objects.filter(framework__in=current_categories().values("framework"))
        choices["set"] = [
            (str(s.number), f"{s.number}. {_name(s)}") for s in sets.order_by("number")
        ]
    return choices


class TextFilter(Filter):
    field_class = forms.CharField


class ProductFilter(FilterSet):
    """The registry filters of every product listing. Subclasses apply everything in
    ``filter_queryset`` (not per field), starting from ``registry_kwargs()``."""

    default_sort = "name"

    q = TextFilter(
        label=_("Search"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Product or producer, e.g. mat ong")}
        ),
    )
    stars = ChoiceFilter(
        label=_("Stars"), choices=STAR_CHOICES, empty_label=_("Any"), widget=QuickSelect
    )
    province = ChoiceFilter(label=_("Province"), empty_label=_("Any"), widget=QuickSelect)
    category = ChoiceFilter(label=_("Category"), empty_label=_("Any"), widget=QuickSelect)
    set = ChoiceFilter(label=_("Product set"), empty_label=_("Any"), widget=QuickSelect)

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, data=None, *, scope: dict | None = None, **kwargs):
        # ``scope`` is what the address fixes; its field leaves the form (the address says it).
        self.scope = scope or {}
        super().__init__(data, queryset=Product.objects.none(), **kwargs)
        for name in self.scope:
            self.filters.pop(name, None)
        # Reference data: kept per catalogue version rather than read on every listing.
        names = tuple(name for name in ("province", "category", "set") if name in self.filters)
        choices = catalogue_local(
            key=f"catalog:filter-choices:{','.join(names)}", build=lambda: _filter_choices(names)
        )
        for name in names:
            self.filters[name].extra["choices"] = choices[name]

    @property
    def values(self) -> dict:
        """The valid values, with the address's scope on top."""
        data = dict(getattr(self.form, "cleaned_data", {}))
        data.update(self.scope)
        return data

    @property
    def filtered(self) -> bool:
        """Whether the visitor narrowed the list (opens the filter panel, offers "clear")."""
        return any(self.data.get(name) for name in self.filters if name != "sort")

    def sort_key(self) -> str:
        return self.values.get("sort") or self.default_sort

    def registry_kwargs(self) -> dict:
        """Keyword arguments for ``catalog.selectors.product_list`` from the valid values."""
        data = self.values
        return {
            "text": nfc(data.get("q") or ""),
            "stars": int(data["stars"]) if data.get("stars") else None,
            "province_slug": data.get("province") or "",
            "category_slug": data.get("category") or "",
            "product_set": int(data["set"]) if data.get("set") else None,
        }


class RegistryFilter(ProductFilter):
    """The registry lookup: certified products by default, expired or revoked ones on request."""

    status = ChoiceFilter(
        label=_("Certificate"),
        choices=STATUS_CHOICES,
        empty_label=_("Certificate in force"),
        widget=QuickSelect,
    )
    sort = ChoiceFilter(
        label=_("Order by"), choices=REGISTRY_SORT_CHOICES, empty_label=None, widget=QuickSelect
    )

    def __init__(self, data=None, **kwargs):
        if data is not None and not data.get("sort"):
            # The order applied is the order the form shows: best match when words are given.
            data = data.copy()
            data["sort"] = SORT_RELEVANCE if (data.get("q") or "").strip() else self.default_sort
        super().__init__(data, **kwargs)

    def sort_key(self) -> str:
        return self.values.get("sort") or (
            SORT_RELEVANCE if self.values.get("q") else self.default_sort
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[Product]:
        status = self.values.get("status") or ""
        kwargs = self.registry_kwargs()
        products = product_list(
            **kwargs,
            certificate_status="" if status == STATUS_ALL else status,
            certified_only=status != STATUS_ALL,
        )
        return product_ordering(products, key=self.sort_key(), text=kwargs["text"])


def product_ordering(queryset: QuerySet, *, key: str, text: str = "") -> QuerySet:
    """Order a ``product_list`` queryset for the registry; ``id`` last keeps pages stable.
    Best match is the search backend's relevance for ``text`` (then stars, as search does);
    without words it is the name order."""
    if key == SORT_RELEVANCE and text.strip():
        return queryset.annotate(
            search_relevance=search_backend().product_relevance(query=text)
        ).order_by(
            "-search_relevance", F("current_stars").desc(nulls_last=True), "name_folded", "id"
        )
    if key == "stars":
        return queryset.order_by(F("current_stars").desc(nulls_last=True), "name_folded", "id")
    if key == "newest":
        latest_from = Certificate.objects.filter(product=OuterRef("pk")).order_by(
            "-valid_from", "-id"
        )
        return queryset.annotate(
            latest_valid_from=Subquery(latest_from.values("valid_from")[:1])
        ).order_by(F("latest_valid_from").desc(nulls_last=True), "-id")
    return queryset.order_by("name_folded", "id")
