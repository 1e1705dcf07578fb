"""Forms of the seller workspace. They only parse and shape input (NFC text, whole đồng); the
rules (price bounds, who may sell what, GTIN check digits) are the services' and come back as
field errors through ``add_service_error``."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import VolumeUnit
from core.forms import ProvinceChoiceField
from core.text import nfc
from marketplace.offers.models import OfferStatus, StockLocationKind
from marketplace.offers.services import MAX_STOCK

# "125000", "125.000", "125 000", "1.250.000 ₫", "125000đ": Vietnamese write thousands with dots.
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_CURRENCY = re.compile(r"\s*(₫|đ|đồng|vnd|vnđ)\s*$", re.IGNORECASE)


class VndField(forms.CharField):
    """Whole đồng typed the Vietnamese way; anything with a decimal part is refused (prices are
    integers end to end, never floats)."""

    default_error_messages = {
        "invalid": _("Enter a whole number of đồng, e.g. 125000 or 125.000."),
    }

    # No CharField max_length: its validator would run on the parsed int. Checked here instead.
    max_chars = 20

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "maxlength": str(self.max_chars)}
        )
        return attrs

    def to_python(self, value):
        text = nfc(super().to_python(value))
        if not text:
            return None
        if len(text) > self.max_chars:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        text = _CURRENCY.sub("", text).replace("\u00a0", "").replace(" ", "")
        if text.isdigit():
            return int(text)
        if _GROUPED.match(text):
            return int(text.replace(".", ""))
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        return value


class ServiceErrorMixin:
    def add_service_error(self, error) -> None:
        """Put a SellerError on its field when the form has one, else on the form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))


class OfferCreateForm(ServiceErrorMixin, forms.Form):
    variant = forms.ModelChoiceField(
        label=_("Product and pack"),
        queryset=None,
        error_messages={
            # The list only holds packs the business may sell; anything else is another
            # holder's product that has not authorised this business.
            "invalid_choice": _(
                "You can offer only packs of products you hold, or that their holder has "
                "authorised you to resell."
            )
        },
    )
    price = VndField(label=_("Price (₫)"))
    compare_at_price = VndField(
        label=_("Compare-at price (₫)"),
        required=False,
        help_text=_("Optional: the usual price, shown crossed out. Must be higher than the price."),
    )

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = variants
        self.fields["variant"].label_from_instance = lambda v: f"{v.product.name} — {v.name}"


class OfferEditForm(ServiceErrorMixin, forms.Form):
    price = VndField(label=_("Price (₫)"))
    compare_at_price = VndField(
        label=_("Compare-at price (₫)"),
        required=False,
        help_text=_("Leave empty to show no compare-at price."),
    )


class OfferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *OfferStatus.choices], required=False
    )


class StockLocationForm(ServiceErrorMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=StockLocationKind.choices)
    province = ProvinceChoiceField(label=_("Province"))
    commune = forms.CharField(label=_("Commune / ward"), max_length=255, required=False)
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)


def stock_field_name(offer_id: int, location_id: int) -> str:
    return f"q_{offer_id}_{location_id}"


def stock_seen_field_name(offer_id: int, location_id: int) -> str:
    return f"s_{offer_id}_{location_id}"


class StockGridForm(ServiceErrorMixin, forms.Form):
    """One number per offer × location. The ids in the field names come from the business's
    own offers and locations (the form is built from them), so a forged name is just ignored."""

    def __init__(self, *args, offers, locations, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = offers
        self.locations = locations
        for offer in offers:
            for location in locations:
                name = stock_field_name(offer.pk, location.pk)
                self.fields[name] = forms.IntegerField(
                    label=f"{offer.variant} @ {location.name}",
                    min_value=0,
                    max_value=MAX_STOCK,
                    required=False,
                    initial=cells.get((offer.pk, location.pk), 0),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
                )
                # The figure the page showed: the save writes only cells the seller changed, and
                # refuses one that changed meanwhile (a sale) instead of putting the units back.
                self.fields[stock_seen_field_name(offer.pk, location.pk)] = forms.IntegerField(
                    min_value=0,
                    max_value=MAX_STOCK,
                    required=False,
                    initial=cells.get((offer.pk, location.pk), 0),
                    widget=forms.HiddenInput,
                )

    def rows(self):
        """[(offer, [(bound field, its hidden "seen" field) per location])] for the template."""
        return [
            (
                offer,
                [
                    (
                        self[stock_field_name(offer.pk, loc.pk)],
                        self[stock_seen_field_name(offer.pk, loc.pk)],
                    )
                    for loc in self.locations
                ],
            )
            for offer in self.offers
        ]

    def entries(self):
        """(offer, location, quantity, seen) for each cell the POST carries; an emptied cell
        means 0, a cell missing from the POST changes nothing, a cell without its "seen" figure
        is set as given."""
        entries = []
        for offer in self.offers:
            for location in self.locations:
                name = stock_field_name(offer.pk, location.pk)
                if name not in self.data:
                    continue
                seen = self.cleaned_data.get(stock_seen_field_name(offer.pk, location.pk))
                entries.append((offer, location, self.cleaned_data.get(name) or 0, seen))
        return entries


class ProductContentForm(ServiceErrorMixin, forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, or simple formatting: paragraphs, bold, italics, lists, links."),
    )
    story = forms.CharField(
        label=_("Story"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Where the product comes from and who makes it."),
    )

    def clean(self):
        # CharField strips; keep the text as typed, the service normalises and sanitises it.
        # A field missing from the POST is None ("leave as it is"), never "" ("erase it").
        return {name: self.data.get(name) for name in ("description", "story")}


class VariantForm(ServiceErrorMixin, forms.Form):
    name = forms.CharField(label=_("Pack"), max_length=120, help_text=_("e.g. “Hũ 500 g”"))
    net_quantity = forms.CharField(label=_("Net quantity"), max_length=20, required=False)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "—"), *VolumeUnit.choices], required=False
    )
    gtin = forms.CharField(
        label=_("GTIN (barcode)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)


class PhotoUploadForm(ServiceErrorMixin, forms.Form):
    # A plain FileField: the type is decided from the content by catalog.photos, not here.
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=255,
        required=False,
        help_text=_("Read aloud to blind buyers, e.g. “Hũ mật ong 500 g, nắp vàng”."),
    )


class PhotoMoveForm(forms.Form):
    photo = forms.IntegerField()
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class ResaleGrantForm(ServiceErrorMixin, forms.Form):
    reseller = forms.CharField(
        label=_("Reseller: tax code or name"),
        max_length=255,
        help_text=_("An active business on the marketplace, e.g. an OCOP centre."),
    )
