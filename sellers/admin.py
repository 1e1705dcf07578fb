"""Businesses (chủ thể OCOP) for registry officials and marketplace staff.

The seller status is never typed in: it moves through ``sellers.services`` (claims, verification,
activation), and staff suspend or reinstate a seller with the actions below.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.phone import PhoneInvalid, phone_normalise
from core.search import search_rows_changed
from core.text import fold, nfc
from sellers.errors import SellerError
from sellers.models import Business
from sellers.services import business_reinstate, business_suspend


class BusinessForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                # Names and addresses pasted from decisions arrive in mixed Unicode forms.
                cleaned[name] = nfc(value)
        return cleaned

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        if not value.strip():
            return ""
        try:
            return phone_normalise(value)
        except PhoneInvalid as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from None


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    form = BusinessForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "legal_type",
        "tax_code",
        "province",
        "status",
        "seller_type",
        "is_demo",
    ]
    list_filter = ["province", "status", "legal_type", "seller_type", "is_demo"]
    search_fields = ["name", "tax_code"]
    list_select_related = ["province"]
    readonly_fields = ["status", "terms_accepted_at", "created_at", "updated_at"]
    actions = ["suspend", "reinstate"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "legal_type", "seller_type", "tax_code"]}),
        (_("Contact"), {"fields": ["representative", "phone", "email", "website"]}),
        (
            _("Address"),
            {"fields": ["province", "commune", "street", "legacy_province", "legacy_address"]},
        ),
        (
            _("Status"),
            {"fields": ["status", "terms_accepted_at", "is_demo", "created_at", "updated_at"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug is in public links and printed material: fixed once the business exists.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        result, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # "htx nong san" finds "HTX Nông sản …": the folded name is matched too.
        words = fold(search_term).split()
        if words:
            folded = queryset
            for word in words:
                folded = folded.filter(name_folded__contains=word)
            result = result | folded
        return result, may_have_duplicates

    def save_model(self, request, obj, form, change):
        obj.name_folded = fold(obj.name)
        super().save_model(request, obj, form, change)
        search_rows_changed(Business, [obj.pk])

    def _apply(self, request, queryset, service, done_message) -> None:
        done = 0
        for business in queryset:
            try:
                service(business=business, reviewer=request.user)
            except SellerError as error:
                self.message_user(request, f"{business.name}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Suspend selected sellers"), permissions=["change"])
    def suspend(self, request, queryset):
        self._apply(
            request,
            queryset,
            business_suspend,
            lambda n: ngettext("%(count)d seller suspended.", "%(count)d sellers suspended.", n),
        )

    @admin.action(description=_("Reinstate selected sellers"), permissions=["change"])
    def reinstate(self, request, queryset):
        self._apply(
            request,
            queryset,
            business_reinstate,
            lambda n: ngettext("%(count)d seller reinstated.", "%(count)d sellers reinstated.", n),
        )


from sellers import admin_onboarding  # noqa: E402, F401  (registers the application review)
