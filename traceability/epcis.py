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
from traceability.models import Batch, BusinessStep, Carton, EventType, ProvenanceEvent, Stamp
from traceability.selectors import provenance_events_of
from traceability.units import PIECE

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Business steps the Core Business Vocabulary 2.0 names (its short form is valid in EPCIS JSON).
CBV_STEPS = {
    BusinessStep.COMMISSIONING,
    BusinessStep.PACKING,
    BusinessStep.UNPACKING,
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


def carton_uri(carton: Carton, origin: str) -> str:
    """A carton as EPCIS ``parentID``. The project holds no GS1 company prefix to build an SSCC
    (AI 00) from, so cartons are named by a URI on this site."""
    return f"{origin}/epcis/carton/{carton.code}"


def item_uri(stamp: Stamp, batch: Batch, origin: str) -> str:
    """A stamped item as an instance-level EPC: the SGTIN in GS1 Digital Link form
    (``https://id.gs1.org/01/{gtin}/21/{serial}``) when the pack has a GTIN, else a URI on this
    site."""
    gtin = batch.variant.gtin
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/21/{stamp.serial}"
    return f"{origin}/epcis/item/{stamp.serial}"


def _amount(quantity):
    return float(quantity) if quantity % 1 else int(quantity)


def event_id(event: ProvenanceEvent, origin: str) -> str:
    """Stable across exports: a name-based UUID of the site and the event."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{origin}/epcis/event/{event.pk}"))


def _time(moment: datetime.datetime, offset: str) -> str:
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    return moment.astimezone(zone).isoformat()


def _event(
    event: ProvenanceEvent, batch: Batch, origin: str, corrected_by: dict, with_inputs: set
) -> dict:
    kind = EVENT_TYPES[event.event_type]
    # The quantity recorded with the event, in its unit; else the whole batch in packs.
    if event.quantity is not None and event.unit:
        what = [
            {
                "epcClass": lot_class_uri(batch, origin),
                "quantity": _amount(event.quantity),
                "uom": event.unit,
            }
        ]
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
        # Recorded with its input lots (services.movements): the lots and quantities used.
        inputs = list(event.inputs.all()) if event.pk in with_inputs else []
        data["inputQuantityList"] = [
            {
                "epcClass": lot_class_uri(row.batch, origin),
                "quantity": _amount(row.quantity),
                "uom": row.unit,
            }
            for row in inputs
        ] or what
        data["outputQuantityList"] = what
    elif kind == "AggregationEvent" and event.carton_id:
        # Packed into (ADD) or taken out of (DELETE) a carton: the stamped items and/or the
        # lot quantity recorded with the event.
        data["action"] = event.action
        data["parentID"] = carton_uri(event.carton, origin)
        data["childEPCs"] = [item_uri(child.stamp, batch, origin) for child in event.children.all()]
        if event.quantity is not None:
            data["childQuantityList"] = what
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
    events in event-time order when the caller has them (GraphQL prefetches them, with their
    input lots and packed items); otherwise ``provenance_events_of`` reads them (one query, and
    one more each for input lots and packed items when there are any). The batch's pack
    (``variant``) should be joined."""
    origin = site_url()
    now = now or timezone.now()
    if events is None:
        events = provenance_events_of(batch=batch)
    corrected_by = {e.corrects_id: e for e in events if e.corrects_id}
    with_inputs = {e.pk for e in events if e.event_type == EventType.TRANSFORMATION}
    return {
        "@context": [CONTEXT, {"ocop": f"{origin}/epcis/vocab#"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": now.astimezone(datetime.UTC).isoformat(),
        "epcisBody": {
            "eventList": [_event(e, batch, origin, corrected_by, with_inputs) for e in events]
        },
    }
