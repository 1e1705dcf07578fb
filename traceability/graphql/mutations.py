"""Traceability mutations: batches and provenance events (through memberships, like offers),
stamp runs, and the public PIN check."""

from __future__ import annotations

import graphene
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.graphql.types import ProductVariantType
from catalog.models import ProductVariant
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from core.models import Province
from core.ratelimit import client_ip
from marketplace.offers.graphql.types import StockLocationType
from marketplace.offers.models import StockLocation
from sellers.errors import PermissionDenied
from sellers.graphql.acting import acting_businesses, id_or_error, own_object
from sellers.graphql.mutations import SellerMutation
from sellers.graphql.types import BusinessType
from sellers.models import Business
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.graphql.queries import scan_rate_ok
from traceability.graphql.shaping import batches_for
from traceability.graphql.types import (
    BatchNode,
    BusinessStepEnum,
    CartonNode,
    DispositionEnum,
    EventTypeEnum,
    ProvenanceEventNode,
    StampRunNode,
    StampRunPrintType,
)
from traceability.models import (
    Batch,
    Carton,
    EventType,
    ProvenanceEvent,
    Stamp,
    StampRun,
    StampRunPrint,
)
from traceability.printing import SHEET_LAYOUT_DEFAULT
from traceability.printing.labels import LINK_SHORT
from traceability.selectors import stamp_lookup, stamp_run_print_progress
from traceability.services import (
    LotQuantity,
    batch_create,
    batch_transformation_record,
    carton_pack,
    carton_unpack,
    provenance_event_correct,
    provenance_event_record,
    stamp_pin_check,
    stamp_run_create,
    stamp_run_order,
    stamp_run_print_start,
)

# A PIN run's answer lists every PIN; 10,000 of them is about 1 MB of JSON.
PIN_RUN_API_MAX = 10_000


def _event_batch(info, pk: int, *, field: str) -> Batch:
    """A batch the request may record events on: its holder's, or an authorised reseller's
    (the service checks the role and the authorisation again)."""
    acting = acting_businesses(info)
    found = (
        Batch.objects.filter(pk=pk)
        .filter(
            Q(variant__product__holder__in=acting)
            | Q(
                variant__product__resale_authorizations__reseller__in=acting,
                variant__product__resale_authorizations__revoked_at__isnull=True,
            )
        )
        .select_related("variant__product__holder")
        .distinct()
        .first()
    )
    if found is None:
        raise PermissionDenied(
            _("There is no such object among the businesses you act for."), field=field
        )
    return found


def _location(info, global_id):
    if not global_id:
        return None
    return own_object(
        info,
        StockLocation.objects.all(),
        global_id,
        StockLocationType,
        through="business",
        field="location",
    )


def _recorder(info, global_id) -> Business:
    return own_object(
        info, Business.objects.all(), global_id, BusinessType, through="pk", field="business"
    )


class EventInput(graphene.InputObjectType):
    business_step = BusinessStepEnum(required=True)
    event_time = graphene.DateTime(required=True, description="With its UTC offset.")
    event_type = EventTypeEnum()
    disposition = DispositionEnum()
    address = graphene.String()
    location = graphene.ID(description="One of the recording business's StockLocations.")
    latitude = graphene.Float()
    longitude = graphene.Float()
    note = graphene.String()
    quantity = graphene.Decimal(
        description="How much of the lot the event concerned (optional; with unit)."
    )
    unit = graphene.String(
        description="UN/ECE Recommendation 20 code of the quantity's unit: H87 (piece), KGM, "
        "GRM, TNE, LTR, MLT, MTR, MTK."
    )


def _event_kwargs(info, event: EventInput) -> dict:
    return {
        "business_step": enum_value(event.business_step),
        "event_time": event.event_time,
        "event_type": enum_value(event.event_type) or EventType.OBJECT,
        "disposition": enum_value(event.disposition) or "",
        "address": event.address or "",
        "location": _location(info, event.location),
        "latitude": event.latitude,
        "longitude": event.longitude,
        "note": event.note or "",
        "quantity": event.quantity,
        "unit": event.unit or "",
    }


class BatchCreate(SellerMutation):
    """Record a lot of one of your packs (owner or manager); the certificate in force on the
    production date is attached from the registry."""

    class Arguments:
        variant = graphene.ID(required=True, description="A ProductVariant your business holds.")
        lot_code = graphene.String(required=True)
        produced_on = graphene.Date(required=True)
        quantity = graphene.Int(required=True)
        expires_on = graphene.Date()
        origin_province = graphene.String(description='Province code, e.g. "22".')
        origin_commune = graphene.String()

    batch = graphene.Field(BatchNode)

    @classmethod
    def perform_mutation(cls, root, info, variant, lot_code, produced_on, quantity, **data):
        pack = own_object(
            info,
            ProductVariant.objects.select_related("product__holder"),
            variant,
            ProductVariantType,
            through="product__holder",
            field="variant",
        )
        origin = None
        code = (data.get("origin_province") or "").strip()
        if code:
            origin = Province.objects.filter(code=code[:8]).first()
            if origin is None:
                raise TraceabilityError(
                    _("There is no province with this code."),
                    code="not_found",
                    field="origin_province",
                )
        created = batch_create(
            actor=info.context.user,
            variant=pack,
            lot_code=lot_code,
            produced_on=produced_on,
            quantity=quantity,
            expires_on=data.get("expires_on"),
            origin_province=origin,
            origin_commune=data.get("origin_commune") or "",
        )
        return cls(batch=batches_for([pack.product.holder_id]).get(pk=created.pk))


class ProvenanceEventRecord(SellerMutation):
    """Append an event to a batch's journey, as the producer or a shop it has authorised (any
    member: staff record the steps they see)."""

    class Arguments:
        business = graphene.ID(required=True, description="The business recording it.")
        batch = graphene.ID(required=True)
        event = EventInput(required=True)

    event = graphene.Field(ProvenanceEventNode)

    @classmethod
    def perform_mutation(cls, root, info, business, batch, event):
        recorder = _recorder(info, business)
        found = _event_batch(info, id_or_error(batch, BatchNode, field="batch"), field="batch")
        created = provenance_event_record(
            actor=info.context.user,
            business=recorder,
            batch=found,
            **_event_kwargs(info, event),
        )
        return cls(event=created)


class ProvenanceEventCorrect(SellerMutation):
    """Correct an event by appending its replacement; the original stays, marked corrected.
    Only the latest version of an event can be corrected."""

    class Arguments:
        business = graphene.ID(required=True, description="The business recording it.")
        event = graphene.ID(required=True, description="The event to correct.")
        correction = EventInput(required=True, description="The event in full, as it should be.")

    event = graphene.Field(ProvenanceEventNode)

    @classmethod
    def perform_mutation(cls, root, info, business, event, correction):
        recorder = _recorder(info, business)
        pk = id_or_error(event, ProvenanceEventNode, field="event")
        original = ProvenanceEvent.objects.filter(pk=pk).first()
        if original is None:
            raise PermissionDenied(
                _("There is no such object among the businesses you act for."), field="event"
            )
        original.batch = _event_batch(info, original.batch_id, field="event")
        created = provenance_event_correct(
            actor=info.context.user,
            business=recorder,
            event=original,
            **_event_kwargs(info, correction),
        )
        return cls(event=created)


class LotQuantityInput(graphene.InputObjectType):
    batch = graphene.ID(required=True, description="A Batch of the producer.")
    quantity = graphene.Decimal(required=True, description="How much of it was used.")
    unit = graphene.String(required=True, description="UN/ECE Recommendation 20 code.")


def _own_batches(info, ids: list, *, field: str) -> list[Batch | None]:
    """The batches of these global IDs among the acting businesses' own, in order; ``None`` for
    an ID that names none of them (the service reports it on its row)."""
    pks = [id_or_error(value, BatchNode, field=f"{field}.{n}.batch") for n, value in enumerate(ids)]
    found = Batch.objects.filter(
        pk__in=pks, variant__product__holder__in=acting_businesses(info)
    ).select_related("variant__product")
    by_pk = {batch.pk: batch for batch in found}
    missing = [n for n, pk in enumerate(pks) if pk not in by_pk]
    if missing:
        raise TraceabilityError(
            _("There is no such object among the businesses you act for."),
            code="not_found",
            field=f"{field}.{missing[0]}.batch",
        )
    return [by_pk[pk] for pk in pks]


class BatchTransformationRecord(SellerMutation):
    """Record what a lot was made from: other lots of the same producer with the quantity used
    of each, and how much of this lot came out (a transformation event on the output lot). Any
    member of the producer. Refusals name their row: ``inputs.{n}.batch|quantity|unit``."""

    class Arguments:
        business = graphene.ID(required=True, description="The producer recording it.")
        output = graphene.ID(required=True, description="The Batch that was made.")
        inputs = graphene.List(graphene.NonNull(LotQuantityInput), required=True)
        quantity = graphene.Decimal(required=True, description="How much of the output lot.")
        unit = graphene.String(required=True, description="UN/ECE Recommendation 20 code.")
        event_time = graphene.DateTime(required=True, description="With its UTC offset.")
        address = graphene.String()
        location = graphene.ID(description="One of the business's StockLocations.")
        note = graphene.String()

    event = graphene.Field(ProvenanceEventNode)

    @classmethod
    def perform_mutation(cls, root, info, business, output, inputs, quantity, unit, **data):
        recorder = _recorder(info, business)
        made = own_object(
            info,
            Batch.objects.select_related("variant__product"),
            output,
            BatchNode,
            through="variant__product__holder",
            field="output",
        )
        batches = _own_batches(info, [row.batch for row in inputs], field="inputs")
        created = batch_transformation_record(
            actor=info.context.user,
            business=recorder,
            output=made,
            inputs=[
                LotQuantity(batch, row.quantity, row.unit)
                for batch, row in zip(batches, inputs, strict=True)
            ],
            quantity=quantity,
            unit=unit,
            event_time=data["event_time"],
            address=data.get("address") or "",
            location=_location(info, data.get("location")),
            note=data.get("note") or "",
        )
        return cls(event=created)


class _CartonArguments:
    business = graphene.ID(required=True, description="The business packing (its cartons).")
    batch = graphene.ID(required=True, description="The Batch the items are of.")
    serials = graphene.List(
        graphene.NonNull(graphene.String),
        description="Serials (or whole stamp codes) of the stamped items.",
    )
    quantity = graphene.Decimal(description="A quantity of the lot (optional; with unit).")
    unit = graphene.String(description="UN/ECE Recommendation 20 code.")
    event_time = graphene.DateTime(required=True, description="With its UTC offset.")
    address = graphene.String()
    location = graphene.ID(description="One of the business's StockLocations.")
    note = graphene.String()


def _carton(info, global_id):
    if not global_id:
        return None
    return own_object(
        info, Carton.objects.all(), global_id, CartonNode, through="business", field="carton"
    )


def _carton_kwargs(info, data: dict) -> dict:
    return {
        "serials": data.get("serials") or [],
        "quantity": data.get("quantity"),
        "unit": data.get("unit") or "",
        "event_time": data["event_time"],
        "address": data.get("address") or "",
        "location": _location(info, data.get("location")),
        "note": data.get("note") or "",
    }


class CartonPack(SellerMutation):
    """Pack stamped items of a batch (by serial) and/or a quantity of it into a carton — a new
    one unless ``carton`` is given (an aggregation event, action ADD). The producer or a shop
    it has authorised; an item is in one carton at a time."""

    class Arguments(_CartonArguments):
        carton = graphene.ID(description="One of the business's Cartons; empty: a new carton.")

    event = graphene.Field(ProvenanceEventNode)
    carton = graphene.Field(CartonNode)

    @classmethod
    def perform_mutation(cls, root, info, business, batch, carton=None, **data):
        recorder = _recorder(info, business)
        found = _event_batch(info, id_or_error(batch, BatchNode, field="batch"), field="batch")
        created = carton_pack(
            actor=info.context.user,
            business=recorder,
            batch=found,
            carton=_carton(info, carton),
            **_carton_kwargs(info, data),
        )
        return cls(event=created, carton=created.carton)


class CartonUnpack(SellerMutation):
    """Take stamped items of a batch out of a carton — the serials given, else every one of the
    batch in it — and/or a quantity (an aggregation event, action DELETE)."""

    class Arguments(_CartonArguments):
        carton = graphene.ID(required=True, description="One of the business's Cartons.")

    event = graphene.Field(ProvenanceEventNode)
    carton = graphene.Field(CartonNode)

    @classmethod
    def perform_mutation(cls, root, info, business, batch, carton, **data):
        recorder = _recorder(info, business)
        found = _event_batch(info, id_or_error(batch, BatchNode, field="batch"), field="batch")
        created = carton_unpack(
            actor=info.context.user,
            business=recorder,
            batch=found,
            carton=_carton(info, carton),
            **_carton_kwargs(info, data),
        )
        return cls(event=created, carton=created.carton)


class StampPin(graphene.ObjectType):
    serial = graphene.String(required=True)
    pin = graphene.String(required=True)
    url = graphene.String(required=True, description="The short URL printed in the QR code.")


class StampRunCreate(SellerMutation):
    """Order 1–100,000 signed stamps for a batch (owner or manager). The whole run is drawn in
    the background as one PDF and the CSV: follow ``run.prints``. With PINs (at most 10,000 a
    run here), this answer is the only place the PINs ever appear in clear: keep them now."""

    class Arguments:
        batch = graphene.ID(required=True)
        quantity = graphene.Int(required=True)
        with_pin = graphene.Boolean(default_value=False)
        layout = graphene.String(
            default_value=SHEET_LAYOUT_DEFAULT,
            description="The label sheet of the PDF drawn in the background (the run's prints).",
        )
        client_token = graphene.UUID(
            description=(
                "A UUID the client makes once per order: sending the same order again (a retry "
                "after a timeout) answers the run it already made, without ordering another "
                "(and without its PINs, shown only in the first answer)."
            )
        )

    run = graphene.Field(StampRunNode)
    repeated = graphene.Boolean(
        description="True when this clientToken had already ordered the run given."
    )
    pins = graphene.List(
        graphene.NonNull(StampPin), description="Only for a run with PINs; shown this once."
    )

    @classmethod
    def perform_mutation(
        cls,
        root,
        info,
        batch,
        quantity,
        with_pin=False,
        client_token=None,
        layout=SHEET_LAYOUT_DEFAULT,
    ):
        found = own_object(
            info,
            Batch.objects.select_related("variant__product__holder"),
            batch,
            BatchNode,
            through="variant__product__holder",
            field="batch",
        )
        if with_pin and quantity > PIN_RUN_API_MAX:
            raise TraceabilityError(
                _(
                    "Over the API a run with PINs has at most %(max)s stamps; order several "
                    "runs, or use the workspace, whose PDF and CSV of the run carry the PINs."
                )
                % {"max": f"{PIN_RUN_API_MAX:,}"},
                code="out_of_range",
                field="quantity",
            )
        if client_token is None:
            with transaction.atomic():
                run, pins = stamp_run_create(
                    actor=info.context.user, batch=found, quantity=quantity, with_pin=with_pin
                )
                stamp_run_print_start(
                    actor=info.context.user, run=run, layout=layout, link=LINK_SHORT
                )
            repeated = False
        else:
            # The workspace form's one-order-per-submission rule, with the client's token.
            order = stamp_run_order(
                actor=info.context.user,
                batch=found,
                quantity=quantity,
                with_pin=with_pin,
                submission=client_token,
                layout=layout,
            )
            run, pins, repeated = order.run, order.pins, order.repeated
        run.batch = found
        if not run.with_pin or repeated:
            return cls(run=run, pins=None, repeated=repeated)
        stamps = run.stamps.only("serial").order_by("serial")
        return cls(
            run=run,
            repeated=False,
            pins=[
                StampPin(
                    serial=stamp.serial,
                    pin=pins[stamp.serial],
                    url=signing.stamp_url_short(_with_run(stamp, run)),
                )
                for stamp in stamps
            ],
        )


def _with_run(stamp: Stamp, run: StampRun) -> Stamp:
    stamp.run = run  # the code is signed with the run's key; no query per stamp
    return stamp


class StampRunPrintCreate(SellerMutation):
    """Draw the whole run as one PDF (and the CSV) on another sheet layout or link form, in the
    background (owner or manager). Asked again, the same print answers; a failed one runs again.
    Follow ``print.state`` and ``print.done``; download from ``pdfPath``/``csvPath``."""

    class Arguments:
        run = graphene.ID(required=True)
        layout = graphene.String(default_value=SHEET_LAYOUT_DEFAULT)
        link = graphene.String(default_value=LINK_SHORT, description="short or gs1.")

    print = graphene.Field(StampRunPrintType)

    @classmethod
    def perform_mutation(cls, root, info, run, layout=SHEET_LAYOUT_DEFAULT, link=LINK_SHORT):
        found = own_object(
            info,
            StampRun.objects.select_related("batch__variant__product__holder"),
            run,
            StampRunNode,
            through="batch__variant__product__holder",
            field="run",
        )
        stamp_print = stamp_run_print_start(
            actor=info.context.user, run=found, layout=layout, link=link
        )
        stamp_print = (
            StampRunPrint.objects.select_related("job")
            .prefetch_related("job__files")
            .get(pk=stamp_print.pk)
        )
        stamp_print.run = found
        stamp_print.progress = stamp_run_print_progress(
            stamp_print=stamp_print, quantity=found.quantity
        )
        return cls(print=stamp_print)


class StampPinCheck(BaseMutation):
    """Check the scratch-off PIN of a stamp, as the scan page does: the first correct check
    verifies the item; wrong PINs are limited per stamp and per client."""

    class Arguments:
        code = graphene.String(required=True)
        pin = graphene.String(required=True)

    status = graphene.String(
        description="verified, already_verified, wrong, rate_limited or no_pin."
    )
    verified_at = graphene.DateTime()
    retry_after = graphene.Int(description="Seconds to wait when rate_limited.")

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True  # anyone holding the package may check its PIN

    @classmethod
    def perform_mutation(cls, root, info, code, pin):
        if not scan_rate_ok(info.context):
            raise TraceabilityError(
                _("Too many stamp checks; wait a few minutes."), code="too_many", field="code"
            )
        stamp = stamp_lookup(code=signing.stamp_code_normalise(code[:64]))
        if stamp is None:
            raise TraceabilityError(
                _("This code is not recognised."), code="not_recognised", field="code"
            )
        result = stamp_pin_check(
            stamp=stamp, pin=pin[:32], client_key=client_ip(info.context), now=timezone.now()
        )
        return cls(
            status=enum_value(result.status),
            verified_at=result.verified_at,
            retry_after=result.retry_after or None,
        )


class Mutation(graphene.ObjectType):
    batch_create = BatchCreate.Field()
    provenance_event_record = ProvenanceEventRecord.Field()
    provenance_event_correct = ProvenanceEventCorrect.Field()
    batch_transformation_record = BatchTransformationRecord.Field()
    carton_pack = CartonPack.Field()
    carton_unpack = CartonUnpack.Field()
    stamp_run_create = StampRunCreate.Field()
    stamp_run_print = StampRunPrintCreate.Field()
    stamp_pin_check = StampPinCheck.Field()
