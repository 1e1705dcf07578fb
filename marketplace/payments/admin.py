from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from marketplace.orders.errors import CheckoutError
from marketplace.payments.models import BankNotification, Payment
from marketplace.payments.services import vietqr_reconcile


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "method", "amount", "amount_refunded", "status", "created_at"]
    list_filter = ["method", "status"]
    search_fields = ["reference", "provider_id", "cart__orders__number"]
    readonly_fields = [
        "cart",
        "method",
        "amount",
        "amount_refunded",
        "reference",
        "status",
        "provider_id",
    ]
    actions = ["confirm_transfer"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Confirm the bank transfer (VietQR)"))
    def confirm_transfer(self, request, queryset):
        for payment in queryset:
            try:
                vietqr_reconcile(payment=payment, actor=request.user)
            except CheckoutError as exc:
                self.message_user(request, f"{payment}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("%(ref)s confirmed.") % {"ref": payment.reference})


@admin.register(BankNotification)
class BankNotificationAdmin(admin.ModelAdmin):
    list_display = ["transaction_id", "amount", "note", "status", "reason", "received_at"]
    list_filter = ["status"]
    search_fields = ["transaction_id", "note"]
    readonly_fields = ["transaction_id", "amount", "note", "payment", "status", "reason"]

    def has_add_permission(self, request):
        return False
