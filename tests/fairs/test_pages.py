"""Visitor pages: /hoi-cho/ (groups, filters, JSON-LD, .ics), a fair's page (booth map,
exhibitors and their search, programme) in constant SQL, the map as SVG."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from marketplace.fairs.models import (
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    FairStatus,
    ProgrammeItem,
)
from marketplace.fairs.selectors import EXHIBITORS_PER_PAGE
from marketplace.fairs.services import booth_assign
from tests.factories import BusinessFactory, province, selling_product
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.fairs.helpers import applied

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_the_fair_list_groups_running_upcoming_and_past_and_filters(client):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    running = FairFactory(name="Hội chợ Đang", starts_on=today - day, ends_on=today + day,
                          applications_close_on=None, status=FairStatus.RUNNING)  # fmt: skip
    upcoming = FairFactory(name="Hội chợ Sắp", latitude="20.950000", longitude="107.080000")
    past = FairFactory(name="Hội chợ Cũ", starts_on=today - 40 * day, ends_on=today - 35 * day,
                       applications_close_on=None, status=FairStatus.FINISHED)  # fmt: skip
    FairFactory(name="Hội chợ Nháp", status=FairStatus.DRAFT)
    elsewhere = FairFactory(name="Hội chợ Thái Nguyên", province=province("19"),
                            starts_on=None, ends_on=None, applications_close_on=None,
                            status=FairStatus.PUBLISHED)  # fmt: skip
    body = client.get("/hoi-cho/").content.decode()
    assert "Hội chợ Nháp" not in body
    order = [body.index(f.name) for f in (running, upcoming, elsewhere, past)]
    assert order == sorted(order)
    events = {e["name"]: e for e in _jsonld(body)}
    assert sorted(events) == sorted(f.name for f in (running, upcoming, past, elsewhere))
    event = events[upcoming.name]
    assert event["@type"] == "Event"
    assert event["startDate"] == upcoming.starts_on.isoformat()
    assert event["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 20.95,
                                        "longitude": 107.08}  # fmt: skip
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    only = client.get("/hoi-cho/", {"tinh": province("19").slug}).content.decode()
    assert elsewhere.name in only and upcoming.name not in only
    month = client.get("/hoi-cho/", {"thang": past.starts_on.strftime("%Y-%m")}).content.decode()
    assert past.name in month and upcoming.name not in month


def test_the_ics_download_is_an_all_day_event(client):
    fair = FairFactory(name="Hội chợ OCOP, Hạ Long; hè", starts_on=datetime.date(2026, 4, 28),
                       ends_on=datetime.date(2026, 5, 3), applications_close_on=None)  # fmt: skip
    response = client.get(f"/hoi-cho/{fair.slug}/lich.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "DTSTART;VALUE=DATE:20260428" in lines
    assert "DTEND;VALUE=DATE:20260504" in lines
    assert "SUMMARY:Hội chợ OCOP\\, Hạ Long\\; hè" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    draft = FairFactory(status=FairStatus.DRAFT)
    assert client.get(f"/hoi-cho/{draft.slug}/lich.ics").status_code == 404


def test_the_ics_download_leaves_out_the_closed_days(client):
    from dateutil.rrule import rrulestr

    fair = FairFactory(starts_on=datetime.date(2027, 2, 3), ends_on=datetime.date(2027, 2, 9),
                       applications_close_on=None,
                       closed_days=["2027-02-06", "2027-02-05", "2027-03-01"])  # fmt: skip
    text = client.get(f"/hoi-cho/{fair.slug}/lich.ics").content.decode()
    lines = text.split("\r\n")
    assert "DTSTART;VALUE=DATE:20270203" in lines
    assert "DTEND;VALUE=DATE:20270204" in lines  # each instance is one day
    # Read as a calendar reads it: every day of the fair but the two closed ones within it.
    recurrence = "\n".join(
        line for line in lines if line.startswith(("DTSTART", "RRULE", "EXDATE"))
    )
    days = [moment.date() for moment in rrulestr(recurrence, forceset=True)]
    assert days == [datetime.date(2027, 2, d) for d in (3, 4, 7, 8, 9)]


def _fair_with_exhibitors(count: int, label: str = "HTX số"):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    zone = ZoneFactory(fair=fair, name="Cụm Tiên Yên", colour="#aa0000")
    other = ZoneFactory(fair=fair, name="Tỉnh bạn", kind="provinces", colour="#00aa00")
    for n in range(count):
        application = applied(fair=fair, name=f"{label} {n:03d}")
        booth = BoothFactory(zone=zone if n % 2 else other, code=f"B-{n + 1:02d}")
        booth_assign(application=application, booth=booth, actor=user)
    BoothFactory(zone=zone, code="C-01", status="blocked")
    return fair


def test_a_fair_page_costs_the_same_sql_for_two_or_ten_exhibitors(client, django_queries):
    small, large = _fair_with_exhibitors(2, "HTX nhỏ"), _fair_with_exhibitors(10, "HTX lớn")
    client.get(f"/hoi-cho/{small.slug}/")  # sessions, site caches warmed
    # fair, zones, booths, assignments with their sellers, products brought with their stars
    # in force, programme (its certificates only when it has items: test_the_programme_…).
    with django_queries(6):
        small_body = client.get(f"/hoi-cho/{small.slug}/").content.decode()
    with django_queries(6):
        large_body = client.get(f"/hoi-cho/{large.slug}/").content.decode()
    assert small_body.count('class="exhibitor"') == 2
    assert large_body.count('class="exhibitor"') == 10
    # The map alone names exhibitors, not their products: fair, zones, booths, assignments.
    with django_queries(4):
        client.get(f"/hoi-cho/{large.slug}/so-do.svg")


def _fair_in_bulk(booths: int, exhibitors: int):
    """A fair of ``booths`` booths in four zones, ``exhibitors`` of them assigned, each
    exhibitor bringing the same five certified products (bulk-created: what the page reads,
    not how it got there)."""
    fair = FairFactory()
    zones = [ZoneFactory(fair=fair, name=f"Khu {n}", colour=f"#0000{n}0") for n in range(4)]
    rows = Booth.objects.bulk_create(
        Booth(
            fair=fair,
            zone=zones[n % 4],
            code=f"A-{n + 1:03d}",
            area_m2=9,
            x=(n % 20) * 3,
            y=(n // 20) * 4,
            width=3,
            height=3,
        )
        for n in range(booths)
    )
    offers = [selling_product()[2][0] for _ in range(5)]
    applications = ExhibitorApplication.objects.bulk_create(
        ExhibitorApplication(fair=fair, seller=BusinessFactory(), status="accepted")
        for _ in range(exhibitors)
    )
    for application in applications:
        application.offers.set(offers)
    BoothAssignment.objects.bulk_create(
        BoothAssignment(booth=booth, application=application)
        for booth, application in zip(rows, applications, strict=False)
    )
    return fair


def test_a_fair_page_of_300_booths_costs_the_sql_of_one_of_10(client, django_queries):
    small, large = _fair_in_bulk(10, 3), _fair_in_bulk(300, 60)
    client.get(f"/hoi-cho/{small.slug}/")  # sessions, site caches warmed
    for fair, booths, exhibitors in ((small, 10, 3), (large, 300, 60)):
        with django_queries(6):
            body = client.get(f"/hoi-cho/{fair.slug}/").content.decode()
        assert body.count('class="booth booth-') == booths
        # The list shows a page of exhibitors, with the products they bring.
        shown = min(exhibitors, EXHIBITORS_PER_PAGE)
        assert body.count('class="exhibitor"') == shown
        assert body.count('</a> <span class="stars"') == 5 * shown
        with django_queries(4):
            svg = client.get(f"/hoi-cho/{fair.slug}/so-do.svg").content.decode()
        assert svg.count("<rect ") == booths
        # A search: the fair, its exhibitors each marked found or not, the products of the
        # page shown of those found with their stars — no zones, booths or programme.
        with django_queries(3):
            found = client.get(f"/hoi-cho/{fair.slug}/", {"q": "htx", "sao": "3"}).content
        assert found.decode().count('class="exhibitor"') == min(exhibitors, EXHIBITORS_PER_PAGE)
        assert 'class="booth booth-' not in found.decode()


def test_the_booth_map_draws_each_booth_coloured_by_zone_linking_to_its_exhibitor(client):
    fair = _fair_with_exhibitors(2)
    body = client.get(f"/hoi-cho/{fair.slug}/").content.decode()
    assert body.count(f'<a href="/hoi-cho/{fair.slug}/#booth-') == 3
    assert f'href="/hoi-cho/{fair.slug}/#booth-B-02" class="booth booth-assigned"' in body
    assert 'fill="#aa0000"' in body and 'fill="#00aa00"' in body
    assert 'id="booth-B-02"' in body  # the exhibitor entry the booth links to
    assert "HTX số 001" in body
    svg = client.get(f"/hoi-cho/{fair.slug}/so-do.svg")
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    text = svg.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'href="/hoi-cho/{fair.slug}/#booth-B-01"' in text
    # The booth names its exhibitor; the products are in the exhibitor list it links to.
    assert "<title>B-01 · HTX số 000</title>" in text
    assert "★" not in text


def _searcher(client, fair):
    """``found(**params)``: the names of the exhibitors a search of ``fair`` lists."""

    def found(**params):
        body = client.get(f"/hoi-cho/{fair.slug}/", params).content.decode()
        return re.findall(r'class="exhibitor" id="exhibitor-\d+">.*?>(HTX số \d+)</a>', body, re.S)

    return found


def test_exhibitors_are_searched_by_name_product_province_and_stars(client):
    fair = _fair_with_exhibitors(3)
    found = _searcher(client, fair)

    assert found(q="htx so 001") == ["HTX số 001"]
    assert found(q="xyz") == []
    assert found(tinh=province("22").name) == ["HTX số 000", "HTX số 001", "HTX số 002"]
    assert found(tinh=province("01").name) == []
    assert found(sao="3") == ["HTX số 000", "HTX số 001", "HTX số 002"]
    assert found(sao="5") == []
    assert found(q="quang ninh", sao="3") == ["HTX số 000", "HTX số 001", "HTX số 002"]
    assert found(q="htx 002 ninh") == ["HTX số 002"]  # words from the name and the province


def test_an_exhibitor_is_found_by_a_product_it_brings_with_its_stars(client):
    fair = _fair_with_exhibitors(2)
    starred = ExhibitorApplication.objects.get(fair=fair, seller__name="HTX số 001")
    offer = starred.offers.get()
    product = offer.variant.product
    product.name, product.name_folded = "Chả mực Hạ Long", "cha muc ha long"
    product.save(update_fields=["name", "name_folded"])
    product.certificates.update(stars=5)
    found = _searcher(client, fair)

    assert found(q="Chả mực") == ["HTX số 001"]
    assert found(q="cha muc ha long") == ["HTX số 001"]
    assert found(q="cha muc xyz") == []
    assert found(sao="5") == ["HTX số 001"]  # the others bring ★4 products
    assert found(sao="4") == ["HTX số 000", "HTX số 001"]
    assert found(q="cha muc", sao="5") == ["HTX số 001"]
    assert found(q="htx so 000", sao="5") == []
    product.certificates.update(status="revoked")  # no longer in force: no stars to find
    assert found(sao="4") == ["HTX số 000"]
    assert found(q="cha muc") == ["HTX số 001"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_reads_the_fair_index_until_a_committed_write_changes_it(client, django_queries):
    # Committed, as in production (other tests write inside their test transaction, where
    # every search builds the index afresh).
    fair = _fair_with_exhibitors(2)
    found = _searcher(client, fair)
    assert found(q="htx so 001") == ["HTX số 001"]  # builds the index
    with django_queries(2):  # the fair and the catalogue token: no exhibitor or product
        assert found(q="htx so 000") == ["HTX số 000"]
    with django_queries(2):
        assert found(sao="4") == ["HTX số 000", "HTX số 001"]
    product = ExhibitorApplication.objects.get(fair=fair, seller__name="HTX số 001")
    product = product.offers.get().variant.product
    product.name, product.name_folded = "Chả mực Hạ Long", "cha muc ha long"
    product.save(update_fields=["name", "name_folded"])
    assert found(q="cha muc") == ["HTX số 001"]
    product.certificates.update(status="revoked")
    assert found(sao="4") == ["HTX số 000"]
    organiser_user = fair.organiser.memberships.get().user
    booth_assign(
        application=applied(fair=fair, name="HTX số 002"),
        booth=BoothFactory(zone=fair.zones.first(), code="B-03"),
        actor=organiser_user,
    )
    assert found(q="htx") == ["HTX số 000", "HTX số 001", "HTX số 002"]


def test_a_search_lists_the_exhibitors_found_alone_linking_back_to_the_map(client):
    fair = _fair_with_exhibitors(3)
    body = client.get(f"/hoi-cho/{fair.slug}/", {"q": "htx so 001"}).content.decode()
    # The found exhibitor with its booth and its product with stars, the form with every
    # exhibitor's province, how many exhibit in all and a link back to the map.
    assert body.count('class="exhibitor"') == 1
    assert 'id="booth-B-02" class="booth-code" style="border-color: #aa0000"' in body
    assert body.count('</a> <span class="stars"') == 1
    assert f"<option selected>{province('22').name}</option>" not in body
    assert f"<option>{province('22').name}</option>" in body
    assert "3 đơn vị tham gia" in body
    assert "Tìm thấy 1 đơn vị tham gia" in body
    assert f'<a href="/hoi-cho/{fair.slug}/#booth-map" data-all-exhibitors>' in body
    assert "<svg" not in body and 'class="zone-legend"' not in body
    page = client.get(f"/hoi-cho/{fair.slug}/").content.decode()
    assert "<svg" in page and "data-all-exhibitors" not in page


def test_a_search_costs_the_same_sql_for_two_or_ten_exhibitors(client, django_queries):
    small, large = _fair_with_exhibitors(2, "HTX nhỏ"), _fair_with_exhibitors(10, "HTX lớn")
    client.get(f"/hoi-cho/{small.slug}/")  # sessions, site caches warmed
    for fair, count in ((small, 2), (large, 10)):
        for params in ({"q": "htx"}, {"q": "htx so"}, {"tinh": province("22").name}, {"sao": 3}):
            with django_queries(3):
                body = client.get(f"/hoi-cho/{fair.slug}/", params).content.decode()
            assert body.count('class="exhibitor"') == count, params


def test_the_programme_lists_certificates_announced_at_the_fair(client):
    fair = _fair_with_exhibitors(1)
    certificate = fair.applications.get().offers.get().variant.product.certificates.get()
    item = ProgrammeItem.objects.create(
        fair=fair, title="39 sản phẩm đạt 4 sao công bố tại lễ khai mạc"
    )
    item.certificates.add(certificate)
    body = client.get(f"/hoi-cho/{fair.slug}/").content.decode()
    assert "39 sản phẩm đạt 4 sao công bố tại lễ khai mạc" in body
    assert f"/chung-nhan/{certificate.number}/" in body or certificate.number in body


def test_drafts_are_not_shown(client):
    assert client.get(f"/hoi-cho/{FairFactory(status=FairStatus.DRAFT).slug}/").status_code == 404


def test_public_fairs_are_in_the_sitemap(client):
    fair = FairFactory()
    draft = FairFactory(status=FairStatus.DRAFT)
    body = client.get("/sitemap-fairs.xml").content.decode()
    assert f"/hoi-cho/{fair.slug}/" in body
    assert f"/hoi-cho/{draft.slug}/" not in body


def test_product_and_seller_pages_show_the_fairs_where_they_have_a_booth(client):
    fair = _fair_with_exhibitors(1, label="HTX hội chợ")
    application = fair.applications.get()
    product = application.offers.get().variant.product
    past = FairFactory(name="Hội chợ đã qua", starts_on=timezone.localdate() - datetime.timedelta(days=9),
                       ends_on=timezone.localdate() - datetime.timedelta(days=8),
                       applications_close_on=None, status=FairStatus.FINISHED)  # fmt: skip
    for url in (f"/san-pham/{product.slug}/", f"/nguoi-ban/{application.seller.slug}/"):
        body = client.get(url).content.decode()
        assert "Tại hội chợ" in body
        assert f'Tại gian hàng B-01, <a href="/hoi-cho/{fair.slug}/">{fair.name}</a>' in body
        assert past.name not in body
    other, _certificate, _offers = selling_product()
    assert "Tại hội chợ" not in client.get(f"/san-pham/{other.slug}/").content.decode()


def test_a_search_finding_many_exhibitors_shows_them_a_page_at_a_time(client, django_queries):
    fair = _fair_in_bulk(80, 64)
    params = {"q": "htx", "sao": "3"}
    first = client.get(f"/hoi-cho/{fair.slug}/", params, HTTP_ACCEPT_LANGUAGE="en").content
    first = first.decode()
    assert "64 exhibitors found" in first
    assert first.count('class="exhibitor"') == EXHIBITORS_PER_PAGE == 30
    assert '<a rel="next" href="?q=htx&amp;sao=3&amp;page=2">' in first
    pages = [first]
    for number in (2, 3):
        with django_queries(3):
            pages.append(
                client.get(f"/hoi-cho/{fair.slug}/", {**params, "page": number}).content.decode()
            )
    assert [page.count('class="exhibitor"') for page in pages] == [30, 30, 4]
    ids = [re.findall(r'class="exhibitor" id="exhibitor-(\d+)"', page) for page in pages]
    assert len({i for page_ids in ids for i in page_ids}) == 64  # each exhibitor on one page
    # A page number out of range shows the last page, not an error.
    last = client.get(f"/hoi-cho/{fair.slug}/", {**params, "page": "99"}).content.decode()
    assert re.findall(r'class="exhibitor" id="exhibitor-(\d+)"', last) == ids[2]


def test_the_fair_page_lists_exhibitors_a_page_at_a_time_and_the_map_links_to_each_page(
    client, django_queries
):
    fair = _fair_in_bulk(80, 64)
    url = f"/hoi-cho/{fair.slug}/"
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "64 exhibitors" in first
    assert first.count('class="exhibitor"') == EXHIBITORS_PER_PAGE == 30
    assert '<a rel="next" href="?page=2">' in first
    # Every booth is on the map of every page; one whose exhibitor is listed on another page
    # links to that page. Booths A-001…A-064 are assigned in order, A-065… are free.
    assert first.count('class="booth booth-') == 80
    assert f'<a href="{url}#booth-A-030" class="booth ' in first
    assert f'<a href="{url}?page=2#booth-A-031" class="booth ' in first
    assert f'<a href="{url}?page=3#booth-A-064" class="booth ' in first
    assert f'<a href="{url}#booth-A-065" class="booth ' in first
    assert 'id="booth-A-030"' in first and 'id="booth-A-031"' not in first
    with django_queries(6):
        second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="exhibitor"') == 30
    assert 'id="booth-A-031"' in second and 'id="booth-A-061"' not in second
    assert second.count('</a> <span class="stars"') == 5 * 30
    third = client.get(url, {"page": 3}).content.decode()
    assert third.count('class="exhibitor"') == 4
    # Out of range: the last page, not an error.
    last = client.get(url, {"page": 99}).content.decode()
    assert re.findall(r'id="exhibitor-\d+"', last) == re.findall(r'id="exhibitor-\d+"', third)
    svg = client.get(f"{url}so-do.svg").content.decode()
    assert f'href="{url}?page=3#booth-A-064"' in svg
