"""Transformation (lots blended into a new lot) and aggregation (items packed into a carton and
taken out): the services' rules, refusals that write nothing, and the EPCIS 2.0 export of both,
valid against GS1's JSON Schema, in constant queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from sellers.errors import PermissionDenied
from tests.factories import BusinessFactory, MembershipFactory, ResaleAuthorizationFactory
from tests.factories_traceability import event_for, stamps_for, traced_product
from tests.traceability.test_epcis import assert_valid
from traceability.epcis import batch_epcis_document
from traceability.errors import TraceabilityError
from traceability.models import (
    AggregationChild,
    Carton,
    ProvenanceEvent,
    Stamp,
    TransformationInput,
)
from traceability.selectors import batch_timeline
from traceability.services import (
    LotQuantity,
    batch_create,
    batch_transformation_record,
    carton_pack,
    carton_unpack,
    stamp_run_void,
)

pytestmark = pytest.mark.django_db

SITE = "https://cho-ocop.vn"
WHEN = {"address": "Xưởng chiết rót, xã Đồng Rui"}


def _when(hours_ago: int = 2) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


@pytest.fixture
def traced(settings):
    settings.SITE_URL = SITE
    return traced_product()


def _lot(traced, code: str, *, variant=None):
    return batch_create(
        actor=traced.owner,
        variant=variant or traced.variant,
        lot_code=code,
        produced_on=datetime.date(2026, 11, 3),
        quantity=100,
    )


def _lot_uri(traced, code: str) -> str:
    return f"https://id.gs1.org/01/{traced.variant.gtin.zfill(14)}/10/{code}"


def _blend(traced, output, inputs, **kwargs):
    values = {
        "actor": traced.owner,
        "business": traced.holder,
        "output": output,
        "inputs": inputs,
        "quantity": "30",
        "unit": "KGM",
        "event_time": _when(),
        **WHEN,
    }
    values.update(kwargs)
    return batch_transformation_record(**values)


# --- transformation -------------------------------------------------------------------------------


def test_three_lots_blended_into_a_new_lot_export_their_real_quantities(traced):
    first, second = _lot(traced, "L-A"), _lot(traced, "L-B")
    blend = _lot(traced, "BLEND-1")
    event = _blend(
        traced,
        blend,
        [
            LotQuantity(traced.batch, "12.5", "KGM"),
            LotQuantity(first, "10", "kgm"),
            LotQuantity(second, Decimal("7.5"), "KGM"),
        ],
        quantity="29.5",
    )
    assert (event.event_type, event.business_step, event.batch_id) == (
        "transformation",
        "commissioning",
        blend.pk,
    )
    rows = list(TransformationInput.objects.filter(event=event).order_by("id"))
    assert [(r.batch_id, str(r.quantity), r.unit) for r in rows] == [
        (traced.batch.pk, "12.500", "KGM"),
        (first.pk, "10.000", "KGM"),
        (second.pk, "7.500", "KGM"),
    ]
    document = batch_epcis_document(batch=blend)
    assert_valid(document)
    (exported,) = document["epcisBody"]["eventList"]
    assert exported["type"] == "TransformationEvent"
    assert exported["inputQuantityList"] == [
        {"epcClass": _lot_uri(traced, "L2611-A"), "quantity": 12.5, "uom": "KGM"},
        {"epcClass": _lot_uri(traced, "L-A"), "quantity": 10, "uom": "KGM"},
        {"epcClass": _lot_uri(traced, "L-B"), "quantity": 7.5, "uom": "KGM"},
    ]
    assert exported["outputQuantityList"] == [
        {"epcClass": _lot_uri(traced, "BLEND-1"), "quantity": 29.5, "uom": "KGM"}
    ]
    (entry,) = batch_timeline(batch=blend)
    assert [(i.batch.lot_code, i.unit) for i in entry.event.inputs.all()] == [
        ("L2611-A", "KGM"),
        ("L-A", "KGM"),
        ("L-B", "KGM"),
    ]


def test_a_lot_of_another_pack_of_the_same_producer_can_go_in(traced, settings):
    from tests.factories import ProductVariantFactory

    other_pack = ProductVariantFactory(product=traced.product, name="Can 5 lít", gtin="")
    raw = _lot(traced, "RAW-9", variant=other_pack)
    blend = _lot(traced, "BLEND-2")
    _blend(traced, blend, [LotQuantity(raw, "5", "LTR")])
    exported = batch_epcis_document(batch=blend)["epcisBody"]["eventList"][0]
    assert exported["inputQuantityList"] == [
        {"epcClass": f"{SITE}/epcis/lot/{other_pack.pk}/RAW-9", "quantity": 5, "uom": "LTR"}
    ]


def test_every_bad_input_row_is_reported_at_once_on_its_field_and_nothing_is_written(traced):
    stranger = traced_product(
        holder=BusinessFactory(name="HTX Chè Tân Cương", status="active"), name="Chè Tân Cương"
    )
    blend = _lot(traced, "BLEND-3")
    with translation.override("vi"), pytest.raises(TraceabilityError) as error:
        _blend(
            traced,
            blend,
            [
                LotQuantity(stranger.batch, "2", "KGM"),
                LotQuantity(blend, "2", "KGM"),
                LotQuantity(traced.batch, "-1", "KGM"),
                LotQuantity(traced.batch, "3", "BAG"),
                LotQuantity(None, "3", "KGM"),
            ],
            quantity=None,
        )
    assert [(e.field, e.code, str(e.message)) for e in error.value.errors] == [
        (
            "inputs.0.batch",
            "invalid",
            "Lô L2611-A thuộc một nhà sản xuất khác: chỉ lô của chính bạn mới được dùng "
            "làm nguyên liệu cho lô này.",
        ),
        (
            "inputs.1.batch",
            "invalid",
            "Một lô không thể làm từ chính nó: lô BLEND-3 là lô thành phẩm.",
        ),
        ("inputs.2.quantity", "out_of_range", "Số lượng phải lớn hơn 0."),
        ("inputs.3.batch", "duplicate", "Lô L2611-A được liệt kê hai lần."),
        (
            "inputs.3.unit",
            "invalid",
            "Không có đơn vị BAG: hãy chọn một đơn vị trong danh sách.",
        ),
        ("inputs.4.batch", "required", "Hãy chọn lô nguyên liệu."),
        ("quantity", "required", "Hãy nhập khối lượng lô mới làm ra."),
    ]
    assert ProvenanceEvent.objects.count() == 0
    assert TransformationInput.objects.count() == 0


def test_no_inputs_and_a_missing_input_quantity_are_refused(traced):
    blend = _lot(traced, "BLEND-4")
    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        _blend(traced, blend, [])
    assert (error.value.field, str(error.value.message)) == (
        "inputs",
        "Add at least one input lot.",
    )
    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        _blend(traced, blend, [LotQuantity(traced.batch, "", "KGM")])
    assert (error.value.field, str(error.value.message)) == (
        "inputs.0.quantity",
        "Enter how much of this lot was used.",
    )


def test_only_members_of_the_producer_holding_the_new_lot_record_its_inputs(traced):
    blend = _lot(traced, "BLEND-5")
    shop = BusinessFactory(name="Cửa hàng OCOP Hạ Long", status="active")
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    shop_owner = MembershipFactory(business=shop).user
    with pytest.raises(PermissionDenied):
        _blend(
            traced,
            blend,
            [LotQuantity(traced.batch, "1", "KGM")],
            actor=shop_owner,
            business=shop,
        )
    outsider = MembershipFactory(business=BusinessFactory(status="active")).user
    with pytest.raises(PermissionDenied):
        _blend(traced, blend, [LotQuantity(traced.batch, "1", "KGM")], actor=outsider)
    assert ProvenanceEvent.objects.count() == 0
    # Staff of the producer record production events like any other event.
    _blend(traced, blend, [LotQuantity(traced.batch, "1", "KGM")], actor=traced.staff)
    assert TransformationInput.objects.count() == 1


# --- aggregation ----------------------------------------------------------------------------------


def test_stamped_items_and_a_lot_quantity_packed_into_a_new_carton(traced):
    _run, stamps, _pins = stamps_for(traced, 4)
    event = carton_pack(
        actor=traced.staff,
        business=traced.holder,
        batch=traced.batch,
        serials=f"{stamps[0].serial}\n {stamps[1].serial.lower()}\n\n{stamps[0].serial}",
        quantity="2",
        unit="H87",
        event_time=_when(),
        **WHEN,
    )
    carton = Carton.objects.get()
    assert (carton.business_id, len(carton.code), event.carton_id, event.action) == (
        traced.holder.pk,
        12,
        carton.pk,
        "ADD",
    )
    assert list(Stamp.objects.filter(carton=carton).order_by("id")) == stamps[:2]
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    (exported,) = document["epcisBody"]["eventList"]
    gtin = traced.variant.gtin.zfill(14)
    assert exported["type"] == "AggregationEvent"
    assert exported["action"] == "ADD"
    assert exported["bizStep"] == "packing"
    assert exported["parentID"] == f"{SITE}/epcis/carton/{carton.code}"
    assert exported["childEPCs"] == [
        f"https://id.gs1.org/01/{gtin}/21/{stamps[0].serial}",
        f"https://id.gs1.org/01/{gtin}/21/{stamps[1].serial}",
    ]
    assert exported["childQuantityList"] == [
        {"epcClass": _lot_uri(traced, "L2611-A"), "quantity": 2, "uom": "H87"}
    ]

    # Another lot goes into the same carton; an item already packed cannot be packed again.
    second = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        carton=carton,
        serials=[stamps[2].serial],
        event_time=_when(1),
        **WHEN,
    )
    assert second.carton_id == carton.pk
    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        carton_pack(
            actor=traced.owner,
            business=traced.holder,
            batch=traced.batch,
            serials=[stamps[3].serial, stamps[1].serial],
            event_time=_when(1),
            **WHEN,
        )
    assert (error.value.field, error.value.code, str(error.value.message)) == (
        "serials",
        "conflict",
        f"Already packed in carton {carton.code}: {stamps[1].serial}. Unpack them first.",
    )
    assert Carton.objects.count() == 1
    assert Stamp.objects.get(pk=stamps[3].pk).carton_id is None


def test_unpacking_takes_the_lots_items_out_as_a_delete_event(traced):
    _run, stamps, _pins = stamps_for(traced, 3)
    packed = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        serials=[s.serial for s in stamps],
        event_time=_when(3),
        **WHEN,
    )
    event = carton_unpack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        carton=packed.carton,
        event_time=_when(1),
        **WHEN,
    )
    assert (event.action, event.business_step) == ("DELETE", "unpacking")
    assert [c.stamp_id for c in AggregationChild.objects.filter(event=event)] == [
        s.pk for s in stamps
    ]
    assert Stamp.objects.filter(carton__isnull=False).count() == 0
    document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    exported = document["epcisBody"]["eventList"][1]
    assert (exported["action"], exported["bizStep"], exported["parentID"]) == (
        "DELETE",
        "unpacking",
        f"{SITE}/epcis/carton/{packed.carton.code}",
    )
    assert len(exported["childEPCs"]) == 3
    assert "childQuantityList" not in exported
    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        carton_unpack(
            actor=traced.owner,
            business=traced.holder,
            batch=traced.batch,
            carton=packed.carton,
            event_time=_when(1),
            **WHEN,
        )
    assert str(error.value.message) == (
        f"No stamped item of lot L2611-A is in carton {packed.carton.code}; give the quantity "
        "taken out instead."
    )


def test_packing_refuses_foreign_stamps_voided_runs_foreign_cartons_and_empty_cartons(traced):
    other = traced_product(
        holder=BusinessFactory(name="HTX Chè Tân Cương", status="active"), name="Chè Tân Cương"
    )
    _run, foreign, _pins = stamps_for(other, 1)
    run, mine, _pins = stamps_for(traced, 1)
    pack = {
        "actor": traced.owner,
        "business": traced.holder,
        "batch": traced.batch,
        "event_time": _when(),
        **WHEN,
    }
    with translation.override("vi"):
        with pytest.raises(TraceabilityError) as error:
            carton_pack(**pack, serials=[foreign[0].serial])
        assert (error.value.field, str(error.value.message)) == (
            "serials",
            f"Không phải tem của lô L2611-A: {foreign[0].serial}.",
        )
        with pytest.raises(TraceabilityError) as error:
            carton_pack(**pack)
        assert (error.value.field, error.value.code) == ("serials", "required")
        their_carton = carton_pack(
            actor=other.owner,
            business=other.holder,
            batch=other.batch,
            serials=[foreign[0].serial],
            event_time=_when(),
            **WHEN,
        ).carton
        with pytest.raises(TraceabilityError) as error:
            carton_pack(**pack, serials=[mine[0].serial], carton=their_carton)
        assert (error.value.field, str(error.value.message)) == (
            "carton",
            "Hãy chọn một thùng của chính bạn.",
        )
        stamp_run_void(actor=traced.owner, run=run, reason="In lỗi")
        with pytest.raises(TraceabilityError) as error:
            carton_pack(**pack, serials=[mine[0].serial])
        assert error.value.field == "serials"
    assert ProvenanceEvent.objects.filter(batch=traced.batch).count() == 0
    assert Carton.objects.count() == 1
    outsider = MembershipFactory(business=BusinessFactory(status="active")).user
    with pytest.raises(PermissionDenied):
        carton_pack(**{**pack, "actor": outsider}, quantity="1", unit="H87")


# --- constant queries -----------------------------------------------------------------------------


def _history(traced, count: int) -> None:
    """``count`` events of every kind on the traced batch: transformations, packing, plain."""
    inputs = [_lot(traced, f"IN-{count}-{i}") for i in range(2)]
    _run, stamps, _pins = stamps_for(traced, count)
    for index in range(count):
        kind = index % 3
        if kind == 0:
            _blend(traced, traced.batch, [LotQuantity(b, "1", "KGM") for b in inputs])
        elif kind == 1:
            carton_pack(
                actor=traced.owner,
                business=traced.holder,
                batch=traced.batch,
                serials=[stamps[index].serial],
                event_time=_when(),
                **WHEN,
            )
        else:
            event_for(traced, step="storing")


@pytest.mark.parametrize("count", [2, 10])
def test_the_export_and_the_timeline_read_the_same_queries_for_2_or_10_events(traced, count):
    _history(traced, count)
    with CaptureQueriesContext(connection) as export:
        document = batch_epcis_document(batch=traced.batch)
    assert_valid(document)
    assert len(document["epcisBody"]["eventList"]) == count
    with CaptureQueriesContext(connection) as timeline:
        entries = batch_timeline(batch=traced.batch)
        for entry in entries:
            list(entry.event.inputs.all()) if entry.event.event_type == "transformation" else None
            list(entry.event.children.all()) if entry.event.carton_id else None
    # Events; input lots; packed items.
    assert (len(export), len(timeline)) == (3, 3)


# --- workspace pages and the scan page ------------------------------------------------------------


def _page(traced, name):
    from django.urls import reverse

    return reverse(f"traceability_workspace:{name}", args=[traced.holder.slug, traced.batch.pk])


def test_the_made_from_page_records_input_lots_and_the_scan_page_shows_them(client, traced):
    from traceability import signing

    first, second = _lot(traced, "RAW-1"), _lot(traced, "RAW-2")
    client.force_login(traced.staff)
    client.cookies["django_language"] = "en"
    url = _page(traced, "batch_transformation")
    assert 'name="input_4_batch"' in client.get(url).content.decode()
    form = {
        "event_time": "2026-11-20T08:00",
        "address": "Xưởng chiết rót",
        "quantity": "20",
        "unit": "KGM",
        "input_0_batch": first.pk,
        "input_0_quantity": "12",
        "input_0_unit": "KGM",
        "input_1_batch": second.pk,
        "input_1_quantity": "-8",
        "input_1_unit": "KGM",
        "input_2_batch": first.pk,
        "input_2_quantity": "1",
        "input_2_unit": "KGM",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    html = refused.content.decode()
    row_1 = html.index('name="input_1_quantity"')
    assert html.index("The quantity must be more than zero.") < row_1
    assert html.index("Lot RAW-1 is listed twice.") > row_1
    assert ProvenanceEvent.objects.count() == 0

    form.update(input_1_quantity="8", input_2_batch="", input_2_quantity="", input_2_unit="")
    response = client.post(url, form)
    assert response.status_code == 302
    event = ProvenanceEvent.objects.get()
    assert [(r.batch.lot_code, str(r.quantity)) for r in event.inputs.order_by("id")] == [
        ("RAW-1", "12.000"),
        ("RAW-2", "8.000"),
    ]
    detail = client.get(_page(traced, "batch_detail")).content.decode()
    assert 'data-input-lot="RAW-1"' in detail
    assert 'data-input-lot="RAW-2"' in detail

    # Another producer's lot is not offered, and a forged choice is refused on its row.
    stranger = traced_product(
        holder=BusinessFactory(name="HTX Chè Tân Cương", status="active"), name="Chè Tân Cương"
    )
    forged = client.post(url, {**form, "input_0_batch": stranger.batch.pk})
    assert forged.status_code == 400
    assert "Choose one of your own lots." in forged.content.decode()

    _run, stamps, _pins = stamps_for(traced, 1)
    client.cookies["django_language"] = "vi"
    scan = client.get(f"/s/{signing.stamp_code(stamps[0])}/").content.decode()
    assert "Làm từ:" in scan
    assert 'data-input-lot="RAW-1"' in scan
    assert "lô RAW-1 của Mật ong rừng Tiên Yên — Hũ 500 g, sản xuất 03/11/2026" in scan


def test_the_cartons_page_packs_and_unpacks_items(client, traced):
    _run, stamps, _pins = stamps_for(traced, 3)
    client.force_login(traced.owner)
    client.cookies["django_language"] = "en"
    url = _page(traced, "batch_carton")
    assert "None of this lot's stamped items is in a carton." in client.get(url).content.decode()
    when = {"event_time": "2026-11-20T08:00", "address": "Kho Tiên Yên"}
    packed = client.post(
        url,
        {**when, "action": "ADD", "serials": f"{stamps[0].serial}\n{stamps[1].serial}"},
    )
    assert packed.status_code == 302
    carton = Carton.objects.get()
    page = client.get(url).content.decode()
    assert f'<li data-carton="{carton.code}">Carton {carton.code}: 2 items</li>' in page
    detail = client.get(_page(traced, "batch_detail")).content.decode()
    assert f"Packed into carton {carton.code}: 2 stamped items." in detail

    unknown = client.post(url, {**when, "action": "DELETE", "carton": "NOPE"})
    assert unknown.status_code == 400
    assert "None of your cartons has the code NOPE." in unknown.content.decode()
    missing = client.post(url, {**when, "action": "DELETE"})
    assert "Enter the code of the carton the items came out of." in missing.content.decode()
    taken = client.post(url, {**when, "action": "DELETE", "carton": carton.code.lower()})
    assert taken.status_code == 302
    assert Stamp.objects.filter(carton__isnull=False).count() == 0
    empty = client.post(url, {**when, "action": "ADD"})
    assert empty.status_code == 400
    assert (
        "List the serials of the stamped items packed, or the quantity of the lot."
        in empty.content.decode()
    )


def test_an_authorised_shop_packs_cartons_but_does_not_record_inputs(client, traced):
    from django.urls import reverse

    shop = BusinessFactory(name="Cửa hàng OCOP Móng Cái", status="active")
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    client.force_login(MembershipFactory(business=shop).user)
    args = [shop.slug, traced.batch.pk]
    carton_url = reverse("traceability_workspace:batch_carton", args=args)
    assert client.get(carton_url).status_code == 200
    response = client.post(
        carton_url,
        {
            "event_time": "2026-11-20T08:00",
            "address": "Móng Cái",
            "action": "ADD",
            "quantity": "24",
            "unit": "H87",
        },
    )
    assert response.status_code == 302
    assert Carton.objects.get().business == shop
    made_from = reverse("traceability_workspace:batch_transformation", args=args)
    assert client.get(made_from).status_code == 404


# --- GraphQL --------------------------------------------------------------------------------------


def test_graphql_records_a_blend_with_row_errors_and_exports_it(client, traced):
    import json

    from graphql_relay import to_global_id

    from tests.support.graphql import GraphQLClient

    raw = _lot(traced, "RAW-3")
    client.force_login(traced.owner)
    gql = GraphQLClient(client, HTTP_ACCEPT_LANGUAGE="en")
    mutation = """mutation ($business: ID!, $output: ID!, $inputs: [LotQuantityInput!]!) {
      batchTransformationRecord(business: $business, output: $output, inputs: $inputs,
        quantity: "9", unit: "KGM", eventTime: "2026-11-20T08:00:00+07:00", address: "Xưởng") {
        event { id eventType inputs { lotCode batch quantity unit } }
        errors { field code message } } }"""
    variables = {
        "business": to_global_id("Business", traced.holder.pk),
        "output": to_global_id("Batch", traced.batch.pk),
        "inputs": [
            {"batch": to_global_id("Batch", raw.pk), "quantity": "-1", "unit": "KGM"},
            {"batch": to_global_id("Batch", raw.pk), "quantity": "4", "unit": "BAG"},
        ],
    }
    refused = gql.post(mutation, variables).json()["data"]["batchTransformationRecord"]
    assert refused == {
        "event": None,
        "errors": [
            {
                "field": "inputs.0.quantity",
                "code": "OUT_OF_RANGE",
                "message": "The quantity must be more than zero.",
            },
            {
                "field": "inputs.1.batch",
                "code": "DUPLICATE",
                "message": "Lot RAW-3 is listed twice.",
            },
            {
                "field": "inputs.1.unit",
                "code": "INVALID",
                "message": "Unknown unit BAG: choose one from the list.",
            },
        ],
    }
    stranger = traced_product(
        holder=BusinessFactory(name="HTX Chè Tân Cương", status="active"), name="Chè Tân Cương"
    )
    variables["inputs"] = [
        {"batch": to_global_id("Batch", raw.pk), "quantity": "9.5", "unit": "KGM"},
        {"batch": to_global_id("Batch", stranger.batch.pk), "quantity": "1", "unit": "KGM"},
    ]
    foreign = gql.post(mutation, variables).json()["data"]["batchTransformationRecord"]
    assert [(e["field"], e["code"]) for e in foreign["errors"]] == [("inputs.1.batch", "NOT_FOUND")]
    assert ProvenanceEvent.objects.count() == 0

    variables["inputs"] = variables["inputs"][:1]
    payload = gql.post(mutation, variables).json()
    answer = payload["data"]["batchTransformationRecord"]
    assert "errors" not in payload, payload
    assert answer["errors"] == []
    assert answer["event"]["inputs"] == [
        {
            "lotCode": "RAW-3",
            "batch": to_global_id("Batch", raw.pk),
            "quantity": "9.500",
            "unit": "KGM",
        }
    ]
    query = """query ($id: ID!) { node(id: $id) { ... on Batch { epcis } } }"""
    document = json.loads(
        gql.post(query, {"id": to_global_id("Batch", traced.batch.pk)}).json()["data"]["node"][
            "epcis"
        ]
    )
    assert_valid(document)
    assert document["epcisBody"]["eventList"][0]["inputQuantityList"] == [
        {"epcClass": _lot_uri(traced, "RAW-3"), "quantity": 9.5, "uom": "KGM"}
    ]


# --- an input lot's own timeline ------------------------------------------------------------------


def test_an_input_lots_timeline_shows_where_it_went_in_one_query(client, traced):
    from django.urls import reverse

    from traceability import signing
    from traceability.selectors import batch_used_in

    raw = _lot(traced, "RAW-9")
    assert batch_used_in(batch=raw) == []
    first, second = _lot(traced, "BLEND-A"), _lot(traced, "BLEND-B")
    _blend(traced, first, [LotQuantity(raw, "12.5", "KGM")], event_time=_when(30))
    _blend(
        traced,
        second,
        [LotQuantity(raw, "4", "KGM"), LotQuantity(traced.batch, "3", "KGM")],
        event_time=_when(5),
    )
    with CaptureQueriesContext(connection) as queries:
        rows = batch_used_in(batch=raw)
        shown = [
            (r.event.batch.lot_code, str(r.quantity), r.event.batch.variant.product.name)
            for r in rows
        ]
    assert shown == [
        ("BLEND-A", "12.500", "Mật ong rừng Tiên Yên"),
        ("BLEND-B", "4.000", "Mật ong rừng Tiên Yên"),
    ]
    assert len(queries) == 1

    # The workspace batch page and the public scan page of an item of the input lot.
    client.force_login(traced.owner)
    client.cookies["django_language"] = "en"
    detail = client.get(
        reverse("traceability_workspace:batch_detail", args=[traced.holder.slug, raw.pk])
    ).content.decode()
    day = timezone.localtime(_when(30)).strftime("%d/%m/%Y")
    assert f"12.5 KGM went into lot BLEND-A of Mật ong rừng Tiên Yên — Hũ 500 g on {day}." in detail
    assert 'data-output-lot="BLEND-B"' in detail
    client.logout()
    from traceability.services import stamp_run_create

    run, _pins = stamp_run_create(actor=traced.owner, batch=raw, quantity=1)
    client.cookies["django_language"] = "vi"
    scan = client.get(f"/s/{signing.stamp_code(run.stamps.get())}/").content.decode()
    assert "Đã dùng để làm lô khác" in scan
    assert (
        f"12,5 KGM đã dùng để làm lô BLEND-A của Mật ong rừng Tiên Yên — Hũ 500 g ngày {day}."
        in scan
    )
    assert scan.index('data-output-lot="BLEND-A"') < scan.index('data-output-lot="BLEND-B"')


def test_a_corrected_transformation_keeps_its_inputs_and_shows_once(traced):
    from traceability.selectors import batch_used_in
    from traceability.services import provenance_event_correct

    raw, blend = _lot(traced, "RAW-7"), _lot(traced, "BLEND-7")
    event = _blend(traced, blend, [LotQuantity(raw, "6", "KGM")], event_time=_when(30))
    correction = provenance_event_correct(
        actor=traced.owner,
        business=traced.holder,
        event=event,
        business_step="commissioning",
        event_time=_when(20),
        address="Xưởng mới",
        quantity="5.5",
        unit="KGM",
    )
    assert correction.event_type == "transformation"
    assert [(r.batch_id, str(r.quantity)) for r in correction.inputs.all()] == [(raw.pk, "6.000")]
    assert [r.event_id for r in batch_used_in(batch=raw)] == [correction.pk]
    document = batch_epcis_document(batch=blend)
    assert_valid(document)
    original, fixed = document["epcisBody"]["eventList"]
    assert original["errorDeclaration"]["reason"] == "incorrect_data"
    assert fixed["inputQuantityList"] == original["inputQuantityList"]

    # A corrected carton move keeps its carton and items.
    _run, stamps, _pins = stamps_for(traced, 2)
    packed = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        serials=[s.serial for s in stamps],
        event_time=_when(10),
        **WHEN,
    )
    fixed_pack = provenance_event_correct(
        actor=traced.owner,
        business=traced.holder,
        event=packed,
        business_step="packing",
        event_time=_when(9),
        address="Kho Tiên Yên",
    )
    assert (fixed_pack.event_type, fixed_pack.carton_id, fixed_pack.action) == (
        "aggregation",
        packed.carton_id,
        "ADD",
    )
    assert [c.stamp_id for c in fixed_pack.children.order_by("id")] == [s.pk for s in stamps]
    assert_valid(batch_epcis_document(batch=traced.batch))


# --- the generic event form leaves transformations and cartons to their pages ---------------------


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "transformation",
            "A transformation needs its input lots: record it on the lot's “Made from other "
            "lots” page (batchTransformationRecord in the API).",
        ),
        (
            "aggregation",
            "Packing into a carton needs the carton and its items: record it on the lot's "
            "“Cartons” page (cartonPack and cartonUnpack in the API).",
        ),
    ],
)
def test_the_generic_event_service_refuses_transformations_and_cartons(traced, kind, message):
    from traceability.services import provenance_event_correct

    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        event_for(traced, step="commissioning", event_type=kind)
    assert (error.value.field, error.value.code, str(error.value.message)) == (
        "event_type",
        "invalid",
        message,
    )
    plain = event_for(traced, step="harvesting")
    with translation.override("en"), pytest.raises(TraceabilityError) as error:
        provenance_event_correct(
            actor=traced.owner,
            business=traced.holder,
            event=plain,
            business_step="commissioning",
            event_type=kind,
            event_time=_when(),
            **WHEN,
        )
    assert (error.value.field, str(error.value.message)) == ("event_type", message)
    assert ProvenanceEvent.objects.count() == 1


def test_the_event_form_offers_neither_transformations_nor_cartons(client, traced):
    import re

    from django.urls import reverse

    client.force_login(traced.owner)
    client.cookies["django_language"] = "en"
    url = reverse("traceability_workspace:batch_detail", args=[traced.holder.slug, traced.batch.pk])
    html = client.get(url).content.decode()
    select = html[
        html.index('name="event_type"') : html.index("</select>", html.index('name="event_type"'))
    ]
    assert re.findall(r'<option value="(\w+)"', select) == ["object", "transaction", "association"]
    refused = client.post(
        url,
        {
            "business_step": "commissioning",
            "event_time": "2026-11-20T08:00",
            "address": "Xưởng",
            "event_type": "transformation",
        },
    )
    assert refused.status_code == 400
    assert "Select a valid choice. transformation is not one of the available choices." in (
        refused.content.decode()
    )
    assert ProvenanceEvent.objects.count() == 0

    # The correction form of a transformation offers its own type only, and keeps its inputs.
    raw = _lot(traced, "RAW-5")
    event = _blend(traced, traced.batch, [LotQuantity(raw, "2", "KGM")])
    correct = reverse(
        "traceability_workspace:event_correct", args=[traced.holder.slug, traced.batch.pk, event.pk]
    )
    html = client.get(correct).content.decode()
    select = html[
        html.index('name="event_type"') : html.index("</select>", html.index('name="event_type"'))
    ]
    assert re.findall(r'<option value="(\w+)"', select) == ["transformation"]
    response = client.post(
        correct,
        {
            "business_step": "commissioning",
            "event_time": "2026-11-20T09:00",
            "address": "Xưởng mới",
            "event_type": "transformation",
            "quantity": "30",
            "unit": "KGM",
        },
    )
    assert response.status_code == 302
    fixed = ProvenanceEvent.objects.get(corrects=event)
    assert [(r.batch_id, str(r.quantity)) for r in fixed.inputs.all()] == [(raw.pk, "2.000")]


def test_graphql_record_refuses_a_transformation_on_its_field(client, traced):
    from graphql_relay import to_global_id

    from tests.support.graphql import GraphQLClient

    client.force_login(traced.owner)
    gql = GraphQLClient(client, HTTP_ACCEPT_LANGUAGE="en")
    result = gql.post(
        """mutation ($business: ID!, $batch: ID!) { provenanceEventRecord(business: $business,
           batch: $batch, event: {businessStep: COMMISSIONING, eventType: TRANSFORMATION,
           eventTime: "2026-11-21T08:00:00+07:00", address: "Xưởng"}) {
           event { id } errors { field code message } } }""",
        {
            "business": to_global_id("Business", traced.holder.pk),
            "batch": to_global_id("Batch", traced.batch.pk),
        },
    ).json()["data"]["provenanceEventRecord"]
    assert result["event"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("eventType", "INVALID")]
    assert ProvenanceEvent.objects.count() == 0
