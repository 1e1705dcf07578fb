"""Traceability over GraphQL: a seller's batches and events, stamp runs, the public stamp check
(the same verdict as the scan page), and who may call each mutation."""

import json

import pytest
from django.forms.models import model_to_dict
from graphql_relay import to_global_id

from catalog.models import RevocationGround
from catalog.services import certificate_revoke
from sellers.models import MembershipRole
from sellers.services import api_token_create
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability import signing
from traceability.models import Batch, ProvenanceEvent, Scan, Stamp, StampRun

pytestmark = pytest.mark.django_db

STAMP_QUERY = """query ($code: String!) { stamp(code: $code) {
  verdict anomalies serial scanCount
  product { name } producer { name }
  batch { lotCode producedOn }
  certificate { status certificate { stars } }
  timeline { businessStep }
} }"""


def test_the_api_gives_the_scan_pages_verdict_and_records_the_scan(gql):
    traced = traced_product()
    event_for(traced, step="harvesting")
    _run, (stamp,), _pins = stamps_for(traced)
    code = signing.stamp_code(stamp)
    data = gql(STAMP_QUERY, {"code": code})["stamp"]
    assert data == {
        "verdict": "GENUINE",
        "anomalies": [],
        "serial": stamp.serial,
        "scanCount": 1,
        "product": {"name": traced.product.name},
        "producer": {"name": traced.holder.name},
        "batch": {"lotCode": "L2611-A", "producedOn": "2026-11-01"},
        "certificate": {"status": "active", "certificate": {"stars": traced.certificate.stars}},
        "timeline": [{"businessStep": "HARVESTING"}],
    }
    assert Scan.objects.filter(stamp=stamp).count() == 1


def test_a_forged_code_is_not_recognised_and_leaks_nothing(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    code = signing.stamp_code(stamp)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    data = gql(STAMP_QUERY, {"code": forged})["stamp"]
    assert data == {
        "verdict": "NOT_RECOGNISED",
        "anomalies": [],
        "serial": None,
        "scanCount": None,
        "product": None,
        "producer": None,
        "batch": None,
        "certificate": None,
        "timeline": None,
    }
    assert Scan.objects.count() == 0


def test_a_revoked_certificate_shows_on_the_stamp(gql):
    traced = traced_product()
    _run, (stamp,), _pins = stamps_for(traced)
    certificate_revoke(certificate=traced.certificate, ground=RevocationGround.FALSE_DOSSIER)
    data = gql(STAMP_QUERY, {"code": signing.stamp_code(stamp)})["stamp"]
    assert data["certificate"]["status"] == "revoked"


def test_pin_check_succeeds_once(gql):
    traced = traced_product()
    _run, (stamp,), pins = stamps_for(traced, with_pin=True)
    query = """mutation ($code: String!, $pin: String!) { stampPinCheck(code: $code, pin: $pin)
      { status errors { field code } } }"""
    code = signing.stamp_code(stamp)
    first = gql(query, {"code": code, "pin": pins[stamp.serial]})["stampPinCheck"]
    again = gql(query, {"code": code, "pin": pins[stamp.serial]})["stampPinCheck"]
    unknown = gql(query, {"code": "X" * 30, "pin": "1"})["stampPinCheck"]
    assert (first["status"], again["status"]) == ("verified", "already_verified")
    assert unknown == {"status": None, "errors": [{"field": "code", "code": "NOT_RECOGNISED"}]}


BATCHES = """query ($business: ID!) { batches(business: $business, first: 50) { totalCount
  edges { node { lotCode events { businessStep } stampRuns { quantity } variant { name } } } } }"""


def test_batches_run_constant_queries(client, django_queries):
    traced = traced_product()
    event_for(traced)
    stamps_for(traced, 3)
    client.force_login(traced.owner)
    variables = {"business": to_global_id("Business", traced.holder.pk)}
    body = json.dumps({"query": BATCHES, "variables": variables})

    def post():
        return client.post("/graphql/", body, content_type="application/json").json()

    post()
    with django_queries(7):
        one = post()
    for n in range(5):
        other = Batch.objects.create(
            variant=traced.variant,
            lot_code=f"L{n}",
            produced_on=traced.batch.produced_on,
            quantity=10,
            created_by=traced.owner,
        )
        ProvenanceEvent.objects.create(
            batch=other,
            business_step="packing",
            event_time=traced.batch.created_at,
            event_timezone="+07:00",
            address="Xưởng",
            recorded_by=traced.owner,
        )
    with django_queries(7):
        many = post()
    assert one["data"]["batches"]["totalCount"] == 1
    assert many["data"]["batches"]["totalCount"] == 6


def test_another_seller_cannot_list_the_batches(gql, client):
    traced = traced_product()
    client.force_login(MembershipFactory(role="owner").user)
    errors = gql.errors(BATCHES, {"business": to_global_id("Business", traced.holder.pk)})
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"


# --- the permission matrix --------------------------------------------------------------------

ACTORS = [
    "anonymous",
    "buyer",
    "other_seller",
    "owner",
    "manager",
    "staff",
    "marketplace_staff",
    "token_own",
    "token_other",
]
MANAGERS = {"owner", "manager", "token_own"}
MEMBERS = MANAGERS | {"staff"}

CASES = {
    "batchCreate": (
        """mutation ($variant: ID!) { batchCreate(variant: $variant, lotCode: "L2612-B",
           producedOn: "2026-11-20", quantity: 200) { batch { lotCode } errors { field code } } }""",
        lambda t: {"variant": to_global_id("ProductVariant", t.variant.pk)},
        MANAGERS,
    ),
    "provenanceEventRecord": (
        """mutation ($business: ID!, $batch: ID!) { provenanceEventRecord(business: $business,
           batch: $batch, event: {businessStep: PACKING, eventTime: "2026-11-20T08:00:00+07:00",
           address: "Xưởng Đồng Rui"}) { event { businessStep } errors { field code } } }""",
        lambda t: {
            "business": to_global_id("Business", t.holder.pk),
            "batch": to_global_id("Batch", t.batch.pk),
        },
        MEMBERS,
    ),
    "provenanceEventCorrect": (
        """mutation ($business: ID!, $event: ID!) { provenanceEventCorrect(business: $business,
           event: $event, correction: {businessStep: HARVESTING,
           eventTime: "2026-11-19T07:00:00+07:00", address: "Bản Khe Lặc"}) {
           event { corrects } errors { field code } } }""",
        lambda t: {
            "business": to_global_id("Business", t.holder.pk),
            "event": to_global_id("ProvenanceEvent", t.event.pk),
        },
        MEMBERS,
    ),
    "stampRunCreate": (
        """mutation ($batch: ID!) { stampRunCreate(batch: $batch, quantity: 3, withPin: true) {
           run { quantity } pins { serial pin url } errors { field code } } }""",
        lambda t: {"batch": to_global_id("Batch", t.batch.pk)},
        MANAGERS,
    ),
}


@pytest.fixture
def world():
    traced = traced_product()
    traced.event = event_for(traced)
    second = BusinessFactory(status="active")
    MembershipFactory(business=second, user=traced.owner, role=MembershipRole.OWNER)
    traced.users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "other_seller": MembershipFactory(role="owner").user,
        "owner": traced.owner,
        "manager": traced.manager,
        "staff": traced.staff,
        "marketplace_staff": UserFactory(is_staff=True),
    }
    traced.tokens = {
        "token_own": api_token_create(business=traced.holder, user=traced.owner, name="A")[1],
        "token_other": api_token_create(business=second, user=traced.owner, name="B")[1],
    }
    return traced


def _state():
    return {
        model.__name__: [
            {k: str(v) for k, v in model_to_dict(row).items()}
            for row in model.objects.order_by("pk")
        ]
        for model in (Batch, ProvenanceEvent, StampRun, Stamp)
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("mutation", list(CASES))
def test_permission_matrix(client, world, mutation, actor):
    query, variables, allowed = CASES[mutation]
    before = _state()
    extra = {}
    if actor in world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[actor]}"
    elif world.users[actor] is not None:
        client.force_login(world.users[actor])
    body = json.dumps({"query": query, "variables": variables(world)})
    response = client.post("/graphql/", body, content_type="application/json", **extra)
    payload = response.json()
    assert "errors" not in payload, payload
    result = payload["data"][mutation]
    if actor in allowed:
        assert result["errors"] == []
        assert _state() != before
        if mutation == "stampRunCreate":
            assert len(result["pins"]) == 3
            assert all(p["url"].startswith("HTTP") and len(p["pin"]) >= 6 for p in result["pins"])
    else:
        assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
        assert _state() == before
