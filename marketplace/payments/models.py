"""One payment per checkout (it may span several sellers' orders), the provider events applied to
it exactly once, and the bank notifications VietQR transfers are reconciled from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.orders.models import PaymentMethod


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    CANCELLED = "cancelled", _("Cancelled")


class Payment(models.Model):
    cart = models.OneToOneField(
        "orders.Cart", on_delete=models.PROTECT, related_name="payment", verbose_name=_("checkout")
    )
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.BigIntegerField(_("amount (₫)"))
    amount_refunded = models.BigIntegerField(_("refunded (₫)"), default=0)
    # Orders cancelled before they were paid: what the buyer still owes is amount - this.
    amount_cancelled = models.BigIntegerField(_("cancelled (₫)"), default=0)
    # Money received for orders that will not be delivered (cancelled after payment, or paid
    # after a cancellation) and not yet given back: staff see it and record the refund.
    refund_due = models.BigIntegerField(_("to refund (₫)"), default=0)
    # ASCII, short and unique: the transfer note of a VietQR payment and Stripe metadata.
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True, db_index=True)
    client_secret = models.CharField(
        _("card payment client secret"), max_length=200, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.reference

    @property
    def amount_due(self) -> int:
        """What the buyer must pay now: the checkout less the orders cancelled before payment."""
        return max(self.amount - self.amount_cancelled, 0)


class ProviderEvent(models.Model):
    """A provider notification, stored in the transaction that applies it: the unique key makes
    a replayed or concurrent duplicate fail instead of applying twice."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    kind = models.CharField(_("type"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="event_applied_once")
        ]
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class NotificationStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    FLAGGED = "flagged", _("Flagged for review")


class BankNotification(models.Model):
    transaction_id = models.CharField(_("bank transaction"), max_length=100, unique=True)
    amount = models.BigIntegerField(_("amount (₫)"))
    note = models.CharField(_("transfer note"), max_length=255)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bank_notifications",
        verbose_name=_("payment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=NotificationStatus.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # A flagged transfer confirmed nothing: the whole amount goes back unless staff decide
    # otherwise, and stays listed under "to refund" until someone records that it did.
    refund_due = models.BigIntegerField(_("to refund (₫)"), default=0)
    refunded_at = models.DateTimeField(_("refund recorded"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("bank notification")
        verbose_name_plural = _("bank notifications")

    def __str__(self) -> str:
        return self.transaction_id
