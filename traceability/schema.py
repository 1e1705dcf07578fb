"""GraphQL for traceability: a seller's batches, provenance events and stamp runs (looked up
through memberships, like offers), and the public stamp check — the same verdict as the scan
page, computed by the same selectors, and recorded and rate-limited the same way."""

from __future__ import annotations

import graphene
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene_django import DjangoObjectType

from catalog.models import ProductVariant
from catalog.schema import CertificateType, ProductType, ProductVariantType
from core.graphql.connections import ConnectionField, CountableConnection
from core.graphql.errors import ErrorCode, api_error
from core.graphql.mutations import BaseMutation
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.types import enum_from_choices
from core.models import Province
from marketplace.offers.models import StockLocation
from marketplace.offers.schema import OfferType, StockLocationType
from sellers.errors import PermissionDenied
from sellers.models import Business
from sellers.ratelimit import client_ip
from sellers.schema import BusinessType, SellerMutation, acting_businesses, own_object
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import (
    Batch,
    BusinessStep,
    Disposition,
    EventType,
    ProvenanceEvent,
    StampRun,
    Verdict,
)
from traceability.selectors import (
    ScanPlace,
    batches_of_business,
    stamp_lookup,
    stamp_scan_page,
    stamp_verify,
)
from traceability.services import (
    batch_create,
    provenance_event_correct,
    provenance_event_record,
    stamp_pin_check,
    stamp_run_create,
    stamp_scan_record,
)
from traceability.views import SCAN_PER_CLIENT

EventTypeEnum = enum_from_choices("ProvenanceEventType", EventType, "EPCIS 2.0 event type.")
BusinessStepEnum = enum_from_choices("BusinessStep", BusinessStep, "Why the event happened.")
DispositionEnum = enum_from_choices("Disposition", Disposition, "State of the goods after it.")
VerdictEnum = enum_from_choices("StampVerdict", Verdict, "What a stamp check concluded.")

EVENTS = "graphql_events"
RUNS = "graphql_runs"


def _value(member):
    return getattr(member, "value", member)


class ProvenanceEventNode(DjangoObjectType):
    """One step of a batch's journey. Corrections are appended: ``corrects`` names the event a
    correction replaces, which stays on the record."""

    event_type = graphene.Field(EventTypeEnum, required=True)
    business_step = graphene.Field(BusinessStepEnum, required=True)
    disposition = graphene.String(required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    location = graphene.Field(StockLocationType)
    corrects = graphene.ID(description="The event this one corrects.")

    class Meta:
        model = ProvenanceEvent
        name = "ProvenanceEvent"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = (
            "id",
            "event_type",
            "business_step",
            "disposition",
            "event_time",
            "event_timezone",
            "record_time",
            "address",
            "note",
        )

    @classmethod
    def get_node(cls, info, id):
        return (
            ProvenanceEvent.objects.filter(
                pk=id, batch__variant__product__holder__in=acting_businesses(info)
            )
            .select_related("location")
            .first()
        )

    @staticmethod
    def resolve_event_type(root, info):
        return root.event_type

    @staticmethod
    def resolve_business_step(root, info):
        return root.business_step

    @staticmethod
    def resolve_latitude(root, info):
        return None if root.latitude is None else float(root.latitude)

    @staticmethod
    def resolve_longitude(root, info):
        return None if root.longitude is None else float(root.longitude)

    @staticmethod
    def resolve_corrects(root, info):
        return Node.to_global_id("ProvenanceEvent", root.corrects_id) if root.corrects_id else None


class StampRunNode(DjangoObjectType):
    """A run of signed stamps. PINs are never readable: they are returned once, on creation."""

    class Meta:
        model = StampRun
        name = "StampRun"
        interfaces = (Node,)
        fields = ("id", "quantity", "with_pin", "created_at", "voided_at", "void_reason")

    @classmethod
    def get_node(cls, info, id):
        return StampRun.objects.filter(
            pk=id, batch__variant__product__holder__in=acting_businesses(info)
        ).first()


class BatchNode(DjangoObjectType):
    """A lot of one pack, with the certificate that was in force when it was produced."""

    variant = graphene.Field(ProductVariantType, required=True)
    certificate = graphene.Field(CertificateType)
    origin_province = graphene.String()
    events = graphene.List(graphene.NonNull(ProvenanceEventNode), required=True)
    stamp_runs = graphene.List(graphene.NonNull(StampRunNode), required=True)

    class Meta:
        model = Batch
        name = "Batch"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "lot_code",
            "produced_on",
            "expires_on",
            "quantity",
            "origin_commune",
            "created_at",
        )

    @classmethod
    def get_node(cls, info, id):
        return _batches(info).filter(pk=id).first()

    @staticmethod
    def resolve_origin_province(root, info):
        return root.origin_province.name if root.origin_province_id else None

    @staticmethod
    def resolve_events(root, info):
        if hasattr(root, EVENTS):  # prefetched for the whole page (may be empty)
            return getattr(root, EVENTS)
        return list(root.events.select_related("location").order_by("event_time", "id"))

    @staticmethod
    def resolve_stamp_runs(root, info):
        if hasattr(root, RUNS):
            return getattr(root, RUNS)
        return list(root.stamp_runs.order_by("-created_at"))


def _shaped(queryset):
    return queryset.select_related(
        "variant__product", "origin_province", "certificate"
    ).prefetch_related(
        Prefetch(
            "events",
            queryset=ProvenanceEvent.objects.select_related("location").order_by(
                "event_time", "id"
            ),
            to_attr=EVENTS,
        ),
        Prefetch("stamp_runs", queryset=StampRun.objects.order_by("-created_at"), to_attr=RUNS),
    )


def _batches(info):
    return _shaped(Batch.objects.filter(variant__product__holder__in=acting_businesses(info)))


class CertificateOnScanDate(graphene.ObjectType):
    """The product's certificate as it stood on the day of the check."""

    day = graphene.Date(required=True)
    status = graphene.String(required=True, description="active, expired, revoked or none.")
    certificate = graphene.Field(CertificateType)


class StampVerification(graphene.ObjectType):
    """The verdict of a stamp check. A code that is not recognised carries nothing else, so a
    forger learns nothing from it."""

    verdict = graphene.Field(VerdictEnum, required=True)
    anomalies = graphene.List(graphene.NonNull(graphene.String), required=True)
    serial = graphene.String()
    product = graphene.Field(ProductType)
    producer = graphene.Field(BusinessType)
    batch = graphene.Field(lambda: PublicBatch)
    certificate = graphene.Field(CertificateOnScanDate)
    scan_count = graphene.Int()
    first_scanned_at = graphene.DateTime()
    first_scan_province = graphene.String()
    timeline = graphene.List(graphene.NonNull(ProvenanceEventNode))
    offers = graphene.List(graphene.NonNull(OfferType))
    pin_verified_at = graphene.DateTime()


class PublicBatch(graphene.ObjectType):
    lot_code = graphene.String(required=True)
    produced_on = graphene.Date(required=True)
    expires_on = graphene.Date()
    origin_province = graphene.String()
    origin_commune = graphene.String()


def _verification(page=None, verdict=Verdict.NOT_RECOGNISED) -> StampVerification:
    if page is None:
        return StampVerification(verdict=str(Verdict(verdict).value), anomalies=[])
    batch = page.batch
    return StampVerification(
        verdict=str(Verdict(page.verdict.verdict).value),
        anomalies=[str(a.message) for a in page.verdict.anomalies],
        serial=page.stamp.serial,
        product=page.product,
        producer=page.producer,
        batch=PublicBatch(
            lot_code=batch.lot_code,
            produced_on=batch.produced_on,
            expires_on=batch.expires_on,
            origin_province=batch.origin_province.name if batch.origin_province_id else None,
            origin_commune=batch.origin_commune,
        ),
        certificate=CertificateOnScanDate(
            day=page.certificate.day,
            status=page.certificate.status,
            certificate=page.certificate.certificate,
        ),
        scan_count=page.summary.count,
        first_scanned_at=page.summary.first_at,
        first_scan_province=page.summary.first_province.name
        if page.summary.first_province
        else None,
        timeline=[entry.event for entry in page.timeline],
        offers=page.offers,
        pin_verified_at=page.stamp.pin_verified_at,
    )


def _rate_limited(info) -> None:
    key = client_ip(info.context)
    if SCAN_PER_CLIENT.retry_after(key):
        raise api_error(_("Too many stamp checks; wait a few minutes."), ErrorCode.TOO_MANY)
    SCAN_PER_CLIENT.fail(key)


class Query(graphene.ObjectType):
    batches = ConnectionField(
        BatchNode,
        business=graphene.ID(required=True, description="A business you belong to."),
        description="The batches of the products your business holds, newest first.",
    )
    stamp = graphene.Field(
        StampVerification,
        code=graphene.String(required=True, description="The code after /s/ on the label."),
        province=graphene.String(description="Slug of the province the buyer is in."),
        description=(
            "Check a stamp, as the scan page does: recorded as a scan, rate-limited per client."
        ),
    )

    @staticmethod
    def resolve_batches(root, info, business, **_pagination):
        pk = from_global_id_or_error(business, BusinessType)
        found = acting_businesses(info).filter(pk=pk).first()
        if found is None:
            raise api_error(_("You do not act for this business."), ErrorCode.PERMISSION_DENIED)
        return _shaped(batches_of_business(business=found)).order_by("-produced_on", "-id")

    @staticmethod
    def resolve_stamp(root, info, code, province=None):
        _rate_limited(info)
        stamp = stamp_lookup(code=code.strip())
        if stamp is None:
            return _verification()
        now = timezone.now()
        place = ScanPlace(
            province=Province.objects.filter(slug=(province or "")[:100]).first()
            if province
            else None,
            latitude=None,
            longitude=None,
        )
        verdict = stamp_verify(code=code, stamp=stamp, now=now, pending=place)
        request = info.context
        stamp_scan_record(
            stamp=stamp,
            verdict=verdict.verdict,
            now=now,
            province=place.province,
            latitude=None,
            longitude=None,
            device_hash=signing.device_hash(
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
                client_ip=client_ip(request),
                day=timezone.localdate(now).isoformat(),
            ),
        )
        return _verification(stamp_scan_page(verdict=verdict, now=now))


# --- mutations ------------------------------------------------------------------------------


def _event_batch(info, global_id, *, field: str = "batch") -> Batch:
    """A batch the request may record events on: its holder's, or an authorised reseller's."""
    pk = from_global_id_or_error(global_id, BatchNode)
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


class EventInput(graphene.InputObjectType):
    business_step = BusinessStepEnum(required=True)
    event_time = graphene.DateTime(required=True, description="With its time zone.")
    event_type = EventTypeEnum()
    disposition = DispositionEnum()
    address = graphene.String()
    location = graphene.ID(description="One of the recording business's StockLocations.")
    latitude = graphene.Float()
    longitude = graphene.Float()
    note = graphene.String()


def _event_kwargs(info, event: EventInput) -> dict:
    return {
        "business_step": _value(event.business_step),
        "event_time": event.event_time,
        "event_type": _value(event.event_type) or EventType.OBJECT,
        "disposition": _value(event.disposition) or "",
        "address": event.address or "",
        "location": _location(info, event.location),
        "latitude": event.latitude,
        "longitude": event.longitude,
        "note": event.note or "",
    }


class BatchCreate(SellerMutation):
    """Record a lot of one of your packs; the certificate in force when produced is attached."""

    class Arguments:
        variant = graphene.ID(required=True)
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
        code = data.get("origin_province")
        batch = batch_create(
            actor=info.context.user,
            variant=pack,
            lot_code=lot_code,
            produced_on=produced_on,
            quantity=quantity,
            expires_on=data.get("expires_on"),
            origin_province=Province.objects.filter(code=code).first() if code else None,
            origin_commune=data.get("origin_commune") or "",
        )
        return cls(batch=batch)


class ProvenanceEventRecord(SellerMutation):
    """Append an event to a batch's journey, as one of your businesses."""

    class Arguments:
        business = graphene.ID(required=True, description="The business recording it.")
        batch = graphene.ID(required=True)
        event = EventInput(required=True)

    event = graphene.Field(ProvenanceEventNode)

    @classmethod
    def perform_mutation(cls, root, info, business, batch, event):
        recorder = own_object(
            info, Business.objects.all(), business, BusinessType, through="pk", field="business"
        )
        found = _event_batch(info, batch)
        created = provenance_event_record(
            actor=info.context.user,
            business=recorder,
            batch=found,
            **_event_kwargs(info, event),
        )
        return cls(event=created)


class ProvenanceEventCorrect(SellerMutation):
    """Correct an event by appending its replacement; the original stays, marked corrected."""

    class Arguments:
        business = graphene.ID(required=True)
        event = graphene.ID(required=True, description="The event to correct.")
        correction = EventInput(required=True)

    event = graphene.Field(ProvenanceEventNode)

    @classmethod
    def perform_mutation(cls, root, info, business, event, correction):
        recorder = own_object(
            info, Business.objects.all(), business, BusinessType, through="pk", field="business"
        )
        pk = from_global_id_or_error(event, ProvenanceEventNode)
        original = ProvenanceEvent.objects.filter(pk=pk).select_related("batch").first()
        if original is None:
            raise PermissionDenied(
                _("There is no such object among the businesses you act for."), field="event"
            )
        _event_batch(info, Node.to_global_id("Batch", original.batch_id), field="event")
        created = provenance_event_correct(
            actor=info.context.user,
            business=recorder,
            event=original,
            **_event_kwargs(info, correction),
        )
        return cls(event=created)


class StampPin(graphene.ObjectType):
    serial = graphene.String(required=True)
    pin = graphene.String(required=True)
    url = graphene.String(required=True)


class StampRunCreate(SellerMutation):
    """Order 1–100,000 signed stamps for a batch. Print them from the workspace (PDF sheets,
    CSV for a printer). With PINs, this answer is the only place they appear in clear."""

    class Arguments:
        batch = graphene.ID(required=True)
        quantity = graphene.Int(required=True)
        with_pin = graphene.Boolean(default_value=False)

    run = graphene.Field(StampRunNode)
    pins = graphene.List(
        graphene.NonNull(StampPin), description="Only when the run has PINs; shown once."
    )

    @classmethod
    def perform_mutation(cls, root, info, batch, quantity, with_pin=False):
        found = own_object(
            info,
            Batch.objects.select_related("variant__product__holder"),
            batch,
            BatchNode,
            through="variant__product__holder",
            field="batch",
        )
        run, pins = stamp_run_create(
            actor=info.context.user, batch=found, quantity=quantity, with_pin=with_pin
        )
        stamps = {s.serial: s for s in run.stamps.filter(serial__in=list(pins))}
        return cls(
            run=run,
            pins=[
                StampPin(serial=serial, pin=pin, url=signing.stamp_url_short(stamps[serial]))
                for serial, pin in sorted(pins.items())
            ],
        )


class StampPinCheck(BaseMutation):
    """Check the scratch-off PIN of a stamp: the first correct check verifies the item."""

    class Arguments:
        code = graphene.String(required=True)
        pin = graphene.String(required=True)

    status = graphene.String(description="verified, already_verified, wrong or rate_limited.")
    verified_at = graphene.DateTime()

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True  # anyone holding the package may check its PIN

    @classmethod
    def perform_mutation(cls, root, info, code, pin):
        stamp = stamp_lookup(code=code.strip())
        if stamp is None:
            raise TraceabilityError(
                _("This code is not recognised."), code="not_recognised", field="code"
            )
        result = stamp_pin_check(
            stamp=stamp, pin=pin[:32], client_key=client_ip(info.context), now=timezone.now()
        )
        return cls(status=_value(result.status), verified_at=result.verified_at)


class Mutation(graphene.ObjectType):
    batch_create = BatchCreate.Field()
    provenance_event_record = ProvenanceEventRecord.Field()
    provenance_event_correct = ProvenanceEventCorrect.Field()
    stamp_run_create = StampRunCreate.Field()
    stamp_pin_check = StampPinCheck.Field()
