"""The storefront's product filters and sorts, as a django-filter FilterSet.

Registry filters (text, stars, province, category, product set) go through
``catalog.selectors.product_list`` so the text search folds diacritics exactly as the registry
and the API do; offer filters (price, seller type, in stock) look at visible offers only. An
invalid value drops out of ``cleaned_data`` and the page says so instead of failing.
"""

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, Filter, FilterSet

from catalog.models import Product, ProductSet
from catalog.rules import star_choices
from catalog.selectors import product_list
from core.models import Province
from core.text import nfc
from marketplace.offers.models import PRICE_MAX
from marketplace.offers.selectors import offers_visible
from marketplace.storefront.selectors import (
    current_categories,
    storefront_ordering,
    with_offer_summary,
)
from sellers.models import SellerType

SORT_CHOICES = [
    ("stars", _("Stars (most first)")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("newest", _("Newest")),
]
STAR_CHOICES = star_choices()
# The fields a listing's own address can fix (/danh-muc/<slug>/, /bo-san-pham/<n>/, /tinh/<slug>/).
SCOPES = ("category", "set", "province")


def _name(obj) -> str:
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


class _QuickSelect(forms.Select):
    """A ``<select>`` written in Python, same markup as Django's template. The template renderer
    takes ≈ 0.1 ms per ``<option>``; the province and product-set lists alone have 60, which
    made the filter form the dearest part of the listing page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_options, _index in widget["optgroups"]:
            rendered = [
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in group_options
            ]
            if group_name:
                options.append(
                    format_html('<optgroup label="{}">', group_name)
                    + mark_safe("\n".join(rendered))
                    + mark_safe("</optgroup>")
                )
            else:
                options.extend(rendered)
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("\n".join(options)),
        )


class _IntegerFilter(Filter):
    field_class = forms.IntegerField  # whole đồng; NumberFilter would accept decimals


class _CheckboxFilter(Filter):
    field_class = forms.BooleanField  # a plain checkbox sends "on"


class _TextFilter(Filter):
    field_class = forms.CharField


def _price_field(label):
    return _IntegerFilter(
        label=label,
        min_value=0,
        max_value=PRICE_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000, "min": 0}),
    )


class StorefrontFilter(FilterSet):
    """Every filter is applied in ``filter_queryset`` (not per field): the registry filters must
    reach ``product_list`` together, and the offer filters need its annotations."""

    q = _TextFilter(
        label=_("Search"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Product or producer, e.g. mat ong")}
        ),
    )
    stars = ChoiceFilter(
        label=_("Stars"), choices=STAR_CHOICES, empty_label=_("Any"), widget=_QuickSelect
    )
    province = ChoiceFilter(label=_("Province"), empty_label=_("Any"), widget=_QuickSelect)
    category = ChoiceFilter(label=_("Category"), empty_label=_("Any"), widget=_QuickSelect)
    set = ChoiceFilter(label=_("Product set"), empty_label=_("Any"), widget=_QuickSelect)
    price_min = _price_field(_("Price from (₫)"))
    price_max = _price_field(_("Price up to (₫)"))
    seller_type = ChoiceFilter(
        label=_("Sold by"),
        choices=SellerType.choices,
        empty_label=_("Any seller"),
        widget=_QuickSelect,
    )
    in_stock = _CheckboxFilter(label=_("In stock only"))
    sort = ChoiceFilter(
        label=_("Order by"), choices=SORT_CHOICES, empty_label=None, widget=_QuickSelect
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, data=None, *, scope: dict | None = None, **kwargs):
        # ``scope`` is what the address fixes; its field leaves the form (the address says it).
        self.scope = scope or {}
        super().__init__(data, queryset=Product.objects.none(), **kwargs)
        for name in self.scope:
            self.filters.pop(name, None)
        if "province" in self.filters:
            self.filters["province"].extra["choices"] = [
                (p.slug, p.name) for p in Province.objects.order_by("name").only("slug", "name")
            ]
        if "category" in self.filters:
            self.filters["category"].extra["choices"] = [
                (c.slug, _name(c)) for c in current_categories()
            ]
        if "set" in self.filters:
            sets = ProductSet.objects.filter(framework__in=current_categories().values("framework"))
            self.filters["set"].extra["choices"] = [
                (str(s.number), f"{s.number}. {_name(s)}") for s in sets.order_by("number")
            ]

    @property
    def values(self) -> dict:
        """The valid values, with the address's scope on top."""
        data = dict(getattr(self.form, "cleaned_data", {}))
        data.update(self.scope)
        return data

    @property
    def filtered(self) -> bool:
        """Whether the shopper narrowed the list (opens the filter panel, offers "clear")."""
        return any(self.data.get(name) for name in self.filters if name != "sort")

    def sort_key(self) -> str:
        return self.values.get("sort") or "stars"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[Product]:
        data = self.values
        products = product_list(
            text=nfc(data.get("q") or ""),
            stars=int(data["stars"]) if data.get("stars") else None,
            province_slug=data.get("province") or "",
            category_slug=data.get("category") or "",
            product_set=int(data["set"]) if data.get("set") else None,
        )
        products = with_offer_summary(
            products,
            price=self.sort_key() in ("price_asc", "price_desc"),
            stock=bool(data.get("in_stock")),
        )
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None or high is not None:
            offers = offers_visible().filter(variant__product=OuterRef("pk"))
            if low is not None:
                offers = offers.filter(price__gte=low)
            if high is not None:
                offers = offers.filter(price__lte=high)
            products = products.filter(Exists(offers))
        if data.get("seller_type"):
            products = products.filter(
                Exists(
                    offers_visible().filter(
                        variant__product=OuterRef("pk"), seller__seller_type=data["seller_type"]
                    )
                )
            )
        if data.get("in_stock"):
            products = products.filter(in_stock=True)
        return products.order_by(*storefront_ordering(self.sort_key()))
