import pytest
from django.template import Context, Template

from tests.factories import BusinessFactory, certified_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    product, _, certificate = certified_product(name="Mật ong Tiên Yên")
    return [
        "/",
        "/san-pham/",
        f"/san-pham/{product.slug}/",
        f"/chung-nhan/{certificate.number}/",
        f"/chu-the/{product.holder.slug}/",
        "/chu-the/khong-co/",
    ]


def test_every_page_is_vietnamese_first_with_a_language_switch(client, pages):
    for url in pages:
        html = client.get(url).content.decode()
        assert '<html lang="vi">' in html, url
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<form class="language-switch" action="/i18n/setlang/" method="post">' in html
        assert f'<input type="hidden" name="next" value="{url}">' in html
        assert 'name="language" value="vi" lang="vi" aria-pressed="true"' in html
        assert 'name="language" value="en" lang="en" aria-pressed="false"' in html
        assert 'name="csrfmiddlewaretoken"' not in html  # no token, no cookie: see urls.py


def test_switching_to_english_sticks_and_returns_to_the_page(client, pages):
    product_url = pages[2]
    response = client.post("/i18n/setlang/", {"language": "en", "next": product_url})
    assert response.status_code == 302
    assert response["Location"] == product_url
    for url in pages:
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html, url
        assert 'name="language" value="en" lang="en" aria-pressed="true"' in html
    assert "Evaluation history" in client.get(product_url).content.decode()

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_canonical_link_uses_site_url_and_the_path(client, settings, pages):
    settings.SITE_URL = "https://cho-ocop.vn"
    for url in pages[2:5]:
        html = client.get(url).content.decode()
        assert f'<link rel="canonical" href="https://cho-ocop.vn{url}">' in html
    # The storefront list's canonical address drops filters and page numbers.
    html = client.get("/san-pham/", {"q": "mat ong"}).content.decode()
    assert '<link rel="canonical" href="https://cho-ocop.vn/san-pham/">' in html
    for n in range(30):
        certified_product(name=f"Chè {n}")
    html = client.get("/san-pham/", {"q": "che", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="https://cho-ocop.vn/san-pham/">' in html


def test_header_has_site_name_and_main_navigation(client):
    html = client.get("/").content.decode()
    assert 'class="brand"' in html and "Chợ <span>OCOP</span>" in html
    assert '<a class="brand" href="/"' in html
    listing = client.get("/san-pham/").content.decode()
    assert '<li><a href="/san-pham/" aria-current="page">' in listing
    assert '<li><a href="/tra-cuu/">' in listing
    registry = client.get("/tra-cuu/").content.decode()
    assert '<li><a href="/san-pham/">' in registry
    assert '<li><a href="/tra-cuu/" aria-current="page">' in registry
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<link rel="stylesheet" href="/static/core/site.css">' in html


def test_title_and_meta_description_per_page(en_client):
    product, _, _ = certified_product(name="Chè Hà Thái", total="75")
    html = en_client.get(f"/san-pham/{product.slug}/").content.decode()
    assert f"<title>Chè Hà Thái — {product.holder.name} · Chợ OCOP</title>" in html
    assert "OCOP certified product, 4 stars." in html
    business = BusinessFactory(name="HTX Chè")
    html = en_client.get(f"/chu-the/{business.slug}/").content.decode()
    assert "<title>HTX Chè · Chợ OCOP</title>" in html


def test_form_fields_have_labels(client):
    html = client.get("/tra-cuu/").content.decode()
    for name in ("q", "province", "stars", "category", "set", "status", "sort"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html


def render(source: str, **context) -> str:
    return Template("{% load ocop %}" + source).render(Context(context))


def test_money_filter_formats_whole_dong():
    assert render("{{ amount|vnd }}", amount=1250000) == "1.250.000\u00a0₫"
    assert render("{{ amount|vnd }}", amount=0) == "0\u00a0₫"
    assert render("{{ amount|vnd }}", amount=None) == ""
    assert render("{{ amount|vnd }}", amount=12.5) == ""


def test_stars_tag_label_and_glyphs():
    from django.utils import translation

    with translation.override("en"):
        html = render("{% stars n %}", n=4)
    assert html.strip() == (
        '<span class="stars" role="img" aria-label="4 stars"><span class="stars-on" '
        'aria-hidden="true">★★★★</span><span class="stars-off" aria-hidden="true">☆</span></span>'
    )


def test_points_and_percent_filters():
    from django.utils import translation

    with translation.override("en"):
        assert render("{{ v|points }}", v="72.50") == "72.5"
        assert render("{{ v|points }}", v="40.00") == "40"
    with translation.override("vi"):
        assert render("{{ v|points }}", v="69.25") == "69,25"
    assert render("{{ v|percent:m }}", v="39", m="40") == "97"
    assert render("{{ v|percent:m }}", v="50", m="0") == "0"
