"""The public scan page: verdict first, certificate on the scan date, timeline, history,
anomalies, PIN form, where to buy; forged codes get a 404 that leaks nothing; rate limit."""

import datetime
import re

import pytest
from django.utils import timezone

from catalog.models import Certificate, RevocationGround
from core.ratelimit import FailureLimit
from marketplace.offers.models import OfferStatus
from sellers.models import SellerStatus
from tests.factories import (
    BusinessFactory,
    OfferFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    StockFactory,
    StockLocationFactory,
    province,
    revoke_certificate,
)
from tests.factories_places import point as point_of_sale
from tests.factories_traceability import event_for, past_scan, stamps_for, traced_product
from traceability import signing
from traceability.models import Scan, Stamp
from traceability.services import provenance_event_correct
from traceability.services import stamps as stamp_services

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def traced():
    return traced_product()


@pytest.fixture
def stamp(traced):
    _run, stamps, _pins = stamps_for(traced, 3)
    return stamps[0]


def _url(stamp) -> str:
    return f"/s/{signing.stamp_code(stamp)}/"


def _get(client, url, **extra):
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client.get(url, **extra)


def _verdict(html: str) -> str:
    return re.search(r'id="verdict"[^>]*data-verdict="([a-z_]+)"', html).group(1)


def _certificate_status(html: str) -> str:
    return re.search(r'id="certificate"[^>]*data-status="([a-z]+)"', html).group(1)


def test_genuine_stamp_with_valid_certificate(client, traced, stamp):
    response = _get(client, _url(stamp), HTTP_USER_AGENT="Zalo/1.0")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert _verdict(html) == "genuine"
    assert _certificate_status(html) == "active"
    assert html.index('id="verdict"') < html.index('id="certificate"') < html.index('id="timeline"')
    for text in (
        traced.product.name,
        traced.holder.name,
        "L2611-A",
        "01/11/2026",
        "01/11/2028",
        stamp.serial,
    ):
        assert text in html
    assert "This is the first time this code has been scanned." in html
    scan = Scan.objects.get()
    assert (scan.stamp_id, scan.verdict, scan.province, scan.latitude) == (
        stamp.pk,
        "genuine",
        None,
        None,
    )
    assert len(scan.device_hash) == 32 and "127.0.0.1" not in scan.device_hash
    stamp.refresh_from_db()
    assert (stamp.scan_count, stamp.first_scanned_at) == (1, scan.scanned_at)


def test_the_printed_uppercase_form_is_served_directly(client, stamp, settings):
    settings.SITE_URL = "https://ocop.example.vn"
    url = signing.stamp_url_short(stamp)
    assert url.startswith("HTTPS://OCOP.EXAMPLE.VN/S/")
    path = url.split("OCOP.EXAMPLE.VN", 1)[1]
    response = _get(client, path)
    assert response.status_code == 200
    assert _verdict(response.content.decode()) == "genuine"
    assert _get(client, path + "/").status_code == 200


def test_a_code_typed_in_lower_case_is_the_same_stamp(client, stamp, settings):
    settings.SITE_URL = "https://ocop.example.vn"
    code = signing.stamp_code(stamp)
    for path in (
        f"/s/{code.lower()}/",
        f"/S/{code.lower()}",
        f"/s/{code[:10].lower()}{code[10:]}/",
    ):
        response = _get(client, path)
        assert response.status_code == 200
        html = response.content.decode()
        assert _verdict(html) == "genuine"
        assert f'<link rel="canonical" href="https://ocop.example.vn/s/{code}/">' in html
    assert Scan.objects.filter(stamp=stamp).count() == 3
    # Only ASCII letters change case: a dotless ı is no I.
    assert _get(client, f"/s/{code.replace('I', 'ı')}/").status_code == (
        404 if "I" in code else 200
    )


def test_head_shows_without_recording_a_scan(client, stamp):
    response = client.head(_url(stamp))
    assert response.status_code == 200
    assert Scan.objects.count() == 0


def test_expired_certificate_is_shown_unmistakably(client, traced, stamp):
    Certificate.objects.filter(pk=traced.certificate.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = _get(client, _url(stamp)).content.decode()
    assert _verdict(html) == "genuine"  # the stamp is genuine; the stars are no longer valid
    assert _certificate_status(html) == "expired"
    assert "EXPIRED" in html


def test_revoked_certificate_shows_the_revocation(client, traced, stamp):
    assert _certificate_status(_get(client, _url(stamp)).content.decode()) == "active"
    revoke_certificate(certificate=traced.certificate, ground=RevocationGround.MARK_MISUSE)
    html = _get(client, _url(stamp)).content.decode()
    assert _certificate_status(html) == "revoked"
    assert 'data-ground="mark_misuse"' in html
    assert "REVOKED" in html


def test_forged_and_unknown_codes_get_the_same_404(client, stamp, traced):
    code = signing.stamp_code(stamp)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    # A perfectly signed serial that was never issued.
    unknown = signing.stamp_code_sign(serial="AAAAAAAAAAAAA")
    pages = []
    for candidate in (forged, unknown, "not-a-code"):
        response = _get(client, f"/s/{candidate}/")
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert _verdict(html) == "not_recognised"
        for secret in (traced.product.name, traced.holder.name, "L2611-A"):
            assert secret not in html
        pages.append(CSRF.sub("", html.replace(candidate, "CODE")))
    assert pages[0] == pages[1] == pages[2]
    assert Scan.objects.count() == 0


def test_a_stamp_signed_with_a_removed_key_is_not_recognised(client, traced, settings):
    settings.STAMP_SIGNING_KEYS = "A:old-secret-0123456789abcdef"
    _run, (old, *_), _pins = stamps_for(traced, 1)
    settings.STAMP_SIGNING_KEYS = "B:new-secret-0123456789abcdef,A:old-secret-0123456789abcdef"
    _run, (new, *_), _pins = stamps_for(traced, 1)
    assert (old.run.key_id, new.run.key_id) == ("A", "B")
    old_url, new_url = _url(old), _url(new)
    assert _get(client, old_url).status_code == 200
    settings.STAMP_SIGNING_KEYS = "B:new-secret-0123456789abcdef"
    assert _get(client, old_url).status_code == 404
    assert _get(client, new_url).status_code == 200


def test_scan_history_counts_and_names_the_first_place(client, stamp):
    past_scan(stamp, hours_ago=72, province_code="22")
    past_scan(stamp, hours_ago=48, province_code="22")
    response = _get(client, _url(stamp))
    html = response.content.decode()
    assert 'data-scan-count="3"' in html
    first_on = timezone.localtime(timezone.now() - datetime.timedelta(hours=72)).strftime(
        "%d/%m/%Y"
    )
    assert f"Scanned 3 times, first on {first_on}" in html
    assert f"in {province('22').name}" in html
    assert _verdict(html) == "genuine"


def test_many_scans_are_flagged(client, stamp, settings):
    settings.STAMP_MANY_SCANS = 3
    for hours in (40, 30, 20):
        past_scan(stamp, hours_ago=hours)
    html = _get(client, _url(stamp)).content.decode()
    assert _verdict(html) == "suspicious"
    assert 'data-anomaly="many_scans"' in html
    assert Scan.objects.order_by("-scanned_at").first().verdict == "suspicious"


def test_scans_in_two_provinces_within_hours_are_flagged(client, stamp):
    past_scan(stamp, hours_ago=2, province_code="22")
    other = province("01")
    html = _get(client, _url(stamp) + f"?province={other.slug}").content.decode()
    assert _verdict(html) == "suspicious"
    assert 'data-anomaly="far_apart"' in html
    assert other.name in html
    assert Scan.objects.order_by("-scanned_at").first().province == other


def test_same_provinces_days_apart_are_not_flagged(client, stamp):
    past_scan(stamp, hours_ago=72, province_code="01")
    past_scan(stamp, hours_ago=1, province_code="22")
    html = _get(client, _url(stamp) + "?province=" + province("22").slug).content.decode()
    assert _verdict(html) == "genuine"


def test_coordinates_are_rounded_and_distance_flags(client, stamp):
    # Hạ Long, then Hồ Chí Minh City one hour later.
    past_scan(stamp, hours_ago=1, latitude="21.0", longitude="107.1")
    html = _get(client, _url(stamp) + "?lat=10.77689&lng=106.70081").content.decode()
    scan = Scan.objects.order_by("-scanned_at").first()
    assert (str(scan.latitude), str(scan.longitude)) == ("10.8", "106.7")
    assert 'data-anomaly="far_apart"' in html


def test_bad_place_parameters_are_ignored(client, stamp):
    response = _get(client, _url(stamp) + "?lat=abc&lng=1e999&province=atlantis")
    assert response.status_code == 200
    scan = Scan.objects.get()
    assert (scan.province, scan.latitude, scan.longitude) == (None, None, None)


def test_timeline_shows_corrections_and_marks_the_corrected_event(client, traced, stamp):
    harvest = event_for(traced, step="harvesting", hours_ago=200, note="Mật ong hoa keo")
    packing = event_for(traced, step="packing", hours_ago=100, note="500 hũ")
    correction = provenance_event_correct(
        actor=traced.owner,
        business=traced.holder,
        event=packing,
        business_step="packing",
        event_time=packing.event_time,
        address=packing.address,
        note="480 hũ",
    )
    html = _get(client, _url(stamp)).content.decode()
    items = re.findall(r'data-event-id="(\d+)" data-corrected="(true|false)"', html)
    assert items == [
        (str(harvest.pk), "false"),
        (str(packing.pk), "true"),
        (str(correction.pk), "false"),
    ]
    assert f'data-corrected-by="{correction.pk}"' in html
    assert f'data-corrects="{packing.pk}"' in html
    assert "480 hũ" in html and "500 hũ" in html


def test_where_to_buy_lists_visible_offers_and_the_nearest_points_with_it(client, traced, stamp):
    own = OfferFactory(
        variant=traced.variant, seller=traced.holder, status=OfferStatus.PUBLISHED, price=180_000
    )
    shop = BusinessFactory(status=SellerStatus.ACTIVE, name="Trung tâm OCOP Hạ Long")
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    resold = OfferFactory(
        variant=traced.variant, seller=shop, status=OfferStatus.PUBLISHED, price=195_000
    )
    counter = point_of_sale(
        operator=shop, name="Quầy OCOP Bãi Cháy", latitude="20.958000", longitude="107.040000"
    )
    StockFactory(offer=resold, location=counter.location, quantity=4)
    hanoi = point_of_sale(
        operator=shop, name="Quầy OCOP Hoàn Kiếm", code="01", latitude="21.03", longitude="105.85"
    )
    StockFactory(offer=resold, location=hanoi.location, quantity=1)
    # A counter that is no point of sale, and a warehouse: never listed.
    StockFactory(offer=resold, location=StockLocationFactory(business=shop, kind="point_of_sale"))
    warehouse = StockLocationFactory(business=shop, kind="warehouse", name="Kho Cái Lân")
    StockFactory(offer=own, location=warehouse, quantity=50)
    hidden = OfferFactory(
        variant=ProductVariantFactory(product=traced.product),
        seller=traced.holder,
        status=OfferStatus.DRAFT,
    )

    def nearest(response):
        html = response.content.decode()
        section = html.split('id="nearest-points"')[1].split("</section>")[0]
        return re.findall(r'data-point="([\w-]+)"', section), section

    response = _get(client, _url(stamp))
    html = response.content.decode()
    assert re.findall(r'data-offer-id="(\d+)"', html) == [str(own.pk), str(resold.pk)]
    assert str(hidden.pk) not in re.findall(r'data-offer-id="(\d+)"', html)
    assert 'class="points-of-sale"' not in html  # the older list is gone: one list, the nearest
    # The producer's province (Quảng Ninh) first, then the province sent with the scan, which
    # the next scan (or product page) remembers.
    found, section = nearest(response)
    assert found == [counter.slug, hanoi.slug]
    assert "4 in stock" in section and 'class="open-state"' in section
    response = _get(client, _url(stamp) + "?province=ha-noi")
    assert nearest(response)[0] == [hanoi.slug, counter.slug]
    assert response.cookies["ocop_near"].value == "ha-noi"
    assert nearest(_get(client, _url(stamp)))[0] == [hanoi.slug, counter.slug]


def _page_queries(client, url, django_queries, expected):
    with django_queries(expected):
        response = _get(client, url)
    assert response.status_code == 200


# stamp (joined to batch, variant, product, holder, origin, certificate) · recent scans ·
# scan insert · counter update · first scan · certificate on the day · product photo ·
# timeline · lots it went into · offers · buy in person near you (as on the product page): the provinces to pick
# from, the (product, point, units) rows, those points, their hours, their exceptions.
SCAN_PAGE_QUERIES = 15


def test_scan_page_query_count_is_constant(client, traced, django_queries):
    _run, stamps, _pins = stamps_for(traced, 2)
    event_for(traced)
    own = OfferFactory(variant=traced.variant, seller=traced.holder, status=OfferStatus.PUBLISHED)
    StockFactory(offer=own, location=point_of_sale(operator=traced.holder).location, quantity=3)
    _page_queries(client, _url(stamps[0]), django_queries, SCAN_PAGE_QUERIES)
    for n in range(8):
        event_for(traced, step="shipping", hours_ago=n + 1)
        shop = BusinessFactory(status=SellerStatus.ACTIVE)
        ResaleAuthorizationFactory(product=traced.product, reseller=shop)
        offer = OfferFactory(variant=traced.variant, seller=shop, status=OfferStatus.PUBLISHED)
        StockFactory(
            offer=offer, location=StockLocationFactory(business=shop, kind="point_of_sale")
        )
        StockFactory(offer=offer, location=point_of_sale(operator=shop).location, quantity=2)
        past_scan(stamps[1], hours_ago=n + 1, province_code="22")
    _page_queries(client, _url(stamps[1]), django_queries, SCAN_PAGE_QUERIES)


def test_scans_are_rate_limited_per_client(client, stamp, monkeypatch):
    monkeypatch.setattr(
        stamp_services, "SCAN_PER_CLIENT", FailureLimit("stamp-scan-test", limit=3, window=60)
    )
    for _ in range(3):
        assert _get(client, _url(stamp)).status_code == 200
    response = _get(client, _url(stamp))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert 'id="rate-limited"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert Scan.objects.count() == 3
    # Another client is not affected; forged codes count too.
    assert _get(client, _url(stamp), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert _get(client, "/s/FORGED/", REMOTE_ADDR="198.51.100.1").status_code == 404


# --- PIN form ------------------------------------------------------------------------------------


@pytest.fixture
def pinned(traced):
    _run, stamps, pins = stamps_for(traced, 1, with_pin=True)
    return stamps[0], pins[stamps[0].serial]


def _pin_status(html: str) -> str:
    return re.search(r'data-pin-status="([a-z_]+)"', html).group(1)


def test_pin_form_first_success_then_already_verified(client, pinned):
    stamp, pin = pinned
    page = _get(client, _url(stamp)).content.decode()
    assert 'name="pin"' in page and "csrfmiddlewaretoken" in page
    response = client.post(_url(stamp), {"pin": pin}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert _pin_status(response.content.decode()) == "verified"
    assert "no-store" in response["Cache-Control"]
    again = client.post(_url(stamp), {"pin": pin}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _pin_status(again) == "already_verified"
    verified_on = timezone.localtime(Stamp.objects.get(pk=stamp.pk).pin_verified_at).strftime(
        "%d/%m/%Y"
    )
    assert f"Already verified on {verified_on}" in again
    assert Scan.objects.count() == 1  # PIN checks are not scans


def test_pin_of_a_code_typed_in_lower_case(client, pinned):
    stamp, pin = pinned
    path = f"/s/{signing.stamp_code(stamp).lower()}/"
    response = client.post(path, {"pin": pin}, HTTP_ACCEPT_LANGUAGE="en")
    assert _pin_status(response.content.decode()) == "verified"


def test_wrong_pin_says_so_and_offers_the_form_again(client, pinned):
    stamp, pin = pinned
    wrong = f"{(int(pin) + 1) % 10**8:08d}"
    html = client.post(_url(stamp), {"pin": wrong}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _pin_status(html) == "wrong"
    assert 'name="pin"' in html
    assert Stamp.objects.get(pk=stamp.pk).pin_verified_at is None


def test_pin_post_needs_csrf(pinned):
    from django.test import Client

    stamp, pin = pinned
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_url(stamp), {"pin": pin}).status_code == 403
    assert Stamp.objects.get(pk=stamp.pk).pin_verified_at is None


def test_pin_to_a_forged_code_is_not_recognised(client, pinned):
    stamp, pin = pinned
    code = signing.stamp_code(stamp)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.post(f"/s/{forged}/", {"pin": pin}).status_code == 404
    assert Stamp.objects.get(pk=stamp.pk).pin_verified_at is None


def test_stamp_without_pin_has_no_form(client, stamp):
    assert 'name="pin"' not in _get(client, _url(stamp)).content.decode()


def test_timeline_shows_the_time_where_the_event_happened(client, traced, stamp):
    hanoi_morning = datetime.datetime(
        2026, 11, 2, 6, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7))
    )
    tokyo = datetime.datetime(
        2026, 11, 3, 9, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
    )
    event_for(traced, step="harvesting", event_time=hanoi_morning)
    event_for(traced, step="receiving", event_time=tokyo)
    html = _get(client, _url(stamp)).content.decode()
    assert '<time datetime="2026-11-02T06:30:00+07:00">02/11/2026 06:30</time>' in html
    assert (
        '<time datetime="2026-11-03T09:15:00+09:00">03/11/2026 09:15</time> <span class="meta">(UTC+09:00)</span>'
        in html
    )
