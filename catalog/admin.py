"""The registry officials' admin: the rulebook, products, evaluations and certificates.

Evaluations and certificates are records of decisions: they are written by ``catalog.services``
(and the import) and shown read-only here. The one write an official makes on a certificate,
revocation, goes through ``certificate_revoke`` from an admin action.
"""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import admin_import  # noqa: F401  (registers the Decision admin and the upload)
from catalog.errors import RegistryError
from catalog.models import (
    Certificate,
    CertificateStatus,
    Criterion,
    CriterionGroup,
    CriterionOption,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
    Framework,
    FrameworkPart,
    Product,
    ProductSet,
    ProductVariant,
    RevocationGround,
    StarBand,
)
from catalog.selectors import (
    RECENTLY_EXPIRED_DAYS,
    certificates_entering_reevaluation,
    certificates_recently_expired,
    product_list,
    reevaluation_window,
)
from catalog.services import certificate_revoke
from core.search import search_rows_changed
from core.text import fold, nfc


class FoldedSearchMixin:
    """Beside ``search_fields``, match ``folded_search_fields`` against the folded term, so an
    official typing without diacritics ("mat ong tien yen") finds "Mật ong Tiên Yên"."""

    folded_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        result, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold(search_term).split()
        if words and self.folded_search_fields:
            folded = queryset
            for word in words:
                folded = folded.filter(
                    reduce(or_, (Q(**{f"{f}__contains": word}) for f in self.folded_search_fields))
                )
            result = result | folded
        return result, may_have_duplicates


# Django 6 switches form URL fields to https by default; registry links are https already.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def stars_text(stars: int | None) -> str:
    return "★" * stars if stars else "—"


class NfcModelForm(forms.ModelForm):
    """Vietnamese text typed or pasted into the admin is NFC-normalised like every input."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and name in self.fields:
                widget = self.fields[name].widget
                # Multi-line fields keep their line breaks; nfc() would collapse them.
                if isinstance(widget, forms.Textarea):
                    cleaned[name] = "\n".join(nfc(line) for line in value.splitlines())
                else:
                    cleaned[name] = nfc(value)
        return cleaned


# --- the rulebook ---------------------------------------------------------------------------------


class FrameworkPartInline(admin.TabularInline):
    model = FrameworkPart
    extra = 0
    fields = ["code", "name", "max_points"]


class StarBandInline(admin.TabularInline):
    model = StarBand
    extra = 0
    fields = ["stars", "min_score"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = [
        "code",
        "name",
        "decision_number",
        "in_force_from",
        "in_force_until",
        "validity_months",
    ]
    search_fields = ["code", "name", "decision_number"]
    inlines = [FrameworkPartInline, StarBandInline]


class CriterionGroupInline(admin.TabularInline):
    """The sheet's groups; criteria and options are loaded with ``load_score_sheet``."""

    model = CriterionGroup
    extra = 0
    fields = ["position", "code", "name", "part", "max_points"]
    readonly_fields = fields
    show_change_link = False
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProductSet)
class ProductSetAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_en", "category", "framework"]
    list_display_links = ["number", "name"]
    list_filter = ["framework", "category"]
    search_fields = ["name", "name_en"]
    list_select_related = ["category", "framework"]
    inlines = [CriterionGroupInline]
    # Read-mostly: the numbering and placement come from the decision; only names are edited.
    readonly_fields = ["framework", "category", "number", "slug"]

    def has_add_permission(self, request) -> bool:
        return False  # product sets are loaded with the rulebook

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CriterionOptionInline(admin.TabularInline):
    """Wording and minimum markers can be corrected here; points and structure come from the
    score sheet (``load_score_sheet``) because recorded choices point at these options."""

    model = CriterionOption
    form = NfcModelForm
    extra = 0
    fields = ["position", "points", "label", "min_star"]
    readonly_fields = ["position", "points"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "product_set", "max_points"]
    list_filter = ["group__product_set__framework", "group__product_set"]
    search_fields = ["code", "name", "group__name"]
    list_select_related = ["group__product_set"]
    inlines = [CriterionOptionInline]
    fields = ["group", "code", "name", "max_points", "position"]
    readonly_fields = ["group", "code", "max_points", "position"]

    @admin.display(description=_("product set"), ordering="group__product_set__number")
    def product_set(self, obj: Criterion) -> ProductSet:
        return obj.group.product_set

    def has_add_permission(self, request) -> bool:
        return False  # criteria are loaded with the score sheet


# --- products -------------------------------------------------------------------------------------


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    form = NfcModelForm
    extra = 0
    fields = ["position", "name", "net_quantity", "unit", "gtin", "sku"]


CERTIFICATE_NONE = "none"


class CertificateStatusFilter(admin.SimpleListFilter):
    """The status of the product's latest certificate, or no certificate at all."""

    title = _("certificate status")
    parameter_name = "certificate_status"

    def lookups(self, request, model_admin):
        return [*CertificateStatus.choices, (CERTIFICATE_NONE, _("No certificate"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == CERTIFICATE_NONE:
            return queryset.filter(certificates__isnull=True)
        if value in CertificateStatus.values:
            matching = product_list(certificate_status=value, certified_only=False)
            return queryset.filter(pk__in=matching.values("pk"))
        return queryset


@admin.register(Product)
class ProductAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = NfcModelForm
    list_display = [
        "name",
        "holder",
        "holder_province",
        "product_set",
        "product_code",
        "stars",
        "is_demo",
    ]
    list_filter = [
        ("holder__province", admin.RelatedOnlyFieldListFilter),
        "product_set",
        CertificateStatusFilter,
        "is_demo",
    ]
    search_fields = ["name", "product_code", "holder__name", "holder__tax_code"]
    folded_search_fields = ("name_folded", "holder__name_folded")
    list_select_related = ["holder__province", "product_set"]
    autocomplete_fields = ["holder"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProductVariantInline]

    def get_queryset(self, request):
        # current_stars: the stars of the certificate in force, annotated in the same query.
        return product_list(certified_only=False)

    def get_readonly_fields(self, request, obj=None):
        # A product's slug is in printed QR codes and links: fixed once the product exists.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    @admin.display(description=_("province"), ordering="holder__province__code")
    def holder_province(self, obj: Product):
        return obj.holder.province

    @admin.display(description=_("current stars"), ordering="current_stars")
    def stars(self, obj: Product) -> str:
        return stars_text(obj.current_stars)

    def save_model(self, request, obj, form, change):
        # name_folded is the search key of the storefront; it follows the name.
        obj.name_folded = fold(obj.name)
        super().save_model(request, obj, form, change)
        search_rows_changed(Product, [obj.pk])

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        search_rows_changed(Product, [pk])

    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        search_rows_changed(Product, ids)


# --- evaluations ----------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EvaluationPartInline(ReadOnlyInline):
    model = EvaluationPart
    fields = ["part", "score"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part")


class EvaluationChoiceInline(ReadOnlyInline):
    model = EvaluationChoice
    fields = ["criterion", "option", "min_star"]
    readonly_fields = ["min_star"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "option")

    @admin.display(description=_("minimum for star"))
    def min_star(self, obj: EvaluationChoice) -> str:
        return stars_text(obj.option.min_star)


@admin.register(Evaluation)
class EvaluationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    """Scoring records are history: recorded by services and the import, never edited."""

    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = [
        "product",
        "framework",
        "level",
        "evaluated_on",
        "total_score",
        "band",
        "stars_display",
        "decision",
        "is_demo",
    ]
    list_filter = ["framework", "level", "stars", "is_demo"]
    search_fields = ["product__name", "decision__number", "council"]
    folded_search_fields = ("product__name_folded",)
    list_select_related = ["product", "framework", "decision"]
    date_hierarchy = "evaluated_on"
    inlines = [EvaluationPartInline, EvaluationChoiceInline]

    @admin.display(description=_("stars by score band"), ordering="band_stars")
    def band(self, obj: Evaluation) -> str:
        return stars_text(obj.band_stars)

    @admin.display(description=_("stars"), ordering="stars")
    def stars_display(self, obj: Evaluation) -> str:
        return stars_text(obj.stars)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- certificates ---------------------------------------------------------------------------------


class RevokeForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Revocation ground"),
        choices=[("", "---------"), *RevocationGround.choices],
        help_text=_("Decision 26/2026/QĐ-TTg, Article 8."),
    )
    decision_number = forms.CharField(label=_("Revocation decision number"), max_length=60)
    decision_date = forms.DateField(
        label=_("Revocation decision date"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    authority = forms.CharField(
        label=_("Decided by"),
        max_length=255,
        required=False,
        help_text=_(
            "Leave empty for the authority the rules name: the provincial chair for ★3–★4, "
            "the minister for ★5."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("What was found; shown with the certificate."),
    )

    def clean_note(self) -> str:
        note = "\n".join(nfc(line) for line in self.cleaned_data["note"].splitlines()).strip()
        if not note:
            raise forms.ValidationError(_("This field is required."), code="required")
        return note


@admin.register(Certificate)
class CertificateAdmin(FoldedSearchMixin, admin.ModelAdmin):
    """Certificates are issued by decisions (the import, ``certificate_issue``); a status is
    never typed in. Officials revoke through the action, which calls ``certificate_revoke``."""

    list_display = [
        "number",
        "product",
        "holder",
        "province",
        "stars_display",
        "status_today",
        "valid_from",
        "valid_until",
        "decision",
    ]
    list_filter = [
        ("product__holder__province", admin.RelatedOnlyFieldListFilter),
        "stars",
        "status",
        ("evaluation__framework", admin.RelatedOnlyFieldListFilter),
        ("product__product_set", admin.RelatedOnlyFieldListFilter),
        "is_demo",
    ]
    search_fields = ["number", "product__name", "decision__number"]
    folded_search_fields = ("product__name_folded",)
    list_select_related = ["product__holder__province", "decision"]
    date_hierarchy = "valid_until"
    actions = ["revoke"]
    change_list_template = "admin/catalog/certificate/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "product",
                    "evaluation",
                    "decision",
                    "stars",
                    "valid_from",
                    "valid_until",
                    "is_demo",
                ]
            },
        ),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "superseded_by",
                    "revocation_ground",
                    "revocation_decision_number",
                    "revocation_decision_date",
                    "revoking_authority",
                    "revocation_note",
                    "revoked_by",
                ]
            },
        ),
    ]
    readonly_fields = [
        "number",
        "product",
        "evaluation",
        "decision",
        "stars",
        "valid_from",
        "valid_until",
        "is_demo",
        "status",
        "status_changed_at",
        "superseded_by",
        "revocation_ground",
        "revocation_decision_number",
        "revocation_decision_date",
        "revoking_authority",
        "revocation_note",
        "revoked_by",
    ]

    @admin.display(description=_("holder"), ordering="product__holder__name")
    def holder(self, obj: Certificate):
        return obj.product.holder

    @admin.display(description=_("province"), ordering="product__holder__province__code")
    def province(self, obj: Certificate):
        return obj.product.holder.province

    @admin.display(description=_("stars"), ordering="stars")
    def stars_display(self, obj: Certificate) -> str:
        return stars_text(obj.stars)

    @admin.display(description=_("status"), ordering="status")
    def status_today(self, obj: Certificate) -> str:
        # Past its date an active certificate reads as expired before the daily job runs.
        return CertificateStatus(obj.status_on(timezone.localdate())).label

    def has_add_permission(self, request) -> bool:
        return False  # issued by a recognition decision (import), never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # history: revoke instead

    @admin.action(description=_("Revoke selected certificates"), permissions=["change"])
    def revoke(self, request, queryset):
        if "apply" in request.POST:
            form = RevokeForm(request.POST)
            if form.is_valid():
                self._revoke_all(request, queryset, form.cleaned_data)
                return None  # back to the changelist, with the messages
        else:
            form = RevokeForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke certificates"),
            "opts": self.model._meta,
            "form": form,
            "certificates": queryset,
            "action_name": "revoke",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/catalog/certificate/revoke.html", context)

    def _revoke_all(self, request, queryset, data) -> None:
        revoked: list[str] = []
        for certificate in queryset:
            try:
                certificate_revoke(
                    certificate=certificate,
                    ground=data["ground"],
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    authority=nfc(data["authority"]),
                    note=data["note"],
                    user=request.user,
                )
            except RegistryError as error:
                self.message_user(request, f"{certificate.number}: {error.message}", messages.ERROR)
            else:
                revoked.append(certificate.number)
        if revoked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d certificate revoked: %(numbers)s.",
                    "%(count)d certificates revoked: %(numbers)s.",
                    len(revoked),
                )
                % {"count": len(revoked), "numbers": ", ".join(revoked)},
                messages.SUCCESS,
            )

    def get_urls(self):
        urls = [
            path(
                "expiring/",
                self.admin_site.admin_view(self.expiring_view),
                name="catalog_certificate_expiring",
            )
        ]
        return urls + super().get_urls()

    def expiring_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        window = reevaluation_window(today=today)
        entering = [
            (certificate, (certificate.valid_until - today).days)
            for certificate in certificates_entering_reevaluation(today=today, window=window)
            .select_related("product__holder__province")
            .order_by("valid_until", "number")
        ]
        expired = [
            (certificate, (today - certificate.valid_until).days)
            for certificate in certificates_recently_expired(today=today)
            .select_related("product__holder__province")
            .order_by("-valid_until", "number")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Certificates expiring / re-evaluation window"),
            "opts": self.model._meta,
            "today": today,
            "entering": entering,
            "expired": expired,
            "window_start": window.from_days,
            "window_end": window.until_days,
            "expired_days": RECENTLY_EXPIRED_DAYS,
            "changelist_url": reverse("admin:catalog_certificate_changelist"),
        }
        return TemplateResponse(request, "admin/catalog/certificate/expiring.html", context)
