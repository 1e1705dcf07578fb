"""A batch's provenance as EPCIS 2.0 JSON-LD, valid against GS1's published JSON Schema."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from graphql_relay import to_global_id

from sellers.services import api_token_create
from tests.factories import BusinessFactory, MembershipFactory
from tests.factories_traceability import event_for, stamps_for, traced_product
from tests.support.graphql import GraphQLClient
from traceability.epcis import batch_epcis_document, event_id
from traceability.services import (
    LotQuantity,
    batch_create,
    batch_transformation_record,
    carton_pack,
    carton_unpack,
    provenance_event_correct,
)

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "traceability/data/epcis/EPCIS-JSON-Schema.json"
    ).read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def assert_valid(document: dict) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert errors == []


@pytest.fixture
def traced(settings):
    settings.SITE_URL = "https://cho-ocop.vn"
    return traced_product()


def test_every_event_type_exports_as_a_valid_epcis_document(traced):
    """One batch with every kind of event, transformations and cartons recorded through their own
    services (services.movements) as a producer would: the document validates as a whole."""
    _run, stamps, _pins = stamps_for(traced, 2)
    raw = batch_create(
        actor=traced.owner,
        variant=traced.variant,
        lot_code="RAW-1",
        produced_on=datetime.date(2026, 10, 20),
        quantity=40,
    )
    event_for(traced, step="harvesting", hours_ago=50)
    batch_transformation_record(
        actor=traced.owner,
        business=traced.holder,
        output=traced.batch,
        inputs=[LotQuantity(raw, "12.5", "KGM")],
        quantity="12",
        unit="KGM",
        event_time=timezone.now() - datetime.timedelta(hours=49),
        address="Xưởng chiết rót",
    )
    packed = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        serials=[s.serial for s in stamps],
        event_time=timezone.now() - datetime.timedelta(hours=48),
        address="Xưởng chiết rót",
    )
    event_for(traced, step="shipping", event_type="transaction", hours_ago=47)
    event_for(traced, step="storing", event_type="association", hours_ago=46)
    carton_unpack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        carton=packed.carton,
        serials=[stamps[1].serial],
        event_time=timezone.now() - datetime.timedelta(hours=45),
        address="Cửa hàng Hạ Long",
    )
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == [
        "ObjectEvent",
        "TransformationEvent",
        "AggregationEvent",
        "TransactionEvent",
        "AssociationEvent",
        "AggregationEvent",
    ]
    gtin = traced.variant.gtin.zfill(14)
    lot = f"https://id.gs1.org/01/{gtin}/10/L2611-A"
    assert events[0]["quantityList"] == [{"epcClass": lot, "quantity": 500, "uom": "H87"}]
    assert events[0]["bizStep"] == "https://cho-ocop.vn/epcis/bizstep/harvesting"
    assert events[0]["ocop:address"] == "Bản Khe Lặc, xã Đồng Rui"
    assert events[1]["inputQuantityList"] == [
        {"epcClass": f"https://id.gs1.org/01/{gtin}/10/RAW-1", "quantity": 12.5, "uom": "KGM"}
    ]
    assert events[1]["outputQuantityList"] == [{"epcClass": lot, "quantity": 12, "uom": "KGM"}]
    carton = f"https://cho-ocop.vn/epcis/carton/{packed.carton.code}"
    assert (events[2]["bizStep"], events[2]["action"], events[2]["parentID"]) == (
        "packing",
        "ADD",
        carton,
    )
    assert events[2]["childEPCs"] == [f"https://id.gs1.org/01/{gtin}/21/{s.serial}" for s in stamps]
    assert (events[5]["bizStep"], events[5]["action"], events[5]["parentID"]) == (
        "unpacking",
        "DELETE",
        carton,
    )
    assert events[5]["childEPCs"] == [f"https://id.gs1.org/01/{gtin}/21/{stamps[1].serial}"]
    assert document["@context"][0] == (
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    )


def test_a_correction_is_an_error_declaration_on_the_original(traced):
    original = event_for(traced, step="harvesting", hours_ago=30)
    correction = provenance_event_correct(
        actor=traced.owner,
        business=traced.holder,
        event=original,
        business_step="harvesting",
        event_time=timezone.now() - datetime.timedelta(hours=29),
        address="Bản Khe Lặc, xã Đồng Rui",
        disposition="active",
    )
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    first, second = document["epcisBody"]["eventList"]
    assert first["errorDeclaration"]["reason"] == "incorrect_data"
    assert first["errorDeclaration"]["correctiveEventIDs"] == [
        event_id(correction, "https://cho-ocop.vn")
    ]
    assert "errorDeclaration" not in second
    assert second["disposition"] == "active"


def test_a_pack_without_gtin_is_named_by_a_uri_on_this_site(settings):
    settings.SITE_URL = "https://cho-ocop.vn"
    traced = traced_product(gtin=False, lot_code="LO7-2026%")
    event_for(traced, step="packing")
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    epc_class = document["epcisBody"]["eventList"][0]["quantityList"][0]["epcClass"]
    assert epc_class == (f"https://cho-ocop.vn/epcis/lot/{traced.variant.pk}/LO7-2026%25")


def test_the_schema_is_really_checked(traced):
    event_for(traced, step="packing")
    document = batch_epcis_document(batch=traced.batch)
    document["epcisBody"]["eventList"][0]["action"] = "COPY"
    assert list(VALIDATOR.iter_errors(document))


def test_the_workspace_url_serves_the_document_to_the_business_only(traced):
    event_for(traced, step="harvesting")
    url = reverse("traceability_workspace:batch_epcis", args=[traced.holder.slug, traced.batch.pk])
    client = Client()
    client.force_login(traced.staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert_valid(json.loads(response.content))
    page = client.get(
        reverse("traceability_workspace:batch_detail", args=[traced.holder.slug, traced.batch.pk])
    )
    assert f'href="{url}"' in page.content.decode()

    outsider = MembershipFactory(business=BusinessFactory(status="active")).user
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_graphql_batches_give_the_same_document_in_constant_queries(traced, client):
    event_for(traced, step="harvesting")
    _token, raw = api_token_create(business=traced.holder, user=traced.owner, name="ERP")
    gql = GraphQLClient(client, HTTP_AUTHORIZATION=f"Bearer {raw}")
    query = """query ($business: ID!) { batches(business: $business, first: 20) {
      edges { node { lotCode epcis } } } }"""
    variables = {"business": to_global_id("Business", traced.holder.pk)}

    def run():
        with CaptureQueriesContext(connection) as queries:
            data = gql(query, variables)
        return data["batches"]["edges"], len(queries)

    edges, one = run()
    document = json.loads(edges[0]["node"]["epcis"])
    assert_valid(document)
    assert document["epcisBody"]["eventList"][0]["eventID"] == event_id(
        traced.batch.events.get(), "https://cho-ocop.vn"
    )
    for index in range(3):
        batch = batch_create(
            actor=traced.owner,
            variant=traced.variant,
            lot_code=f"L-{index}",
            produced_on=datetime.date(2026, 11, 2),
            quantity=10,
        )
        traced.batch = batch
        event_for(traced, step="packing")
    edges, four = run()
    assert len(edges) == 4
    assert four == one


# --- the "what" recorded with the event ----------------------------------------------------------


def test_an_events_quantity_and_unit_are_its_epcis_quantity(traced):
    from decimal import Decimal

    event_for(traced, step="harvesting", quantity=Decimal("12.5"), unit="KGM", hours_ago=30)
    event_for(traced, step="packing", quantity="40", unit="h87", hours_ago=20)
    event_for(traced, step="shipping", event_type="transaction", hours_ago=10)
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    lot = f"https://id.gs1.org/01/{traced.variant.gtin.zfill(14)}/10/L2611-A"
    harvest, packing, shipping = document["epcisBody"]["eventList"]
    assert harvest["quantityList"] == [{"epcClass": lot, "quantity": 12.5, "uom": "KGM"}]
    assert packing["quantityList"] == [{"epcClass": lot, "quantity": 40, "uom": "H87"}]
    # Nothing recorded: the whole batch, in packs, as before.
    assert shipping["quantityList"] == [
        {"epcClass": lot, "quantity": traced.batch.quantity, "uom": "H87"}
    ]


@pytest.mark.parametrize(
    ("quantity", "unit", "field", "message"),
    [
        ("-3", "KGM", "quantity", "Số lượng phải lớn hơn 0."),
        ("0", "KGM", "quantity", "Số lượng phải lớn hơn 0."),
        ("2", "XYZ", "unit", "Không có đơn vị XYZ: hãy chọn một đơn vị trong danh sách."),
        ("2", "", "unit", "Hãy chọn đơn vị."),
        (None, "KGM", "quantity", "Hãy nhập số lượng theo đơn vị này, hoặc bỏ trống đơn vị."),
        ("1.0005", "KGM", "quantity", "Số lượng có tối đa 11 chữ số và 3 chữ số thập phân."),
        ("abc", "KGM", "quantity", "Hãy nhập một số."),
    ],
)
def test_a_bad_quantity_or_unit_is_refused_in_the_users_language_and_nothing_is_written(
    traced, quantity, unit, field, message
):
    from django.utils import translation

    from traceability.errors import TraceabilityError
    from traceability.models import ProvenanceEvent

    before = ProvenanceEvent.objects.count()
    with translation.override("vi"), pytest.raises(TraceabilityError) as error:
        event_for(traced, quantity=quantity, unit=unit)
    assert (error.value.field, str(error.value.message)) == (field, message)
    assert ProvenanceEvent.objects.count() == before


def test_the_workspace_form_and_graphql_record_the_quantity(client, traced):
    from traceability.models import ProvenanceEvent

    client.force_login(traced.owner)
    client.cookies["django_language"] = "en"
    url = reverse("traceability_workspace:batch_detail", args=[traced.holder.slug, traced.batch.pk])
    response = client.post(
        url,
        {
            "business_step": "harvesting",
            "event_time": "2026-11-20T08:00",
            "address": "Bản Khe Lặc",
            "event_type": "object",
            "quantity": "125.5",
            "unit": "KGM",
        },
    )
    assert response.status_code == 302
    event = ProvenanceEvent.objects.get()
    assert (str(event.quantity), event.unit) == ("125.500", "KGM")
    page = client.get(url).content.decode()
    assert '<span class="event-quantity">125.5 KGM</span>' in page
    refused = client.post(
        url,
        {
            "business_step": "harvesting",
            "event_time": "2026-11-20T08:00",
            "address": "Bản Khe Lặc",
            "event_type": "object",
            "quantity": "-2",
            "unit": "KGM",
        },
    )
    assert refused.status_code == 400
    assert "The quantity must be more than zero." in refused.content.decode()
    assert ProvenanceEvent.objects.count() == 1

    gql = GraphQLClient(client)
    result = gql.post(
        """mutation ($business: ID!, $batch: ID!) { provenanceEventRecord(business: $business,
           batch: $batch, event: {businessStep: PACKING, eventTime: "2026-11-21T08:00:00+07:00",
           address: "Xưởng", quantity: "40", unit: "LTR"}) {
           event { quantity unit } errors { field code message } } }""",
        {
            "business": to_global_id("Business", traced.holder.pk),
            "batch": to_global_id("Batch", traced.batch.pk),
        },
    )
    answer = result.json()["data"]["provenanceEventRecord"]
    assert answer["errors"] == []
    assert answer["event"]["unit"] == "LTR"
    assert float(answer["event"]["quantity"]) == 40
    wrong = gql.post(
        """mutation ($business: ID!, $batch: ID!) { provenanceEventRecord(business: $business,
           batch: $batch, event: {businessStep: PACKING, eventTime: "2026-11-21T08:00:00+07:00",
           address: "Xưởng", quantity: "40", unit: "BAG"}) { event { id } errors { field code } } }""",
        {
            "business": to_global_id("Business", traced.holder.pk),
            "batch": to_global_id("Batch", traced.batch.pk),
        },
    )
    assert wrong.json()["data"]["provenanceEventRecord"] == {
        "event": None,
        "errors": [{"field": "unit", "code": "INVALID"}],
    }
