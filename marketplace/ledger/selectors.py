"""Ledger reads: a seller's balance, entries and payouts (constant queries per page)."""

from django.db.models import QuerySet, Sum

from marketplace.ledger.models import LedgerEntry, Payout
from sellers.models import Business


def ledger_entries(*, seller: Business) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(seller=seller).select_related("order__seller", "payout")


def ledger_totals(*, seller: Business) -> dict[str, int]:
    """The balance and its parts by kind."""
    rows = LedgerEntry.objects.filter(seller=seller).values("kind").annotate(total=Sum("amount"))
    totals = {row["kind"]: row["total"] for row in rows}
    totals["balance"] = sum(totals.values())
    return totals


def payouts_of(*, seller: Business) -> QuerySet[Payout]:
    return Payout.objects.filter(seller=seller)
