"""Writes for batches and their provenance events (appended, never edited).

Seller-side writes check the actor's membership of the business first
(``sellers.services.membership_require``): batches belong to the product's holder (owner or
manager), events may be recorded by any member of the holder, or of a reseller the holder has
authorised (a shop receiving the goods).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Certificate, ProductVariant
from catalog.photos import photo_delete_files, photo_process, photo_store
from catalog.rules import certificate_newest_in_force
from core.models import Province
from core.text import nfc
from marketplace.offers.models import ResaleAuthorization, StockLocation
from sellers.errors import PermissionDenied
from sellers.models import Business
from sellers.selectors import ROLES_ALL, ROLES_MANAGE
from sellers.services import membership_require
from traceability.errors import TraceabilityError
from traceability.models import (
    AggregationChild,
    Batch,
    BusinessStep,
    Disposition,
    EventType,
    ProvenanceEvent,
    TransformationInput,
)
from traceability.units import UNITS
from traceability.validators import lot_code_is_valid, validate_utc_offset

logger = logging.getLogger(__name__)

BATCH_QUANTITY_MAX = 1_000_000_000
NOTE_MAX = 2000
# Events dated a little ahead are clock skew between a phone and the server, not the future.
EVENT_CLOCK_SKEW = datetime.timedelta(minutes=10)


# --- batches -------------------------------------------------------------------------------------


def certificate_in_force_on(*, variant: ProductVariant, day: datetime.date) -> Certificate | None:
    """The certificate that covered ``variant``'s product on ``day``: valid on that day and not
    revoked by then; the newest one when a renewal overlapped."""
    candidates = Certificate.objects.filter(
        product_id=variant.product_id, valid_from__lte=day, valid_until__gte=day
    )
    return certificate_newest_in_force(candidates, day)


def holder_manager_require(*, actor, variant: ProductVariant) -> Business:
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
    holder_manager_require(actor=actor, variant=variant)
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


def provenance_event_business_check(*, actor, business: Business, batch: Batch) -> None:
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
class EventInput:
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
    quantity: Decimal | None = None
    unit: str = ""


QUANTITY_MAX = Decimal("99999999999.999")


def provenance_event_quantity(quantity, unit: str) -> tuple[Decimal | None, str]:
    """An event's optional quantity and its UN/ECE Rec 20 unit: both or neither."""
    unit = (unit or "").strip().upper()
    if quantity in (None, ""):
        if unit:
            raise TraceabilityError(
                _("Enter the quantity in this unit, or leave the unit empty."),
                code="required",
                field="quantity",
            )
        return None, ""
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise TraceabilityError(_("Enter a number."), code="invalid", field="quantity") from None
    if not value.is_finite() or value <= 0:
        raise TraceabilityError(
            _("The quantity must be more than zero."), code="out_of_range", field="quantity"
        )
    if value > QUANTITY_MAX or value != value.quantize(Decimal("0.001")):
        raise TraceabilityError(
            _("The quantity can have at most 11 digits and 3 decimals."),
            code="out_of_range",
            field="quantity",
        )
    if not unit:
        raise TraceabilityError(_("Choose the unit."), code="required", field="unit")
    if unit not in UNITS:
        raise TraceabilityError(
            _("Unknown unit %(unit)s: choose one from the list.") % {"unit": unit[:10]},
            code="invalid",
            field="unit",
        )
    return value, unit


def provenance_event_input(
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
    quantity=None,
    unit: str = "",
) -> EventInput:
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
    quantity, unit = provenance_event_quantity(quantity, unit)
    return EventInput(
        quantity=quantity,
        unit=unit,
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


def provenance_event_insert(
    *,
    actor,
    business: Business,
    batch: Batch,
    data: EventInput,
    photo,
    corrects: ProvenanceEvent | None,
    carton=None,
    action: str = "",
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
                quantity=data.quantity,
                unit=data.unit,
                photo=photo_name,
                photo_width=width,
                photo_height=height,
                recorded_by=actor,
                business=business,
                corrects=corrects,
                carton=carton,
                action=action,
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


# Event types with their own pages and services (services.movements): a transformation needs its
# input lots, an aggregation its carton and items. The generic record refuses them; a correction
# of one keeps its type and carries its input lots, carton and items over.
MOVEMENT_EVENT_TYPES = (EventType.TRANSFORMATION.value, EventType.AGGREGATION.value)


def provenance_event_type_generic_require(event_type: str) -> None:
    """Refuse the event types that ``services.movements`` records, naming where to record them."""
    if event_type == EventType.TRANSFORMATION:
        raise TraceabilityError(
            _(
                "A transformation needs its input lots: record it on the lot's “Made from other "
                "lots” page (batchTransformationRecord in the API)."
            ),
            code="invalid",
            field="event_type",
        )
    if event_type == EventType.AGGREGATION:
        raise TraceabilityError(
            _(
                "Packing into a carton needs the carton and its items: record it on the lot's "
                "“Cartons” page (cartonPack and cartonUnpack in the API)."
            ),
            code="invalid",
            field="event_type",
        )


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
    quantity=None,
    unit: str = "",
) -> ProvenanceEvent:
    """Append an event to ``batch``'s provenance, recorded by a member of ``business``.
    Transformations and aggregations are refused: ``services.movements`` records them."""
    provenance_event_business_check(actor=actor, business=business, batch=batch)
    provenance_event_type_generic_require(event_type)
    data = provenance_event_input(
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
        quantity=quantity,
        unit=unit,
    )
    return provenance_event_insert(
        actor=actor, business=business, batch=batch, data=data, photo=photo, corrects=None
    )


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
    quantity=None,
    unit: str = "",
) -> ProvenanceEvent:
    """A new event replacing ``event`` (given in full); ``event`` stays, marked as corrected.
    Only the latest version of an event can be corrected, so corrections form a chain. A
    transformation or an aggregation keeps its type, and its input lots, carton and items are
    carried over: the correction fixes where, when, how much and the note. Another event cannot
    become one (``services.movements`` records them)."""
    provenance_event_business_check(actor=actor, business=business, batch=event.batch)
    # A reseller's authorisation lets it add its own events, never rewrite the producer's (or
    # another reseller's): the correction would show on the public scan page as the truth.
    recorded_for = event.business_id or event.batch.variant.product.holder_id
    if recorded_for != business.pk:
        raise PermissionDenied(
            _("Only the business that recorded an event can correct it; record your own event.")
        )
    if ProvenanceEvent.objects.filter(corrects=event).exists():
        raise TraceabilityError(
            _("This event has already been corrected; correct the latest version."),
            code="conflict",
            field="event",
        )
    if event.event_type in MOVEMENT_EVENT_TYPES:
        event_type = event.event_type
    else:
        provenance_event_type_generic_require(event_type)
    data = provenance_event_input(
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
        quantity=quantity,
        unit=unit,
    )
    with transaction.atomic():
        correction = provenance_event_insert(
            actor=actor,
            business=business,
            batch=event.batch,
            data=data,
            photo=photo,
            corrects=event,
            carton=event.carton,
            action=event.action,
        )
        TransformationInput.objects.bulk_create(
            TransformationInput(
                event=correction, batch_id=row.batch_id, quantity=row.quantity, unit=row.unit
            )
            for row in event.inputs.order_by("id")
        )
        AggregationChild.objects.bulk_create(
            AggregationChild(event=correction, stamp_id=row.stamp_id)
            for row in event.children.order_by("id")
        )
    return correction
