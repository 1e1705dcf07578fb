"""GraphQL types of traceability: batches, provenance events, stamp runs, and the public
answer of a stamp check."""

from __future__ import annotations

import graphene
from django.urls import reverse
from graphene_django import DjangoObjectType

from catalog.graphql.enums import CertificateStatusEnum, RevocationGroundEnum
from catalog.graphql.types import CertificateType, ProductVariantType
from catalog.models import Product
from core.graphql.connections import CountableConnection, InMemoryConnectionField
from core.graphql.relay import Node
from core.graphql.selection import selection_tree
from core.graphql.types import ProvinceType, enum_from_choices, enum_value, lazy_model_type
from core.models import JobState
from core.site import site_url
from marketplace.offers.graphql.types import OfferType, StockLocationType
from marketplace.places.graphql.shaping import point_nodes_shape
from marketplace.places.graphql.types import ProductPointOfSale
from marketplace.places.product_page import nearest_points_context
from sellers.graphql.acting import acting_businesses
from sellers.models import Business
from traceability.epcis import batch_epcis_document, carton_uri
from traceability.graphql.shaping import EVENTS, PRINTS, RUNS, batches_for
from traceability.models import (
    Batch,
    BusinessStep,
    Carton,
    Disposition,
    EventType,
    ProvenanceEvent,
    StampRun,
    Verdict,
)
from traceability.selectors import provenance_event_what, stamp_run_print_progress

EventTypeEnum = enum_from_choices("ProvenanceEventType", EventType, "EPCIS 2.0 event type.")
BusinessStepEnum = enum_from_choices("BusinessStep", BusinessStep, "Why the event happened.")
DispositionEnum = enum_from_choices("Disposition", Disposition, "State of the goods after it.")
VerdictEnum = enum_from_choices("StampVerdict", Verdict, "What a stamp check concluded.")


class CartonNode(DjangoObjectType):
    """A carton items are packed into (the EPCIS parentID of aggregation events)."""

    code = graphene.String(required=True, description="The carton's own 12-character code.")
    uri = graphene.String(required=True, description="The carton as an EPCIS parentID.")

    class Meta:
        model = Carton
        name = "Carton"
        interfaces = (Node,)
        fields = ("id", "code", "created_at")

    @classmethod
    def get_node(cls, info, id):
        return Carton.objects.filter(pk=id, business__in=acting_businesses(info)).first()

    @staticmethod
    def resolve_uri(root, info):
        return carton_uri(root, site_url())


class TransformationInputType(graphene.ObjectType):
    """An input lot of a transformation: how much of which batch went into the event's batch."""

    class Meta:
        name = "TransformationInput"

    lot_code = graphene.String(required=True)
    batch = graphene.ID(required=True, description="The input Batch.")
    quantity = graphene.Decimal(required=True)
    unit = graphene.String(required=True, description="UN/ECE Recommendation 20 code.")

    @staticmethod
    def resolve_lot_code(root, info):
        return root.batch.lot_code

    @staticmethod
    def resolve_batch(root, info):
        return Node.to_global_id("Batch", root.batch_id)


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
    inputs = graphene.List(
        graphene.NonNull(TransformationInputType),
        required=True,
        description="A transformation's input lots (empty for other events).",
    )
    carton = graphene.Field(
        CartonNode, description="The carton an aggregation event packed into or unpacked."
    )
    action = graphene.String(description="ADD (packed) or DELETE (unpacked) for carton events.")
    child_serials = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Serials of the stamped items a carton event moved (empty for others).",
    )

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
            "quantity",
            "unit",
        )

    @classmethod
    def get_node(cls, info, id):
        return (
            ProvenanceEvent.objects.filter(
                pk=id, batch__variant__product__holder__in=acting_businesses(info)
            )
            .select_related("location__province", "correction", "carton")
            .prefetch_related(*provenance_event_what())
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
    def resolve_inputs(root, info):
        # Prefetched for transformation events by every query reaching them (batch_queryset,
        # provenance_events_of); other events have none and read nothing.
        if root.event_type != EventType.TRANSFORMATION:
            return []
        return list(root.inputs.all())

    @staticmethod
    def resolve_carton(root, info):
        return root.carton if root.carton_id else None

    @staticmethod
    def resolve_action(root, info):
        return root.action or None

    @staticmethod
    def resolve_child_serials(root, info):
        if not root.carton_id:
            return []
        return [child.stamp.serial for child in root.children.all()]

    @staticmethod
    def resolve_corrected_by(root, info):
        # Every query reaching an event joins its reverse one-to-one ``correction``.
        correction = getattr(root, "correction", None)
        return Node.to_global_id("ProvenanceEvent", correction.pk) if correction else None


JobStateEnum = enum_from_choices("JobState", JobState, "Where a background job stands.")


class StampRunPrintType(graphene.ObjectType):
    """One PDF with every stamp of the run (and the CSV) on one sheet layout, drawn in the
    background. The paths answer once ``state`` is DONE (signed in as an owner or manager)."""

    class Meta:
        name = "StampRunPrint"

    layout = graphene.String(required=True, description="The label sheet, e.g. a4-5x13.")
    link = graphene.String(required=True, description="What the QR codes carry: short or gs1.")
    state = graphene.Field(JobStateEnum, required=True)
    done = graphene.Int(required=True, description="Stamps drawn so far.")
    total = graphene.Int(required=True)
    pages = graphene.Int(description="Pages of the PDF, once drawn.")
    pdf_path = graphene.String(description="The PDF (workspace), once drawn.")
    csv_path = graphene.String(description="The CSV (workspace), once drawn.")

    @staticmethod
    def _path(root, kind):
        if root.progress[kind] is None:
            return None
        slug = root.run.batch.variant.product.holder.slug
        return reverse(
            "traceability_workspace:stamp_run_print_file", args=[slug, root.run_id, root.pk, kind]
        )

    @staticmethod
    def resolve_state(root, info):
        return enum_value(root.progress["state"])

    @staticmethod
    def resolve_done(root, info):
        return root.progress["done"]

    @staticmethod
    def resolve_total(root, info):
        return root.progress["total"]

    @staticmethod
    def resolve_pdf_path(root, info):
        return StampRunPrintType._path(root, "pdf")

    @staticmethod
    def resolve_csv_path(root, info):
        return StampRunPrintType._path(root, "csv")


class StampRunNode(DjangoObjectType):
    """A run of signed stamps. PINs are never readable here: the creating mutation returns them
    once. The label files (one PDF and the CSV per print, PINs included for a run with PINs)
    are drawn in the background and downloaded (signed in, as an owner or manager) from the
    paths of its prints."""

    pdf_path = graphene.String(
        description="The first drawn print's PDF (workspace); null until one is drawn.",
        deprecation_reason="Use prints { pdfPath }: one PDF per sheet layout and link form.",
    )
    csv_path = graphene.String(
        description="The first drawn print's CSV (workspace); null until one is drawn.",
        deprecation_reason="Use prints { csvPath }.",
    )
    gs1_pdf_path = graphene.String(
        description="The PDF of the first drawn print whose QR codes carry the GS1 Digital Link "
        "(workspace); null when there is none.",
        deprecation_reason="Use prints { link pdfPath }.",
    )
    prints = graphene.List(
        graphene.NonNull(StampRunPrintType),
        required=True,
        description="The whole run as one PDF and the CSV, drawn in the background: ordering a "
        "run starts one; stampRunPrint asks for another sheet layout or link form.",
    )

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
    def _drawn_file(root, info, kind, link=None):
        for stamp_print in StampRunNode.resolve_prints(root, info):
            if link is not None and stamp_print.link != link:
                continue
            path = StampRunPrintType._path(stamp_print, kind)
            if path is not None:
                return path
        return None

    @staticmethod
    def resolve_pdf_path(root, info):
        return StampRunNode._drawn_file(root, info, "pdf")

    @staticmethod
    def resolve_csv_path(root, info):
        return StampRunNode._drawn_file(root, info, "csv")

    @staticmethod
    def resolve_prints(root, info):
        prints = getattr(root, PRINTS, None)
        if prints is None:
            prints = list(
                root.prints.select_related("job").prefetch_related("job__files").order_by("id")
            )
            setattr(root, PRINTS, prints)  # the deprecated file paths read them too
        for stamp_print in prints:
            stamp_print.run = root
            stamp_print.progress = stamp_run_print_progress(
                stamp_print=stamp_print, quantity=root.quantity
            )
        return prints

    @staticmethod
    def resolve_gs1_pdf_path(root, info):
        return StampRunNode._drawn_file(root, info, "pdf", link="gs1")


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
    epcis = graphene.JSONString(
        required=True,
        description="The batch's events as an EPCIS 2.0 JSON-LD document (EPCISDocument).",
    )

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
        return batches_for(acting_businesses(info)).filter(pk=id).first()

    @staticmethod
    def resolve_epcis(root, info):
        events = getattr(root, EVENTS, None)  # prefetched by batch_queryset: no query
        return batch_epcis_document(batch=root, events=events)

    @staticmethod
    def resolve_events(root, info, **_pagination):
        if hasattr(root, EVENTS):  # every query of batches prefetches it (batch_queryset)
            return getattr(root, EVENTS)
        return list(
            root.events.select_related("location__province", "correction", "carton")
            .prefetch_related(*provenance_event_what())
            .order_by("event_time", "id")
        )

    @staticmethod
    def resolve_stamp_runs(root, info):
        if hasattr(root, RUNS):
            return getattr(root, RUNS)
        return list(root.stamp_runs.order_by("-created_at", "-id"))


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
    product = graphene.Field(lazy_model_type(Product))
    producer = graphene.Field(lazy_model_type(Business))
    batch = graphene.Field(PublicBatch)
    certificate = graphene.Field(CertificateOnScanDate)
    scan_count = graphene.Int()
    first_scanned_at = graphene.DateTime()
    first_scan_province = graphene.Field(ProvinceType)
    timeline = graphene.List(graphene.NonNull(TimelineEvent))
    offers = graphene.List(graphene.NonNull(OfferType), description="Where to buy, online.")
    points_of_sale = graphene.List(
        graphene.NonNull(ProductPointOfSale),
        description=(
            "Buy in person near you, as the scan page shows it: the nearest public points with "
            "the product in stock (from the latitude/longitude or province sent with the check, "
            "else the producer's province), with open now. Empty unless the certificate is in "
            "force on the scan date."
        ),
    )
    pin_protected = graphene.Boolean()
    pin_verified_at = graphene.DateTime()

    @staticmethod
    def resolve_points_of_sale(root, info):
        """``nearest`` (set by the query: product id, the visitor's choice, the producer's
        province, whether the certificate is in force) is absent for an unrecognised code."""
        nearest = getattr(root, "nearest", None)
        if nearest is None:
            return None
        product_id, choice, fallback_province_id, in_force = nearest
        if not in_force:
            return []
        found = nearest_points_context(
            product_id=product_id, choice=choice, fallback_province_id=fallback_province_id
        )["nearest_points"]
        point_nodes_shape([row.point for row in found], selection_tree(info).get("point", {}))
        return [
            ProductPointOfSale(point=row.point, distance_km=row.distance_km, units=row.units)
            for row in found
        ]
