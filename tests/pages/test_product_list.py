import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    certified_product,
    product_set,
    province,
    revoke_certificate,
)
from tests.pages.conftest import backdate

pytestmark = pytest.mark.django_db

# The registry lookup: "/" and "/san-pham/" are the storefront's (tests/storefront).
LIST = "/tra-cuu/"


def names(response) -> list[str]:
    """Product names in card order."""
    html = response.content.decode()
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a></h3>', html)


def test_the_registry_lookup_has_its_own_address(client):
    assert reverse("catalog:registry") == LIST
    certified_product(name="Mật ong Tiên Yên")
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Mật ong Tiên Yên"]


def test_lists_only_products_with_a_certificate_in_force(client):
    certified_product(name="Chè Hà Thái")
    ProductFactory(name="Sản phẩm chưa chứng nhận")
    certified_product(name="Nước mắm cũ", decision=DecisionFactory(date=datetime.date(2020, 1, 10)))
    _, _, late = certified_product(name="Miến dong hết hạn hôm qua")
    backdate(late, valid_until=datetime.date.today() - datetime.timedelta(days=1))
    _, _, revoked = certified_product(name="Rượu bị thu hồi")
    revoke_certificate(certificate=revoked, ground="mark_misuse")

    response = client.get(LIST)
    assert names(response) == ["Chè Hà Thái"]


def test_status_filter_shows_expired_and_revoked_for_the_curious(en_client):
    certified_product(name="Chè Hà Thái")
    certified_product(name="Nước mắm cũ", decision=DecisionFactory(date=datetime.date(2020, 1, 10)))
    _, _, late = certified_product(name="Miến dong")
    backdate(late, valid_until=datetime.date.today() - datetime.timedelta(days=1))
    _, _, revoked = certified_product(name="Rượu bị thu hồi")
    revoke_certificate(certificate=revoked, ground="mark_misuse")

    assert names(en_client.get(LIST, {"status": "expired"})) == ["Miến dong", "Nước mắm cũ"]
    assert names(en_client.get(LIST, {"status": "revoked"})) == ["Rượu bị thu hồi"]
    everything = names(en_client.get(LIST, {"status": "all"}))
    assert everything == ["Chè Hà Thái", "Miến dong", "Nước mắm cũ", "Rượu bị thu hồi"]
    # A card without a certificate in force says so instead of showing stars.
    html = en_client.get(LIST, {"status": "revoked"}).content.decode()
    assert "No certificate in force" in html
    assert 'class="stars"' not in html


def test_search_ignores_diacritics_and_matches_the_holder(client):
    certified_product(name="Mật ong Tiên Yên")
    certified_product(name="Chả mực Hạ Long")
    certified_product(name="Trà hoa vàng", holder=BusinessFactory(name="HTX Đồng Tiến"))

    assert names(client.get(LIST, {"q": "mat ong"})) == ["Mật ong Tiên Yên"]
    assert names(client.get(LIST, {"q": "MẬT ONG"})) == ["Mật ong Tiên Yên"]
    assert names(client.get(LIST, {"q": "cha muc ha long"})) == ["Chả mực Hạ Long"]
    assert names(client.get(LIST, {"q": "dong tien"})) == ["Trà hoa vàng"]
    assert names(client.get(LIST, {"q": "khong co"})) == []


def test_filter_by_current_province(client):
    certified_product(name="Chè Thái Nguyên", holder=BusinessFactory(province=province("19")))
    certified_product(name="Chả mực Hạ Long", holder=BusinessFactory(province=province("22")))

    assert names(client.get(LIST, {"province": "thai-nguyen"})) == ["Chè Thái Nguyên"]
    html = client.get(LIST).content.decode()
    assert html.count("<option") >= 34 + 1  # every current province is offered


def test_filter_by_stars(client):
    certified_product(name="Ba sao", total="60")
    certified_product(name="Bốn sao", total="75")
    certified_product(name="Năm sao", total="92")

    assert names(client.get(LIST, {"stars": "3"})) == ["Ba sao"]
    assert names(client.get(LIST, {"stars": "4"})) == ["Bốn sao"]
    assert names(client.get(LIST, {"stars": "5"})) == ["Năm sao"]


def test_filter_by_product_set_and_category(client):
    certified_product(name="Mật ong", product_set=product_set(4))
    certified_product(name="Rượu mơ", product_set=product_set(14))

    assert names(client.get(LIST, {"set": "14"})) == ["Rượu mơ"]
    assert names(client.get(LIST, {"category": "beverages"})) == ["Rượu mơ"]
    assert names(client.get(LIST, {"category": "food"})) == ["Mật ong"]


def test_invalid_filters_are_ignored_with_a_message_not_an_error(en_client):
    certified_product(name="Mật ong")
    response = en_client.get(LIST, {"stars": "7", "province": "atlantis", "set": "x", "q": "mat"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood and have been ignored:" in html
    assert "Stars: “7”" in html
    assert "Province: “atlantis”" in html
    assert "Product set: “x”" in html
    # The valid filter still applies.
    assert names(response) == ["Mật ong"]


def test_ordering_by_name_stars_and_newest(client):
    certified_product(
        name="Bánh chưng", total="60", decision=DecisionFactory(date=datetime.date(2025, 3, 1))
    )
    certified_product(
        name="Ấm trà", total="92", decision=DecisionFactory(date=datetime.date(2024, 5, 1))
    )
    certified_product(
        name="Cà phê", total="75", decision=DecisionFactory(date=datetime.date(2026, 8, 5))
    )

    assert names(client.get(LIST)) == ["Ấm trà", "Bánh chưng", "Cà phê"]
    assert names(client.get(LIST, {"sort": "name"})) == ["Ấm trà", "Bánh chưng", "Cà phê"]
    assert names(client.get(LIST, {"sort": "stars"})) == ["Ấm trà", "Cà phê", "Bánh chưng"]
    assert names(client.get(LIST, {"sort": "newest"})) == ["Cà phê", "Bánh chưng", "Ấm trà"]


def test_pagination_24_per_page_keeps_the_filters(client):
    decision = DecisionFactory()
    for n in range(30):
        certified_product(name=f"Mật ong {n:02d}", decision=decision)
    certified_product(name="Chè xanh", decision=decision)

    first = client.get(LIST, {"q": "mat ong"})
    assert names(first) == [f"Mật ong {n:02d}" for n in range(24)]
    html = first.content.decode()
    assert '<a rel="next" href="?q=mat+ong&amp;page=2">' in html
    assert '<span aria-current="page">1</span>' in html

    second = client.get(LIST, {"q": "mat ong", "page": "2"})
    assert names(second) == [f"Mật ong {n:02d}" for n in range(24, 30)]
    assert '<a rel="prev" href="?q=mat+ong&amp;page=1">' in second.content.decode()
    # A page number out of range or not a number shows a real page, not an error.
    assert names(client.get(LIST, {"q": "mat ong", "page": "99"})) == names(second)
    assert names(client.get(LIST, {"q": "mat ong", "page": "abc"})) == names(first)


def test_card_shows_holder_province_stars_validity_and_demo_badge(en_client):
    holder = BusinessFactory(name="HTX Tiên Yên", province=province("22"))
    certified_product(name="Mật ong rừng", holder=holder, total="75", is_demo=True)
    certified_product(name="Chè thật")
    html = en_client.get(LIST).content.decode()
    assert f'href="/chu-the/{holder.slug}/">HTX Tiên Yên</a>' in html
    assert "Tỉnh Quảng Ninh" in html or "Quảng Ninh" in html
    assert 'role="img" aria-label="4 stars"' in html
    assert '★★★★</span><span class="stars-off" aria-hidden="true">☆</span>' in html
    assert "Valid until 05/08/2029" in html
    assert html.count('class="badge badge-demo"') == 1


def test_stars_label_is_vietnamese_by_default(client):
    certified_product(name="Mật ong", total="75")
    html = client.get(LIST).content.decode()
    assert '<html lang="vi">' in html


@pytest.mark.parametrize("count", [1, 30])
def test_list_runs_a_constant_number_of_queries(client, django_queries, count):
    decision = DecisionFactory()
    for n in range(count):
        certified_product(name=f"Sản phẩm {n:02d}", decision=decision)
    # 3 filter choices (provinces, categories, product sets), count, page, certificates in
    # force, their part scores.
    with django_queries(7):
        response = client.get(LIST)
    assert len(names(response)) == min(count, 24)
