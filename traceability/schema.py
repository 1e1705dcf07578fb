"""GraphQL for traceability: a seller's batches, provenance events and stamp runs (looked up
through memberships, like offers), and the public stamp check — the same verdict as the scan
page, computed by the same selectors and services, recorded and rate-limited the same way.

Decisions worth knowing when calling it:

- ``stamp(code)`` is a scan, like opening the page with GET: it is recorded (coarse place only)
  and counts toward the "scanned many times / far apart" anomalies. ``record: false`` answers
  without recording, like the page's HEAD — for a seller testing labels; it is rate-limited all
  the same.
- A stamp that is not recognised answers ``NOT_RECOGNISED`` and nothing else, so a forger learns
  nothing about products, batches or producers.
- ``stampRunCreate`` returns the run and, for a run with scratch-off PINs, the PINs — the only
  time they exist in clear (they are stored hashed). Over the API a PIN run holds at most
  ``PIN_RUN_API_MAX`` stamps, to keep that answer a sensible size; the labels themselves (PDF
  sheets, CSV for a printer) are downloaded from the paths the run gives, as in the workspace.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit

import graphene
from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene_django import DjangoObjectType

from catalog.models import ProductVariant
from catalog.schema import (
    CertificateStatusEnum,
    CertificateType,
    ProductType,
    ProductVariantType,
    RevocationGroundEnum,
)
from core.graphql.connections import ConnectionField, CountableConnection
from core.graphql.errors import ErrorCode, api_error
from core.graphql.mutations import BaseMutation
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.types import ProvinceType, enum_from_choices
from core.models import Province
from marketplace.offers.models import StockLocation
from marketplace.offers.schema import OfferType, StockLocationType
from sellers.errors import PermissionDenied
from sellers.models import Business
from sellers.ratelimit import client_ip
from sellers.schema import (
    BusinessType,
    SellerMutation,
    acting_businesses,
    id_or_error,
    own_object,
)
from traceability import signing, views
from traceability.errors import TraceabilityError
from traceability.models import (
    Batch,
    BusinessStep,
    Disposition,
    EventType,
    ProvenanceEvent,
    Stamp,
    StampRun,
    Verdict,
)
from traceability.selectors import (
    ScanPage,
    ScanPlace,
    batches_of_business,
    stamp_lookup,
    stamp_lookup_gs1,
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

EventTypeEnum = enum_from_choices("ProvenanceEventType", EventType, "EPCIS 2.0 event type.")
BusinessStepEnum = enum_from_choices("BusinessStep", BusinessStep, "Why the event happened.")
DispositionEnum = enum_from_choices("Disposition", Disposition, "State of the goods after it.")
VerdictEnum = enum_from_choices("StampVerdict", Verdict, "What a stamp check concluded.")

# A PIN run's answer lists every PIN; 10,000 of them is about 1 MB of JSON.
PIN_RUN_API_MAX = 10_000
_COORDINATE_STEP = Decimal("0.1")

EVENTS = "graphql_events"
RUNS = "graphql_runs"


def _value(member):
    return getattr(member, "value", member)


def _max_page() -> int:
    return settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100)


class InMemoryConnectionField(graphene.relay.ConnectionField):
    """A connection over a list the parent already holds (prefetched for the whole page, so
    nesting it costs no query per row), with the same cap as every other connection: at most
    100 items a page, the first 100 when neither ``first`` nor ``last`` is given."""

    @classmethod
    def resolve_connection(cls, connection_type, args, resolved):
        limit = _max_page()
        for name in ("first", "last"):
            value = args.get(name)
            if value is not None and not 0 <= value <= limit:
                raise api_error(
                    _("`%(arg)s` must be between 0 and %(max)d.") % {"arg": name, "max": limit},
                    ErrorCode.OUT_OF_RANGE,
                )
        if args.get("first") is None and args.get("last") is None:
            args = {**args, "first": limit}
        return super().resolve_connection(connection_type, args, resolved)


class ProvenanceEventNode(DjangoObjectType):
    """One step of a batch's journey (EPCIS 2.0 shaped). Corrections are appended: ``corrects``
    names the event a correction replaces, ``correctedBy`` the event that replaced this one;
    both stay on the record."""

    event_type = graphene.Field(EventTypeEnum, required=True)
    business_step = graphene.Field(BusinessStepEnum, required=True)
    disposition = graphene.Field(DispositionEnum)
    latitude = graphene.Float()
    longitude = graphene.Float()
    location = graphene.Field(StockLocationType)
    photo_url = graphene.String()
    corrects = graphene.ID(description="The ProvenanceEvent this one corrects.")
    corrected_by = graphene.ID(description="The ProvenanceEvent that corrects this one.")

    class Meta:
        model = ProvenanceEvent
        name = "ProvenanceEvent"
        interfaces = (Node,)
        connection_class = CountableConnection
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
            .select_related("location__province", "correction")
            .first()
        )

    @staticmethod
    def resolve_event_type(root, info):
        return root.event_type

    @staticmethod
    def resolve_business_step(root, info):
        return root.business_step

    @staticmethod
    def resolve_disposition(root, info):
        return root.disposition or None

    @staticmethod
    def resolve_latitude(root, info):
        return None if root.latitude is None else float(root.latitude)

    @staticmethod
    def resolve_longitude(root, info):
        return None if root.longitude is None else float(root.longitude)

    @staticmethod
    def resolve_photo_url(root, info):
        return info.context.build_absolute_uri(root.photo.url) if root.photo else None

    @staticmethod
    def resolve_corrects(root, info):
        return Node.to_global_id("ProvenanceEvent", root.corrects_id) if root.corrects_id else None

    @staticmethod
    def resolve_corrected_by(root, info):
        # Every query reaching an event joins its reverse one-to-one ``correction``.
        correction = getattr(root, "correction", None)
        return Node.to_global_id("ProvenanceEvent", correction.pk) if correction else None


class StampRunNode(DjangoObjectType):
    """A run of signed stamps. PINs are never readable here: the creating mutation returns them
    once. The label files are downloaded (signed in, as a member) from the paths given."""

    pdf_path = graphene.String(required=True, description="PDF label sheets (workspace).")
    csv_path = graphene.String(required=True, description="Serials and URLs, for a printer.")

    class Meta:
        model = StampRun
        name = "StampRun"
        interfaces = (Node,)
        fields = ("id", "quantity", "with_pin", "created_at", "voided_at", "void_reason")

    @classmethod
    def get_node(cls, info, id):
        return (
            StampRun.objects.filter(
                pk=id, batch__variant__product__holder__in=acting_businesses(info)
            )
            .select_related("batch__variant__product__holder")
            .first()
        )

    @staticmethod
    def _path(root, name):
        slug = root.batch.variant.product.holder.slug
        return reverse(f"traceability_workspace:{name}", args=[slug, root.pk])

    @staticmethod
    def resolve_pdf_path(root, info):
        return StampRunNode._path(root, "stamp_run_pdf")

    @staticmethod
    def resolve_csv_path(root, info):
        return StampRunNode._path(root, "stamp_run_csv")


class BatchNode(DjangoObjectType):
    """A lot of one pack, with the certificate that was in force when it was produced."""

    variant = graphene.Field(ProductVariantType, required=True)
    certificate = graphene.Field(
        CertificateType, description="The certificate in force on the production date."
    )
    origin_province = graphene.Field(ProvinceType, description="Where the raw material is from.")
    events = InMemoryConnectionField(
        ProvenanceEventNode._meta.connection,
        required=True,
        description="The batch's journey in event-time order, corrected events included.",
    )
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
        return _batches_for(acting_businesses(info)).filter(pk=id).first()

    @staticmethod
    def resolve_events(root, info, **_pagination):
        if hasattr(root, EVENTS):  # every query in this module prefetches it
            return getattr(root, EVENTS)
        return list(
            root.events.select_related("location__province", "correction").order_by(
                "event_time", "id"
            )
        )

    @staticmethod
    def resolve_stamp_runs(root, info):
        if hasattr(root, RUNS):
            return getattr(root, RUNS)
        return list(root.stamp_runs.order_by("-created_at", "-id"))


def _shaped(queryset):
    """A batch queryset with everything the types read joined or prefetched: a page of batches
    costs the same few queries whatever the number of batches, events and runs."""
    return queryset.select_related(
        "variant__product__holder", "origin_province", "certificate__decision"
    ).prefetch_related(
        Prefetch(
            "events",
            queryset=ProvenanceEvent.objects.select_related(
                "location__province", "correction"
            ).order_by("event_time", "id"),
            to_attr=EVENTS,
        ),
        Prefetch(
            "stamp_runs", queryset=StampRun.objects.order_by("-created_at", "-id"), to_attr=RUNS
        ),
    )


def _batches_for(businesses):
    return _shaped(Batch.objects.filter(variant__product__holder__in=businesses))


# --- the public stamp check -------------------------------------------------------------------


class CertificateOnScanDate(graphene.ObjectType):
    """The product's certificate as it stood on the day of the check — not today's status of the
    certificate printed at production, so a revocation shows on every stamp from that day."""

    day = graphene.Date(required=True)
    status = graphene.Field(
        CertificateStatusEnum, description="On ``day``; null when the product had none."
    )
    stars = graphene.Int()
    valid_until = graphene.Date()
    revocation_ground = graphene.Field(RevocationGroundEnum)
    certificate = graphene.Field(CertificateType)


class PublicBatch(graphene.ObjectType):
    lot_code = graphene.String(required=True)
    produced_on = graphene.Date(required=True)
    expires_on = graphene.Date()
    origin_province = graphene.Field(ProvinceType)
    origin_commune = graphene.String()


class TimelineEvent(graphene.ObjectType):
    """A provenance event as the scan page shows it to anyone holding the package."""

    id = graphene.ID(required=True, description="The ProvenanceEvent's ID.")
    event_type = graphene.Field(EventTypeEnum, required=True)
    business_step = graphene.Field(BusinessStepEnum, required=True)
    disposition = graphene.Field(DispositionEnum)
    event_time = graphene.DateTime(required=True)
    event_timezone = graphene.String(required=True)
    record_time = graphene.DateTime(required=True)
    place = graphene.String(description="The point of sale or warehouse, with its province.")
    address = graphene.String()
    note = graphene.String()
    photo_url = graphene.String()
    corrects = graphene.ID()
    corrected_by = graphene.ID(description="Set when a later event corrects this one.")


class PointOfSale(graphene.ObjectType):
    name = graphene.String(required=True)
    seller = graphene.String(required=True)
    street = graphene.String()
    commune = graphene.String()
    province = graphene.Field(ProvinceType, required=True)


class StampVerification(graphene.ObjectType):
    """The verdict of a stamp check. A code that is not recognised carries nothing else, so a
    forger learns nothing from it."""

    verdict = graphene.Field(VerdictEnum, required=True)
    anomalies = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Why a recognised stamp is suspicious (void run, many scans, far apart).",
    )
    serial = graphene.String()
    product = graphene.Field(ProductType)
    producer = graphene.Field(BusinessType)
    batch = graphene.Field(PublicBatch)
    certificate = graphene.Field(CertificateOnScanDate)
    scan_count = graphene.Int()
    first_scanned_at = graphene.DateTime()
    first_scan_province = graphene.Field(ProvinceType)
    timeline = graphene.List(graphene.NonNull(TimelineEvent))
    offers = graphene.List(graphene.NonNull(OfferType), description="Where to buy, online.")
    points_of_sale = graphene.List(graphene.NonNull(PointOfSale))
    pin_protected = graphene.Boolean()
    pin_verified_at = graphene.DateTime()


def _event_id(pk):
    return Node.to_global_id("ProvenanceEvent", pk) if pk else None


def _timeline_event(request, entry) -> TimelineEvent:
    event = entry.event
    location = event.location
    return TimelineEvent(
        id=_event_id(event.pk),
        event_type=event.event_type,
        business_step=event.business_step,
        disposition=event.disposition or None,
        event_time=event.event_time,
        event_timezone=event.event_timezone,
        record_time=event.record_time,
        place=f"{location.name}, {location.province.name}" if location else None,
        address=event.address or None,
        note=event.note or None,
        photo_url=request.build_absolute_uri(event.photo.url) if event.photo else None,
        corrects=_event_id(event.corrects_id),
        corrected_by=_event_id(entry.corrected_by.pk if entry.corrected_by else None),
    )


def _verification(request, page: ScanPage | None) -> StampVerification:
    if page is None:
        return StampVerification(verdict=Verdict.NOT_RECOGNISED.value, anomalies=[])
    batch, on_date = page.batch, page.certificate
    held = on_date.certificate
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
            origin_province=batch.origin_province,
            origin_commune=batch.origin_commune or None,
        ),
        certificate=CertificateOnScanDate(
            day=on_date.day,
            status=_value(on_date.status) if held else None,
            stars=held.stars if held else None,
            valid_until=held.valid_until if held else None,
            revocation_ground=(held.revocation_ground or None) if held else None,
            certificate=held,
        ),
        scan_count=page.summary.count,
        first_scanned_at=page.summary.first_at,
        first_scan_province=page.summary.first_province,
        timeline=[_timeline_event(request, entry) for entry in page.timeline],
        offers=page.offers,
        points_of_sale=[
            PointOfSale(
                name=point.name,
                seller=point.business.name,
                street=point.street or None,
                commune=point.commune or None,
                province=point.province,
            )
            for point in page.points_of_sale
        ],
        pin_protected=bool(page.stamp.pin_hash),
        pin_verified_at=page.stamp.pin_verified_at,
    )


def _check_rate(request) -> bool:
    """The scan page's per-client budget, shared with it: False when it is spent."""
    key = client_ip(request)
    if views.SCAN_PER_CLIENT.retry_after(key):
        return False
    views.SCAN_PER_CLIENT.fail(key)
    return True


def _rate_limited(info) -> None:
    if not _check_rate(info.context):
        raise api_error(_("Too many stamp checks; wait a few minutes."), ErrorCode.TOO_MANY)


def _coordinate(value: float | None, limit: int) -> Decimal | None:
    """Rounded to 0.1° before anything is stored, as on the page; bad values are dropped."""
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(_COORDINATE_STEP, rounding=ROUND_HALF_UP)


def _scan_place(province: str | None, latitude, longitude) -> ScanPlace:
    found = None
    if province and province.strip():
        found = Province.objects.filter(slug=province.strip()[:100]).first()
    latitude, longitude = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return ScanPlace(province=found, latitude=latitude, longitude=longitude)


def _check(info, stamp: Stamp | None, code: str, place: ScanPlace, record: bool):
    """The scan page's GET (``record``) or HEAD, for a stamp already looked up."""
    request = info.context
    if stamp is None:
        return _verification(request, None)
    now = timezone.now()
    verdict = stamp_verify(code=code, stamp=stamp, now=now, pending=place if record else None)
    if record:
        stamp_scan_record(
            stamp=stamp,
            verdict=verdict.verdict,
            now=now,
            province=place.province,
            latitude=place.latitude,
            longitude=place.longitude,
            device_hash=signing.device_hash(
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
                client_ip=client_ip(request),
                day=timezone.localdate(now).isoformat(),
            ),
        )
    return _verification(request, stamp_scan_page(verdict=verdict, now=now))


def _stamp_of_url(url: str) -> tuple[Stamp | None, str]:
    """The stamp a printed URL stands for — the short ``/S/{code}`` form or the GS1 Digital
    Link ``/01/{gtin}/10/{lot}/21/{serial}?s={signature}`` — and its code; (None, "") for
    anything else. The host is not checked: the signature is what proves a stamp."""
    parts = urlsplit(url.strip()[:2048])
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None, ""
    if match.func is views.scan_view:
        code = match.kwargs.get("code", "")
        return stamp_lookup(code=code), code
    if match.func is views.gs1_resolver_view:
        try:
            gtin, qualifiers = views._gs1_parse(match.kwargs.get("path", ""))
        except views.MalformedLink:
            return None, ""
        if "21" not in qualifiers:
            return None, ""
        signature = parse_qs(parts.query).get(signing.SIGNATURE_PARAM, [""])[0]
        stamp = stamp_lookup_gs1(
            gtin=gtin, lot=qualifiers.get("10", ""), serial=qualifiers["21"], signature=signature
        )
        return stamp, signing.stamp_code(stamp) if stamp else ""
    return None, ""


_CHECK_ARGUMENTS = {
    "province": graphene.String(description="Slug of the province the buyer is in."),
    "latitude": graphene.Float(description="Rounded to 0.1° before it is stored."),
    "longitude": graphene.Float(description="Rounded to 0.1° before it is stored."),
    "record": graphene.Boolean(
        default_value=True,
        description="Record the check as a scan (as the page's GET does); false answers without "
        "recording (the page's HEAD).",
    ),
}


class Query(graphene.ObjectType):
    batches = ConnectionField(
        BatchNode,
        business=graphene.ID(required=True, description="A business you belong to."),
        description="The batches of the products your business holds, newest first.",
    )
    batch = graphene.Field(
        BatchNode,
        id=graphene.ID(required=True),
        description="One of the batches of the businesses you act for; null otherwise.",
    )
    stamp = graphene.Field(
        StampVerification,
        required=True,
        code=graphene.String(required=True, description="The code after /S/ on the label."),
        **_CHECK_ARGUMENTS,
        description="Check a stamp as the scan page does: same verdict, rate-limited per client.",
    )
    stamp_by_url = graphene.Field(
        StampVerification,
        required=True,
        url=graphene.String(required=True, description="The URL in the label's QR code."),
        **_CHECK_ARGUMENTS,
        description="``stamp`` for a scanned URL: the short form or the GS1 Digital Link.",
    )

    @staticmethod
    def resolve_batches(root, info, business, **_pagination):
        pk = from_global_id_or_error(business, BusinessType)
        found = acting_businesses(info).filter(pk=pk).first()
        if found is None:
            raise api_error(_("You do not act for this business."), ErrorCode.PERMISSION_DENIED)
        return _shaped(batches_of_business(business=found)).order_by("-produced_on", "-id")

    @staticmethod
    def resolve_batch(root, info, id):
        return (
            _batches_for(acting_businesses(info))
            .filter(pk=from_global_id_or_error(id, BatchNode))
            .first()
        )

    @staticmethod
    def resolve_stamp(root, info, code, record=True, province=None, latitude=None, longitude=None):
        _rate_limited(info)
        code = code.strip()[:64]
        place = _scan_place(province, latitude, longitude)
        return _check(info, stamp_lookup(code=code), code, place, record)

    @staticmethod
    def resolve_stamp_by_url(
        root, info, url, record=True, province=None, latitude=None, longitude=None
    ):
        _rate_limited(info)
        stamp, code = _stamp_of_url(url)
        place = _scan_place(province, latitude, longitude)
        return _check(info, stamp, code, place, record)


# --- mutations ------------------------------------------------------------------------------


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
        return cls(batch=_batches_for([pack.product.holder_id]).get(pk=created.pk))


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


class StampPin(graphene.ObjectType):
    serial = graphene.String(required=True)
    pin = graphene.String(required=True)
    url = graphene.String(required=True, description="The short URL printed in the QR code.")


class StampRunCreate(SellerMutation):
    """Order 1–100,000 signed stamps for a batch (owner or manager). Download the labels from
    the run's ``pdfPath``/``csvPath``. With PINs (at most 10,000 a run here), this answer is
    the only place the PINs ever appear in clear: keep them now."""

    class Arguments:
        batch = graphene.ID(required=True)
        quantity = graphene.Int(required=True)
        with_pin = graphene.Boolean(default_value=False)

    run = graphene.Field(StampRunNode)
    pins = graphene.List(
        graphene.NonNull(StampPin), description="Only for a run with PINs; shown this once."
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
        if with_pin and quantity > PIN_RUN_API_MAX:
            raise TraceabilityError(
                _(
                    "Over the API a run with PINs has at most %(max)s stamps; order several "
                    "runs, or use the workspace, which packs the PINs into a download."
                )
                % {"max": f"{PIN_RUN_API_MAX:,}"},
                code="out_of_range",
                field="quantity",
            )
        run, pins = stamp_run_create(
            actor=info.context.user, batch=found, quantity=quantity, with_pin=with_pin
        )
        run.batch = found
        if not with_pin:
            return cls(run=run, pins=None)
        stamps = run.stamps.only("serial").order_by("serial")
        return cls(
            run=run,
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
        if not _check_rate(info.context):
            raise TraceabilityError(
                _("Too many stamp checks; wait a few minutes."), code="too_many", field="code"
            )
        stamp = stamp_lookup(code=code.strip()[:64])
        if stamp is None:
            raise TraceabilityError(
                _("This code is not recognised."), code="not_recognised", field="code"
            )
        result = stamp_pin_check(
            stamp=stamp, pin=pin[:32], client_key=client_ip(info.context), now=timezone.now()
        )
        return cls(
            status=_value(result.status),
            verified_at=result.verified_at,
            retry_after=result.retry_after or None,
        )


class Mutation(graphene.ObjectType):
    batch_create = BatchCreate.Field()
    provenance_event_record = ProvenanceEventRecord.Field()
    provenance_event_correct = ProvenanceEventCorrect.Field()
    stamp_run_create = StampRunCreate.Field()
    stamp_pin_check = StampPinCheck.Field()
