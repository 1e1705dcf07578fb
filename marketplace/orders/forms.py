from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ProvinceChoiceField
from core.text import nfc
from marketplace.orders.selectors import pickup_choice_label


class CheckoutForm(forms.Form):
    """Contact, address, note and payment method; the per-seller delivery choices are added as
    ``delivery_<seller id>`` fields from the cart. The services validate: this form only
    carries the input, so the messages come from one place."""

    # Not required here: the services say what is missing, together with every other mistake,
    # in one answer (a required field refused by the form would hide the services' messages).
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=120, required=False)
    province = ProvinceChoiceField(label=_("Province / city"), required=False)
    commune = forms.CharField(label=_("Commune / ward"), max_length=255, required=False)
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    note = forms.CharField(
        label=_("Note for the sellers"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)

    def __init__(self, *args, summary, methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = methods
        self.groups = []
        for group in summary.groups:
            choices = []
            if group.ships:
                choices.append(("shipping", _("Delivery to my address")))
            if group.pickup_enabled:
                for location in group.pickup_locations:
                    choices.append((f"pickup:{location.pk}", pickup_choice_label(location)))
            name = f"delivery_{group.seller.pk}"
            self.fields[name] = forms.ChoiceField(
                label=group.seller.name, choices=choices, widget=forms.RadioSelect
            )
            self.groups.append((group, name))


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=80)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OrderLinkForm(forms.Form):
    """Order number and the e-mail it was placed with, to send a fresh order link to."""

    number = forms.CharField(label=_("Order number"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), max_length=254)

    def clean_number(self):
        return nfc(self.cleaned_data["number"]).strip().upper()

    def clean_email(self):
        return nfc(self.cleaned_data["email"]).strip().lower()
