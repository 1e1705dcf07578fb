"""Writes: batches, provenance events (appended, never edited), stamp runs, scans, PIN checks.

Seller-side writes check the actor's membership of the business first
(``sellers.services.membership_require``): batches and stamp runs belong to the product's
holder (owner or manager), events may be recorded by any member of the holder, or of a
reseller the holder has authorised (a shop receiving the goods).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Certificate, CertificateStatus, ProductVariant
from catalog.photos import photo_delete_files, photo_process, photo_store
from core.models import Province
from core.ratelimit import FailureLimit
from core.text import nfc
from marketplace.offers.models import ResaleAuthorization, StockLocation
from sellers.errors import PermissionDenied
from sellers.models import Business
from sellers.selectors import ROLES_ALL, ROLES_MANAGE
from sellers.services import membership_require
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import (
    STAMP_RUN_MAX,
    Batch,
    BusinessStep,
    Disposition,
    EventType,
    ProvenanceEvent,
    Scan,
    Stamp,
    StampRun,
    Verdict,
)
from traceability.validators import lot_code_is_valid, validate_utc_offset

logger = logging.getLogger(__name__)

BATCH_QUANTITY_MAX = 1_000_000_000
NOTE_MAX = 2000
# Events dated a little ahead are clock skew between a phone and the server, not the future.
EVENT_CLOCK_SKEW = datetime.timedelta(minutes=10)
STAMP_CHUNK = 5000
# Wrong scratch-off PINs. Every limit is keyed by the client, so whoever reads a stamp's code
# cannot lock its buyer out: five tries per (stamp, client) and twenty per client across stamps.
# Someone guessing one stamp's PIN from many addresses meets the per-stamp ceiling, which slows
# rather than blocks: above it every client gets a single try on that stamp per window — the
# buyer holding the right PIN still succeeds at once. While a key is blocked even the right PIN
# is refused, or the block would not slow guessing at all. Tries are reserved before the PIN is
# compared (``FailureLimit.attempt``), so racing requests cannot squeeze in a sixth guess.
PIN_PER_STAMP_AND_CLIENT = FailureLimit("stamp-pin-pair", limit=5, window=15 * 60)
PIN_PER_CLIENT = FailureLimit("stamp-pin-client", limit=20, window=60 * 60)
PIN_PER_STAMP = FailureLimit("stamp-pin", limit=50, window=60 * 60)
# Every stamp check counts, the scan page and the API together (a fixed window, like the sign-in
# limits): enough for a shop checking a carton, far too few to walk through codes or inflate a
# stamp's scan count.
SCAN_PER_CLIENT = FailureLimit("stamp-scan", limit=120, window=10 * 60)


# --- batches -------------------------------------------------------------------------------------


def certificate_in_force_on(*, variant: ProductVariant, day: datetime.date) -> Certificate | None:
    """The certificate that covered ``variant``'s product on ``day``: valid on that day and not
    revoked by then; the newest one when a renewal overlapped."""
    candidates = Certificate.objects.filter(
        product_id=variant.product_id, valid_from__lte=day, valid_until__gte=day
    ).order_by("-valid_from", "-id")
    for certificate in candidates:
        if (
            certificate.status == CertificateStatus.REVOKED
            and certificate.status_changed_at is not None
            and timezone.localdate(certificate.status_changed_at) <= day
        ):
            continue
        return certificate
    return None


def _holder_manager(*, actor, variant: ProductVariant) -> Business:
    holder = variant.product.holder
    membership_require(user=actor, business=holder, roles=ROLES_MANAGE)
    return holder


def batch_create(
    *,
    actor,
    variant: ProductVariant,
    lot_code: str,
    produced_on: datetime.date,
    quantity: int,
    expires_on: datetime.date | None = None,
    origin_province: Province | None = None,
    origin_commune: str = "",
    today: datetime.date | None = None,
) -> Batch:
    """A lot of ``variant``, recorded by an owner or manager of the product's holder. The
    certificate in force on the production date is looked up in the registry."""
    _holder_manager(actor=actor, variant=variant)
    today = today or timezone.localdate()
    lot_code = nfc(lot_code)
    if not lot_code:
        raise TraceabilityError(_("Enter the lot code."), code="required", field="lot_code")
    if not lot_code_is_valid(lot_code):
        raise TraceabilityError(
            _(
                "A lot code is 1 to 20 characters: letters without accents, digits and "
                "!\"%&'()*+,-.:;<=>?_ (no spaces, no slash)."
            ),
            code="invalid",
            field="lot_code",
        )
    if produced_on is None:
        raise TraceabilityError(
            _("Enter the production date."), code="required", field="produced_on"
        )
    if produced_on > today:
        raise TraceabilityError(
            _("The production date cannot be in the future."),
            code="out_of_range",
            field="produced_on",
        )
    if expires_on is not None and expires_on < produced_on:
        raise TraceabilityError(
            _("The expiry date cannot be before the production date."),
            code="out_of_range",
            field="expires_on",
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TraceabilityError(_("Enter a whole number."), code="invalid", field="quantity")
    if not 1 <= quantity <= BATCH_QUANTITY_MAX:
        raise TraceabilityError(
            _("The quantity must be between 1 and 1,000,000,000."),
            code="out_of_range",
            field="quantity",
        )
    origin_commune = nfc(origin_commune)
    if len(origin_commune) > 255:
        raise TraceabilityError(
            _("The commune can have at most 255 characters."),
            code="too_long",
            field="origin_commune",
        )
    duplicate = TraceabilityError(
        _("This pack already has a batch with lot code %(lot)s.") % {"lot": lot_code},
        code="duplicate",
        field="lot_code",
    )
    if Batch.objects.filter(variant=variant, lot_code=lot_code).exists():
        raise duplicate
    certificate = certificate_in_force_on(variant=variant, day=produced_on)
    try:
        with transaction.atomic():  # a double submit loses the race with a message, not a 500
            return Batch.objects.create(
                variant=variant,
                lot_code=lot_code,
                produced_on=produced_on,
                expires_on=expires_on,
                quantity=quantity,
                origin_province=origin_province,
                origin_commune=origin_commune,
                certificate=certificate,
                created_by=actor,
            )
    except IntegrityError:
        raise duplicate from None


# --- provenance events ---------------------------------------------------------------------------


def _event_business_check(*, actor, business: Business, batch: Batch) -> None:
    membership_require(user=actor, business=business, roles=ROLES_ALL)
    product = batch.variant.product
    if business.pk == product.holder_id:
        return
    if not ResaleAuthorization.objects.filter(
        product=product, reseller=business, revoked_at__isnull=True
    ).exists():
        raise PermissionDenied(
            _("Only the producer, or a shop it has authorised, can record events of this batch.")
        )


def _coordinate(value, *, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise TraceabilityError(
            _("Enter the coordinate as a decimal number."), code="invalid", field=field
        ) from None
    if not number.is_finite() or abs(number) > limit:
        raise TraceabilityError(
            _("The latitude must be between -90 and 90.")
            if field == "latitude"
            else _("The longitude must be between -180 and 180."),
            code="out_of_range",
            field=field,
        )
    return number


def _utc_offset(moment: datetime.datetime) -> str:
    offset = moment.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass(frozen=True)
class _EventInput:
    business_step: str
    event_time: datetime.datetime
    event_timezone: str
    event_type: str
    disposition: str
    address: str
    location: StockLocation | None
    latitude: Decimal | None
    longitude: Decimal | None
    note: str


def _event_input(
    *,
    business: Business,
    business_step: str,
    event_time: datetime.datetime,
    event_timezone: str | None,
    event_type: str,
    disposition: str,
    address: str,
    location: StockLocation | None,
    latitude,
    longitude,
    note: str,
    now: datetime.datetime,
) -> _EventInput:
    if business_step not in BusinessStep.values:
        raise TraceabilityError(_("Choose a step."), code="invalid", field="business_step")
    if event_type not in EventType.values:
        raise TraceabilityError(_("Choose an event type."), code="invalid", field="event_type")
    if disposition and disposition not in Disposition.values:
        raise TraceabilityError(_("Choose a disposition."), code="invalid", field="disposition")
    if event_time is None:
        raise TraceabilityError(_("Enter when it happened."), code="required", field="event_time")
    if timezone.is_naive(event_time):
        raise TraceabilityError(
            _("Give the time with its time zone."), code="invalid", field="event_time"
        )
    if event_time > now + EVENT_CLOCK_SKEW:
        raise TraceabilityError(
            _("The event cannot be in the future."), code="out_of_range", field="event_time"
        )
    if not event_timezone:
        # A UTC time (an API client, a server clock) says nothing about where the event took
        # place: the site's time zone is the better guess for a Vietnamese producer.
        local = event_time if event_time.utcoffset() else timezone.localtime(event_time)
        event_timezone = _utc_offset(local)
    try:
        validate_utc_offset(event_timezone)
    except ValidationError:
        raise TraceabilityError(
            _("A time zone offset looks like +07:00."), code="invalid", field="event_timezone"
        ) from None
    address, note = nfc(address), nfc(note)
    if len(address) > 255:
        raise TraceabilityError(
            _("The address can have at most 255 characters."), code="too_long", field="address"
        )
    if len(note) > NOTE_MAX:
        raise TraceabilityError(
            _("The note can have at most 2,000 characters."), code="too_long", field="note"
        )
    if location is not None and location.business_id != business.pk:
        raise TraceabilityError(
            _("Choose one of your own locations."), code="invalid", field="location"
        )
    latitude = _coordinate(latitude, field="latitude", limit=90)
    longitude = _coordinate(longitude, field="longitude", limit=180)
    if (latitude is None) != (longitude is None):
        raise TraceabilityError(
            _("Give both latitude and longitude, or neither."),
            code="required",
            field="longitude" if longitude is None else "latitude",
        )
    if not address and location is None and latitude is None:
        raise TraceabilityError(
            _("Say where it happened: an address, one of your locations or coordinates."),
            code="required",
            field="address",
        )
    return _EventInput(
        business_step=business_step,
        event_time=event_time,
        event_timezone=event_timezone,
        event_type=event_type,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
    )


def _event_create(
    *, actor, batch: Batch, data: _EventInput, photo, corrects: ProvenanceEvent | None
) -> ProvenanceEvent:
    stored: list[str] = []
    photo_name, width, height = "", None, None
    if photo is not None:
        processed = photo_process(photo)  # raises UploadRejected(field="image") on a bad upload
        # One width is enough on a timeline: the srcset copies are not stored.
        photo_name, _renditions = photo_store(
            dataclasses.replace(processed, renditions=[]), folder=f"provenance/{batch.pk}"
        )
        stored = [photo_name]
        width, height = processed.width, processed.height
    try:
        with transaction.atomic():
            return ProvenanceEvent.objects.create(
                batch=batch,
                event_type=data.event_type,
                business_step=data.business_step,
                disposition=data.disposition,
                event_time=data.event_time,
                event_timezone=data.event_timezone,
                address=data.address,
                location=data.location,
                latitude=data.latitude,
                longitude=data.longitude,
                note=data.note,
                photo=photo_name,
                photo_width=width,
                photo_height=height,
                recorded_by=actor,
                corrects=corrects,
            )
    except IntegrityError:
        photo_delete_files(stored)
        if corrects is not None:
            raise TraceabilityError(
                _("This event has just been corrected by someone else; reload the timeline."),
                code="conflict",
                field="event",
            ) from None
        raise
    except Exception:
        photo_delete_files(stored)
        raise


def provenance_event_record(
    *,
    actor,
    business: Business,
    batch: Batch,
    business_step: str,
    event_time: datetime.datetime,
    event_timezone: str | None = None,
    event_type: str = EventType.OBJECT,
    disposition: str = "",
    address: str = "",
    location: StockLocation | None = None,
    latitude=None,
    longitude=None,
    note: str = "",
    photo=None,
    now: datetime.datetime | None = None,
) -> ProvenanceEvent:
    """Append an event to ``batch``'s provenance, recorded by a member of ``business``."""
    _event_business_check(actor=actor, business=business, batch=batch)
    data = _event_input(
        business=business,
        business_step=business_step,
        event_time=event_time,
        event_timezone=event_timezone,
        event_type=event_type,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
        now=now or timezone.now(),
    )
    return _event_create(actor=actor, batch=batch, data=data, photo=photo, corrects=None)


def provenance_event_correct(
    *,
    actor,
    business: Business,
    event: ProvenanceEvent,
    business_step: str,
    event_time: datetime.datetime,
    event_timezone: str | None = None,
    event_type: str = EventType.OBJECT,
    disposition: str = "",
    address: str = "",
    location: StockLocation | None = None,
    latitude=None,
    longitude=None,
    note: str = "",
    photo=None,
    now: datetime.datetime | None = None,
) -> ProvenanceEvent:
    """A new event replacing ``event`` (given in full); ``event`` stays, marked as corrected.
    Only the latest version of an event can be corrected, so corrections form a chain."""
    _event_business_check(actor=actor, business=business, batch=event.batch)
    if ProvenanceEvent.objects.filter(corrects=event).exists():
        raise TraceabilityError(
            _("This event has already been corrected; correct the latest version."),
            code="conflict",
            field="event",
        )
    data = _event_input(
        business=business,
        business_step=business_step,
        event_time=event_time,
        event_timezone=event_timezone,
        event_type=event_type,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
        now=now or timezone.now(),
    )
    return _event_create(actor=actor, batch=event.batch, data=data, photo=photo, corrects=event)


# --- stamp runs ----------------------------------------------------------------------------------


_STAMP_COLUMNS = ("run", "serial", "pin_hash", "pin_failures", "scan_count")
_ROWS_PER_INSERT = 1000


def _stamps_insert(*, run: StampRun, serials: list[str], pins: list[str | None]) -> None:
    """Insert one chunk of stamps.

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
            return
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

    Returns the run and, when ``with_pin``, ``{serial: PIN}`` — the only time the PINs exist in
    clear (they are stored hashed), so the caller prints them now. Stamps are inserted in
    chunks of 5,000 rows in one transaction: all or nothing.
    """
    _holder_manager(actor=actor, variant=batch.variant)
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
        chunk_pins = [signing.pin_new() if with_pin else None for _ in chunk]
        _stamps_insert(run=run, serials=chunk, pins=chunk_pins)
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
    *, actor, batch: Batch, quantity: int, with_pin: bool, submission: uuid.UUID
) -> StampRunOrder:
    """``stamp_run_create`` once per order form submission: the form carries a one-time token,
    and a second submission of it (a double tap, a reload, two tabs at once) answers the run the
    first one ordered, without its PINs, which existed only for the first answer."""
    _holder_manager(actor=actor, variant=batch.variant)
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
    _holder_manager(actor=actor, variant=run.batch.variant)
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
