"""The OCOP rules that are not rows of the rulebook, each in one function.

The rulebook's numbers (bands, validity, windows, who grants which stars) are data on
``Framework`` and its related rows; the functions here read them. Every page, API field, import
and stamp verdict goes through these, so a rule has one home (ARCHITECTURE.md, *Where each
rule lives*). Nothing here queries the database.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

# Only ★3–★5 are recognised: ★1–★2 get no decision and no certificate (26/2026 Art. 4.1.a).
RECOGNISED_STARS = (3, 4, 5)
SCORE_PLACES = Decimal("0.01")
MAX_TOTAL = Decimal(100)


def stars_recognised(stars: int | None) -> bool:
    """Whether ``stars`` is a rating that gets a decision and a certificate."""
    return stars in RECOGNISED_STARS


def star_choices() -> list[tuple[str, str]]:
    """The recognised ratings as form choices, most stars first: ("5", "★★★★★ (5)")…"""
    return [(str(n), f"{'★' * n} ({n})") for n in reversed(RECOGNISED_STARS)]


def score_round(total: Decimal) -> Decimal:
    """The figure stored and shown for a total: half-up to 2 places. Never band on it: an
    average of 89.9967 shows as 90.00 but is ★4 (``band_stars`` takes the exact value)."""
    return total.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def band_stars(*, bands: Iterable, total: Decimal) -> int:
    """The stars of the band the *exact* total falls in: each band (``stars``, ``min_score``)
    runs from its minimum (inclusive) to the next band's."""
    return next(
        (b.stars for b in sorted(bands, key=lambda b: -b.min_score) if total >= b.min_score), 1
    )


# --- frameworks by date -------------------------------------------------------------------------


def frameworks_in_force(frameworks: Iterable, day: datetime.date) -> list:
    """The frameworks a decision dated ``day`` may be filed under, oldest first.

    Each framework is in force from ``in_force_from`` to ``in_force_until`` (inclusive). A
    procedural framework (``scores_with``: 1489/2025) changes the procedure of the one whose score
    sheets it keeps, so while both are in force only the procedural one applies. Two left means an
    overlap (22/05–20/07/2026: 1489/2025 and 26/2026), where the caller must be told which.
    """
    found = [
        f
        for f in frameworks
        if f.in_force_from <= day and (f.in_force_until is None or day <= f.in_force_until)
    ]
    replaced = {f.scores_with_id for f in found if f.scores_with_id}
    return sorted((f for f in found if f.pk not in replaced), key=lambda f: f.in_force_from)


# --- who grants which stars ---------------------------------------------------------------------


def grant_levels(grants: Iterable, *, framework, stars: int) -> list[str]:
    """The levels that may recognise ``stars`` under ``framework`` (its ``StarGrant`` rows):
    ★5 the central council only; ★3–★4 the province, and under 148/2023 ★3 the district too."""
    return [g.level for g in grants if g.framework_id == framework.pk and g.stars == stars]


# --- re-evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReevaluationWindow:
    """Re-evaluation dossiers are filed ``from_days`` to ``until_days`` before expiry (180 to
    120 under 148/2023 and 26/2026): the framework's data."""

    from_days: int
    until_days: int

    def contains(self, days_left: int) -> bool:
        return self.until_days <= days_left <= self.from_days

    @classmethod
    def of(cls, framework) -> "ReevaluationWindow":
        return cls(framework.reevaluation_from_days, framework.reevaluation_until_days)


# --- the certificate in force -------------------------------------------------------------------
# One definition, in three renderings that tests/catalog/test_in_force.py proves equal on the
# edge cases: ``certificate_in_force_on`` (a certificate on any day, history included),
# ``in_force_q`` (SQL, for today: an ended certificate is no longer active by then) and the
# search documents' stored last day read against today (search.backends).

ACTIVE, EXPIRED, REVOKED, SUPERSEDED = "active", "expired", "revoked", "superseded"


def certificate_ended_on(certificate) -> datetime.date | None:
    """The first day a certificate no longer covers its product before its validity ran out:
    the revocation decision's date (else the day it was recorded), or the day it was superseded.
    None while it has not ended early."""
    if certificate.status == REVOKED:
        if certificate.revocation_decision_date:
            return certificate.revocation_decision_date
    elif certificate.status != SUPERSEDED:
        return None
    if certificate.status_changed_at is None:
        return None
    return timezone.localdate(certificate.status_changed_at)


def certificate_last_day(certificate) -> datetime.date:
    """The last day of validity: ``valid_until``, or later while a re-evaluation filed in time
    awaits its decision (``kept_until``, at most the framework's grace past expiry)."""
    kept = getattr(certificate, "kept_until", None)
    return max(certificate.valid_until, kept) if kept else certificate.valid_until


def certificate_in_force_on(certificate, day: datetime.date) -> bool:
    """Whether ``certificate`` covered its product on ``day``: within its validity and not yet
    revoked or superseded. (A past day's answer stands even if it was revoked later.)"""
    if not certificate.valid_from <= day <= certificate_last_day(certificate):
        return False
    ended = certificate_ended_on(certificate)
    return ended is None or day < ended


def certificate_status_on(certificate, day: datetime.date) -> str:
    """The certificate's status as it stood on ``day``: active while in force, revoked or
    superseded from the day it ended, expired after its validity — whether or not the daily job
    has recorded it yet."""
    ended = certificate_ended_on(certificate)
    if ended is not None and day >= ended:
        return certificate.status
    if day > certificate_last_day(certificate):
        return EXPIRED
    return ACTIVE


def in_force_q(today: datetime.date, prefix: str = "") -> Q:
    """``certificate_in_force_on(c, today)`` in SQL. For today the status says it all: a revoked
    or superseded certificate ended by today (a revocation cannot be dated ahead), so only an
    active one within its validity is in force, whether or not the daily job has run."""
    return Q(**{f"{prefix}status": ACTIVE, f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_until__gte": today}) | Q(**{f"{prefix}kept_until__gte": today})
    )


def certificate_newest_in_force(certificates: Iterable, day: datetime.date):
    """Of a product's certificates, the one in force on ``day`` — the newest when a renewal
    overlapped its predecessor."""
    return max(
        (c for c in certificates if certificate_in_force_on(c, day)),
        key=lambda c: (c.valid_from, c.pk),
        default=None,
    )


# --- supersession -------------------------------------------------------------------------------


def certificate_placement(
    *,
    valid_from: datetime.date,
    valid_until: datetime.date,
    current_from: datetime.date | None,
    today: datetime.date,
) -> tuple[str, bool]:
    """Where a newly recorded certificate goes in its product's history, given the valid-from
    of the product's active certificate (None without one): ``(status, replaces_current)``.

    A newer decision retires the active certificate (one active per product). An older one
    (history imported late) never knocks the newer out: it is recorded superseded by it, or
    expired if its validity already ran out; so is any certificate past its validity."""
    expired = valid_until < today
    if current_from is not None and current_from > valid_from:
        return (EXPIRED if expired else SUPERSEDED), False
    return (EXPIRED if expired else ACTIVE), current_from is not None
