import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductSet
from core.errors import DomainError
from core.forms import ProvinceChoiceField, QuickSelect
from core.models import Province
from core.text import nfc
from marketplace.places.models import (
    LATITUDE_MAX,
    LATITUDE_MIN,
    LONGITUDE_MAX,
    LONGITUDE_MIN,
    PointKind,
    PointStatus,
    Weekday,
)
from marketplace.places.selectors import RADIUS_MAX_KM


class PointSearchForm(forms.Form):
    """The list's filters; each bad value is dropped and said so, never a 500."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *PointKind.choices],
        widget=QuickSelect,
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All provinces"),
        widget=QuickSelect,
    )
    product_set = forms.ModelChoiceField(
        label=_("Product set"),
        required=False,
        queryset=ProductSet.objects.none(),
        empty_label=_("All product sets"),
        widget=QuickSelect,
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
        widget=QuickSelect,
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


class ServiceErrorsMixin:
    def add_service_errors(self, error: DomainError) -> None:
        """Every refusal a service collected, each on its field when the form has it."""
        for one in getattr(error, "errors", None) or [error]:
            field = one.field if one.field in self.fields else None
            self.add_error(field, str(one.message))


class PointForm(ServiceErrorsMixin, forms.Form):
    """The operator's point: every check is the service's (``point_fields_clean``), so the
    workspace, the API and the import refuse the same things with the same words."""

    name = forms.CharField(label=_("Name"), max_length=200)
    # Checked by the service with the other fields, so every mistake is listed at once.
    kind = forms.CharField(label=_("Kind"), widget=forms.Select(choices=PointKind.choices))
    province = ProvinceChoiceField(label=_("Province"))
    commune = forms.CharField(label=_("Commune / ward"), max_length=300, required=False)
    street = forms.CharField(label=_("Street address"), max_length=300, required=False)
    legacy_address = forms.CharField(
        label=_("Address as given (before the 2025 merger)"), max_length=600, required=False
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        max_length=40,
        help_text=_("A decimal number, e.g. 21.028511 (from a map: right-click, copy)."),
    )
    longitude = forms.CharField(label=_("Longitude"), max_length=40, help_text=_("e.g. 105.8542"))
    coordinates_approximate = forms.BooleanField(
        label=_("The coordinates are approximate"), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    description_vi = forms.CharField(
        label=_("Description (Vietnamese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    @classmethod
    def initial_for(cls, point) -> dict:
        location = point.location
        return {
            "name": location.name,
            "kind": point.kind,
            "province": location.province_id,
            "commune": location.commune,
            "street": location.street,
            "legacy_address": point.legacy_address,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "coordinates_approximate": point.coordinates_approximate,
            "phone": point.phone,
            "description_vi": point.description_vi,
            "description_en": point.description_en,
        }


_INTERVAL = re.compile(r"^\s*(\d{1,2})[:hH.](\d{2})\s*[-–—]\s*(\d{1,2})[:hH.](\d{2})\s*$")


def _hours_field_name(weekday: int) -> str:
    return f"day_{weekday}"


class HoursForm(ServiceErrorsMixin, forms.Form):
    """One line per weekday: ``08:00-12:00, 13:30-17:00``; empty means closed that day."""

    def __init__(self, *args, hours=(), **kwargs):
        super().__init__(*args, **kwargs)
        by_day: dict[int, list[str]] = {}
        for row in hours:
            by_day.setdefault(row.weekday, []).append(f"{row.opens:%H:%M}-{row.closes:%H:%M}")
        for weekday, label in Weekday.choices:
            self.fields[_hours_field_name(weekday)] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                initial=", ".join(by_day.get(weekday, [])),
                widget=forms.TextInput(attrs={"placeholder": "08:00-17:00"}),
            )

    def clean(self):
        data = super().clean()
        intervals = []
        for weekday, _label in Weekday.choices:
            name = _hours_field_name(weekday)
            text = (data.get(name) or "").strip()
            if not text:
                continue
            for part in text.split(","):
                match = _INTERVAL.match(part)
                times = None
                if match:
                    h1, m1, h2, m2 = (int(g) for g in match.groups())
                    try:
                        times = (datetime.time(h1, m1), datetime.time(h2 % 24, m2))
                    except ValueError:
                        times = None
                if times is None:
                    self.add_error(
                        name,
                        _("“%(value)s” is not an opening time; write it as 08:00-17:00.")
                        % {"value": part.strip()},
                    )
                    break
                intervals.append((weekday, *times))
        data["intervals"] = intervals
        return data


class ExceptionForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closed = forms.BooleanField(label=_("Closed all day"), required=False, initial=True)
    opens = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Shown to buyers, e.g. “Tết Nguyên đán”."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("closed") and (data.get("opens") is None or data.get("closes") is None):
            self.add_error(
                "opens", _("Give the opening and closing times, or tick “Closed all day”.")
            )
        return data


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PointStatus.choices)
    reason = forms.CharField(label=_("Reason (shown to buyers)"), max_length=255, required=False)
    reopens_on = forms.DateField(
        label=_("Reopens on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PointPhotoForm(ServiceErrorsMixin, forms.Form):
    # A plain FileField: the type is decided from the content by catalog.photos, not here.
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(label=_("What the photo shows"), max_length=255, required=False)
