"""Reads for the scan page, the resolver and the API: verdicts, scan history and anomalies,
certificate status on the scan date, the provenance timeline, where to buy.

Every function here costs a fixed number of queries, whatever the number of events, scans or
offers.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Certificate, CertificateStatus, Product, ProductPhoto, ProductVariant
from catalog.validators import gtin14, gtin_stored_forms
from core.jobs import job_status
from core.models import JobFileRole, JobState, Province
from marketplace.offers.models import (
    Offer,
    ResaleAuthorization,
)
from marketplace.offers.selectors import offers_visible
from sellers.models import Business
from traceability import signing
from traceability.errors import TraceabilityError
from traceability.models import (
    AggregationChild,
    Batch,
    EventType,
    ProvenanceEvent,
    Scan,
    Stamp,
    StampRun,
    StampRunPrint,
    TransformationInput,
    Verdict,
)
from traceability.printing.labels import LINK_GS1, LINK_SHORT, StampLabel

# Anomaly thresholds, overridable in settings. A buyer scans a jar a few times; a code printed
# on hundreds of fakes is scanned far more, and in places far apart.
STAMP_MANY_SCANS = 20
FAR_APART_HOURS = 12
FAR_APART_KM = 150
RECENT_SCANS = 50
WHERE_TO_BUY_LIMIT = 20


def _setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class ScanPlace:
    """Where a scan happened, as coarse as it is stored: a province and/or 0.1° coordinates."""

    province: Province | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


COORDINATE_STEP = Decimal("0.1")


def _coordinate(value, limit: int) -> Decimal | None:
    try:
        number = Decimal(str(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        return None
    if number is None or not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


def scan_place_resolve(*, province_slug: str | None, latitude, longitude) -> ScanPlace:
    """The coarse place a client may send with a scan — a province it picked and/or
    coordinates, as text (the page's query string) or numbers (the API) — rounded to 0.1°
    before anything is stored. Bad values are dropped: a place is optional and never worth
    refusing a scan for; a lone latitude or longitude is no place."""
    province = None
    slug = (province_slug or "").strip()
    if slug:
        province = Province.objects.filter(slug=slug[:100]).first()
    latitude, longitude = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return ScanPlace(province=province, latitude=latitude, longitude=longitude)


@dataclass(frozen=True)
class Anomaly:
    code: str  # "run_void", "many_scans", "far_apart"
    message: str


@dataclass(frozen=True)
class StampVerdict:
    verdict: str
    stamp: Stamp | None = None
    anomalies: tuple[Anomaly, ...] = ()

    @property
    def is_recognised(self) -> bool:
        return self.stamp is not None


def stamp_lookup(*, code: str) -> Stamp | None:
    """The stamp a code stands for, when its signature is valid under a configured key and the
    stamp exists (one query; none for a bad signature). Everything the page shows about the
    product, batch and producer is joined. The code may be typed in lower case."""
    verified = signing.stamp_code_verify(code=signing.stamp_code_normalise(code))
    if verified is None:
        return None
    serial, key_id = verified
    stamp = (
        Stamp.objects.select_related(
            "run__batch__variant__product__holder__province",
            "run__batch__origin_province",
            "run__batch__certificate",
        )
        .filter(serial=serial)
        .first()
    )
    if stamp is None or stamp.run.key_id != key_id:
        return None
    return stamp


def stamp_lookup_gs1(
    *, gtin: str, serial: str, signature: str, lot: str | None = None
) -> Stamp | None:
    """The stamp of a GS1 Digital Link (``/01/{gtin}[/10/{lot}]/21/{serial}?s={signature}``):
    the code must verify, the GTIN must be the stamp's own, and so must the lot when the link
    names one (a serial alone identifies the item; the lot is optional in the link)."""
    stamp = stamp_lookup(code=f"{serial}{signature}")
    if stamp is None:
        return None
    batch = stamp.run.batch
    if not batch.variant.gtin or gtin14(batch.variant.gtin) != gtin14(gtin):
        return None
    if lot is not None and batch.lot_code != lot:
        return None
    return stamp


def _km(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> float:
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class _Seen:
    at: datetime.datetime
    province: Province | None
    latitude: Decimal | None
    longitude: Decimal | None


def _place_name(seen: _Seen) -> str:
    if seen.province is not None:
        return seen.province.name
    return f"{seen.latitude}, {seen.longitude}"


def stamp_anomalies(
    *, stamp: Stamp, scans: list[_Seen] | None = None, scan_count: int | None = None
) -> list[Anomaly]:
    """Why a genuine-looking stamp is suspicious, in words a buyer can follow:

    - its run was voided by the producer (labels lost or stolen);
    - it was scanned more than ``STAMP_MANY_SCANS`` times;
    - two consecutive scans within ``FAR_APART_HOURS`` hours were in different provinces, or
      more than ``FAR_APART_KM`` km apart by their (rounded) coordinates.
    """
    anomalies = []
    run: StampRun = stamp.run
    if run.voided_at is not None:
        anomalies.append(
            Anomaly(
                "run_void",
                _("The producer has cancelled this series of stamps (%(reason)s).")
                % {"reason": run.void_reason},
            )
        )
    count = stamp.scan_count if scan_count is None else scan_count
    many = _setting("STAMP_MANY_SCANS", STAMP_MANY_SCANS)
    if count > many:
        anomalies.append(
            Anomaly(
                "many_scans",
                ngettext(
                    "This code has been scanned %(count)s time; a genuine package is rarely "
                    "scanned that often, so the code may have been copied.",
                    "This code has been scanned %(count)s times; a genuine package is rarely "
                    "scanned that often, so the code may have been copied.",
                    count,
                )
                % {"count": count},
            )
        )
    hours = _setting("STAMP_FAR_APART_HOURS", FAR_APART_HOURS)
    km = _setting("STAMP_FAR_APART_KM", FAR_APART_KM)
    ordered = sorted(scans or [], key=lambda s: s.at)
    for before, after in itertools.pairwise(ordered):
        if after.at - before.at > datetime.timedelta(hours=hours):
            continue
        apart = False
        if before.province is not None and after.province is not None:
            apart = before.province.pk != after.province.pk
        elif before.latitude is not None and after.latitude is not None:
            apart = _km((before.latitude, before.longitude), (after.latitude, after.longitude)) > km
        if apart:
            anomalies.append(
                Anomaly(
                    "far_apart",
                    _(
                        "Scanned in %(first)s and in %(second)s within %(hours)s hours: one "
                        "package cannot travel that fast, so the code may have been copied."
                    )
                    % {"first": _place_name(before), "second": _place_name(after), "hours": hours},
                )
            )
            break
    return anomalies


def stamp_verify(
    *,
    code: str,
    now: datetime.datetime | None = None,
    pending: ScanPlace | None = None,
    stamp: Stamp | None = None,
) -> StampVerdict:
    """Genuine, suspicious or not recognised — the same answer for the scan page and the API.

    ``pending`` is a scan about to be recorded: it counts in the history, so the scan that
    reveals a copy is already flagged. Pass ``stamp`` when the caller has looked it up.
    Two queries (the stamp, its recent scans); one for a code with a bad signature.
    """
    now = now or timezone.now()
    stamp = stamp or stamp_lookup(code=code)
    if stamp is None:
        return StampVerdict(Verdict.NOT_RECOGNISED)
    recent = [
        _Seen(s.scanned_at, s.province, s.latitude, s.longitude)
        for s in Scan.objects.filter(stamp=stamp)
        .select_related("province")
        .order_by("-scanned_at", "-id")[: _setting("STAMP_RECENT_SCANS", RECENT_SCANS)]
    ]
    count = stamp.scan_count
    if pending is not None:
        recent.append(_Seen(now, pending.province, pending.latitude, pending.longitude))
        count += 1
    anomalies = tuple(stamp_anomalies(stamp=stamp, scans=recent, scan_count=count))
    verdict = Verdict.SUSPICIOUS if anomalies else Verdict.GENUINE
    return StampVerdict(verdict, stamp, anomalies)


@dataclass(frozen=True)
class ScanSummary:
    count: int
    first_at: datetime.datetime | None
    first_province: Province | None

    @property
    def is_first(self) -> bool:
        return self.count <= 1


def stamp_scan_summary(*, stamp: Stamp) -> ScanSummary:
    """ "First scan", or "scanned N times, first on <date> in <province>". One query."""
    first = (
        Scan.objects.filter(stamp=stamp)
        .select_related("province")
        .order_by("scanned_at", "id")
        .first()
    )
    return ScanSummary(
        count=stamp.scan_count,
        first_at=first.scanned_at if first else stamp.first_scanned_at,
        first_province=first.province if first else None,
    )


@dataclass(frozen=True)
class CertificateOnDate:
    """The product's certificate as it stood on ``day``: ``status`` is active, expired, revoked
    or superseded (``Certificate.status_on``); ``certificate`` is None when there was none."""

    day: datetime.date
    certificate: Certificate | None
    status: str

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ACTIVE


def certificate_on_date(*, product: Product, day: datetime.date) -> CertificateOnDate:
    """The newest certificate of ``product`` issued by ``day``, and its status on ``day``. One
    query."""
    certificate = (
        Certificate.objects.filter(product=product, valid_from__lte=day)
        .select_related("decision")
        .order_by("-valid_from", "-id")
        .first()
    )
    if certificate is None:
        return CertificateOnDate(day, None, "none")
    return CertificateOnDate(day, certificate, certificate.status_on(day))


@dataclass(frozen=True)
class TimelineEntry:
    event: ProvenanceEvent
    corrected_by: ProvenanceEvent | None = None

    @property
    def is_corrected(self) -> bool:
        return self.corrected_by is not None

    @property
    def local_time(self) -> datetime.datetime:
        """The event time on the clock where it happened (its recorded UTC offset)."""
        sign = -1 if self.event.event_timezone.startswith("-") else 1
        hours, minutes = self.event.event_timezone[1:].split(":")
        offset = datetime.timedelta(hours=int(hours), minutes=int(minutes)) * sign
        return self.event.event_time.astimezone(datetime.timezone(offset))


def provenance_event_what() -> list[Prefetch]:
    """What an event's "what" reads beyond its own row: the input lots of a transformation and
    the stamped items of an aggregation (one query each, for any number of events)."""
    return [
        Prefetch(
            "inputs",
            queryset=TransformationInput.objects.select_related("batch__variant__product").order_by(
                "id"
            ),
        ),
        Prefetch(
            "children", queryset=AggregationChild.objects.select_related("stamp").order_by("id")
        ),
    ]


def provenance_events_of(*, batch: Batch) -> list[ProvenanceEvent]:
    """``batch``'s events in event-time order with where and what they concern: one query, one
    more for input lots when a transformation is among them, one more for packed items when an
    aggregation into a carton is — the same for 2 or 200 events."""
    events = list(
        ProvenanceEvent.objects.filter(batch=batch)
        .select_related("location__province", "carton")
        .order_by("event_time", "id")
    )
    inputs, children = provenance_event_what()
    prefetch_related_objects(
        [e for e in events if e.event_type == EventType.TRANSFORMATION], inputs
    )
    prefetch_related_objects([e for e in events if e.carton_id], children)
    return events


@dataclass(frozen=True)
class CartonContents:
    code: str
    items: int


def batch_cartons(*, batch: Batch) -> list[CartonContents]:
    """The cartons holding stamped items of ``batch`` now, with how many, newest carton first.
    One query."""
    rows = (
        Stamp.objects.filter(run__batch=batch, carton__isnull=False)
        .values("carton__code", "carton_id")
        .annotate(items=Count("id"))
        .order_by("-carton_id")
    )
    return [CartonContents(row["carton__code"], row["items"]) for row in rows]


def batch_used_in(*, batch: Batch) -> list[TransformationInput]:
    """Where ``batch`` went as an input lot: the transformations that consumed it, oldest first,
    each a ``TransformationInput`` (the quantity of ``batch`` used) with its event and the new lot
    (``row.event.batch``, its pack and product) joined. A corrected transformation counts once,
    as its latest version (a correction carries the input lots over). One query, whatever the
    number of transformations."""
    return list(
        TransformationInput.objects.filter(batch=batch, event__correction__isnull=True)
        .select_related("event__batch__variant__product")
        .order_by("event__event_time", "event_id")
    )


def batch_timeline(*, batch: Batch) -> list[TimelineEntry]:
    """Every event of ``batch`` in event-time order, corrections included: a corrected event
    is kept and points at the event that corrects it. See ``provenance_events_of`` for the
    queries."""
    events = provenance_events_of(batch=batch)
    by_corrected = {e.corrects_id: e for e in events if e.corrects_id}
    return [TimelineEntry(e, by_corrected.get(e.pk)) for e in events]


def offers_for_product(*, product: Product, today: datetime.date | None = None) -> list[Offer]:
    """Visible offers of ``product`` (any pack), cheapest first. One query."""
    return list(
        offers_visible(today=today)
        .filter(variant__product=product)
        .select_related("seller__province", "variant")
        .order_by("price", "id")[:WHERE_TO_BUY_LIMIT]
    )


def product_photo_first(*, product: Product) -> ProductPhoto | None:
    return product.photos.order_by("position", "id").first()


@dataclass(frozen=True)
class ScanPage:
    """Everything the scan page shows for a recognised stamp."""

    verdict: StampVerdict
    stamp: Stamp
    batch: Batch
    variant: ProductVariant
    product: Product
    producer: Business
    photo: ProductPhoto | None
    certificate: CertificateOnDate
    summary: ScanSummary
    timeline: list[TimelineEntry]
    offers: list[Offer]

    @functools.cached_property
    def used_in(self) -> list[TransformationInput]:
        """The lots this batch went into (``batch_used_in``): one query, read by the page only
        when it shows them (the API's verification does not)."""
        return batch_used_in(batch=self.batch)


def stamp_scan_page(*, verdict: StampVerdict, now: datetime.datetime | None = None) -> ScanPage:
    """The scan page of a recognised stamp on the scan date; six queries (and the timeline's
    own for input lots and packed items, see ``provenance_events_of``; ``used_in`` one more)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    stamp = verdict.stamp
    batch = stamp.run.batch
    product = batch.variant.product
    return ScanPage(
        verdict=verdict,
        stamp=stamp,
        batch=batch,
        variant=batch.variant,
        product=product,
        producer=product.holder,
        photo=product_photo_first(product=product),
        certificate=certificate_on_date(product=product, day=day),
        summary=stamp_scan_summary(stamp=stamp),
        timeline=batch_timeline(batch=batch),
        offers=offers_for_product(product=product, today=day),
    )


def variant_for_gtin(*, gtin: str) -> ProductVariant | None:
    """The variant with this GTIN, stored as given (8, 12, 13 or 14 digits). One query."""
    return (
        ProductVariant.objects.filter(gtin__in=gtin_stored_forms(gtin))
        .select_related("product")
        .prefetch_related(
            Prefetch(
                "product__certificates",
                queryset=Certificate.objects.order_by("-valid_from", "-id"),
            )
        )
        .first()
    )


def batches_recordable_by(*, business: Business) -> QuerySet[Batch]:
    """Batches ``business`` may add provenance events to: its own products' and those of
    products it is authorised to resell (receiving, selling at its shops)."""
    authorised = ResaleAuthorization.objects.filter(
        product=OuterRef("variant__product"), reseller=business, revoked_at__isnull=True
    )
    return Batch.objects.filter(
        Q(variant__product__holder=business) | Exists(authorised)
    ).select_related("variant__product", "origin_province", "certificate")


def batches_of_business(*, business: Business) -> QuerySet[Batch]:
    """Batches of the products ``business`` holds (the caller resolved it through a
    membership), newest first, with what a list shows joined."""
    return Batch.objects.filter(variant__product__holder=business).select_related(
        "variant__product", "origin_province", "certificate"
    )


# --- stamp labels --------------------------------------------------------------------------------


def stamp_run_stamps(*, run: StampRun) -> QuerySet[Stamp]:
    """The run's stamps in print order, with only what a label needs."""
    return Stamp.objects.filter(run=run).order_by("id").only("id", "serial", "run_id")


def stamp_run_labels(
    *,
    run: StampRun,
    stamps: QuerySet[Stamp] | None = None,
    pins: dict[str, str] | None = None,
    link: str = LINK_SHORT,
    derive_pins: bool = False,
) -> Iterator[StampLabel]:
    """Printable labels of ``stamps`` (rows of ``run``, all of them by default), streamed from
    the database; the QR codes carry the ``link`` form, the CSV gives both forms.

    ``derive_pins``: each label carries its scratch-off PIN, derived again
    (``signing.pin_derive``) and checked against the stored hash — a PIN that does not match
    (the run's PINs were drawn at random before PINs were derived, or ``STAMP_PIN_KEY`` changed)
    raises ``TraceabilityError`` rather than print a PIN that would never verify."""
    batch = run.batch
    variant = batch.variant
    certificate = batch.certificate
    # Stars only while the certificate the batch was produced under is still in force: a label
    # printed today must not claim a revoked or lapsed star rating.
    stars = (
        certificate.stars
        if certificate is not None
        and certificate.status_on(timezone.localdate()) == CertificateStatus.ACTIVE
        else None
    )
    name = f"{variant.product.name} — {variant.name}" if variant.name else variant.product.name
    if stamps is None:
        stamps = stamp_run_stamps(run=run)
    if derive_pins:
        stamps = stamps.only("id", "serial", "run_id", "pin_hash")
    for stamp in stamps.iterator(chunk_size=2000):
        stamp.run = run  # the signing key id comes from the run: no query per stamp
        gs1_url = signing.stamp_url_gs1(stamp)
        pin = pins[stamp.serial] if pins else None
        if derive_pins:
            pin = signing.pin_derive(run_id=run.pk, serial=stamp.serial)
            if not stamp.pin_hash or not signing.pin_matches(
                serial=stamp.serial, pin=pin, stored=stamp.pin_hash
            ):
                raise TraceabilityError(
                    _("The PINs of this run cannot be printed again."), code="invalid", field="run"
                )
        yield StampLabel(
            url=gs1_url if link == LINK_GS1 and gs1_url else signing.stamp_url_short(stamp),
            gs1_url=gs1_url,
            serial=stamp.serial,
            product_name=name,
            stars=stars,
            pin=pin,
        )


def stamp_run_pins_printable(*, run: StampRun) -> bool:
    """Whether the run's labels can carry its scratch-off PINs: a run with PINs whose first
    stamp's PIN derives again from ``STAMP_PIN_KEY`` (runs ordered before PINs were derived, or
    before the key changed, print without them)."""
    if not run.with_pin:
        return False
    first = Stamp.objects.filter(run=run).order_by("id").only("serial", "pin_hash").first()
    if first is None or not first.pin_hash:
        return False
    pin = signing.pin_derive(run_id=run.pk, serial=first.serial)
    return signing.pin_matches(serial=first.serial, pin=pin, stored=first.pin_hash)


def stamp_run_print_progress(*, stamp_print: StampRunPrint, quantity: int) -> dict:
    """Where a background print stands (``core.jobs.job_status`` of its job): ``state``,
    ``done`` of ``total`` stamps, ``percent``, ``running``, ``failed``, and once drawn the
    ``pdf`` and ``csv`` (``core.JobFile``). A print whose job the daily cleanup deleted, with its
    files, counts as failed: it can be drawn again. Reads ``job.files`` (prefetch it)."""
    job = stamp_print.job
    if job is None:
        return {
            "state": JobState.FAILED,
            "done": 0,
            "total": quantity,
            "percent": 0,
            "running": False,
            "failed": True,
            "pdf": None,
            "csv": None,
        }
    status = job_status(job=job)
    files = {f.name.rsplit(".", 1)[-1]: f for f in job.files.all() if f.role == JobFileRole.OUTPUT}
    total = status["progress"].get("total") or quantity
    done = (
        total
        if status["state"] == JobState.DONE
        else min(status["progress"].get("done") or 0, total)
    )
    return {
        "state": status["state"],
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "running": not status["finished"],
        "failed": status["failed"],
        "pdf": files.get("pdf") if status["state"] == JobState.DONE else None,
        "csv": files.get("csv") if status["state"] == JobState.DONE else None,
    }


def stamp_run_prints(*, run: StampRun) -> list[StampRunPrint]:
    """The run's background prints with their jobs and files (two queries), each with
    ``progress`` (``stamp_run_print_progress``)."""
    prints = list(
        StampRunPrint.objects.filter(run=run)
        .select_related("job")
        .prefetch_related("job__files")
        .order_by("id")
    )
    for stamp_print in prints:
        stamp_print.progress = stamp_run_print_progress(
            stamp_print=stamp_print, quantity=run.quantity
        )
    return prints
