"""Read-mostly admin for registry officials and support: provenance is append-only, stamps and
scans are evidence, so nothing here edits them."""

from django.contrib import admin

from traceability.models import Batch, ProvenanceEvent, Scan, Stamp, StampRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["lot_code", "variant", "produced_on", "expires_on", "quantity", "certificate"]
    search_fields = ["lot_code", "variant__product__name", "variant__product__holder__name"]
    list_filter = ["produced_on"]
    list_select_related = ["variant__product", "certificate"]


@admin.register(ProvenanceEvent)
class ProvenanceEventAdmin(ReadOnlyAdmin):
    list_display = ["batch", "business_step", "event_time", "recorded_by", "corrects"]
    list_filter = ["business_step", "event_type"]
    search_fields = ["batch__lot_code", "address", "note"]
    list_select_related = ["batch", "recorded_by"]


@admin.register(StampRun)
class StampRunAdmin(ReadOnlyAdmin):
    list_display = ["batch", "quantity", "with_pin", "key_id", "created_at", "voided_at"]
    list_filter = ["with_pin", "key_id"]
    search_fields = ["batch__lot_code"]
    list_select_related = ["batch"]


@admin.register(Stamp)
class StampAdmin(ReadOnlyAdmin):
    list_display = ["serial", "run", "scan_count", "first_scanned_at", "pin_verified_at"]
    search_fields = ["serial"]
    list_select_related = ["run__batch"]
    exclude = ["pin_hash"]


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["stamp", "scanned_at", "province", "verdict"]
    list_filter = ["verdict", "province"]
    list_select_related = ["stamp", "province"]
