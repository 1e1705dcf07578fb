"""The storefront's product filters: a form that validates the query string before the
``product_list`` selector sees it, and the orderings a shopper may pick.

A plain form rather than a django-filter FilterSet: the selector takes every filter at once (it
annotates the certificate in force before filtering), so the form's job is only to validate and
render, and an invalid value is dropped with a message instead of failing the page.
"""

from django import forms
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate, CertificateStatus, Framework, ProductCategory, ProductSet
from catalog.rules import star_choices
from core.models import Province
from core.text import nfc

# "" is the default: only products with a certificate in force, which is what the public sees.
STATUS_ALL = "all"
STATUS_CHOICES = [
    ("", _("Certificate in force")),
    (CertificateStatus.EXPIRED.value, _("Certificate expired")),
    (CertificateStatus.REVOKED.value, _("Certificate revoked")),
    (STATUS_ALL, _("All products, any certificate status")),
]

SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("stars", _("Stars (most first)")),
    ("newest", _("Newest certificate")),
]

STAR_CHOICES = [("", _("Any")), *star_choices()]


def _current_framework_id():
    """The framework in force most recently: its product sets and categories are the ones
    offered as filters (numbers and slugs carry over between 148/2023 and 26/2026)."""
    return Subquery(Framework.objects.order_by("-in_force_from").values("pk")[:1])


def _name(obj) -> str:
    if (get_language() or "").startswith("en") and obj.name_en:
        return obj.name_en
    return obj.name


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Product or producer, e.g. mat ong")}
        ),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    stars = forms.TypedChoiceField(
        label=_("Stars"), required=False, choices=STAR_CHOICES, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    set = forms.TypedChoiceField(
        label=_("Product set"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Certificate"), required=False, choices=STATUS_CHOICES)
    sort = forms.ChoiceField(label=_("Order by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["province"].choices = any_choice + [
            (p.slug, p.name) for p in Province.objects.order_by("name").only("slug", "name")
        ]
        current = _current_framework_id()
        self.fields["category"].choices = any_choice + [
            (c.slug, _name(c))
            for c in ProductCategory.objects.filter(framework=current).order_by("code")
        ]
        self.fields["set"].choices = any_choice + [
            (str(s.number), f"{s.number}. {_name(s)}")
            for s in ProductSet.objects.filter(framework=current).order_by("number")
        ]

    def clean_q(self) -> str:
        return nfc(self.cleaned_data.get("q"))

    def selector_kwargs(self) -> dict:
        """Keyword arguments for ``catalog.selectors.product_list`` from the valid fields only:
        a bad value is dropped (and reported on the page), never a server error."""
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or ""
        return {
            "text": data.get("q") or "",
            "province_slug": data.get("province") or "",
            "stars": data.get("stars"),
            "product_set": data.get("set"),
            "category_slug": data.get("category") or "",
            "certificate_status": "" if status == STATUS_ALL else status,
            "certified_only": status != STATUS_ALL,
        }

    def sort_key(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return data.get("sort") or "name"


def product_ordering(queryset: QuerySet, *, key: str) -> QuerySet:
    """Order a ``product_list`` queryset; ``id`` last keeps pages stable."""
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
