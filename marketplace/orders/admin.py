from django.contrib import admin

from marketplace.orders.models import Order, OrderEvent, OrderLine, SellerDeliveryRule


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "offer",
        "product_name",
        "variant_name",
        "unit_price",
        "quantity",
        "line_total",
    ]


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: orders change state only through the services (seller workspace, payments)."""

    list_display = ["number", "seller", "status", "payment_method", "total", "placed_at"]
    list_filter = ["status", "payment_method", "delivery_method"]
    search_fields = ["number", "email", "phone", "seller__name"]
    list_select_related = ["seller"]
    inlines = [OrderLineInline, OrderEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SellerDeliveryRule)
class SellerDeliveryRuleAdmin(admin.ModelAdmin):
    list_display = ["seller", "ships", "flat_fee", "free_above", "pickup_enabled"]
    search_fields = ["seller__name"]
    autocomplete_fields = ["seller"]
