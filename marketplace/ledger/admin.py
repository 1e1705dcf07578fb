"""Staff: entries are read-only (immutable by design); payouts and commission rates are
recorded through their services so the balance rule and the staff check always apply."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.ledger.errors import LedgerError
from marketplace.ledger.models import CommissionRate, LedgerEntry, Payout
from marketplace.ledger.services import commission_rate_set, ledger_balance, payout_record


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "seller", "kind", "amount", "order", "memo"]
    list_filter = ["kind"]
    search_fields = ["seller__name", "order__number", "memo"]
    list_select_related = ["seller", "order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayoutForm(forms.ModelForm):
    class Meta:
        model = Payout
        fields = ["seller", "amount", "reference", "note"]

    def clean(self):
        cleaned = super().clean()
        seller, amount = cleaned.get("seller"), cleaned.get("amount")
        if seller and amount and amount > ledger_balance(seller=seller):
            self.add_error("amount", _("The payout is more than the balance owed to this seller."))
        return cleaned


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    form = PayoutForm
    list_display = ["paid_at", "seller", "amount", "reference", "recorded_by"]
    search_fields = ["seller__name", "reference"]
    autocomplete_fields = ["seller"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = payout_record(
                seller=obj.seller,
                amount=obj.amount,
                reference=obj.reference,
                note=obj.note,
                actor=request.user,
            )
        except LedgerError as exc:
            raise ValidationError(exc.message) from exc
        obj.pk = saved.pk


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = ["seller", "basis_points", "updated_at", "updated_by"]
    search_fields = ["seller__name"]
    autocomplete_fields = ["seller"]
    fields = ["seller", "basis_points"]

    def save_model(self, request, obj, form, change):
        saved = commission_rate_set(
            seller=obj.seller, basis_points=obj.basis_points, actor=request.user
        )
        obj.pk = saved.pk
