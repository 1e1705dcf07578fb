"""Forms of the fairs workspace pages: a seller's application, the organiser's review filters and
decisions, the organiser's fair, zones, booths and programme. They parse input only; the rules
are the services'."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ProvinceChoiceField
from core.text import nfc
from marketplace.fairs.models import COLOUR, ApplicationStatus, FairStatus, ZoneKind
from marketplace.offers.forms import ServiceErrorMixin, VndField
from marketplace.places.models import PointKind, PointOfSale


class ApplicationForm(ServiceErrorMixin, forms.Form):
    offers = forms.TypedMultipleChoiceField(
        label=_("Products you will bring"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the products you will bring.")},
    )
    preferred_zone = forms.TypedChoiceField(
        label=_("Preferred zone"), coerce=int, required=False, empty_value=None
    )
    booths_wanted = forms.IntegerField(label=_("Booths wanted"), min_value=1, max_value=10)
    note = forms.CharField(
        label=_("Note to the organiser"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offers, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offers"].choices = [(o.pk, str(o.pk)) for o in offers]
        self.fields["preferred_zone"].choices = [("", _("No preference"))] + [
            (z.pk, z.name) for z in zones
        ]


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ApplicationStatus.choices],
    )
    province = forms.TypedChoiceField(
        label=_("Province"), required=False, coerce=int, empty_value=None
    )
    product_set = forms.TypedChoiceField(
        label=_("Product set"), required=False, coerce=int, empty_value=None
    )
    stars = forms.TypedChoiceField(
        label=_("Stars brought"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), (3, "★3+"), (4, "★4+"), (5, "★5")],
    )

    def __init__(self, *args, product_sets, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Any"))] + [(p.pk, p.name) for p in provinces]
        self.fields["product_set"].choices = [("", _("Any"))] + [
            (s.pk, str(s)) for s in product_sets
        ]


# --- the organiser's fair, zones, booths and programme ------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _lines(value: str) -> list[str]:
    """One entry a line (or separated by commas or semicolons), blanks dropped."""
    text = (value or "").replace(";", "\n").replace(",", "\n")
    return [nfc(part) for part in text.splitlines() if nfc(part)]


class FairForm(ServiceErrorMixin, forms.Form):
    """A fair's particulars (``services.fair_create`` / ``fair_update`` check the rules)."""

    name = forms.CharField(label=_("Name"), max_length=255)
    venue_point = forms.ModelChoiceField(
        label=_("Venue among the fair and exhibition centres"),
        queryset=PointOfSale.objects.none(),
        required=False,
        empty_label=_("None: give the address below"),
        help_text=_("A centre listed as a point of sale gives the venue's address and map."),
    )
    venue_name = forms.CharField(label=_("Venue"), max_length=255, required=False)
    venue_address = forms.CharField(label=_("Venue address"), max_length=500, required=False)
    province = ProvinceChoiceField(label=_("Province"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )
    starts_on = forms.DateField(label=_("First day"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), required=False, widget=DATE)
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("Closes at"), required=False, widget=TIME)
    closed_days = forms.CharField(
        label=_("Closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One date a line, YYYY-MM-DD (e.g. the Tết holiday)."),
    )
    description_vi = forms.CharField(
        label=_("Description (Vietnamese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    cover = forms.ImageField(label=_("Cover image"), required=False)
    applications_open_on = forms.DateField(
        label=_("Applications from"), required=False, widget=DATE
    )
    applications_close_on = forms.DateField(
        label=_("Applications until"), required=False, widget=DATE
    )
    booth_fee = VndField(label=_("Booth fee (₫)"), required=False)
    payment_days = forms.IntegerField(
        label=_("Days to pay a booth fee"), min_value=1, max_value=90, initial=7
    )
    partners = forms.CharField(
        label=_("Partner regions and programmes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line, e.g. OVOP Japan."),
    )
    rules = forms.CharField(
        label=_("Rules"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue_point"].queryset = PointOfSale.objects.filter(
            kind=PointKind.FAIR_CENTRE
        ).select_related("location")

    def clean_closed_days(self):
        days = []
        for value in _lines(self.cleaned_data["closed_days"]):
            try:
                days.append(datetime.date.fromisoformat(value).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
                ) from None
        return days

    def clean_partners(self):
        return _lines(self.cleaned_data["partners"])

    def clean(self):
        data = super().clean()
        if not data.get("venue_point") and not data.get("province") and "province" in data:
            self.add_error("province", _("Choose the province of the venue."))
        return data

    def service_fields(self) -> dict:
        """The cleaned values as the services take them; the cover only when one is uploaded."""
        data = dict(self.cleaned_data)
        data["booth_fee"] = data.get("booth_fee") or 0
        if not data.get("cover"):
            data.pop("cover", None)
        if data.get("venue_point") is not None:
            # The point gives the province (services.fair_venue_settle).
            data["province"] = data["venue_point"].location.province
        return data

    @staticmethod
    def initial_from(fair) -> dict:
        initial = {name: getattr(fair, name) for name in FAIR_FORM_FIELDS if name != "cover"}
        initial["closed_days"] = "\n".join(fair.closed_days or [])
        initial["partners"] = "\n".join(fair.partners or [])
        return initial


FAIR_FORM_FIELDS = tuple(FairForm.base_fields)


class FairStatusForm(forms.Form):
    to = forms.ChoiceField(choices=FairStatus.choices)
    reason = forms.CharField(required=False, max_length=2000)


class ZoneForm(ServiceErrorMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ZoneKind.choices)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#2e7d32",
        validators=[COLOUR],
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class BoothsBulkForm(ServiceErrorMixin, forms.Form):
    """ "A-01 to A-40, 3×3 m, a row of 20" (``services.booths_create_bulk``)."""

    zone = forms.TypedChoiceField(label=_("Zone"), coerce=int)
    prefix = forms.CharField(label=_("Code prefix"), max_length=8, initial="A")
    first = forms.IntegerField(label=_("From number"), min_value=1, initial=1)
    last = forms.IntegerField(label=_("To number"), min_value=1)
    width = forms.IntegerField(label=_("Width (m)"), min_value=1, max_value=100, initial=3)
    depth = forms.IntegerField(label=_("Depth (m)"), min_value=1, max_value=100, initial=3)
    per_row = forms.IntegerField(label=_("Booths a row"), min_value=1, max_value=500, initial=20)
    x = forms.IntegerField(label=_("Start at grid x"), min_value=0, initial=0)
    y = forms.IntegerField(label=_("Start at grid y"), min_value=0, initial=0)
    price = VndField(
        label=_("Price (₫)"), required=False, help_text=_("Empty: the fair's booth fee.")
    )

    def __init__(self, *args, zones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = [(z.pk, z.name) for z in zones]


class LayoutUploadForm(ServiceErrorMixin, forms.Form):
    file = forms.FileField(label=_("Layout (CSV)"))


class BoothMoveForm(forms.Form):
    x = forms.IntegerField(min_value=0)
    y = forms.IntegerField(min_value=0)


class ProgrammeItemForm(ServiceErrorMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    day = forms.DateField(label=_("Day"), required=False, widget=DATE)
    certificates = forms.CharField(
        label=_("Certificates announced"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Registry certificate numbers, one a line."),
    )

    def clean_certificates(self):
        return _lines(self.cleaned_data["certificates"])
