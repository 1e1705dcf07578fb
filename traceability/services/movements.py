"""Writes for what happens between lots and packages: a transformation (lots of one producer
made into a lot — honey batches blended into a new lot) and aggregation (stamped items or a lot
quantity packed into a carton, and taken out again). Both are provenance events of the lot they
concern (``traceability.services.batches``), with the EPCIS "what" in their own rows:
``TransformationInput`` for the input lots, ``AggregationChild`` for the packed items.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, DomainErrorCollector
from marketplace.offers.models import StockLocation
from sellers.errors import PermissionDenied
from sellers.models import Business
from sellers.selectors import ROLES_ALL
from sellers.services import membership_require
from traceability.errors import TraceabilityError
from traceability.models import (
    AggregationChild,
    Batch,
    BusinessStep,
    Carton,
    EventType,
    ProvenanceEvent,
    Stamp,
    TransformationInput,
)
from traceability.services.batches import (
    provenance_event_business_check,
    provenance_event_input,
    provenance_event_insert,
    provenance_event_quantity,
)
from traceability.signing import CODE_LENGTH, SERIAL_LENGTH

TRANSFORMATION_INPUTS_MAX = 20
PACK_SERIALS_MAX = 5000
CARTON_CODE_LENGTH = 12


@dataclass(frozen=True)
class LotQuantity:
    """How much of one lot, in a UN/ECE Rec 20 unit (``traceability.units``)."""

    batch: Batch | None
    quantity: object
    unit: str


def _where_when(
    *,
    business: Business,
    event_type: str,
    business_step: str,
    event_time,
    event_timezone,
    disposition,
    address,
    location,
    latitude,
    longitude,
    note,
    now,
    quantity,
    unit,
):
    return provenance_event_input(
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


# --- transformation ------------------------------------------------------------------------------


def batch_transformation_record(
    *,
    actor,
    business: Business,
    output: Batch,
    inputs: Sequence[LotQuantity],
    quantity,
    unit: str,
    event_time: datetime.datetime,
    event_timezone: str | None = None,
    business_step: str = BusinessStep.COMMISSIONING.value,
    disposition: str = "",
    address: str = "",
    location: StockLocation | None = None,
    latitude=None,
    longitude=None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ProvenanceEvent:
    """``output`` was made from ``inputs`` (each a lot of the same producer with the quantity
    used) and ``quantity`` of it came out: one transformation event on ``output``'s timeline.
    Only members of the producer that holds every lot record it. Every refusal is reported at
    once, on its field (``inputs.{index}.batch|quantity|unit`` for an input row)."""
    membership_require(user=actor, business=business, roles=ROLES_ALL)
    if output.variant.product.holder_id != business.pk:
        raise PermissionDenied(
            _("Only the producer of a lot can record what the lot was made from.")
        )
    errors = DomainErrorCollector()
    if not inputs:
        with errors.check():
            raise TraceabilityError(
                _("Add at least one input lot."), code="required", field="inputs"
            )
    if len(inputs) > TRANSFORMATION_INPUTS_MAX:
        with errors.check():
            raise TraceabilityError(
                _("A lot can be made from at most %(count)s input lots.")
                % {"count": TRANSFORMATION_INPUTS_MAX},
                code="out_of_range",
                field="inputs",
            )
    seen: set[int] = set()
    rows: list[tuple[Batch, object, str]] = []
    for index, row in enumerate(inputs[:TRANSFORMATION_INPUTS_MAX]):
        prefix = f"inputs.{index}"
        batch = row.batch
        with errors.check():
            if batch is None:
                raise TraceabilityError(
                    _("Choose the input lot."), code="required", field=f"{prefix}.batch"
                )
            if batch.pk == output.pk:
                raise TraceabilityError(
                    _("A lot cannot be made from itself: lot %(lot)s is the output.")
                    % {"lot": batch.lot_code},
                    code="invalid",
                    field=f"{prefix}.batch",
                )
            if batch.variant.product.holder_id != business.pk:
                raise TraceabilityError(
                    _(
                        "Lot %(lot)s belongs to another producer: only your own lots can go "
                        "into this lot."
                    )
                    % {"lot": batch.lot_code},
                    code="invalid",
                    field=f"{prefix}.batch",
                )
            if batch.pk in seen:
                raise TraceabilityError(
                    _("Lot %(lot)s is listed twice.") % {"lot": batch.lot_code},
                    code="duplicate",
                    field=f"{prefix}.batch",
                )
            seen.add(batch.pk)
        with errors.check():
            if row.quantity in (None, ""):
                raise TraceabilityError(
                    _("Enter how much of this lot was used."),
                    code="required",
                    field=f"{prefix}.quantity",
                )
            try:
                amount, code = provenance_event_quantity(row.quantity, row.unit)
            except DomainError as error:
                error.field = f"{prefix}.{error.field}"
                raise
            if batch is not None:
                rows.append((batch, amount, code))
    with errors.check():
        if quantity in (None, ""):
            raise TraceabilityError(
                _("Enter how much of the new lot was made."), code="required", field="quantity"
            )
    errors.raise_any()
    data = _where_when(
        business=business,
        event_type=EventType.TRANSFORMATION.value,
        business_step=business_step,
        event_time=event_time,
        event_timezone=event_timezone,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
        now=now,
        quantity=quantity,
        unit=unit,
    )
    with transaction.atomic():
        event = provenance_event_insert(
            actor=actor, business=business, batch=output, data=data, photo=None, corrects=None
        )
        TransformationInput.objects.bulk_create(
            TransformationInput(event=event, batch=batch, quantity=amount, unit=code)
            for batch, amount, code in rows
        )
    return event


# --- aggregation ---------------------------------------------------------------------------------


def _carton_code() -> str:
    return base64.b32encode(secrets.token_bytes(8)).decode()[:CARTON_CODE_LENGTH]


def _serials_clean(serials: Sequence[str] | str) -> list[str]:
    """Serials one per line or as a list; a whole stamp code (serial, key, tag) is read as its
    serial. Upper-cased, blank lines dropped, each kept once in the order given."""
    if isinstance(serials, str):
        serials = serials.split()
    cleaned: list[str] = []
    for raw in serials:
        value = (raw or "").strip().upper()
        if len(value) == CODE_LENGTH:
            value = value[:SERIAL_LENGTH]
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned


def _serial_list(serials: list[str]) -> str:
    shown = ", ".join(serials[:5])
    return shown + (" …" if len(serials) > 5 else "")


def _carton_require(*, business: Business, carton: Carton) -> None:
    if carton.business_id != business.pk:
        raise TraceabilityError(
            _("Choose one of your own cartons."), code="invalid", field="carton"
        )


def carton_pack(
    *,
    actor,
    business: Business,
    batch: Batch,
    event_time: datetime.datetime,
    carton: Carton | None = None,
    serials: Sequence[str] | str = (),
    quantity=None,
    unit: str = "",
    event_timezone: str | None = None,
    disposition: str = "",
    address: str = "",
    location: StockLocation | None = None,
    latitude=None,
    longitude=None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ProvenanceEvent:
    """Pack items of ``batch`` into ``carton`` (a new carton of ``business`` when None): the
    stamped items by serial, and/or a quantity of the lot. One aggregation event (action ADD)
    on the batch's timeline; the stamps remember their carton until unpacked. An item is in one
    carton at a time."""
    provenance_event_business_check(actor=actor, business=business, batch=batch)
    if carton is not None:
        _carton_require(business=business, carton=carton)
    cleaned = _serials_clean(serials)
    if not cleaned and quantity in (None, ""):
        raise TraceabilityError(
            _("List the serials of the stamped items packed, or the quantity of the lot."),
            code="required",
            field="serials",
        )
    if len(cleaned) > PACK_SERIALS_MAX:
        raise TraceabilityError(
            _("At most %(count)s items can be packed at once.") % {"count": PACK_SERIALS_MAX},
            code="out_of_range",
            field="serials",
        )
    data = _where_when(
        business=business,
        event_type=EventType.AGGREGATION.value,
        business_step=BusinessStep.PACKING.value,
        event_time=event_time,
        event_timezone=event_timezone,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
        now=now,
        quantity=quantity,
        unit=unit,
    )
    with transaction.atomic():
        stamps = list(
            Stamp.objects.select_for_update(of=("self",))
            .filter(serial__in=cleaned, run__batch=batch)
            .select_related("run", "carton")
        )
        found = {s.serial: s for s in stamps}
        missing = [s for s in cleaned if s not in found]
        if missing:
            raise TraceabilityError(
                _("Not stamps of lot %(lot)s: %(serials)s.")
                % {"lot": batch.lot_code, "serials": _serial_list(missing)},
                code="invalid",
                field="serials",
            )
        voided = [s.serial for s in stamps if s.run.voided_at is not None]
        if voided:
            raise TraceabilityError(
                _("These stamps are from a voided run and cannot be packed: %(serials)s.")
                % {"serials": _serial_list(voided)},
                code="invalid",
                field="serials",
            )
        packed = [s for s in stamps if s.carton_id is not None]
        if packed:
            raise TraceabilityError(
                _("Already packed in carton %(carton)s: %(serials)s. Unpack them first.")
                % {
                    "carton": packed[0].carton.code,
                    "serials": _serial_list([s.serial for s in packed]),
                },
                code="conflict",
                field="serials",
            )
        if carton is None:
            carton = _carton_new(actor=actor, business=business)
        event = provenance_event_insert(
            actor=actor,
            business=business,
            batch=batch,
            data=data,
            photo=None,
            corrects=None,
            carton=carton,
            action="ADD",
        )
        ordered = [found[s] for s in cleaned]
        AggregationChild.objects.bulk_create(
            AggregationChild(event=event, stamp=stamp) for stamp in ordered
        )
        Stamp.objects.filter(pk__in=[s.pk for s in ordered]).update(carton=carton)
    return event


def _carton_new(*, actor, business: Business) -> Carton:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Carton.objects.create(
                    business=business, code=_carton_code(), created_by=actor
                )
        except IntegrityError:  # 60 random bits collided: draw again
            continue
    raise TraceabilityError(
        _("No carton code could be drawn; try again."), code="conflict", field="carton"
    )


def carton_unpack(
    *,
    actor,
    business: Business,
    batch: Batch,
    carton: Carton,
    event_time: datetime.datetime,
    serials: Sequence[str] | str = (),
    quantity=None,
    unit: str = "",
    event_timezone: str | None = None,
    disposition: str = "",
    address: str = "",
    location: StockLocation | None = None,
    latitude=None,
    longitude=None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ProvenanceEvent:
    """Take items of ``batch`` out of ``carton``: the serials given, or every stamped item of
    the lot in it when none are, and/or a quantity of the lot. One aggregation event (action
    DELETE, CBV step unpacking)."""
    provenance_event_business_check(actor=actor, business=business, batch=batch)
    _carton_require(business=business, carton=carton)
    cleaned = _serials_clean(serials)
    data = _where_when(
        business=business,
        event_type=EventType.AGGREGATION.value,
        business_step=BusinessStep.UNPACKING.value,
        event_time=event_time,
        event_timezone=event_timezone,
        disposition=disposition,
        address=address,
        location=location,
        latitude=latitude,
        longitude=longitude,
        note=note,
        now=now,
        quantity=quantity,
        unit=unit,
    )
    with transaction.atomic():
        inside = Stamp.objects.select_for_update().filter(carton=carton, run__batch=batch)
        if cleaned:
            inside = inside.filter(serial__in=cleaned)
        stamps = {s.serial: s for s in inside}
        missing = [s for s in cleaned if s not in stamps]
        if missing:
            raise TraceabilityError(
                _("Not in carton %(carton)s: %(serials)s.")
                % {"carton": carton.code, "serials": _serial_list(missing)},
                code="invalid",
                field="serials",
            )
        if not stamps and data.quantity is None:
            raise TraceabilityError(
                _(
                    "No stamped item of lot %(lot)s is in carton %(carton)s; give the quantity "
                    "taken out instead."
                )
                % {"lot": batch.lot_code, "carton": carton.code},
                code="required",
                field="serials",
            )
        event = provenance_event_insert(
            actor=actor,
            business=business,
            batch=batch,
            data=data,
            photo=None,
            corrects=None,
            carton=carton,
            action="DELETE",
        )
        ordered = (
            [stamps[s] for s in cleaned] if cleaned else sorted(stamps.values(), key=lambda s: s.pk)
        )
        AggregationChild.objects.bulk_create(
            AggregationChild(event=event, stamp=stamp) for stamp in ordered
        )
        Stamp.objects.filter(pk__in=[s.pk for s in ordered]).update(carton=None)
    return event
