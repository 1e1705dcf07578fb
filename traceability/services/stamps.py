"""Writes for stamps: runs (created, ordered once per submission, voided), scans and
scratch-off PIN checks, with their rate limits. Runs belong to the product's holder (owner or
manager, ``holder_manager_require``)."""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Province
from core.ratelimit import FailureLimit
from core.text import nfc
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import (
    STAMP_RUN_MAX,
    Batch,
    Scan,
    Stamp,
    StampRun,
    Verdict,
)
from traceability.printing import SHEET_LAYOUT_DEFAULT
from traceability.printing.labels import LINK_SHORT
from traceability.services.batches import holder_manager_require
from traceability.services.prints import stamp_run_print_start

logger = logging.getLogger(__name__)

STAMP_CHUNK = 5000
# Wrong scratch-off PINs. Every limit is keyed by the client, so whoever reads a stamp's code
# cannot lock its buyer out: five tries per (stamp, client) and twenty per client across stamps.
# Someone guessing one stamp's PIN from many addresses meets the per-stamp ceiling, which slows
# rather than blocks: above it every client gets a single try on that stamp per window — the
# buyer holding the right PIN still succeeds at once. While a key is blocked even the right PIN
# is refused, or the block would not slow guessing at all. Tries are reserved before the PIN is
# compared (``FailureLimit.attempt``), so racing requests cannot squeeze in a sixth guess.
# PINs fail closed: with the counters unreachable, guessing would be unlimited.
PIN_PER_STAMP_AND_CLIENT = FailureLimit(
    "stamp-pin-pair", limit=5, window=15 * 60, on_outage="closed"
)
PIN_PER_CLIENT = FailureLimit("stamp-pin-client", limit=20, window=60 * 60, on_outage="closed")
PIN_PER_STAMP = FailureLimit("stamp-pin", limit=50, window=60 * 60, on_outage="closed")
# Every stamp check counts, the scan page and the API together (a fixed window, like the sign-in
# limits): enough for a shop checking a carton, far too few to walk through codes or inflate a
# stamp's scan count.
# Scans fail open: a buyer checking a stamp during a cache outage is served, uncounted.
SCAN_PER_CLIENT = FailureLimit("stamp-scan", limit=120, window=10 * 60, on_outage="open")


# --- stamp runs ----------------------------------------------------------------------------------


_STAMP_COLUMNS = ("run", "serial", "pin_hash", "pin_failures", "scan_count")
_ROWS_PER_INSERT = 1000


def _stamps_insert(*, run: StampRun, serials: list[str], with_pin: bool) -> list[str | None]:
    """Insert one chunk of stamps; their PINs (derived from each serial), or Nones.

    SQL written here rather than ``bulk_create``: for 100,000 rows the ORM spends ~90 % of its
    time building model instances and compiling a placeholder per field, and psycopg then
    re-parses every placeholder; the database itself takes ~10 %. PostgreSQL gets one
    ``INSERT … SELECT FROM unnest(arrays)`` per chunk, other backends multi-row VALUES under
    their parameter limit. The columns are the model's own, quoted by the backend.

    A serial that collides with an existing stamp (65 random bits: about one chance in 10^10
    per chunk even at a million stamps) makes the chunk retry with new serials.
    """
    meta = Stamp._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in _STAMP_COLUMNS)
    width = len(_STAMP_COLUMNS)
    per_insert = min(_ROWS_PER_INSERT, (connection.features.max_query_params or 10**6) // width)
    row_sql = "(" + ", ".join(["%s"] * width) + ")"
    for attempt in range(3):
        pins = [
            signing.pin_derive(run_id=run.pk, serial=serial) if with_pin else None
            for serial in serials
        ]
        rows = [
            (run.pk, serial, signing.pin_hash(serial=serial, pin=pin) if pin else None, 0, 0)
            for serial, pin in zip(serials, pins, strict=True)
        ]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # Two array parameters per chunk: nothing for the driver to parse per row.
                    cursor.execute(
                        f"INSERT INTO {qn(meta.db_table)} ({columns}) "
                        "SELECT %s, u.serial, u.pin_hash, 0, 0 "
                        "FROM unnest(%s::text[], %s::text[]) AS u(serial, pin_hash)",
                        [run.pk, [r[1] for r in rows], [r[2] for r in rows]],
                    )
                else:
                    for start in range(0, len(rows), per_insert):
                        part = rows[start : start + per_insert]
                        cursor.execute(
                            f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "
                            + ", ".join([row_sql] * len(part)),
                            [value for row in part for value in row],
                        )
            return pins
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("Stamp serial collision in run %s; retrying the chunk", run.pk)
            serials[:] = [signing.serial_new() for _ in serials]


@transaction.atomic
def stamp_run_create(
    *,
    actor,
    batch: Batch,
    quantity: int,
    with_pin: bool = False,
    submission: uuid.UUID | None = None,
) -> tuple[StampRun, dict[str, str]]:
    """Order ``quantity`` stamps (1–100,000) for ``batch``: owner or manager of the holder.

    Returns the run and, when ``with_pin``, ``{serial: PIN}``. PINs are derived from the run,
    the serial and ``STAMP_PIN_KEY`` (``signing.pin_derive``) and stored hashed: the background
    job that draws the run's labels derives them again to print them; nothing stores them in
    clear. Stamps are inserted in chunks of 5,000 rows in one transaction: all or nothing.
    """
    holder_manager_require(actor=actor, variant=batch.variant)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TraceabilityError(_("Enter a whole number."), code="invalid", field="quantity")
    if not 1 <= quantity <= STAMP_RUN_MAX:
        raise TraceabilityError(
            _("A run has 1 to 100,000 stamps."), code="out_of_range", field="quantity"
        )
    started = time.perf_counter()
    run = StampRun.objects.create(
        batch=batch,
        quantity=quantity,
        with_pin=with_pin,
        key_id=signing.signing_key_current(),
        created_by=actor,
        submission=submission,
    )
    serials: set[str] = set()
    while len(serials) < quantity:
        serials.add(signing.serial_new())
    ordered = list(serials)
    pins: dict[str, str] = {}
    for start in range(0, quantity, STAMP_CHUNK):
        chunk = ordered[start : start + STAMP_CHUNK]
        chunk_pins = _stamps_insert(run=run, serials=chunk, with_pin=with_pin)
        if with_pin:
            pins.update(zip(chunk, chunk_pins, strict=True))
    logger.info(
        "Stamp run %s: %s stamps in %.2f s", run.pk, quantity, time.perf_counter() - started
    )
    return run, pins


@dataclass(frozen=True)
class StampRunOrder:
    run: StampRun
    pins: dict[str, str]
    repeated: bool  # the same form submission had already ordered this run


def stamp_run_order(
    *,
    actor,
    batch: Batch,
    quantity: int,
    with_pin: bool,
    submission: uuid.UUID,
    layout: str = SHEET_LAYOUT_DEFAULT,
    link: str = LINK_SHORT,
) -> StampRunOrder:
    """``stamp_run_create`` once per order form submission: the form carries a one-time token,
    and a second submission of it (a double tap, a reload, two tabs at once) answers the run the
    first one ordered, without its PINs, which existed only for the first answer.

    A new run's label files (one PDF on ``layout`` sheets, the CSV) start drawing in the
    background once the order commits (``stamp_run_print_start``)."""
    holder_manager_require(actor=actor, variant=batch.variant)
    earlier = StampRun.objects.filter(submission=submission, batch=batch).first()
    if earlier is not None:
        return StampRunOrder(run=earlier, pins={}, repeated=True)
    try:
        with transaction.atomic():
            run, pins = stamp_run_create(
                actor=actor,
                batch=batch,
                quantity=quantity,
                with_pin=with_pin,
                submission=submission,
            )
            stamp_run_print_start(actor=actor, run=run, layout=layout, link=link)
    except IntegrityError:
        # The same submission committed in another request meanwhile (the unique constraint
        # made this one wait for it): that run is the answer.
        earlier = StampRun.objects.filter(submission=submission, batch=batch).first()
        if earlier is None:
            raise TraceabilityError(
                _("This form was already used for another batch; reload the page."),
                code="conflict",
                field="submission",
            ) from None
        return StampRunOrder(run=earlier, pins={}, repeated=True)
    return StampRunOrder(run=run, pins=pins, repeated=False)


def stamp_run_void(
    *, actor, run: StampRun, reason: str, now: datetime.datetime | None = None
) -> StampRun:
    """Mark a run void (labels lost or stolen): its stamps then scan as suspicious."""
    holder_manager_require(actor=actor, variant=run.batch.variant)
    reason = nfc(reason)
    if not reason:
        raise TraceabilityError(_("Say why the run is void."), code="required", field="reason")
    if len(reason) > 255:
        raise TraceabilityError(
            _("The reason can have at most 255 characters."), code="too_long", field="reason"
        )
    if run.voided_at is not None:
        raise TraceabilityError(_("This run is already void."), code="invalid_status", field="run")
    run.voided_at = now or timezone.now()
    run.void_reason = reason
    run.save(update_fields=["voided_at", "void_reason"])
    return run


# --- scans and PIN checks ------------------------------------------------------------------------


def stamp_scan_record(
    *,
    stamp: Stamp,
    verdict: str,
    now: datetime.datetime | None = None,
    province: Province | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    device_hash: str = "",
) -> Scan:
    """Record one scan (coarse place only) and bump the stamp's counters in one UPDATE, so
    concurrent scans never lose a count. ``stamp`` is updated in memory too."""
    now = now or timezone.now()
    if verdict not in Verdict.values:
        raise TraceabilityError(_("Unknown verdict."), code="invalid", field="verdict")
    scan = Scan.objects.create(
        stamp=stamp,
        scanned_at=now,
        province=province,
        latitude=latitude,
        longitude=longitude,
        device_hash=device_hash,
        verdict=verdict,
    )
    # The earliest time wins, whichever concurrent scan commits first.
    Stamp.objects.filter(pk=stamp.pk).update(
        scan_count=F("scan_count") + 1,
        first_scanned_at=Case(
            When(Q(first_scanned_at__isnull=True) | Q(first_scanned_at__gt=now), then=Value(now)),
            default=F("first_scanned_at"),
        ),
    )
    stamp.scan_count += 1
    if stamp.first_scanned_at is None or stamp.first_scanned_at > now:
        stamp.first_scanned_at = now
    return scan


def stamp_check_allowance(*, client_key: str) -> int:
    """Count one stamp check (a scan, an API check or a PIN) against the client's budget:
    0 when it may go ahead, else the seconds to wait."""
    return SCAN_PER_CLIENT.spend(client_key)


class PinStatus:
    VERIFIED = "verified"
    ALREADY_VERIFIED = "already_verified"
    WRONG = "wrong"
    RATE_LIMITED = "rate_limited"
    NO_PIN = "no_pin"


@dataclass(frozen=True)
class PinResult:
    status: str
    verified_at: datetime.datetime | None = None
    retry_after: int = 0


def stamp_pin_check(
    *, stamp: Stamp, pin: str, client_key: str = "", now: datetime.datetime | None = None
) -> PinResult:
    """Check a scratch-off PIN. The first correct PIN verifies the item; a later correct PIN
    learns when that was. The verification is a conditional UPDATE (``… WHERE pin_verified_at
    IS NULL``): of two concurrent correct checks exactly one changes the row and succeeds."""
    now = now or timezone.now()
    if not stamp.pin_hash:
        return PinResult(PinStatus.NO_PIN)
    blocked = PIN_PER_CLIENT.retry_after(client_key)
    if blocked:
        return PinResult(PinStatus.RATE_LIMITED, retry_after=blocked)
    pair = (stamp.serial, client_key)
    tries = PIN_PER_STAMP_AND_CLIENT.attempt(*pair)
    across = PIN_PER_CLIENT.attempt(client_key)
    under_attack = PIN_PER_STAMP.retry_after(stamp.serial)
    if tries > PIN_PER_STAMP_AND_CLIENT.limit or across > PIN_PER_CLIENT.limit:
        return PinResult(
            PinStatus.RATE_LIMITED,
            retry_after=max(
                PIN_PER_STAMP_AND_CLIENT.retry_after(*pair), PIN_PER_CLIENT.retry_after(client_key)
            ),
        )
    if under_attack and tries > 1:
        return PinResult(
            PinStatus.RATE_LIMITED,
            retry_after=max(1, min(under_attack, PIN_PER_STAMP_AND_CLIENT.window_left(*pair))),
        )
    pin = "".join(ch for ch in nfc(pin) if not ch.isspace())
    if not signing.pin_matches(serial=stamp.serial, pin=pin, stored=stamp.pin_hash):
        PIN_PER_STAMP.fail(stamp.serial)
        Stamp.objects.filter(pk=stamp.pk).update(pin_failures=F("pin_failures") + 1)
        stamp.pin_failures += 1
        return PinResult(PinStatus.WRONG)
    PIN_PER_STAMP_AND_CLIENT.forgive(*pair)
    PIN_PER_CLIENT.forgive(client_key)
    changed = Stamp.objects.filter(pk=stamp.pk, pin_verified_at__isnull=True).update(
        pin_verified_at=now
    )
    if changed:
        stamp.pin_verified_at = now
        return PinResult(PinStatus.VERIFIED, verified_at=now)
    verified_at = Stamp.objects.filter(pk=stamp.pk).values_list("pin_verified_at", flat=True)[0]
    stamp.pin_verified_at = verified_at
    return PinResult(PinStatus.ALREADY_VERIFIED, verified_at=verified_at)
