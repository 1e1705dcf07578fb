"""Traceability over GraphQL: a seller's batches and events, stamp runs, and the public stamp
check — the same verdict as the scan page, recorded and rate-limited the same way.
(Who may call each seller mutation: test_traceability_permission_matrix.py.)"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from catalog.models import RevocationGround
from core.ratelimit import FailureLimit
from marketplace.offers.models import OfferStatus
from sellers.models import SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    ResaleAuthorizationFactory,
    StockFactory,
    StockLocationFactory,
    province,
    revoke_certificate,
)
from tests.factories_places import point
from tests.factories_traceability import event_for, past_scan, stamps_for, traced_product
from tests.graphql.test_traceability_permission_matrix import CASES  # noqa: F401
from traceability import signing
from traceability.graphql.mutations import PIN_RUN_API_MAX
from traceability.models import Batch, ProvenanceEvent, Scan, Stamp, StampRun
from traceability.services import (
    provenance_event_correct,
    stamp_run_print_render,
    stamp_run_print_start,
    stamp_run_void,
)
from traceability.services import stamps as stamp_services

pytestmark = pytest.mark.django_db

# ``CASES`` (the seller mutations and who may call them) is re-exported for the schema-wide
# check in test_permission_matrix.py that every seller mutation has a matrix.


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The scan budget per client lives in the process-wide cache: each test starts clean.
    cache.clear()
    yield
    cache.clear()


def gid(type_name, pk):
    return to_global_id(type_name, pk)


STAMP_QUERY = """query ($code: String!, $record: Boolean, $province: String) {
  stamp(code: $code, record: $record, province: $province) {
  verdict anomalies serial scanCount firstScanProvince { code }
  product { name } producer { name }
  batch { lotCode producedOn expiresOn originProvince { code } originCommune }
  certificate { day status stars validUntil revocationGround certificate { number } }
  timeline { id businessStep place address corrects correctedBy }
  offers { price }
  pointsOfSale { point { name operator { name } province { code } } distanceKm units inStock }
  pinProtected pinVerifiedAt
} }"""

NOTHING = {
    "serial": None,
    "scanCount": None,
    "firstScanProvince": None,
    "product": None,
    "producer": None,
    "batch": None,
    "certificate": None,
    "timeline": None,
    "offers": None,
    "pointsOfSale": None,
    "pinProtected": None,
    "pinVerifiedAt": None,
}


def _page_verdict(client, stamp, method="head"):
    response = getattr(client, method)(f"/s/{signing.stamp_code(stamp)}/")
    if method == "head":
        return response.status_code
    return re.search(r'id="verdict"[^>]*data-verdict="([a-z_]+)"', response.content.decode())[1]


# --- the public stamp check -------------------------------------------------------------------


def test_a_genuine_stamp_answers_everything_the_page_shows_and_is_recorded(gql):
    traced = traced_product()
    harvest = event_for(traced, step="harvesting")
    shop = BusinessFactory(status=SellerStatus.ACTIVE, name="Trung tâm OCOP Hạ Long")
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    resold = OfferFactory(
        variant=traced.variant, seller=shop, status=OfferStatus.PUBLISHED, price=195_000
    )
    counter = point(
        operator=shop, name="Quầy Bãi Cháy", latitude="20.951700", longitude="107.100000"
    )
    StockFactory(offer=resold, location=counter.location, quantity=4)
    # A counter that is no public point of sale is not listed.
    StockFactory(offer=resold, location=StockLocationFactory(business=shop, kind="point_of_sale"))
    _run, (stamp,), _pins = stamps_for(traced)
    data = gql(STAMP_QUERY, {"code": signing.stamp_code(stamp), "province": "quang-ninh"})
    today = timezone.localdate()
    assert data["stamp"] == {
        "verdict": "GENUINE",
        "anomalies": [],
        "serial": stamp.serial,
        "scanCount": 1,
        "firstScanProvince": {"code": "22"},
        "product": {"name": "Mật ong rừng Tiên Yên"},
        "producer": {"name": "HTX Mật ong Tiên Yên"},
        "batch": {
            "lotCode": "L2611-A",
            "producedOn": "2026-11-01",
            "expiresOn": "2028-11-01",
            "originProvince": {"code": "22"},
            "originCommune": "xã Đồng Rui",
        },
        "certificate": {
            "day": today.isoformat(),
            "status": "ACTIVE",
            "stars": traced.certificate.stars,
            "validUntil": traced.certificate.valid_until.isoformat(),
            "revocationGround": None,
            "certificate": {"number": traced.certificate.number},
        },
        "timeline": [
            {
                "id": gid("ProvenanceEvent", harvest.pk),
                "businessStep": "HARVESTING",
                "place": None,
                "address": "Bản Khe Lặc, xã Đồng Rui",
                "corrects": None,
                "correctedBy": None,
            }
        ],
        "offers": [{"price": 195_000}],
        # The scan page's "buy in person near you": from Quảng Ninh's centre (20.9517, 107.08),
        # 0.02° of longitude east (2.077 km at that latitude).
        "pointsOfSale": [
            {
                "point": {
                    "name": "Quầy Bãi Cháy",
                    "operator": {"name": "Trung tâm OCOP Hạ Long"},
                    "province": {"code": "22"},
                },
                "distanceKm": pytest.approx(2.077, abs=0.001),
                "units": 4,
                "inStock": True,
            }
        ],
        "pinProtected": False,
        "pinVerifiedAt": None,
    }
    scan = Scan.objects.get(stamp=stamp)
    assert (scan.verdict, scan.province.code, scan.latitude) == ("genuine", "22", None)
    assert len(scan.device_hash) > 0


def test_a_forged_code_is_not_recognised_and_leaks_nothing(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    code = signing.stamp_code(stamp)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for attempt in (forged, "X" * 30, "", stamp.serial):
        data = gql(STAMP_QUERY, {"code": attempt})["stamp"]
        assert data == {"verdict": "NOT_RECOGNISED", "anomalies": [], **NOTHING}
    assert Scan.objects.count() == 0
    assert Stamp.objects.get(pk=stamp.pk).scan_count == 0


def test_a_revoked_certificate_shows_revoked_with_its_ground(gql, client):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    revoke_certificate(certificate=traced.certificate, ground=RevocationGround.FALSE_DOSSIER)
    data = gql(STAMP_QUERY, {"code": signing.stamp_code(stamp)})["stamp"]
    assert data["verdict"] == "GENUINE"  # the stamp is the producer's; the certificate is not
    assert data["certificate"]["status"] == "REVOKED"
    assert data["certificate"]["revocationGround"] == "FALSE_DOSSIER"
    assert data["certificate"]["stars"] == traced.certificate.stars


def test_the_verdict_is_the_scan_pages(gql, client):
    traced = traced_product()
    _run, (near, far), _pins = stamps_for(traced, 2)
    past_scan(far, hours_ago=2, province_code="01")
    # A scan in Quảng Ninh two hours after one in Hà Nội: the page and the API both flag it.
    api = gql(STAMP_QUERY, {"code": signing.stamp_code(far), "province": "quang-ninh"})["stamp"]
    assert api["verdict"] == "SUSPICIOUS"
    assert len(api["anomalies"]) == 1
    # The page sees the scan the API recorded, so it flags the stamp too.
    assert _page_verdict(client, far, "get") == "suspicious"
    assert gql(STAMP_QUERY, {"code": signing.stamp_code(near)})["stamp"]["verdict"] == "GENUINE"
    assert _page_verdict(client, near, "get") == "genuine"
    stamp_run_void(actor=traced.owner, run=near.run, reason="Nhãn bị mất")
    assert gql(STAMP_QUERY, {"code": signing.stamp_code(near)})["stamp"]["verdict"] == "SUSPICIOUS"
    assert _page_verdict(client, near, "get") == "suspicious"


def test_a_code_typed_in_lower_case_is_checked(gql):
    traced = traced_product()
    _run, (stamp,), pins = stamps_for(traced, with_pin=True)
    code = signing.stamp_code(stamp)
    data = gql(STAMP_QUERY, {"code": f"  {code.lower()} "})["stamp"]
    assert (data["verdict"], data["serial"], data["scanCount"]) == ("GENUINE", stamp.serial, 1)
    pin = gql(PIN, {"code": code.lower(), "pin": pins[stamp.serial]})["stampPinCheck"]
    assert pin["status"] == "verified"


def test_record_false_answers_without_recording(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    data = gql(STAMP_QUERY, {"code": signing.stamp_code(stamp), "record": False})["stamp"]
    assert (data["verdict"], data["scanCount"]) == ("GENUINE", 0)
    assert Scan.objects.count() == 0


def test_coordinates_are_rounded_before_they_are_stored(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    query = """query ($code: String!) { stamp(code: $code, latitude: 21.04567, longitude: 107.36)
      { verdict } }"""
    gql(query, {"code": signing.stamp_code(stamp)})
    scan = Scan.objects.get()
    assert (scan.latitude, scan.longitude) == (Decimal("21.0"), Decimal("107.4"))


BY_URL = """query ($url: String!) { stampByUrl(url: $url) { verdict serial scanCount
  product { name } } }"""


def test_stamp_by_url_takes_the_short_and_the_gs1_form(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    short = gql(BY_URL, {"url": signing.stamp_url_short(stamp)})["stampByUrl"]
    gs1 = gql(BY_URL, {"url": signing.stamp_url_gs1(stamp)})["stampByUrl"]
    assert short == {
        "verdict": "GENUINE",
        "serial": stamp.serial,
        "scanCount": 1,
        "product": {"name": traced.product.name},
    }
    assert gs1["scanCount"] == 2
    assert Scan.objects.filter(stamp=stamp).count() == 2


def test_stamp_by_url_refuses_altered_and_foreign_urls(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    gs1 = signing.stamp_url_gs1(stamp)
    for url in (
        gs1.replace("/10/L2611-A/", "/10/L2611-B/"),
        gs1[:-1] + ("A" if gs1[-1] != "A" else "B"),
        gs1.split("?")[0],
        signing.stamp_url_short(stamp)[:-2],
        "https://example.com/products/mat-ong/",
        "not a url",
    ):
        data = gql(BY_URL, {"url": url})["stampByUrl"]
        assert data == {
            "verdict": "NOT_RECOGNISED",
            "serial": None,
            "scanCount": None,
            "product": None,
        }
    assert Scan.objects.count() == 0


def test_stamp_checks_share_the_scan_pages_budget_per_client(gql, client, monkeypatch):
    monkeypatch.setattr(
        stamp_services, "SCAN_PER_CLIENT", FailureLimit("stamp-scan-test", limit=3, window=60)
    )
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    code = signing.stamp_code(stamp)
    gql(STAMP_QUERY, {"code": code})
    gql(BY_URL, {"url": signing.stamp_url_short(stamp)})
    assert client.get(f"/s/{code}/").status_code == 200
    errors = gql.errors(STAMP_QUERY, {"code": code})
    assert errors[0]["extensions"]["code"] == "TOO_MANY"
    assert Scan.objects.count() == 3


PIN = """mutation ($code: String!, $pin: String!) { stampPinCheck(code: $code, pin: $pin)
  { status verifiedAt retryAfter errors { field code } } }"""


def test_pin_check_verifies_once_then_says_when(gql):
    traced = traced_product()
    _run, (stamp,), pins = stamps_for(traced, with_pin=True)
    code = signing.stamp_code(stamp)
    wrong = gql(PIN, {"code": code, "pin": "00000000"})["stampPinCheck"]
    first = gql(PIN, {"code": code, "pin": pins[stamp.serial]})["stampPinCheck"]
    again = gql(PIN, {"code": code, "pin": pins[stamp.serial]})["stampPinCheck"]
    assert wrong == {"status": "wrong", "verifiedAt": None, "retryAfter": None, "errors": []}
    assert first["status"] == "verified"
    assert again["status"] == "already_verified"
    assert again["verifiedAt"] == first["verifiedAt"]
    stamp.refresh_from_db()
    assert (stamp.pin_failures, stamp.pin_verified_at is not None) == (1, True)
    assert Scan.objects.count() == 0  # a PIN check is not a scan, as on the page


def test_pin_check_of_a_forged_code_or_a_stamp_without_pin(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    unknown = gql(PIN, {"code": "X" * 30, "pin": "1"})["stampPinCheck"]
    no_pin = gql(PIN, {"code": signing.stamp_code(stamp), "pin": "1"})["stampPinCheck"]
    assert unknown == {
        "status": None,
        "verifiedAt": None,
        "retryAfter": None,
        "errors": [{"field": "code", "code": "NOT_RECOGNISED"}],
    }
    assert no_pin["status"] == "no_pin"


def test_pin_guessing_is_stopped(gql):
    traced = traced_product()
    _run, (stamp,), pins = stamps_for(traced, with_pin=True)
    code = signing.stamp_code(stamp)
    for _ in range(5):
        gql(PIN, {"code": code, "pin": "00000000"})
    blocked = gql(PIN, {"code": code, "pin": pins[stamp.serial]})["stampPinCheck"]
    assert blocked["status"] == "rate_limited"
    assert blocked["retryAfter"] > 0
    stamp.refresh_from_db()
    assert stamp.pin_verified_at is None


# --- seller flows -----------------------------------------------------------------------------

BATCH_FIELDS = """id lotCode producedOn expiresOn quantity originProvince { code } originCommune
  variant { name } certificate { number }
  events(first: 20) { totalCount edges { node { id businessStep disposition eventTimezone address
    location { name } latitude corrects correctedBy } } }
  stampRuns { quantity withPin voidedAt pdfPath csvPath
    prints { layout link state done total pages pdfPath csvPath } }"""

CREATE = """mutation ($variant: ID!, $lot: String!, $province: String) {
  batchCreate(variant: $variant, lotCode: $lot, producedOn: "2026-11-20", quantity: 200,
    expiresOn: "2027-11-20", originProvince: $province, originCommune: "xã Hải Lạng") {
  batch { FIELDS } errors { field code message } } }""".replace("FIELDS", BATCH_FIELDS)

RECORD = """mutation ($business: ID!, $batch: ID!, $event: EventInput!) {
  provenanceEventRecord(business: $business, batch: $batch, event: $event) {
  event { id businessStep disposition eventTimezone latitude longitude location { name }
    corrects correctedBy } errors { field code } } }"""

CORRECT = """mutation ($business: ID!, $event: ID!, $correction: EventInput!) {
  provenanceEventCorrect(business: $business, event: $event, correction: $correction) {
  event { id corrects } errors { field code } } }"""

RUN = """mutation ($batch: ID!, $quantity: Int!, $withPin: Boolean) {
  stampRunCreate(batch: $batch, quantity: $quantity, withPin: $withPin) {
  run { id quantity withPin pdfPath csvPath gs1PdfPath } pins { serial pin url } errors { field code } } }"""

ONE_BATCH = "query ($id: ID!) { batch(id: $id) { FIELDS } }".replace("FIELDS", BATCH_FIELDS)


def test_a_cooperative_records_a_batch_its_journey_and_orders_stamps(gql, client):
    traced = traced_product()
    client.force_login(traced.owner)
    holder = gid("Business", traced.holder.pk)
    variant = gid("ProductVariant", traced.variant.pk)

    created = gql(CREATE, {"variant": variant, "lot": "L2611-B", "province": "22"})
    batch = created["batchCreate"]["batch"]
    assert created["batchCreate"]["errors"] == []
    assert {k: batch[k] for k in ("lotCode", "quantity", "originProvince", "certificate")} == {
        "lotCode": "L2611-B",
        "quantity": 200,
        "originProvince": {"code": "22"},
        "certificate": {"number": traced.certificate.number},
    }
    assert batch["events"] == {"totalCount": 0, "edges": []}

    shop = StockLocationFactory(business=traced.holder, name="Xưởng đóng gói")
    recorded = gql(
        RECORD,
        {
            "business": holder,
            "batch": batch["id"],
            "event": {
                "businessStep": "PACKING",
                "eventTime": "2026-11-20T08:00:00+07:00",
                "disposition": "IN_PROGRESS",
                "location": gid("StockLocation", shop.pk),
                "latitude": 21.3,
                "longitude": 107.4,
            },
        },
    )["provenanceEventRecord"]
    assert recorded["errors"] == []
    assert recorded["event"] == {
        "id": recorded["event"]["id"],
        "businessStep": "PACKING",
        "disposition": "IN_PROGRESS",
        "eventTimezone": "+07:00",
        "latitude": 21.3,
        "longitude": 107.4,
        "location": {"name": "Xưởng đóng gói"},
        "corrects": None,
        "correctedBy": None,
    }
    corrected = gql(
        CORRECT,
        {
            "business": holder,
            "event": recorded["event"]["id"],
            "correction": {
                "businessStep": "PACKING",
                "eventTime": "2026-11-20T09:30:00+07:00",
                "address": "Xưởng Đồng Rui",
            },
        },
    )["provenanceEventCorrect"]
    assert corrected["errors"] == []
    assert corrected["event"]["corrects"] == recorded["event"]["id"]
    twice = gql(
        CORRECT,
        {
            "business": holder,
            "event": recorded["event"]["id"],
            "correction": {"businessStep": "PACKING", "eventTime": "2026-11-20T09:30:00+07:00"},
        },
    )["provenanceEventCorrect"]
    assert twice == {"event": None, "errors": [{"field": "event", "code": "CONFLICT"}]}

    ordered = gql(RUN, {"batch": batch["id"], "quantity": 3})["stampRunCreate"]
    run = StampRun.objects.get()
    assert ordered == {
        "run": {
            "id": gid("StampRun", run.pk),
            "quantity": 3,
            "withPin": False,
            # Deprecated: the files are the prints' (queued here: the test's transaction
            # never commits), one download path for every run.
            "pdfPath": None,
            "csvPath": None,
            "gs1PdfPath": None,
        },
        "pins": None,
        "errors": [],
    }

    shown = gql(ONE_BATCH, {"id": batch["id"]})["batch"]
    nodes = [edge["node"] for edge in shown["events"]["edges"]]
    assert shown["events"]["totalCount"] == 2
    assert [(n["eventTimezone"], n["corrects"], n["correctedBy"]) for n in nodes] == [
        ("+07:00", None, corrected["event"]["id"]),
        ("+07:00", recorded["event"]["id"], None),
    ]
    assert shown["stampRuns"] == [
        {
            "quantity": 3,
            "withPin": False,
            "voidedAt": None,
            "pdfPath": None,
            "csvPath": None,
            # Ordering started the whole run's PDF in the background (queued: the test's
            # transaction never commits).
            "prints": [
                {
                    "layout": "a4-5x13",
                    "link": "short",
                    "state": "QUEUED",
                    "done": 0,
                    "total": 3,
                    "pages": None,
                    "pdfPath": None,
                    "csvPath": None,
                }
            ],
        }
    ]


def test_pins_are_returned_once_and_never_readable_again(gql, client):
    traced = traced_product()
    client.force_login(traced.manager)
    ordered = gql(RUN, {"batch": gid("Batch", traced.batch.pk), "quantity": 4, "withPin": True})
    pins = ordered["stampRunCreate"]["pins"]
    stamps = {s.serial: s for s in Stamp.objects.select_related("run")}
    assert sorted(p["serial"] for p in pins) == sorted(stamps)
    for entry in pins:
        stamp = stamps[entry["serial"]]
        assert entry["url"] == signing.stamp_url_short(stamp)
        assert signing.pin_matches(serial=stamp.serial, pin=entry["pin"], stored=stamp.pin_hash)
    # No field of the API reads a PIN back: the run has only ``withPin``.
    fields = gql('{ __type(name: "StampRun") { fields { name } } }')["__type"]["fields"]
    assert [f["name"] for f in fields if "pin" in f["name"].lower()] == ["withPin"]
    verification = gql('{ __type(name: "StampVerification") { fields { name } } }')["__type"]
    assert not [f for f in verification["fields"] if f["name"] == "pin"]


def test_a_pin_run_over_the_api_limit_is_refused(gql, client):
    traced = traced_product()
    client.force_login(traced.owner)
    result = gql(
        RUN,
        {"batch": gid("Batch", traced.batch.pk), "quantity": PIN_RUN_API_MAX + 1, "withPin": True},
    )["stampRunCreate"]
    assert result == {
        "run": None,
        "pins": None,
        "errors": [{"field": "quantity", "code": "OUT_OF_RANGE"}],
    }
    assert StampRun.objects.count() == 0


def test_service_rules_come_back_as_field_errors(gql, client):
    traced = traced_product()
    client.force_login(traced.owner)
    variant = gid("ProductVariant", traced.variant.pk)
    duplicate = gql(CREATE, {"variant": variant, "lot": "L2611-A"})["batchCreate"]
    bad_lot = gql(CREATE, {"variant": variant, "lot": "L 26/11"})["batchCreate"]
    bad_province = gql(CREATE, {"variant": variant, "lot": "L9", "province": "999"})["batchCreate"]
    too_many = gql(RUN, {"batch": gid("Batch", traced.batch.pk), "quantity": 100_001})
    future = gql(
        RECORD,
        {
            "business": gid("Business", traced.holder.pk),
            "batch": gid("Batch", traced.batch.pk),
            "event": {"businessStep": "SHIPPING", "eventTime": "2030-01-01T08:00:00+07:00"},
        },
    )["provenanceEventRecord"]
    assert [(e["field"], e["code"]) for e in duplicate["errors"]] == [("lotCode", "DUPLICATE")]
    assert [(e["field"], e["code"]) for e in bad_lot["errors"]] == [("lotCode", "INVALID")]
    assert [(e["field"], e["code"]) for e in bad_province["errors"]] == [
        ("originProvince", "NOT_FOUND")
    ]
    assert too_many["stampRunCreate"]["errors"] == [{"field": "quantity", "code": "OUT_OF_RANGE"}]
    assert future["errors"][0]["field"] == "eventTime"
    assert Batch.objects.count() == 1
    assert (StampRun.objects.count(), ProvenanceEvent.objects.count()) == (0, 0)


def test_an_authorised_shop_records_events_but_cannot_order_stamps(gql, client):
    traced = traced_product()
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    client.force_login(MembershipFactory(business=shop, role="staff").user)
    recorded = gql(
        RECORD,
        {
            "business": gid("Business", shop.pk),
            "batch": gid("Batch", traced.batch.pk),
            "event": {
                "businessStep": "RETAIL_SELLING",
                "eventTime": "2026-11-21T10:00:00+07:00",
                "address": "Chợ Hạ Long",
            },
        },
    )["provenanceEventRecord"]
    ordered = gql(RUN, {"batch": gid("Batch", traced.batch.pk), "quantity": 1})["stampRunCreate"]
    assert recorded["errors"] == []
    assert ProvenanceEvent.objects.get().business_step == "retail_selling"
    assert ordered["errors"] == [{"field": "batch", "code": "PERMISSION_DENIED"}]
    # The shop sees the event on the public timeline, but the batch stays the producer's.
    assert gql(ONE_BATCH, {"id": gid("Batch", traced.batch.pk)})["batch"] is None


# --- seller-scoped reads ----------------------------------------------------------------------

BATCHES = """query ($business: ID!) { batches(business: $business, first: 20) {
  totalCount edges { node { FIELDS } } } }""".replace("FIELDS", BATCH_FIELDS)


def test_batches_are_read_through_memberships_only(gql, client):
    traced = traced_product()
    other = MembershipFactory(role="owner").user
    variables = {"business": gid("Business", traced.holder.pk)}
    errors = gql.errors(BATCHES, variables)
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"
    client.force_login(other)
    errors = gql.errors(BATCHES, variables)
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert gql(ONE_BATCH, {"id": gid("Batch", traced.batch.pk)})["batch"] is None
    node = gql("query ($id: ID!) { node(id: $id) { id } }", {"id": gid("Batch", traced.batch.pk)})
    assert node["node"] is None
    client.force_login(traced.staff)
    data = gql(BATCHES, variables)["batches"]
    assert [e["node"]["lotCode"] for e in data["edges"]] == ["L2611-A"]


def test_batches_are_newest_first_and_paginated(gql, client):
    traced = traced_product()
    for day in (2, 3):
        Batch.objects.create(
            variant=traced.variant,
            lot_code=f"L{day}",
            produced_on=datetime.date(2026, 11, day),
            quantity=1,
        )
    client.force_login(traced.owner)
    query = """query ($business: ID!, $first: Int) { batches(business: $business, first: $first)
      { totalCount edges { node { lotCode } } } }"""
    variables = {"business": gid("Business", traced.holder.pk)}
    data = gql(query, {**variables, "first": 2})["batches"]
    assert data["totalCount"] == 3
    assert [e["node"]["lotCode"] for e in data["edges"]] == ["L3", "L2"]
    errors = gql.errors(query, {**variables, "first": 101}, status=400)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


def test_a_batch_events_connection_is_capped(gql, client):
    traced = traced_product()
    for hours in (3, 2, 1):
        event_for(traced, step="packing", hours_ago=hours)
    client.force_login(traced.owner)
    query = """query ($id: ID!, $first: Int, $after: String) { batch(id: $id) {
      events(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id } } } } }"""
    batch_id = gid("Batch", traced.batch.pk)
    page = gql(query, {"id": batch_id, "first": 2})["batch"]["events"]
    rest = gql(query, {"id": batch_id, "first": 2, "after": page["pageInfo"]["endCursor"]})
    assert (page["totalCount"], len(page["edges"]), page["pageInfo"]["hasNextPage"]) == (3, 2, True)
    assert len(rest["batch"]["events"]["edges"]) == 1
    errors = gql.errors(query, {"id": batch_id, "first": 101}, status=400)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


# --- constant SQL -----------------------------------------------------------------------------


def _more_batches(traced, count):
    for n in range(count):
        other = Batch.objects.create(
            variant=traced.variant,
            lot_code=f"L{n}",
            produced_on=traced.batch.produced_on,
            quantity=10,
            origin_province=province("01"),
            created_by=traced.owner,
        )
        ProvenanceEvent.objects.create(
            batch=other,
            business_step="packing",
            event_time=traced.batch.created_at,
            address="Xưởng",
            recorded_by=traced.owner,
        )
        StampRun.objects.create(batch=other, quantity=1, key_id="A")


def _post(client, query, variables):
    body = json.dumps({"query": query, "variables": variables})
    payload = client.post("/graphql/", body, content_type="application/json").json()
    assert "errors" not in payload, payload
    return payload["data"]


# session, user, the business looked up through the user's memberships, count, page
# (variant, product, holder, origin and certificate joined), events (location, correction and
# carton joined), the events' input lots and packed items, stamp runs, their background prints
# (jobs joined).
BATCHES_QUERIES = 10
# session, user, the batch (memberships as a subquery, the same joins), events, their input lots
# and packed items, stamp runs, their prints (jobs joined), the jobs' files.
BATCH_QUERIES = 9


def test_batches_cost_the_same_queries_for_one_and_many(client, django_queries):
    traced = traced_product()
    event_for(traced)
    stamps_for(traced, 3)
    client.force_login(traced.owner)
    variables = {"business": gid("Business", traced.holder.pk)}
    _post(client, BATCHES, variables)
    with django_queries(BATCHES_QUERIES):
        one = _post(client, BATCHES, variables)
    _more_batches(traced, 6)
    with django_queries(BATCHES_QUERIES):
        many = _post(client, BATCHES, variables)
    assert one["batches"]["totalCount"] == 1
    assert many["batches"]["totalCount"] == 7
    assert all(e["node"]["events"]["totalCount"] == 1 for e in many["batches"]["edges"])


def test_a_batch_and_its_events_cost_the_same_queries_for_one_and_many(client, django_queries):
    traced = traced_product()
    location = StockLocationFactory(business=traced.holder)
    first = event_for(traced, step="harvesting", hours_ago=30)
    client.force_login(traced.owner)
    variables = {"id": gid("Batch", traced.batch.pk)}
    first_run, _stamps, _pins = stamps_for(traced, 1)
    stamp_run_print_start(actor=traced.owner, run=first_run, layout="a4-5x13", link="short")
    _post(client, ONE_BATCH, variables)
    with django_queries(BATCH_QUERIES):
        one = _post(client, ONE_BATCH, variables)
    previous = first
    for hours in range(20, 8, -1):
        previous = event_for(traced, step="shipping", hours_ago=hours, location=location)
    event_for(traced, step="receiving", hours_ago=1)
    provenance_event_correct(
        actor=traced.owner,
        business=traced.holder,
        event=previous,
        business_step="shipping",
        event_time=timezone.now() - datetime.timedelta(hours=8),
        address="Cảng Cái Lân",
    )
    two, _stamps, _pins = stamps_for(traced, 2)
    for layout in ("a4-5x13", "a4-3x8"):
        drawn = stamp_run_print_start(actor=traced.owner, run=two, layout=layout, link="short")
    stamp_run_print_render(job_id=drawn.job_id, print_id=drawn.pk)
    with django_queries(BATCH_QUERIES):
        many = _post(client, ONE_BATCH, variables)
    assert one["batch"]["events"]["totalCount"] == 1
    assert many["batch"]["events"]["totalCount"] == 15
    assert len(many["batch"]["stampRuns"]) == 2
    slug = traced.holder.slug
    assert many["batch"]["stampRuns"][0]["prints"] == [
        {
            "layout": "a4-5x13",
            "link": "short",
            "state": "QUEUED",
            "done": 0,
            "total": 2,
            "pages": None,
            "pdfPath": None,
            "csvPath": None,
        },
        {
            "layout": "a4-3x8",
            "link": "short",
            "state": "DONE",
            "done": 2,
            "total": 2,
            "pages": 1,
            "pdfPath": f"/seller/{slug}/stamp-runs/{two.pk}/prints/{drawn.pk}.pdf",
            "csvPath": f"/seller/{slug}/stamp-runs/{two.pk}/prints/{drawn.pk}.csv",
        },
    ]
    # The run's deprecated paths are its first drawn print's files.
    assert (many["batch"]["stampRuns"][0]["pdfPath"], many["batch"]["stampRuns"][0]["csvPath"]) == (
        f"/seller/{slug}/stamp-runs/{two.pk}/prints/{drawn.pk}.pdf",
        f"/seller/{slug}/stamp-runs/{two.pk}/prints/{drawn.pk}.csv",
    )


RUN_ONCE = """mutation ($batch: ID!, $quantity: Int!, $withPin: Boolean, $token: UUID) {
  stampRunCreate(batch: $batch, quantity: $quantity, withPin: $withPin, clientToken: $token) {
  run { id quantity } repeated pins { serial } errors { field code } } }"""


def test_a_client_token_orders_one_run_however_often_it_is_sent(gql, client):
    """Like the workspace form: a retried order (same clientToken) answers the first run, with
    no second run and no PINs again; a new token orders a new run."""
    traced = traced_product()
    client.force_login(traced.owner)
    batch = gid("Batch", traced.batch.pk)
    token = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
    first = gql(RUN_ONCE, {"batch": batch, "quantity": 2, "withPin": True, "token": token})
    first = first["stampRunCreate"]
    run = StampRun.objects.get()
    assert (first["run"]["id"], first["repeated"], len(first["pins"]), first["errors"]) == (
        gid("StampRun", run.pk),
        False,
        2,
        [],
    )
    again = gql(RUN_ONCE, {"batch": batch, "quantity": 2, "withPin": True, "token": token})
    assert again["stampRunCreate"] == {
        "run": {"id": gid("StampRun", run.pk), "quantity": 2},
        "repeated": True,
        "pins": None,
        "errors": [],
    }
    assert StampRun.objects.count() == 1
    other = "0b7e4c1d-2f3a-4b5c-9d6e-7f8a9b0c1d2e"
    fresh = gql(RUN_ONCE, {"batch": batch, "quantity": 1, "token": other})["stampRunCreate"]
    assert (fresh["repeated"], fresh["run"]["quantity"], StampRun.objects.count()) == (False, 1, 2)


STAMP_POINTS = """query ($code: String!) { stamp(code: $code, record: false) {
  pointsOfSale { point { name openNow offersInStock { units offer { price } } } units }
} }"""

# The stamp (its batch, product, holder…), the recent scans, the certificate on the day, the
# first scan, the photo, the timeline, the offers (the page's six reads), then the provinces,
# the (product, point, units) rows, those points, their hours, their exceptions, their offers.
STAMP_POINTS_QUERIES = 13


def _stamp_points_queries(client, stamp) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        data = _post(client, STAMP_POINTS, {"code": signing.stamp_code(stamp)})
    return len(captured.captured_queries), data["stamp"]["pointsOfSale"]


def test_stamp_points_of_sale_cost_the_same_queries_for_two_and_ten(client):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    offer = OfferFactory(variant=traced.variant, seller=shop, status=OfferStatus.PUBLISHED)
    for n in range(2):
        StockFactory(
            offer=offer, location=point(operator=shop, latitude=f"20.9{n}").location, quantity=2
        )
    two, found = _stamp_points_queries(client, stamp)
    assert [row["units"] for row in found] == [2, 2]
    for n in range(2, 10):
        StockFactory(
            offer=offer, location=point(operator=shop, latitude=f"20.9{n}").location, quantity=3
        )
    ten, found = _stamp_points_queries(client, stamp)
    # The three nearest (as the scan page lists them), each with its offers in stock.
    assert [len(row["point"]["offersInStock"]) for row in found] == [1, 1, 1]
    assert two == ten == STAMP_POINTS_QUERIES
