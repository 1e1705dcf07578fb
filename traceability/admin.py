"""Admin for registry officials and support. Provenance is append-only and stamps and scans are
evidence, so nothing here edits them; a stamp run can be voided through the action, which calls
``stamp_run_void`` (the service decides who may)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.text import nfc
from sellers.errors import SellerError
from traceability.errors import TraceabilityError
from traceability.models import Batch, ProvenanceEvent, Scan, Stamp, StampRun
from traceability.services import stamp_run_void


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProvenanceEventInline(admin.TabularInline):
    model = ProvenanceEvent
    fields = ["business_step", "event_time", "event_timezone", "address", "corrects"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["lot_code", "variant", "holder", "produced_on", "expires_on", "quantity"]
    search_fields = [
        "lot_code",
        "variant__gtin",
        "variant__product__name",
        "variant__product__holder__name",
    ]
    list_filter = [
        "produced_on",
        ("variant__product__holder__province", admin.RelatedOnlyFieldListFilter),
        ("origin_province", admin.RelatedOnlyFieldListFilter),
        ("certificate", admin.EmptyFieldListFilter),
    ]
    date_hierarchy = "produced_on"
    list_select_related = ["variant__product__holder", "certificate"]
    inlines = [ProvenanceEventInline]

    @admin.display(description=_("holder"), ordering="variant__product__holder__name")
    def holder(self, obj: Batch):
        return obj.variant.product.holder


@admin.register(ProvenanceEvent)
class ProvenanceEventAdmin(ReadOnlyAdmin):
    list_display = ["batch", "business_step", "event_time", "recorded_by", "corrects"]
    list_filter = ["business_step", "event_type", "disposition"]
    search_fields = ["batch__lot_code", "address", "note"]
    list_select_related = ["batch__variant", "recorded_by", "corrects"]
    date_hierarchy = "event_time"


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("Why the labels can no longer be trusted (lost, stolen, misprinted)."),
    )

    def clean_reason(self) -> str:
        return nfc(self.cleaned_data["reason"]).strip()


@admin.register(StampRun)
class StampRunAdmin(ReadOnlyAdmin):
    """Read-only; the void action marks runs whose labels are lost or stolen, so their stamps
    scan as suspicious. ``stamp_run_void`` allows the holder's owners and managers only."""

    list_display = ["batch", "quantity", "with_pin", "key_id", "created_at", "voided_at"]
    list_filter = ["with_pin", "key_id", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["batch__lot_code", "batch__variant__product__name"]
    list_select_related = ["batch__variant"]
    exclude = ["created_by"]
    actions = ["void"]

    def has_change_permission(self, request, obj=None):
        # The action needs the change permission; the form itself stays read-only.
        return obj is None and request.user.has_perm("traceability.change_stamprun")

    @admin.action(description=_("Void selected stamp runs"), permissions=["change"])
    def void(self, request, queryset):
        queryset = queryset.select_related("batch__variant__product__holder")
        if "apply" in request.POST:
            form = VoidForm(request.POST)
            if form.is_valid():
                self._void_all(request, queryset, form.cleaned_data["reason"])
                return None
        else:
            form = VoidForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Void stamp runs"),
            "opts": self.model._meta,
            "form": form,
            "runs": queryset,
            "action_name": "void",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/traceability/stamprun/void.html", context)

    def _void_all(self, request, queryset, reason: str) -> None:
        voided = 0
        for run in queryset:
            try:
                stamp_run_void(actor=request.user, run=run, reason=reason)
            except (TraceabilityError, SellerError) as error:
                self.message_user(request, f"{run}: {error.message}", messages.ERROR)
            else:
                voided += 1
        if voided:
            self.message_user(
                request,
                ngettext("%(count)d stamp run voided.", "%(count)d stamp runs voided.", voided)
                % {"count": voided},
                messages.SUCCESS,
            )


@admin.register(Stamp)
class StampAdmin(ReadOnlyAdmin):
    list_display = ["serial", "run", "scan_count", "first_scanned_at", "pin_verified_at"]
    search_fields = ["=serial"]
    list_select_related = ["run__batch"]
    exclude = ["pin_hash"]
    show_full_result_count = False  # runs hold up to 100,000 stamps each


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["stamp", "scanned_at", "province", "verdict"]
    list_filter = ["verdict", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=stamp__serial"]
    list_select_related = ["stamp", "province"]
    date_hierarchy = "scanned_at"
    exclude = ["device_hash"]
    show_full_result_count = False
