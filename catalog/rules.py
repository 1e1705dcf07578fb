"""The OCOP rules that are not rows of the rulebook, each in one function.

The rulebook's numbers (bands, validity, windows, who grants which stars) are data on
``Framework`` and its related rows; the functions here read them. Every page, API field, import
and stamp verdict goes through these, so a rule has one home (ARCHITECTURE.md, *Where each
rule lives*). Nothing here queries the database.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

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
