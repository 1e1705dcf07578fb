"""Who may call each traceability seller mutation, and that a refusal changes nothing.

The callers are those of test_permission_matrix.py: anonymous, a buyer (signed in, no
membership), the owner of another seller, the producer's own owner / manager / staff member, a
marketplace staff user (``is_staff``, not a member), and API tokens — one the owner created for
the producer, one the same owner created for another business of theirs (a token acts for its
own business only, even when its creator belongs to both).

Role rules (enforced by ``traceability.services``, mirrored here): owners and managers of the
product's holder record batches and order stamps; any member records and corrects events.
"""

import json

import pytest
from django.core.cache import cache
from django.forms.models import model_to_dict
from graphql_relay import to_global_id

from sellers.models import MembershipRole, SellerStatus
from sellers.services import api_token_create
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability.models import (
    AggregationChild,
    Batch,
    Carton,
    ProvenanceEvent,
    Scan,
    Stamp,
    StampRun,
    StampRunPrint,
    TransformationInput,
)
from traceability.services import batch_create, carton_pack

pytestmark = pytest.mark.django_db

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


def _batch(world):
    return {"batch": to_global_id("Batch", world.batch.pk)}


def _as_holder(world, **more):
    return {"business": to_global_id("Business", world.holder.pk), **more}


CASES = {
    "batchCreate": (
        """mutation ($variant: ID!) { batchCreate(variant: $variant, lotCode: "L2612-B",
           producedOn: "2026-11-20", quantity: 200) { batch { lotCode } errors { field code } } }""",
        lambda w: {"variant": to_global_id("ProductVariant", w.variant.pk)},
        MANAGERS,
        {Batch: 1},
    ),
    "provenanceEventRecord": (
        """mutation ($business: ID!, $batch: ID!) { provenanceEventRecord(business: $business,
           batch: $batch, event: {businessStep: PACKING, eventTime: "2026-11-20T08:00:00+07:00",
           address: "Xưởng Đồng Rui", quantity: "12.5", unit: "KGM"}) {
           event { businessStep quantity unit } errors { field code } } }""",
        lambda w: _as_holder(w, **_batch(w)),
        MEMBERS,
        {ProvenanceEvent: 1},
    ),
    "provenanceEventCorrect": (
        """mutation ($business: ID!, $event: ID!) { provenanceEventCorrect(business: $business,
           event: $event, correction: {businessStep: HARVESTING,
           eventTime: "2026-11-19T07:00:00+07:00", address: "Bản Khe Lặc", quantity: "3",
           unit: "TNE"}) {
           event { corrects } errors { field code } } }""",
        lambda w: _as_holder(w, event=to_global_id("ProvenanceEvent", w.event.pk)),
        MEMBERS,
        {ProvenanceEvent: 1},
    ),
    "batchTransformationRecord": (
        """mutation ($business: ID!, $output: ID!, $input: ID!) { batchTransformationRecord(
           business: $business, output: $output, inputs: [{batch: $input, quantity: "12.5",
           unit: "KGM"}], quantity: "12", unit: "KGM", eventTime: "2026-11-20T08:00:00+07:00",
           address: "Xưởng Đồng Rui") {
           event { eventType inputs { lotCode quantity unit } } errors { field code } } }""",
        lambda w: _as_holder(
            w,
            output=to_global_id("Batch", w.batch.pk),
            input=to_global_id("Batch", w.raw_lot.pk),
        ),
        MEMBERS,
        {ProvenanceEvent: 1, TransformationInput: 1},
    ),
    "cartonPack": (
        """mutation ($business: ID!, $batch: ID!, $serial: String!) { cartonPack(
           business: $business, batch: $batch, serials: [$serial],
           eventTime: "2026-11-20T08:00:00+07:00", address: "Kho Đồng Rui") {
           event { action childSerials } carton { code } errors { field code } } }""",
        lambda w: _as_holder(w, **_batch(w), serial=w.loose_stamp.serial),
        MEMBERS,
        {ProvenanceEvent: 1, Carton: 1, AggregationChild: 1, Stamp: 0},
    ),
    "cartonUnpack": (
        """mutation ($business: ID!, $batch: ID!, $carton: ID!) { cartonUnpack(
           business: $business, batch: $batch, carton: $carton,
           eventTime: "2026-11-20T09:00:00+07:00", address: "Kho Đồng Rui") {
           event { action childSerials } carton { code } errors { field code } } }""",
        lambda w: _as_holder(w, **_batch(w), carton=to_global_id("Carton", w.carton.pk)),
        MEMBERS,
        {ProvenanceEvent: 1, AggregationChild: 1, Stamp: 0},
    ),
    "stampRunCreate": (
        """mutation ($batch: ID!) { stampRunCreate(batch: $batch, quantity: 3, withPin: true) {
           run { quantity } pins { serial pin url } errors { field code } } }""",
        _batch,
        MANAGERS,
        {StampRun: 1, Stamp: 3, StampRunPrint: 1},
    ),
    "stampRunPrint": (
        """mutation ($run: ID!) { stampRunPrint(run: $run, layout: "a4-3x8", link: "gs1") {
           print { layout link state total pdfPath } errors { field code } } }""",
        lambda w: {"run": to_global_id("StampRun", w.run.pk)},
        MANAGERS,
        {StampRunPrint: 1},
    ),
}


@pytest.fixture
def world():
    cache.clear()
    traced = traced_product()
    traced.event = event_for(traced)
    traced.run, stamps, _pins = stamps_for(traced, 2)
    traced.loose_stamp = stamps[0]
    traced.carton = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        serials=[stamps[1].serial],
        event_time=traced.event.event_time,
        address="Kho Đồng Rui",
    ).carton
    traced.raw_lot = batch_create(
        actor=traced.owner,
        variant=traced.variant,
        lot_code="RAW-7",
        produced_on=traced.batch.produced_on,
        quantity=50,
    )
    second = BusinessFactory(status=SellerStatus.ACTIVE)
    MembershipFactory(business=second, user=traced.owner, role=MembershipRole.OWNER)
    traced.users = {
        "anonymous": None,
        "buyer": UserFactory(),
        "other_seller": MembershipFactory(role=MembershipRole.OWNER).user,
        "owner": traced.owner,
        "manager": traced.manager,
        "staff": traced.staff,
        "marketplace_staff": UserFactory(is_staff=True),
    }
    traced.tokens = {
        "token_own": api_token_create(business=traced.holder, user=traced.owner, name="A")[1],
        "token_other": api_token_create(business=second, user=traced.owner, name="B")[1],
    }
    yield traced
    cache.clear()


MODELS = (
    Batch,
    ProvenanceEvent,
    StampRun,
    Stamp,
    Scan,
    StampRunPrint,
    TransformationInput,
    Carton,
    AggregationChild,
)


def _state():
    return {
        model: [
            {k: str(v) for k, v in model_to_dict(row).items()}
            for row in model.objects.order_by("pk")
        ]
        for model in MODELS
    }


def _call(client, world, actor, query, variables):
    extra = {}
    if actor in world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[actor]}"
    elif world.users[actor] is not None:
        client.force_login(world.users[actor])
    body = json.dumps({"query": query, "variables": variables})
    payload = client.post("/graphql/", body, content_type="application/json", **extra).json()
    assert "errors" not in payload, payload
    return payload["data"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("mutation", list(CASES))
def test_permission_matrix(client, world, mutation, actor):
    query, variables, allowed, added = CASES[mutation]
    before = _state()
    result = _call(client, world, actor, query, variables(world))[mutation]
    after = _state()
    if actor in allowed:
        assert result["errors"] == []
        grown = {m: len(after[m]) - len(before[m]) for m in MODELS if after[m] != before[m]}
        assert grown == added
        if mutation == "stampRunCreate":
            assert len(result["pins"]) == 3
            assert all(p["url"].startswith("HTTP") and len(p["pin"]) >= 6 for p in result["pins"])
        if mutation == "stampRunPrint":
            # Queued: the test's transaction never commits, so the job is not published.
            assert result["print"] == {
                "layout": "a4-3x8",
                "link": "gs1",
                "state": "QUEUED",
                "total": 2,
                "pdfPath": None,
            }
    else:
        assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
        assert after == before
        assert {k: v for k, v in result.items() if k != "errors"} in (
            {"batch": None},
            {"event": None},
            {"event": None, "carton": None},
            {"run": None, "pins": None},
            {"print": None},
        )


@pytest.mark.parametrize(
    "mutation",
    [
        "provenanceEventRecord",
        "provenanceEventCorrect",
        "batchTransformationRecord",
        "cartonPack",
        "cartonUnpack",
    ],
)
def test_another_seller_cannot_record_in_its_own_name_on_a_producers_batch(client, world, mutation):
    # Naming its own business gets past the membership check; the batch is still not its to
    # annotate (no resale authorisation).
    query, variables, _allowed, _added = CASES[mutation]
    outsider = MembershipFactory(role=MembershipRole.OWNER)
    client.force_login(outsider.user)
    before = _state()
    arguments = {**variables(world), "business": to_global_id("Business", outsider.business.pk)}
    result = _call(client, world, "other_seller", query, arguments)[mutation]
    assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
    assert _state() == before


@pytest.mark.parametrize(
    "mutation",
    [
        "provenanceEventRecord",
        "provenanceEventCorrect",
        "batchTransformationRecord",
        "cartonPack",
        "cartonUnpack",
    ],
)
def test_a_member_cannot_act_in_the_name_of_a_business_it_does_not_belong_to(
    client, world, mutation
):
    # The producer's staff member names another business as the recorder, on the right batch:
    # only the recorder check can refuse it, and it does.
    query, variables, _allowed, _added = CASES[mutation]
    stranger = BusinessFactory(status=SellerStatus.ACTIVE)
    arguments = variables(world)
    arguments["business"] = to_global_id("Business", stranger.pk)
    before = _state()
    result = _call(client, world, "staff", query, arguments)[mutation]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("business", "PERMISSION_DENIED")
    ]
    assert _state() == before
