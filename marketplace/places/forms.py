from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductSet
from core.models import Province
from core.text import nfc
from marketplace.places.models import (
    LATITUDE_MAX,
    LATITUDE_MIN,
    LONGITUDE_MAX,
    LONGITUDE_MIN,
    PointKind,
)
from marketplace.places.selectors import RADIUS_MAX_KM


class PointSearchForm(forms.Form):
    """The list's filters; each bad value is dropped and said so, never a 500."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PointKind.choices]
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All provinces"),
    )
    product_set = forms.ModelChoiceField(
        label=_("Product set"),
        required=False,
        queryset=ProductSet.objects.none(),
        empty_label=_("All product sets"),
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.all(),
        to_field_name="slug",
        widget=forms.HiddenInput,
    )
    in_stock = forms.BooleanField(label=_("Has it in stock"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    lat = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=LATITUDE_MIN, max_value=LATITUDE_MAX
    )
    lng = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=LONGITUDE_MIN, max_value=LONGITUDE_MAX
    )
    near = forms.ModelChoiceField(
        label=_("Distance from"),
        required=False,
        queryset=Province.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose a province"),
        help_text=_("Points nearest to the centre of the province (or of a commune in it)."),
    )
    commune = forms.CharField(
        label=_("Commune or ward"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "point-communes", "autocomplete": "off"}),
    )
    radius = forms.IntegerField(
        label=_("Within (km)"), required=False, min_value=1, max_value=RADIUS_MAX_KM
    )

    def __init__(self, *args, product_sets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product_sets is not None:
            self.fields["product_set"].queryset = product_sets

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            data["lat"] = data["lng"] = None
        data["commune"] = nfc(data.get("commune"))
        return data
