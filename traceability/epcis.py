"""A batch's provenance as an EPCIS 2.0 JSON-LD document (GS1 EPCIS 2.0 / CBV 2.0).

Each ``ProvenanceEvent`` becomes one event of its type. The "what" is the lot as a class-level
identifier — the GS1 Digital Link of GTIN + lot (``https://id.gs1.org/01/{gtin}/10/{lot}``) when
the pack has a GTIN, else a URI on this site — with the quantity and unit recorded with the event
(UN/ECE Rec 20 codes, ``traceability.units``), or else the batch's quantity in packs (``H87``).
The "why" is the CBV business step (steps CBV does not name, such as harvesting,
get a URI on this site), the disposition is CBV's. The "where" has no GLN: the address and
coordinates go in this site's extension fields. A corrected event carries an ``errorDeclaration``
naming its correction's event ID, as EPCIS 2.0 models corrections.

Tests validate the output against the standard's JSON Schema, vendored in
``traceability/data/epcis/`` (see the README there for its source and licence).
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import quote

from django.utils import timezone

from core.site import site_url
from traceability.models import Batch, BusinessStep, EventType, ProvenanceEvent
from traceability.units import PIECE

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Business steps the Core Business Vocabulary 2.0 names (its short form is valid in EPCIS JSON).
CBV_STEPS = {
    BusinessStep.COMMISSIONING,
    BusinessStep.PACKING,
    BusinessStep.INSPECTING,
    BusinessStep.STORING,
    BusinessStep.SHIPPING,
    BusinessStep.RECEIVING,
    BusinessStep.RETAIL_SELLING,
}
EVENT_TYPES = {
    EventType.OBJECT: "ObjectEvent",
    EventType.AGGREGATION: "AggregationEvent",
    EventType.TRANSACTION: "TransactionEvent",
    EventType.TRANSFORMATION: "TransformationEvent",
    EventType.ASSOCIATION: "AssociationEvent",
}


def lot_class_uri(batch: Batch, origin: str) -> str:
    """The lot as EPCIS names a class of objects: GS1 Digital Link of GTIN + lot."""
    gtin = batch.variant.gtin
    lot = quote(batch.lot_code, safe="")
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{lot}"
    return f"{origin}/epcis/lot/{batch.variant_id}/{lot}"


def event_id(event: ProvenanceEvent, origin: str) -> str:
    """Stable across exports: a name-based UUID of the site and the event."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{origin}/epcis/event/{event.pk}"))


def _time(moment: datetime.datetime, offset: str) -> str:
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    return moment.astimezone(zone).isoformat()


def _event(event: ProvenanceEvent, batch: Batch, origin: str, corrected_by: dict) -> dict:
    kind = EVENT_TYPES[event.event_type]
    # The quantity recorded with the event, in its unit; else the whole batch in packs.
    if event.quantity is not None and event.unit:
        amount = float(event.quantity) if event.quantity % 1 else int(event.quantity)
        what = [{"epcClass": lot_class_uri(batch, origin), "quantity": amount, "uom": event.unit}]
    else:
        what = [
            {"epcClass": lot_class_uri(batch, origin), "quantity": batch.quantity, "uom": PIECE}
        ]
    step = event.business_step
    data: dict = {
        "type": kind,
        "eventID": event_id(event, origin),
        "eventTime": _time(event.event_time, event.event_timezone),
        "eventTimeZoneOffset": event.event_timezone,
        "recordTime": event.record_time.astimezone(datetime.UTC).isoformat(),
    }
    if kind == "TransformationEvent":
        data["inputQuantityList"] = what
        data["outputQuantityList"] = what
    elif kind == "AggregationEvent":
        data["action"] = "OBSERVE"
        data["parentID"] = f"{origin}/epcis/batch/{batch.pk}"
        data["childQuantityList"] = what
    elif kind == "TransactionEvent":
        data["action"] = "OBSERVE"
        data["bizTransactionList"] = [
            {"type": "desadv", "bizTransaction": f"{origin}/epcis/event/{event.pk}"}
        ]
        data["quantityList"] = what
    elif kind == "AssociationEvent":
        data["action"] = "OBSERVE"
        data["parentID"] = f"{origin}/epcis/batch/{batch.pk}"
        data["childQuantityList"] = what
    else:
        data["action"] = "ADD" if step == BusinessStep.COMMISSIONING else "OBSERVE"
        data["quantityList"] = what
    data["bizStep"] = step if step in CBV_STEPS else f"{origin}/epcis/bizstep/{step}"
    if event.disposition:
        data["disposition"] = event.disposition
    if event.pk in corrected_by:
        correction = corrected_by[event.pk]
        data["errorDeclaration"] = {
            "declarationTime": correction.record_time.astimezone(datetime.UTC).isoformat(),
            "reason": "incorrect_data",
            "correctiveEventIDs": [event_id(correction, origin)],
        }
    for name, value in (
        ("ocop:address", event.address),
        ("ocop:note", event.note),
        ("ocop:latitude", float(event.latitude) if event.latitude is not None else None),
        ("ocop:longitude", float(event.longitude) if event.longitude is not None else None),
    ):
        if value not in ("", None):
            data[name] = value
    return data


def batch_epcis_document(
    *,
    batch: Batch,
    events: list[ProvenanceEvent] | None = None,
    now: datetime.datetime | None = None,
) -> dict:
    """The batch's events, oldest first, as one EPCISDocument. ``events`` are the batch's
    events in event-time order when the caller has them (GraphQL prefetches them); otherwise one
    query reads them. The batch's pack (``variant``) should be joined."""
    origin = site_url()
    now = now or timezone.now()
    if events is None:
        events = list(ProvenanceEvent.objects.filter(batch=batch).order_by("event_time", "id"))
    corrected_by = {e.corrects_id: e for e in events if e.corrects_id}
    return {
        "@context": [CONTEXT, {"ocop": f"{origin}/epcis/vocab#"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": now.astimezone(datetime.UTC).isoformat(),
        "epcisBody": {"eventList": [_event(e, batch, origin, corrected_by) for e in events]},
    }
