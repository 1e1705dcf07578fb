"""Root query fields of traceability: a seller's ``batches`` and ``batch``, and the public stamp
check (``stamp``, ``stampByUrl``) — the scan page's verdict, recorded and rate-limited the same
way."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import graphene
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from core.graphql.connections import ConnectionField
from core.graphql.errors import ErrorCode, api_error
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.types import enum_value
from core.ratelimit import client_ip
from marketplace.places.product_page import near_choice_of
from sellers.graphql.acting import acting_businesses, business_acted_for
from traceability import signing, views
from traceability.digital_link import MalformedLink, digital_link_parse
from traceability.graphql.shaping import batch_queryset, batches_for
from traceability.graphql.types import (
    BatchNode,
    CertificateOnScanDate,
    PublicBatch,
    StampVerification,
    TimelineEvent,
)
from traceability.models import Stamp, Verdict
from traceability.selectors import (
    ScanPage,
    ScanPlace,
    batches_of_business,
    scan_place_resolve,
    stamp_lookup,
    stamp_lookup_gs1,
    stamp_scan_page,
    stamp_verify,
)
from traceability.services import stamp_check_allowance, stamp_scan_record


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


def _verification(request, page: ScanPage | None, choice: str = "") -> StampVerification:
    if page is None:
        return StampVerification(verdict=Verdict.NOT_RECOGNISED.value, anomalies=[])
    batch, on_date = page.batch, page.certificate
    held = on_date.certificate
    verification = StampVerification(
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
            status=enum_value(on_date.status) if held else None,
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
        pin_protected=bool(page.stamp.pin_hash),
        pin_verified_at=page.stamp.pin_verified_at,
    )
    verification.nearest = (
        page.product.pk,
        choice,
        page.producer.province_id,
        on_date.is_valid,
    )
    return verification


def scan_rate_ok(request) -> bool:
    """The scan page's per-client budget, shared with it: False when it is spent."""
    return not stamp_check_allowance(client_key=client_ip(request))


def _rate_limited(info) -> None:
    if not scan_rate_ok(info.context):
        raise api_error(_("Too many stamp checks; wait a few minutes."), ErrorCode.TOO_MANY)


def _check(info, stamp: Stamp | None, code: str, place: ScanPlace, record: bool, choice: str = ""):
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
    return _verification(request, stamp_scan_page(verdict=verdict, now=now), choice)


def _stamp_of_url(url: str) -> tuple[Stamp | None, str]:
    """The stamp a printed URL stands for — the short ``/S/{code}`` form or the GS1 Digital
    Link ``/01/{gtin}[/22/{cpv}][/10/{lot}]/21/{serial}?s={signature}`` — and its code; (None,
    "") for anything else. The host is not checked: the signature is what proves a stamp."""
    parts = urlsplit(url.strip()[:2048])
    try:
        # Percent-decoded as a WSGI server decodes a request path before Django routes it.
        match = resolve(unquote(parts.path) or "/")
    except Resolver404:
        return None, ""
    if match.func is views.scan_view:
        code = match.kwargs.get("code", "")
        return stamp_lookup(code=code), code
    if match.func is views.gs1_resolver_view:
        try:
            link = digital_link_parse(path=match.kwargs.get("path", ""), query=parts.query)
        except MalformedLink:
            return None, ""
        if link.serial is None:
            return None, ""
        signature = parse_qs(parts.query).get(signing.SIGNATURE_PARAM, [""])[0]
        stamp = stamp_lookup_gs1(
            gtin=link.gtin, lot=link.lot, serial=link.serial, signature=signature
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
        code=graphene.String(
            required=True, description="The code after /S/ on the label, in capitals or not."
        ),
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
        found = business_acted_for(info, business)
        return batch_queryset(batches_of_business(business=found)).order_by("-produced_on", "-id")

    @staticmethod
    def resolve_batch(root, info, id):
        return (
            batches_for(acting_businesses(info))
            .filter(pk=from_global_id_or_error(id, BatchNode))
            .first()
        )

    @staticmethod
    def resolve_stamp(root, info, code, record=True, province=None, latitude=None, longitude=None):
        _rate_limited(info)
        code = signing.stamp_code_normalise(code[:64])
        place = scan_place_resolve(province_slug=province, latitude=latitude, longitude=longitude)
        choice = near_choice_of(latitude=latitude, longitude=longitude, province_slug=province)
        return _check(info, stamp_lookup(code=code), code, place, record, choice)

    @staticmethod
    def resolve_stamp_by_url(
        root, info, url, record=True, province=None, latitude=None, longitude=None
    ):
        _rate_limited(info)
        stamp, code = _stamp_of_url(url)
        place = scan_place_resolve(province_slug=province, latitude=latitude, longitude=longitude)
        choice = near_choice_of(latitude=latitude, longitude=longitude, province_slug=province)
        return _check(info, stamp, code, place, record, choice)
