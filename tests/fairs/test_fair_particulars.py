"""What a visitor sees of a fair's particulars set by its organiser: the cover image, the closed
days (Tết) as dates, the partner regions and programmes and the rules — on the fair's page, the
fair list, the Event JSON-LD and GraphQL."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories_fairs import FairFactory

pytestmark = pytest.mark.django_db

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _fair(**fields):
    today = timezone.localdate()
    return FairFactory(
        name="Hội chợ OCOP Xuân",
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=36),
        closed_days=[(today + datetime.timedelta(days=32)).isoformat()],
        partners=["OVOP Nhật Bản", "OTOP Thái Lan"],
        rules="Không bán hàng giả, hàng nhái.",
        cover=SimpleUploadedFile("xuan.gif", GIF, content_type="image/gif"),
        **fields,
    )


def _jsonld(body: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return [json.loads(block) for block in found]


def test_the_fair_page_shows_the_cover_closed_days_partners_and_rules(client):
    fair = _fair()
    body = client.get(fair.get_absolute_url()).content.decode()
    cover = f"/media/{fair.cover.name}"
    assert f'<img class="fair-cover" src="{cover}" alt="">' in body
    closed = fair.starts_on + datetime.timedelta(days=2)
    assert f"· Nghỉ vào {closed:%d/%m/%Y}</dd>" in body
    assert "OVOP Nhật Bản, OTOP Thái Lan" in body
    assert "Không bán hàng giả, hàng nhái." in body
    (event,) = _jsonld(body)
    assert event["image"] == event["url"].split("/hoi-cho/")[0] + cover
    listing = client.get("/hoi-cho/").content.decode()
    assert f'<img class="fair-card-cover" src="{cover}"' in listing


def test_a_fair_without_a_cover_has_no_image_anywhere(client):
    fair = FairFactory()
    body = client.get(fair.get_absolute_url()).content.decode()
    assert "fair-cover" not in body
    assert "image" not in _jsonld(body)[0]


def test_the_api_gives_the_cover_and_the_closed_days(client):
    fair = _fair()
    bare = FairFactory()
    query = """query ($a: String!, $b: String!) {
      a: fair(slug: $a) { coverUrl closedDays partners rules }
      b: fair(slug: $b) { coverUrl closedDays } }"""
    body = {"query": query, "variables": {"a": fair.slug, "b": bare.slug}}
    data = client.post("/graphql/", body, content_type="application/json").json()["data"]
    assert data["a"] == {
        "coverUrl": f"/media/{fair.cover.name}",
        "closedDays": [(fair.starts_on + datetime.timedelta(days=2)).isoformat()],
        "partners": ["OVOP Nhật Bản", "OTOP Thái Lan"],
        "rules": "Không bán hàng giả, hàng nhái.",
    }
    assert data["b"] == {"coverUrl": None, "closedDays": []}
