import datetime

import pytest

from core.models import LegacyProvince
from sellers.models import LegalType
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    certified_product,
    province,
)

pytestmark = pytest.mark.django_db


def test_business_page_shows_identity_address_status_and_products(en_client):
    business = BusinessFactory(
        name="Công ty TNHH Trà Vinh FARM",
        legal_type=LegalType.ENTERPRISE,
        province=province("86"),
        commune="xã Phú Cần",
        street="ấp Phú Thọ",
        legacy_province=LegacyProvince.objects.get(name="Tỉnh Trà Vinh"),
        legacy_address="xã Phú Cần, huyện Tiểu Cần, Trà Vinh",
    )
    certified_product(name="Mật hoa dừa", holder=business, total="92")
    certified_product(name="Đường hoa dừa", holder=business, total="91")
    certified_product(
        name="Sản phẩm hết hạn",
        holder=business,
        decision=DecisionFactory(date=datetime.date(2020, 1, 1)),
    )
    ProductFactory(name="Chưa chứng nhận", holder=business)

    response = en_client.get(f"/chu-the/{business.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Công ty TNHH Trà Vinh FARM</h1>" in html
    assert "<dd>Enterprise</dd>" in html
    assert "<dd>ấp Phú Thọ, xã Phú Cần, Tỉnh Vĩnh Long</dd>" in html
    assert "<dd>xã Phú Cần, huyện Tiểu Cần, Trà Vinh</dd>" in html
    assert "Unclaimed — listed from the OCOP registry" in html
    assert (
        f'<a href="/seller/claim/{business.slug}/">Is this your business? Claim it to sell here.</a>'
        in html
    )
    assert "2 certified products" in html
    assert html.index("Đường hoa dừa") < html.index("Mật hoa dừa")
    assert "Sản phẩm hết hạn" not in html
    assert "Chưa chứng nhận" not in html
    assert html.count('aria-label="5 stars"') == 2


def test_a_claimed_business_has_no_claim_link(en_client):
    business = BusinessFactory(status="active")
    html = en_client.get(f"/chu-the/{business.slug}/").content.decode()
    assert "/seller/claim/" not in html


def test_business_without_certified_products(en_client):
    business = BusinessFactory()
    html = en_client.get(f"/chu-the/{business.slug}/").content.decode()
    assert "0 certified products" in html
    assert "This producer has no product with an OCOP certificate in force today." in html


def test_demo_business_shows_the_badge(en_client):
    business = BusinessFactory(is_demo=True)
    html = en_client.get(f"/chu-the/{business.slug}/").content.decode()
    assert '<span class="badge badge-demo"' in html


def test_unknown_business_is_a_friendly_404(en_client):
    response = en_client.get("/chu-the/khong-ton-tai/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_business_page_runs_a_constant_number_of_queries(client, django_queries, count):
    business = BusinessFactory()
    decision = DecisionFactory()
    for n in range(count):
        certified_product(name=f"Sản phẩm {n:02d}", holder=business, decision=decision)
    # Business (+province, legacy province), its products (+province, set), certificates in
    # force, their part scores.
    with django_queries(4):
        response = client.get(f"/chu-the/{business.slug}/")
    assert response.content.decode().count('class="card product-card"') == count
