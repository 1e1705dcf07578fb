"""Forms of the fairs workspace pages: a seller's application, the organiser's review filters and
decisions. They parse input only; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.fairs.models import ApplicationStatus
from marketplace.offers.forms import ServiceErrorMixin


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
