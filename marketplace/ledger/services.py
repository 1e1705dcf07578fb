"""Ledger bookings. Every write locks the seller's business row first, so bookings and payouts of
one seller queue behind each other and a payout can never overdraw the balance it checked.

Called by the orders services inside their transactions: an order's state and its ledger rows
commit together. Bookings are idempotent: a second call for the same order books nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import nfc
from marketplace.ledger.errors import LedgerError
from marketplace.ledger.models import CommissionRate, EntryKind, LedgerEntry, Payout
from sellers.models import Business


def commission_for(*, subtotal: int, basis_points: int) -> int:
    """Commission on the goods (shipping is the seller's cost), rounded half up to the đồng."""
    return (subtotal * basis_points + 5_000) // 10_000


def commission_rate_of(*, seller: Business) -> int:
    rate = (
        CommissionRate.objects.filter(seller=seller).values_list("basis_points", flat=True).first()
    )
    return settings.LEDGER_DEFAULT_COMMISSION_BP if rate is None else rate


def _lock(seller_id: int) -> None:
    Business.objects.select_for_update().filter(pk=seller_id).values_list("pk").first()


def _book(*, order, kind: str, amount: int, memo: str = "") -> LedgerEntry | None:
    if LedgerEntry.objects.filter(order=order, kind=kind).exists():
        return None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                seller_id=order.seller_id, order=order, kind=kind, amount=amount, memo=memo
            )
    except IntegrityError:  # booked by a concurrent call that committed first
        return None


@transaction.atomic
def ledger_order_confirmed(*, order) -> list[LedgerEntry]:
    """The order is paid (card, transfer) or confirmed for cash on delivery: the seller is
    credited its total and charged the commission on the goods."""
    _lock(order.seller_id)
    rate = commission_rate_of(seller=order.seller)
    booked = [
        _book(order=order, kind=EntryKind.SALE, amount=order.total),
        _book(
            order=order,
            kind=EntryKind.COMMISSION,
            amount=-commission_for(subtotal=order.subtotal, basis_points=rate),
            memo=f"{rate} bp",
        ),
    ]
    return [entry for entry in booked if entry is not None]


@transaction.atomic
def ledger_order_cod_collected(*, order) -> LedgerEntry | None:
    """The seller holds the buyer's cash: what it collected leaves the balance."""
    _lock(order.seller_id)
    return _book(order=order, kind=EntryKind.COD_COLLECTED, amount=-order.total)


@transaction.atomic
def ledger_order_reversed(*, order) -> list[LedgerEntry]:
    """Cancelled or refunded: every booking of the order is reversed by its exact negative."""
    _lock(order.seller_id)
    # Partial refunds are reversed too: after a full reversal the order nets to exactly 0.
    kinds = (EntryKind.SALE, EntryKind.COMMISSION, EntryKind.COD_COLLECTED, EntryKind.REFUND)
    open_entries = LedgerEntry.objects.filter(
        order=order,
        kind__in=[k.value for k in kinds],
        reversed_by__isnull=True,
    ).order_by("id")
    return [
        LedgerEntry.objects.create(
            seller_id=entry.seller_id,
            order=order,
            kind=EntryKind.REVERSAL,
            amount=-entry.amount,
            reverses=entry,
            memo=entry.kind,
        )
        for entry in open_entries
    ]


@transaction.atomic
def ledger_order_partially_refunded(*, order, amount: int, memo: str = "") -> LedgerEntry:
    """``amount`` of a paid order went back to the buyer (the caller applies each refund once):
    the seller gives it up, and the marketplace gives back the commission on that share of the
    goods — in proportion, rounded half up, so refunds adding up to the order reverse exactly."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= order.total:
        raise LedgerError(_("Enter an amount above 0 ₫."), code="invalid", field="amount")
    _lock(order.seller_id)
    commission = -(
        LedgerEntry.objects.filter(order=order, kind=EntryKind.COMMISSION)
        .values_list("amount", flat=True)
        .first()
        or 0
    )
    commission_back = (commission * amount * 2 + order.total) // (order.total * 2)
    return LedgerEntry.objects.create(
        seller_id=order.seller_id,
        order=order,
        kind=EntryKind.REFUND,
        amount=-amount + commission_back,
        memo=(memo or f"{amount}")[:255],
    )


def ledger_balance(*, seller: Business) -> int:
    return LedgerEntry.objects.filter(seller=seller).aggregate(total=Sum("amount"))["total"] or 0


@transaction.atomic
def payout_record(
    *, seller: Business, amount: int, reference: str, actor, note: str = "", paid_at=None
) -> Payout:
    """Staff paid the seller by bank transfer: never more than the balance owed."""
    if not getattr(actor, "is_staff", False):
        raise LedgerError(_("Only marketplace staff record payouts."), code="permission_denied")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LedgerError(_("Enter an amount above 0 ₫."), code="invalid", field="amount")
    reference = nfc(reference or "").strip()
    if not reference:
        raise LedgerError(
            _("Enter the bank transfer's reference."), code="required", field="reference"
        )
    _lock(seller.pk)
    balance = ledger_balance(seller=seller)
    if amount > balance:
        raise LedgerError(
            _("The payout (%(amount)s ₫) is more than the balance owed (%(balance)s ₫).")
            % {
                "amount": f"{amount:,}".replace(",", "."),
                "balance": f"{balance:,}".replace(",", "."),
            },
            code="out_of_range",
            field="amount",
        )
    payout = Payout.objects.create(
        seller=seller,
        amount=amount,
        reference=reference[:100],
        paid_at=paid_at or timezone.now(),
        recorded_by=actor,
        note=nfc(note or "")[:255],
    )
    LedgerEntry.objects.create(
        seller=seller, kind=EntryKind.PAYOUT, amount=-amount, payout=payout, memo=payout.reference
    )
    return payout


@transaction.atomic
def commission_rate_set(*, seller: Business, basis_points: int, actor) -> CommissionRate:
    """A seller's own rate; it applies to orders confirmed from now on, never to booked ones."""
    if not getattr(actor, "is_staff", False):
        raise LedgerError(
            _("Only marketplace staff set commission rates."), code="permission_denied"
        )
    if (
        isinstance(basis_points, bool)
        or not isinstance(basis_points, int)
        or not 0 <= basis_points <= 10_000
    ):
        raise LedgerError(
            _("A commission is 0 to 10,000 basis points (0–100 %)."),
            code="out_of_range",
            field="basis_points",
        )
    rate, _created = CommissionRate.objects.update_or_create(
        seller=seller, defaults={"basis_points": basis_points, "updated_by": actor}
    )
    return rate
