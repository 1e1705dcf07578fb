"""The storefront's product filters and sorts, as a django-filter FilterSet.

Registry filters (text, stars, province, category, product set) go through
``catalog.selectors.product_list`` so the text search folds diacritics exactly as the registry
and the API do; offer filters (price, seller type, in stock) look at visible offers only. An
invalid value drops out of ``cleaned_data`` and the page says so instead of failing.
"""

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, Filter

from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.selectors import product_list
from core.forms import QuickSelect
from marketplace.offers.models import PRICE_MAX
from marketplace.offers.selectors import offers_visible
from marketplace.storefront.selectors import (
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


class _IntegerFilter(Filter):
    field_class = forms.IntegerField  # whole đồng; NumberFilter would accept decimals


class _CheckboxFilter(Filter):
    field_class = forms.BooleanField  # a plain checkbox sends "on"


def _price_field(label):
    return _IntegerFilter(
        label=label,
        min_value=0,
        max_value=PRICE_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1000, "min": 0}),
    )


class StorefrontFilter(ProductFilter):
    """The registry filters plus the offer filters. Every filter is applied in
    ``filter_queryset``: the registry ones must reach ``product_list`` together, and the offer
    ones need its annotations."""

    default_sort = "stars"

    price_min = _price_field(_("Price from (₫)"))
    price_max = _price_field(_("Price up to (₫)"))
    seller_type = ChoiceFilter(
        label=_("Sold by"),
        choices=SellerType.choices,
        empty_label=_("Any seller"),
        widget=QuickSelect,
    )
    in_stock = _CheckboxFilter(label=_("In stock only"))
    sort = ChoiceFilter(
        label=_("Order by"), choices=SORT_CHOICES, empty_label=None, widget=QuickSelect
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet[Product]:
        data = self.values
        products = product_list(**self.registry_kwargs())
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
