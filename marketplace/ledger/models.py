"""The seller ledger. Stripe cannot pay out to Vietnamese sellers (OCOP-RULES.md §5), so the
marketplace collects card and bank-transfer money itself and pays each seller from this ledger.

Entries are immutable, in whole đồng, signed from the seller's side: positive means the
marketplace owes the seller more. A seller's balance is the sum of its entries, nothing else.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    SALE = "sale", _("Sale")
    COMMISSION = "commission", _("Commission")
    COD_COLLECTED = "cod_collected", _("Cash collected by the seller")
    REVERSAL = "reversal", _("Reversal")
    PAYOUT = "payout", _("Payout")
    # Part of an order's money given back to the buyer (less the commission on that part).
    REFUND = "refund", _("Partial refund to the buyer")


# Booked at most once per order (a database constraint, not only a check in code).
PER_ORDER_KINDS = (EntryKind.SALE, EntryKind.COMMISSION, EntryKind.COD_COLLECTED)


class CommissionRate(models.Model):
    seller = models.OneToOneField(
        "sellers.Business",
        on_delete=models.CASCADE,
        related_name="commission_rate",
        verbose_name=_("seller"),
    )
    basis_points = models.PositiveIntegerField(
        _("commission (basis points)"), help_text=_("500 = 5 %.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basis_points__lte=10_000), name="commission_at_most_100pc"
            )
        ]
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.basis_points} bp"


class Payout(models.Model):
    seller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("seller"),
    )
    amount = models.BigIntegerField(_("amount (₫)"))
    reference = models.CharField(_("bank reference"), max_length=100)
    paid_at = models.DateTimeField(_("paid"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive")
        ]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.amount}"


class LedgerEntry(models.Model):
    seller = models.ForeignKey(
        "sellers.Business",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("seller"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("amount (₫)"))
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("order"),
    )
    payout = models.OneToOneField(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        verbose_name=_("payout"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "-created_at"], name="ledger_seller_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=models.Q(kind__in=["sale", "commission", "cod_collected"]),
                name="booked_once_per_order",
            )
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.amount}"
