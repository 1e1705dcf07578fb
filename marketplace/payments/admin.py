from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from marketplace.orders.errors import CheckoutError
from marketplace.payments.models import BankNotification, Payment
from marketplace.payments.services import (
    bank_notification_refund_record,
    payment_refund_record,
    vietqr_reconcile,
)


def _each(model_admin, request, queryset, act, done) -> None:
    """Run a staff action on each selected row: one row's refusal is reported and the others
    still go ahead (each service call is its own transaction)."""
    for row in queryset:
        try:
            act(row)
        except CheckoutError as exc:
            model_admin.message_user(request, f"{row}: {exc}", messages.ERROR)
        else:
            model_admin.message_user(request, done(row))


class PaymentRefundDueFilter(admin.SimpleListFilter):
    """Money the marketplace holds for orders that will not be delivered."""

    title = _("to refund")
    parameter_name = "refund_due"

    def lookups(self, request, model_admin):
        return [("yes", _("Money owed back to the buyer"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(refund_due__gt=0)
        return queryset


class NotificationRefundDueFilter(admin.SimpleListFilter):
    title = _("to refund")
    parameter_name = "refund_due"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Transfer to pay back")),
            ("done", _("Refund recorded")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(refund_due__gt=0, refunded_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(refunded_at__isnull=False)
        return queryset


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "method",
        "amount",
        "amount_cancelled",
        "refund_due",
        "amount_refunded",
        "status",
        "created_at",
    ]
    list_filter = [PaymentRefundDueFilter, "method", "status"]
    search_fields = ["reference", "provider_id", "cart__orders__number"]
    readonly_fields = [
        "cart",
        "method",
        "amount",
        "amount_cancelled",
        "refund_due",
        "amount_refunded",
        "reference",
        "status",
        "provider_id",
    ]
    actions = ["confirm_transfer", "refund_due_paid_back"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Confirm the bank transfer (VietQR)"))
    def confirm_transfer(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda payment: vietqr_reconcile(payment=payment, actor=request.user),
            lambda payment: _("%(ref)s confirmed.") % {"ref": payment.reference},
        )

    @admin.action(description=_("Refund what is owed back (card: through Stripe)"))
    def refund_due_paid_back(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda payment: payment_refund_record(payment=payment, actor=request.user),
            lambda payment: _("%(ref)s: refund recorded.") % {"ref": payment.reference},
        )


@admin.register(BankNotification)
class BankNotificationAdmin(admin.ModelAdmin):
    list_display = [
        "transaction_id",
        "amount",
        "note",
        "status",
        "refund_due",
        "refunded_at",
        "reason",
        "received_at",
    ]
    list_filter = [NotificationRefundDueFilter, "status"]
    search_fields = ["transaction_id", "note"]
    readonly_fields = [
        "transaction_id",
        "amount",
        "note",
        "payment",
        "status",
        "reason",
        "refund_due",
        "refunded_at",
        "reviewed_by",
    ]
    actions = ["refund_paid_back"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Record that the transfer was paid back"))
    def refund_paid_back(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda notification: bank_notification_refund_record(
                notification=notification, actor=request.user
            ),
            lambda notification: (
                _("%(id)s: refund recorded.") % {"id": notification.transaction_id}
            ),
        )
