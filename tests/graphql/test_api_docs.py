"""docs/API.md cannot rot: every example query in it runs against the schema and returns data."""

import json
import re
from pathlib import Path

import pytest

from sellers.services import api_token_create
from tests.factories_traceability import event_for, stamps_for, traced_product
from tests.support.graphql import GraphQLClient
from traceability import signing

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
EXAMPLE = re.compile(
    r"```graphql\n# example: (?P<name>[\w-]+)\n(?P<query>.*?)```\s*```json\n(?P<variables>.*?)```",
    re.DOTALL,
)


def examples() -> dict[str, tuple[str, dict]]:
    text = DOC.read_text(encoding="utf-8")
    found = {m["name"]: (m["query"], json.loads(m["variables"])) for m in EXAMPLE.finditer(text)}
    # Every graphql block is an example with variables (none is skipped by a typo).
    assert len(found) == text.count("```graphql")
    return found


def test_the_document_names_the_expected_examples():
    assert set(examples()) == {
        "certificate-lookup",
        "catalogue-sync",
        "stamp-verification",
        "token-my-offers",
        "token-batch-epcis",
    }


@pytest.fixture
def world(client):
    traced = traced_product()
    event_for(traced, step="harvesting")
    _run, stamps, _pins = stamps_for(traced)
    _token, raw = api_token_create(business=traced.holder, user=traced.owner, name="ERP")
    return traced, signing.stamp_code(stamps[0]), raw


def run(client, name: str, overrides: dict, **headers) -> dict:
    query, variables = examples()[name]
    return GraphQLClient(client, **headers)(query, {**variables, **overrides})


def test_certificate_lookup(client, world):
    traced, _, _ = world
    data = run(client, "certificate-lookup", {"number": traced.certificate.number})
    certificate = data["certificate"]
    assert certificate["number"] == traced.certificate.number
    assert certificate["product"]["name"] == "Mật ong rừng Tiên Yên"
    assert certificate["product"]["holder"]["province"]["code"] == "22"


def test_catalogue_sync_pages_through_the_province(client, world):
    traced, _, _ = world
    data = run(client, "catalogue-sync", {})
    page = data["products"]
    assert page["totalCount"] == 1
    assert page["pageInfo"]["hasNextPage"] is False
    node = page["edges"][0]["node"]
    assert node["name"] == traced.product.name
    assert node["currentCertificate"]["number"] == traced.certificate.number
    assert node["variants"][0]["gtin"] == traced.variant.gtin


def test_stamp_verification_records_nothing(client, world):
    traced, code, _ = world
    data = run(client, "stamp-verification", {"code": code})
    stamp = data["stamp"]
    assert stamp["verdict"] == "GENUINE"
    assert stamp["batch"]["lotCode"] == traced.batch.lot_code
    assert [e["businessStep"] for e in stamp["timeline"]] == ["HARVESTING"]
    assert traced.batch.stamp_runs.get().stamps.get().scans.count() == 0


def test_token_example_acts_for_the_token_business(client, world):
    traced, _, raw = world
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    first = GraphQLClient(client, **auth)("{ me { memberships { business { id name } } } }")
    business_id = first["me"]["memberships"][0]["business"]["id"]
    data = run(client, "token-my-offers", {"business": business_id}, **auth)
    assert data["me"]["memberships"][0]["business"]["name"] == traced.holder.name
    assert data["myOffers"]["totalCount"] == 0


@pytest.mark.usefixtures("world")
def test_the_token_example_with_an_unknown_token_is_refused(client):
    query, variables = examples()["token-my-offers"]
    response = GraphQLClient(client, HTTP_AUTHORIZATION="Bearer ocop_not-a-token").post(
        query, variables
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_token_batch_epcis(client, world):
    traced, _, raw = world
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    business_id = GraphQLClient(client, **auth)("{ me { memberships { business { id } } } }")
    business_id = business_id["me"]["memberships"][0]["business"]["id"]
    data = run(client, "token-batch-epcis", {"business": business_id}, **auth)
    node = data["batches"]["edges"][0]["node"]
    assert node["lotCode"] == traced.batch.lot_code
    document = json.loads(node["epcis"])
    assert document["type"] == "EPCISDocument"
    assert document["epcisBody"]["eventList"][0]["bizStep"].endswith("/bizstep/harvesting")
