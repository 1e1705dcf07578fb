"""A fair's venue may be a point of sale of kind "fair and exhibition centre": its name, address
and coordinates then come from the point (one home) on the page, the JSON-LD, the .ics and the
API; the fair page links to the point's page; the demo links the Quảng Ninh fairs to the centre
when the points data has it."""

import json
import re

import pytest

from marketplace.fairs.calendar import fair_event_data, fair_ics
from marketplace.fairs.demo import demo_fairs_load
from marketplace.fairs.errors import FairError
from marketplace.fairs.models import Fair, FairStatus
from marketplace.fairs.services import fair_create, fair_update
from tests.factories import province
from tests.factories_fairs import FairFactory, organiser_member
from tests.factories_places import point

pytestmark = pytest.mark.django_db

CENTRE = "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh"


def centre(**fields):
    return point(
        name=CENTRE, kind="fair_centre", street="Trần Quốc Nghiễn", commune="Phường Hồng Gai",
        latitude="20.951234", longitude="107.083456", **fields,
    )  # fmt: skip


def test_a_fair_at_a_centre_takes_the_venue_from_the_point():
    organiser, user = organiser_member()
    hall = centre()
    fair = fair_create(
        organiser=organiser, actor=user, name="Hội chợ Hạ Long", venue_point=hall,
        venue_name="Nhà văn hoá", venue_address="Số 1", latitude="21.1", longitude="107.2",
        province=province("79"),
    )  # fmt: skip
    fair.refresh_from_db()
    # The fair's own venue fields are cleared and its province is the point's.
    assert (fair.venue_name, fair.venue_address, fair.latitude, fair.longitude) == (
        "",
        "",
        None,
        None,
    )
    assert fair.province.code == "22"
    venue = fair.venue
    assert (venue.name, venue.address, str(venue.latitude), str(venue.longitude)) == (
        CENTRE, "Trần Quốc Nghiễn, Phường Hồng Gai", "20.951234", "107.083456",
    )  # fmt: skip
    assert venue.point == hall
    assert fair.map_url == (
        "https://www.openstreetmap.org/?mlat=20.951234&mlon=107.083456#map=17/20.951234/107.083456"
    )
    data = fair_event_data(fair, url="https://cho-ocop.vn/hoi-cho/x/")
    assert data["location"]["name"] == CENTRE
    assert data["location"]["address"]["streetAddress"] == "Trần Quốc Nghiễn, Phường Hồng Gai"
    assert data["location"]["geo"] == {
        "@type": "GeoCoordinates", "latitude": 20.951234, "longitude": 107.083456,
    }  # fmt: skip
    fair.starts_on = fair.ends_on = fair.created_at.date()
    ics = fair_ics(fair, url="https://cho-ocop.vn/", host="cho-ocop.vn")
    assert "GEO:20.951234;107.083456\r\n" in ics
    # Unlinking asks for an address again.
    with pytest.raises(FairError) as refused:
        fair_update(fair=fair, actor=user, venue_point=None)
    assert (refused.value.field, refused.value.code) == ("venue_address", "required")
    fair = fair_update(fair=fair, actor=user, venue_point=None, venue_address="Số 1 Hạ Long")
    assert fair.venue == fair.venue.__class__("", "Số 1 Hạ Long", None, None)


def test_only_a_fair_and_exhibition_centre_can_be_the_venue():
    organiser, user = organiser_member()
    shop = point(kind="ocop_centre")
    with pytest.raises(FairError) as refused:
        fair_create(organiser=organiser, actor=user, name="Hội chợ", venue_point=shop,
                    province=province("22"))  # fmt: skip
    assert refused.value.field == "venue_point"
    assert str(refused.value.message) == (
        "Địa điểm chọn trong các điểm bán phải là trung tâm hội chợ, triển lãm."
    )
    assert not Fair.objects.exists()


def test_the_fair_page_links_to_the_point_and_the_api_gives_it(client):
    hall = centre()
    fair = FairFactory(status=FairStatus.PUBLISHED, venue_point=hall, venue_name="",
                       venue_address="", latitude=None, longitude=None)  # fmt: skip
    page = client.get(f"/hoi-cho/{fair.slug}/").content.decode()
    assert (
        f'<a href="/diem-ban/{hall.slug}/" data-venue-point>{CENTRE}</a>, '
        "Trần Quốc Nghiễn, Phường Hồng Gai, Tỉnh Quảng Ninh"
    ) in page
    listing = client.get("/hoi-cho/").content.decode()
    assert f'<p class="meta">{CENTRE}</p>' in listing
    query = """query($slug: String!) { fair(slug: $slug) {
        venueName venueAddress latitude longitude venuePoint { slug name } } }"""
    body = {"query": query, "variables": {"slug": fair.slug}}
    data = client.post("/graphql/", body, content_type="application/json").json()["data"]
    assert data == {
        "fair": {
            "venueName": CENTRE,
            "venueAddress": "Trần Quốc Nghiễn, Phường Hồng Gai",
            "latitude": "20.951234",
            "longitude": "107.083456",
            "venuePoint": {"slug": hall.slug, "name": CENTRE},
        }
    }
    jsonld = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    assert jsonld[0]["location"]["name"] == CENTRE


def test_the_demo_links_the_quang_ninh_fairs_to_the_centre_when_the_points_have_it():
    hall = centre(is_demo=True)
    demo_fairs_load()
    linked = Fair.objects.filter(venue_point=hall)
    assert linked.count() == 5
    assert set(linked.values_list("venue_address", flat=True)) == {""}
    # The food fair of spring 2026 was held elsewhere in Hạ Long: it keeps its own address.
    food = Fair.objects.get(name="Hội chợ OCOP và ẩm thực Quảng Ninh Xuân 2026")
    assert (food.venue_point, food.venue_address) == (None, "Hạ Long")
    assert not Fair.objects.filter(province__code="19", venue_point__isnull=False).exists()


def test_the_admin_offers_the_venue_point_and_settles_the_venue(admin_client, rf, admin_user):
    hall = centre()
    fair = FairFactory(venue_address="Số 1")
    page = admin_client.get(f"/admin/fairs/fair/{fair.pk}/change/").content.decode()
    assert 'name="venue_point"' in page
    from django.contrib.admin.sites import site

    from marketplace.fairs.admin import FairAdmin

    request = rf.get("/admin/")
    request.user = admin_user
    form_class = FairAdmin(Fair, site).get_form(request, fair)
    data = {
        field: value
        for field, value in form_class(instance=fair).initial.items()
        if value is not None and field in form_class.base_fields
    }
    data.update(venue_point=hall.pk, province=fair.province_id, organiser=fair.organiser_id)
    data["closed_days"] = "[]"
    data["partners"] = "[]"
    form = form_class(data, instance=fair)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert (saved.venue_point, saved.venue_address, saved.latitude) == (hall, "", None)
