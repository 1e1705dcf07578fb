"""sitemap.xml (an index of products, certificates, producers, sellers, points of sale) and
robots.txt."""

import re

import pytest

from sellers.models import SellerStatus
from tests.factories import BusinessFactory, certified_product, selling_product

pytestmark = pytest.mark.django_db

SITE = "https://cho-ocop.example.vn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def locations(response) -> list[str]:
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_the_index_lists_one_sitemap_per_section(client, django_queries):
    with django_queries(6):  # one count per section
        response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert locations(response) == [
        f"{SITE}/sitemap-products.xml",
        f"{SITE}/sitemap-certificates.xml",
        f"{SITE}/sitemap-producers.xml",
        f"{SITE}/sitemap-sellers.xml",
        f"{SITE}/sitemap-points.xml",
        f"{SITE}/sitemap-fairs.xml",
    ]


def test_each_section_lists_the_canonical_addresses(client):
    product, certificate, _offers = selling_product(name="Mật ong rừng Tiên Yên")
    other, other_certificate = certified_product(name="Trà hoa vàng")[0::2]
    BusinessFactory(name="HTX không có sản phẩm", status=SellerStatus.ACTIVE)
    idle_seller = BusinessFactory.create(status=SellerStatus.ACTIVE)
    assert locations(client.get("/sitemap-products.xml")) == [
        f"{SITE}/san-pham/{product.slug}/",
        f"{SITE}/san-pham/{other.slug}/",
    ]
    assert locations(client.get("/sitemap-certificates.xml")) == [
        f"{SITE}/chung-nhan/{certificate.number}/",
        f"{SITE}/chung-nhan/{other_certificate.number}/",
    ]
    # Producers: businesses holding products; sellers: businesses selling now.
    assert locations(client.get("/sitemap-producers.xml")) == [
        f"{SITE}/chu-the/{product.holder.slug}/",
        f"{SITE}/chu-the/{other.holder.slug}/",
    ]
    sellers = locations(client.get("/sitemap-sellers.xml"))
    assert sellers[0] == f"{SITE}/nguoi-ban/{product.holder.slug}/"
    assert f"{SITE}/nguoi-ban/{idle_seller.slug}/" in sellers
    assert f"{SITE}/nguoi-ban/{other.holder.slug}/" not in sellers  # unclaimed, not selling
    # Each address is the page's own canonical link.
    page = client.get(f"/san-pham/{product.slug}/").content.decode()
    assert f'<link rel="canonical" href="{SITE}/san-pham/{product.slug}/">' in page


def test_a_section_costs_the_same_queries_for_one_or_many_rows(client, django_queries):
    certified_product()
    with django_queries(2):  # count, page
        first = client.get("/sitemap-products.xml")
    for _ in range(4):
        certified_product()
    with django_queries(2):
        more = client.get("/sitemap-products.xml")
    assert (len(locations(first)), len(locations(more))) == (1, 5)
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("User-agent: *\n")
    for private in ("/admin/", "/seller/", "/tai-khoan/", "/gio-hang/", "/thanh-toan/"):
        assert f"Disallow: {private}\n" in text
    assert f"Sitemap: {SITE}/sitemap.xml\n" in text
