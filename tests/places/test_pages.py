"""Buyers' pages: /diem-ban/ (filters, near me, open now; constant SQL) and a point's page."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.offers.models import Stock
from marketplace.places.hours import VIETNAM
from marketplace.places.models import PointOfSale
from tests.factories import revoke_certificate, selling_product
from tests.factories_places import point

pytestmark = pytest.mark.django_db
LIST = reverse("places:point_list")
T = datetime.time


def names(response) -> list[str]:
    return re.findall(
        r'<h3><a href="/diem-ban/[\w-]+/">([^<]+)</a></h3>', response.content.decode()
    )


def stocked(target, *, quantity=5, **product_kwargs):
    """A certified product of the point's operator with ``quantity`` units at the point."""
    product, certificate, (offer,) = selling_product(
        holder=target.location.business, **product_kwargs
    )
    Stock.objects.create(offer=offer, location=target.location, quantity=quantity)
    return product, certificate, offer


def test_list_filters_by_kind_province_and_product(client):
    centre = point(name="Trung tâm A", code="22")
    kiosk = point(name="Ki-ốt B", kind="bus_station", code="01", latitude="21.0", longitude="105.8")
    product, _c, _o = stocked(centre, name="Mật ong Ba Chẽ")
    assert names(client.get(LIST)) == ["Ki-ốt B", "Trung tâm A"]
    assert names(client.get(LIST, {"kind": "bus_station"})) == ["Ki-ốt B"]
    assert names(client.get(LIST, {"province": "ha-noi"})) == ["Ki-ốt B"]
    assert names(client.get(LIST, {"product": product.slug, "in_stock": "on"})) == ["Trung tâm A"]
    Stock.objects.filter(location=centre.location).update(quantity=0)
    assert names(client.get(LIST, {"product": product.slug, "in_stock": "on"})) == []
    # A bad filter value is dropped, never a 500.
    assert client.get(LIST, {"kind": "castle", "lat": "999"}).status_code == 200
    assert kiosk.slug in client.get(LIST).content.decode()


def test_near_me_orders_by_distance_and_shows_it(client):
    point(name="Xa", latitude="21.100000", longitude="105.800000", code="01")
    point(name="Gần", latitude="21.010000", longitude="105.800000", code="01")
    point(name="Ngoài bán kính", latitude="22.000000", longitude="105.800000", code="01")
    response = client.get(LIST, {"lat": "21.000000", "lng": "105.800000", "radius": "50"})
    assert names(response) == ["Gần", "Xa"]
    body = response.content.decode()
    assert "1,1 km" in body and "11,1 km" in body


def test_open_now_filter(client):
    point(name="Luôn mở", hours=[(day, T(0), T(0)) for day in range(7)])
    point(name="Không bao giờ mở", hours=[])
    assert names(client.get(LIST, {"open_now": "on"})) == ["Luôn mở"]


def test_suspended_and_closed_points_are_hidden(client):
    hidden = point(name="Bị đình chỉ")
    hidden.suspended_at = timezone.now()
    hidden.save()
    closed = point(name="Đã đóng")
    closed.status = "closed"
    closed.save()
    assert names(client.get(LIST)) == []
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("count", [2, 10])
def test_list_costs_constant_sql(client, django_assert_num_queries, count):
    for n in range(count):
        created = point(latitude=f"{21 + n / 1000:.6f}", longitude="105.800000", code="01")
        stocked(created, name=f"Sản phẩm {count}-{n}")
    client.get(LIST)  # warm the session and framework caches
    # The filter's product sets (the current framework), the product-set choices, the ids and
    # coordinates in the box, the points with their location, hours, exceptions, the communes
    # for the "nearest to a place" list and its provinces.
    with django_assert_num_queries(8):
        response = client.get(LIST, {"lat": "21.0", "lng": "105.8", "in_stock": "on"})
    assert len(names(response)) == count


def test_point_page_shows_stock_hours_and_json_ld(client):
    target = point(
        name="Trung tâm OCOP Hạ Long",
        hours=[(0, T(8), T(11, 30)), (0, T(13, 30), T(21))],
        phone="0203 3846 123",
    )
    product, certificate, _offer = stocked(target, name="Chả mực Hạ Long", quantity=7)
    shown, _c2, _o2 = selling_product(name="Ngọc trai Hạ Long")
    target.displayed_products.set([shown, product])
    response = client.get(target.get_absolute_url())
    body = response.content.decode()
    in_stock = body.split('id="in-stock"')[1].split('id="displayed"')[0]
    assert "Chả mực Hạ Long" in in_stock and "còn 7" in in_stock
    displayed = body.split('id="displayed"')[1]
    assert "Ngọc trai Hạ Long" in displayed and "Chả mực Hạ Long" not in displayed
    assert "08:00–11:30, 13:30–21:00" in body
    assert "https://www.openstreetmap.org/directions?to=20.950000%2C107.080000" in body
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', body).group(1)
    )
    assert (data["@type"], data["name"], data["telephone"], data["geo"]["latitude"]) == (
        "Store",
        "Trung tâm OCOP Hạ Long",
        "+842033846123",
        20.95,
    )
    assert data["openingHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Monday",
        "opens": "08:00",
        "closes": "11:30",
    }
    # The certificate is revoked: the product leaves the point at once.
    revoke_certificate(certificate=certificate, ground="false_dossier")
    assert (
        "Chả mực Hạ Long"
        not in client.get(target.get_absolute_url())
        .content.decode()
        .split('id="in-stock"')[1]
        .split('id="displayed"')[0]
    )


@pytest.mark.parametrize("count", [1, 6])
def test_point_page_costs_constant_sql(client, django_assert_num_queries, count):
    target = point()
    for n in range(count):
        stocked(target, name=f"Hàng {count}-{n}")
    client.get(target.get_absolute_url())
    # The id; the point, its hours and exceptions; the stock; displayed products; the photos.
    with django_assert_num_queries(7):
        client.get(target.get_absolute_url())


def test_sitemap_lists_points(client):
    target = point()
    assert PointOfSale.objects.count() == 1
    body = client.get("/sitemap-points.xml").content.decode()
    assert target.get_absolute_url() in body


def test_product_page_links_to_points_with_it_in_stock(client):
    target = point()
    product, _certificate, _offer = stocked(target, name="Nước mắm Cái Rồng")
    body = client.get(reverse("catalog:product_detail", args=[product.slug])).content.decode()
    link = f'href="/diem-ban/?product={product.slug}&amp;in_stock=on">Mua trực tiếp ở đâu</a>'
    assert link in body
    assert names(client.get(LIST, {"product": product.slug, "in_stock": "on"})) == [target.name]


def test_nearest_to_a_picked_province_or_commune(client):
    # Hạ Long (Quảng Ninh's centre, 20.9517, 107.08): the near one first; Sài Gòn's too far.
    point(name="Cẩm Phả", latitude="21.010000", longitude="107.290000", commune="Cẩm Phả")
    point(name="Bãi Cháy", latitude="20.958000", longitude="107.040000", commune="Bãi Cháy")
    point(name="Bến Thành", latitude="10.772000", longitude="106.698000", code="79")
    response = client.get(LIST, {"near": "quang-ninh"})
    assert names(response) == ["Bãi Cháy", "Cẩm Phả"]
    body = response.content.decode()
    assert "4,2 km" in body and "Gần nhất trước, tính từ trung tâm Tỉnh Quảng Ninh." in body
    assert '<option value="Bãi Cháy">' in body
    # A commune (typed without diacritics): the middle of the points there.
    response = client.get(LIST, {"near": "quang-ninh", "commune": "cam pha"})
    assert names(response) == ["Cẩm Phả", "Bãi Cháy"]
    assert "0,0 km" in response.content.decode()
    # An unknown commune falls back to the province's centre and says so.
    body = client.get(LIST, {"near": "quang-ninh", "commune": "Atlantis"}).content.decode()
    assert "không có điểm bán nào ở xã/phường “Atlantis”" in body
    # The browser's position wins over a picked province.
    response = client.get(LIST, {"near": "quang-ninh", "lat": "10.7769", "lng": "106.7009"})
    assert names(response) == ["Bến Thành"]


def test_product_page_lists_the_nearest_points_with_it_in_stock(client, django_assert_num_queries):

    far = point(name="Quầy Cẩm Phả", latitude="21.010000", longitude="107.290000")
    product, _certificate, offer = stocked(far, name="Chả mực Hạ Long")
    near = point(
        name="Quầy Bãi Cháy",
        latitude="20.958000",
        longitude="107.040000",
        operator=far.location.business,
    )
    Stock.objects.create(offer=offer, location=near.location, quantity=2)
    point(name="Hết hàng", latitude="20.950000", longitude="107.080000")  # nothing of it
    url = reverse("catalog:product_detail", args=[product.slug])

    def nearest(response):
        section = response.content.decode().split('id="nearest-points"')[1].split("</section>")[0]
        return re.findall(r'<a href="/diem-ban/[\w-]+/">([^<]+)</a>', section), section

    # No place given: from the holder's province (Quảng Ninh, the factories' default).
    found, section = nearest(client.get(url))
    assert found == ["Quầy Bãi Cháy", "Quầy Cẩm Phả"]
    assert "trung tâm Tỉnh Quảng Ninh" in section and "còn 2" in section
    # The browser's position (on a click), then a picked province.
    found, _section = nearest(client.get(url, {"lat": "21.01", "lng": "107.29"}))
    assert found == ["Quầy Cẩm Phả", "Quầy Bãi Cháy"]
    found, section = nearest(client.get(url, {"near": "ha-noi"}))
    assert found == ["Quầy Bãi Cháy", "Quầy Cẩm Phả"]
    assert "trung tâm Thành phố Hà Nội" in section


@pytest.mark.parametrize("count", [2, 10])
def test_nearest_points_cost_constant_sql(client, django_assert_num_queries, count):
    first = point()
    product, _certificate, offer = stocked(first, name=f"Mật ong {count}")
    for n in range(count - 1):
        other = point(operator=first.location.business, latitude=f"{20.9 + n / 100:.6f}")
        Stock.objects.create(offer=offer, location=other.location, quantity=1)
    url = reverse("catalog:product_detail", args=[product.slug])
    client.get(url, {"near": "ha-noi"})
    with django_assert_num_queries(NEAREST_PAGE_QUERIES):
        body = client.get(url, {"near": "ha-noi"}).content.decode()
    assert body.split('id="nearest-points"')[1].count('class="point"') == min(count, 3)


# The whole product page (built: the test's writes are not committed, so nothing is cached:
# tests/storefront/test_product_offers.py's QUERIES, less "buy in person near you"); the
# section's share: the provinces, the (product, point, units) rows in the box, those points,
# their hours and their exceptions.
NEAREST_PAGE_QUERIES = 12


def _nearest_section(response) -> tuple[list[str], str]:
    section = response.content.decode().split('id="nearest-points"')[1].split("</section>")[0]
    return re.findall(r'<a href="/diem-ban/[\w-]+/">([^<]+)</a>', section), section


# A cache hit of the product page is two catalogue-version reads: the page (which keeps the
# provinces and the points stocking the product for its "buy in person near you" hole), then in
# the hole the nearest points from the chosen province.
CACHED_PRODUCT_PAGE_QUERIES = 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cached_product_page_follows_the_chosen_place_and_the_clock(
    client, django_assert_num_queries
):
    bai_chay = point(name="Quầy Bãi Cháy", latitude="20.958000", longitude="107.040000")
    product, _certificate, offer = stocked(bai_chay, name="Chả mực Hạ Long")
    hoan_kiem = point(
        name="Quầy Hoàn Kiếm",
        code="01",
        latitude="21.030000",
        longitude="105.850000",
        operator=bai_chay.location.business,
        hours=[(day, T(7), T(22)) for day in range(7)],
    )
    Stock.objects.create(offer=offer, location=hoan_kiem.location, quantity=3)
    url = reverse("catalog:product_detail", args=[product.slug])
    # Monday 7 December 2026 in Vietnam: 07:30 (only Hoàn Kiếm open), then 21:00 (the same).
    morning = datetime.datetime(2026, 12, 7, 7, 30, tzinfo=VIETNAM)
    evening = datetime.datetime(2026, 12, 7, 21, 0, tzinfo=VIETNAM)

    with mock.patch("django.utils.timezone.now", return_value=morning):
        # Nothing chosen: from the holder's province, Quảng Ninh.
        found, section = _nearest_section(client.get(url))
        assert found == ["Quầy Bãi Cháy", "Quầy Hoàn Kiếm"]
        assert "trung tâm Tỉnh Quảng Ninh" in section
        # A province picked on the page: listed from there, and remembered in a cookie.
        response = client.get(url, {"near": "ha-noi"})
        found, section = _nearest_section(response)
        assert found == ["Quầy Hoàn Kiếm", "Quầy Bãi Cháy"]
        assert response.cookies["ocop_near"].value == "ha-noi"
        assert "trung tâm Thành phố Hà Nội" in section
        assert section.count("Đang mở cửa") == 1 and "đến 22:00" in section
        assert section.count("Đang đóng cửa") == 1 and "mở cửa Thứ Hai 07/12 08:00" in section
        # The same page from the cache for the remembered choice: only the hole is per visitor.
        with django_assert_num_queries(CACHED_PRODUCT_PAGE_QUERIES):
            found, _section = _nearest_section(client.get(url))
        assert found == ["Quầy Hoàn Kiếm", "Quầy Bãi Cháy"]
    with (
        mock.patch("django.utils.timezone.now", return_value=evening),
        django_assert_num_queries(CACHED_PRODUCT_PAGE_QUERIES),
    ):
        found, section = _nearest_section(client.get(url))
    assert found == ["Quầy Hoàn Kiếm", "Quầy Bãi Cháy"]
    assert section.count("Đang mở cửa") == 1 and "đến 22:00" in section
    assert "mở cửa Thứ Ba 08/12 08:00" in section
    # The browser's position, rounded into the cookie; a new visitor still gets the default.
    response = client.get(url, {"lat": "20.9581234", "lng": "107.0412345"})
    assert response.cookies["ocop_near"].value == "20.958,107.041"
    found, section = _nearest_section(response)
    assert found == ["Quầy Bãi Cháy", "Quầy Hoàn Kiếm"] and "vị trí của bạn" in section
    client.cookies.clear()
    assert "trung tâm Tỉnh Quảng Ninh" in _nearest_section(client.get(url))[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cached_product_page_of_a_product_no_point_stocks_is_one_query(
    client, django_assert_num_queries
):
    """The page keeps the provinces and the (no) points stocking the product for its hole: a
    hit reads only the catalogue version, whatever place is chosen, and still offers the
    province picker; stock arriving at a point shows at once (the page's entry is the
    product's)."""
    product, _certificate, (offer,) = selling_product(name="Trà Shan tuyết")
    url = reverse("catalog:product_detail", args=[product.slug])
    client.get(url)
    for params in ({}, {"lat": "21.03", "lng": "105.85"}, {"near": "ha-noi"}):
        with django_assert_num_queries(1):
            _found, section = _nearest_section(client.get(url, params))
        assert "Chưa có điểm bán nào gần đây còn hàng sản phẩm này." in section
        assert '<option value="ha-noi"' in section
    assert 'value="ha-noi" selected' in _nearest_section(client.get(url))[1]
    shop = point(
        name="Quầy Hoàn Kiếm",
        latitude="21.030000",
        longitude="105.850000",
        operator=offer.seller,
    )
    Stock.objects.create(offer=offer, location=shop.location, quantity=0)
    assert _nearest_section(client.get(url))[0] == []
    Stock.objects.filter(offer=offer).update(quantity=4)
    found, section = _nearest_section(client.get(url, {"near": "ha-noi"}))
    assert found == ["Quầy Hoàn Kiếm"] and "còn 4" in section


def test_a_province_picked_on_the_points_page_is_remembered_for_product_pages(client):
    ha_long = point(name="Quầy Hạ Long", latitude="20.951000", longitude="107.079000")
    product, _certificate, offer = stocked(ha_long, name="Sá sùng Vân Đồn")
    long_bien = point(
        name="Quầy Long Biên",
        code="01",
        latitude="21.040000",
        longitude="105.880000",
        operator=ha_long.location.business,
    )
    Stock.objects.create(offer=offer, location=long_bien.location, quantity=1)
    response = client.get(LIST, {"near": "ha-noi"})
    assert response.cookies["ocop_near"].value == "ha-noi"
    url = reverse("catalog:product_detail", args=[product.slug])
    assert _nearest_section(client.get(url))[0] == ["Quầy Long Biên", "Quầy Hạ Long"]
    # An unknown choice is ignored (the holder's province then), never a 500.
    client.cookies["ocop_near"] = "atlantis"
    found, section = _nearest_section(client.get(url))
    assert found == ["Quầy Hạ Long", "Quầy Long Biên"]
    assert "trung tâm Tỉnh Quảng Ninh" in section


def test_the_map_ships_leaflet_and_its_points_without_tiles(client, settings):
    target = point(name="Trung tâm OCOP Hạ Long")
    body = client.get(LIST).content.decode()
    assert '<script src="/static/places/leaflet/leaflet.js" defer></script>' in body
    assert 'href="/static/places/leaflet/leaflet.css"' in body
    assert 'data-tiles=""' in body  # tests: markers only, no tile server
    data = json.loads(re.search(r'id="point-map-data"[^>]*>(.*?)</script>', body).group(1))
    assert data == [
        {
            "name": "Trung tâm OCOP Hạ Long",
            "lat": 20.95,
            "lng": 107.08,
            "url": target.get_absolute_url(),
        }
    ]
    settings.POINTS_MAP_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    body = client.get(LIST).content.decode()
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in body
