"""Forms of the traceability workspace pages. They parse and shape input (NFC text, aware
datetimes in the site's time zone); the rules (lot code syntax, dates, who may do what) are the
services' and come back as field errors through ``add_service_error``."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ProvinceChoiceField
from core.text import nfc
from marketplace.offers.forms import ServiceErrorMixin
from traceability.models import STAMP_RUN_MAX, BusinessStep, Disposition, EventType
from traceability.printing import SHEET_LAYOUT_CHOICES, SHEET_LAYOUT_DEFAULT
from traceability.printing.labels import LINK_GS1, LINK_SHORT
from traceability.services import MOVEMENT_EVENT_TYPES
from traceability.units import UNIT_CHOICES
from traceability.validators import LOT_CODE_MAX

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class NfcCharField(forms.CharField):
    def to_python(self, value):
        return nfc(super().to_python(value))


class BatchForm(ServiceErrorMixin, forms.Form):
    variant = forms.ModelChoiceField(label=_("Product and pack"), queryset=None)
    lot_code = NfcCharField(
        label=_("Lot code"),
        max_length=LOT_CODE_MAX,
        help_text=_("As printed on the pack, e.g. L2611-01."),
    )
    produced_on = forms.DateField(
        label=_("Production date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.IntegerField(label=_("Quantity (units)"), min_value=1)
    origin_province = ProvinceChoiceField(label=_("Raw-material province"), required=False)
    origin_commune = NfcCharField(
        label=_("Raw-material commune / ward"), max_length=255, required=False
    )

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = variants
        self.fields["variant"].label_from_instance = lambda v: f"{v.product.name} — {v.name}"


class EventForm(ServiceErrorMixin, forms.Form):
    business_step = forms.ChoiceField(label=_("Step"), choices=BusinessStep.choices)
    event_time = forms.DateTimeField(
        label=_("When"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Local time (Vietnam)."),
    )
    disposition = forms.ChoiceField(
        label=_("State of the goods afterwards"),
        choices=[("", "—"), *Disposition.choices],
        required=False,
    )
    address = NfcCharField(label=_("Address"), max_length=255, required=False)
    location = forms.ModelChoiceField(
        label=_("Or one of your locations"), queryset=None, required=False
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=8, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    note = NfcCharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=14,
        decimal_places=3,
        help_text=_("How much of the lot this event concerned (optional), in the unit below."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False)
    photo = forms.FileField(label=_("Photo"), required=False)
    event_type = forms.ChoiceField(
        label=_("EPCIS event type"), choices=EventType.choices, initial=EventType.OBJECT
    )

    def __init__(self, *args, locations, correcting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        # Transformations and cartons have their own pages (they need input lots or items); a
        # correction of one keeps its type, the only choice offered then.
        if correcting is not None and correcting.event_type in MOVEMENT_EVENT_TYPES:
            kinds = [correcting.event_type]
        else:
            kinds = [k for k in EventType.values if k not in MOVEMENT_EVENT_TYPES]
        self.fields["event_type"].choices = [
            (value, label) for value, label in EventType.choices if value in kinds
        ]

    @classmethod
    def initial_from(cls, event) -> dict:
        """The form filled with ``event``, to correct it."""
        return {
            "business_step": event.business_step,
            "event_time": timezone.localtime(event.event_time).strftime(DATETIME_LOCAL),
            "disposition": event.disposition,
            "address": event.address,
            "location": event.location_id,
            "latitude": event.latitude,
            "longitude": event.longitude,
            "note": event.note,
            "event_type": event.event_type,
            "quantity": event.quantity,
            "unit": event.unit,
        }


class StampRunForm(ServiceErrorMixin, forms.Form):
    quantity = forms.IntegerField(
        label=_("Number of stamps"), min_value=1, max_value=STAMP_RUN_MAX, initial=500
    )
    with_pin = forms.BooleanField(
        label=_("Scratch-off PIN on each stamp"),
        required=False,
        help_text=_(
            "The run's PDF and CSV carry the PINs; only owners and managers download them. "
            "Keep those files safe."
        ),
    )
    layout = forms.ChoiceField(
        label=_("Label sheet"), choices=SHEET_LAYOUT_CHOICES, initial=SHEET_LAYOUT_DEFAULT
    )
    # A fresh token each time the form is shown: sending the same form twice orders one run.
    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)


LINK_FORM_CHOICES = [
    (LINK_SHORT, _("Short link")),
    (LINK_GS1, _("GS1 Digital Link")),
]


class SheetForm(forms.Form):
    """Which sheet layout and link form: the run page's choice, and a background print's."""

    layout = forms.ChoiceField(choices=SHEET_LAYOUT_CHOICES, required=False)
    link = forms.ChoiceField(choices=LINK_FORM_CHOICES, required=False)

    def clean_layout(self):
        return self.cleaned_data["layout"] or SHEET_LAYOUT_DEFAULT

    def clean_link(self):
        return self.cleaned_data["link"] or LINK_SHORT


# --- transformation and cartons (services.movements) ---------------------------------------------

TRANSFORMATION_FORM_ROWS = 5


class _WhereWhenForm(ServiceErrorMixin, forms.Form):
    """When and where a transformation or a packing took place, and what came of it."""

    event_time = forms.DateTimeField(
        label=_("When"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Local time (Vietnam)."),
    )
    address = NfcCharField(label=_("Address"), max_length=255, required=False)
    location = forms.ModelChoiceField(
        label=_("Or one of your locations"), queryset=None, required=False
    )
    note = NfcCharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations

    def where_when(self) -> dict:
        data = self.cleaned_data
        return {
            "event_time": data["event_time"],
            "address": data["address"],
            "location": data["location"],
            "note": data["note"],
        }


class TransformationForm(_WhereWhenForm):
    """This lot made from other lots of the producer: up to ``TRANSFORMATION_FORM_ROWS`` input
    rows (lot, quantity used, unit); empty rows are skipped. The service's errors on
    ``inputs.{n}.{field}`` land on the row's ``input_{n}_{field}``."""

    quantity = forms.DecimalField(
        label=_("Quantity made"),
        max_digits=14,
        decimal_places=3,
        help_text=_("How much of this lot came out, in the unit below."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES)

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(TRANSFORMATION_FORM_ROWS):
            number = row + 1
            self.fields[f"input_{row}_batch"] = forms.ModelChoiceField(
                label=_("Input lot %(number)s") % {"number": number},
                queryset=batches,
                required=False,
                error_messages={
                    "invalid_choice": _("Choose one of your own lots."),
                },
            )
            self.fields[f"input_{row}_batch"].label_from_instance = lambda b: (
                f"{b.lot_code} · {b.variant.product.name} — {b.variant.name}"
            )
            self.fields[f"input_{row}_quantity"] = forms.DecimalField(
                label=_("Quantity used from lot %(number)s") % {"number": number},
                max_digits=14,
                decimal_places=3,
                required=False,
            )
            self.fields[f"input_{row}_unit"] = forms.ChoiceField(
                label=_("Unit of lot %(number)s") % {"number": number},
                choices=UNIT_CHOICES,
                required=False,
            )

    def add_service_error(self, error) -> None:
        for one in error.errors:  # every refusal the service collected, each on its row
            self._service_error_one(one)

    def _service_error_one(self, error) -> None:
        field = error.field or ""
        if field.startswith("inputs."):
            _prefix, row, name = [*field.split("."), "", ""][:3]
            mapped = f"input_{row}_{name}"
            if mapped in self.fields:
                self.add_error(mapped, str(error.message))
                return
        if field == "inputs":
            self.add_error("input_0_batch", str(error.message))
            return
        super().add_service_error(error)

    def input_rows(self) -> list[tuple[object, object, str]]:
        """(batch, quantity, unit) of every row with anything in it, in row order; a row keeps
        its position so errors name it."""
        data = self.cleaned_data
        rows = []
        for row in range(TRANSFORMATION_FORM_ROWS):
            values = (
                data.get(f"input_{row}_batch"),
                data.get(f"input_{row}_quantity"),
                data.get(f"input_{row}_unit") or "",
            )
            if values[0] is not None or values[1] is not None:
                rows.append(values)
        return rows


class CartonForm(_WhereWhenForm):
    """Pack items of this lot into a carton (a new one unless one is chosen), or take them out."""

    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[("ADD", _("Packed into a carton")), ("DELETE", _("Taken out of a carton"))],
        initial="ADD",
        widget=forms.RadioSelect,
    )
    carton = forms.CharField(
        label=_("Carton code"),
        max_length=12,
        required=False,
        help_text=_("As printed on the carton. Leave it empty to pack into a new carton."),
    )
    serials = forms.CharField(
        label=_("Stamp serials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "characters"}),
        help_text=_(
            "One serial (or scanned stamp code) a line. To take out every stamped item of this "
            "lot, leave it empty."
        ),
    )
    quantity = forms.DecimalField(
        label=_("Quantity of the lot"),
        required=False,
        max_digits=14,
        decimal_places=3,
        help_text=_("Unstamped goods of this lot, in the unit below (optional)."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False)

    def __init__(self, *args, cartons, **kwargs):
        super().__init__(*args, **kwargs)
        self.cartons = cartons

    def clean_carton(self):
        code = self.cleaned_data["carton"].strip().upper()
        if not code:
            return None
        carton = self.cartons.filter(code=code).first()
        if carton is None:
            raise forms.ValidationError(
                _("None of your cartons has the code %(code)s.") % {"code": code}
            )
        return carton

    def clean(self):
        data = super().clean()
        if data.get("action") == "DELETE" and "carton" in data and data["carton"] is None:
            self.add_error("carton", _("Enter the code of the carton the items came out of."))
        return data
