"""Home, listings and seller pages: cards priced from visible offers only, every filter and
sort, pagination, canonical address, and a fixed number of queries."""

import re

import pytest
from django.utils import translation

from catalog.models import RevocationGround
from marketplace.offers.models import OfferStatus
from sellers.models import SellerStatus, SellerType
from tests.factories import (
    BusinessFactory,
    OfferFactory,
    ProductFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    StockFactory,
    certified_product,
    product_set,
    province,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
LIST = "/san-pham/"


def names(response) -> list[str]:
    """Product names in card order."""
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a></h3>', html)


def get(client, url, params=None):
    return client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE="en")


def on_sale(name, *, price=150_000, total="75", stock=5, seller=None, **kwargs):
    """A certified product of an active holder with one published offer (holder's unless
    ``seller`` is given, then authorised) and ``stock`` units."""
    kwargs.setdefault("holder", BusinessFactory(status=SellerStatus.ACTIVE))
    product, _evaluation, certificate = certified_product(name=name, total=total, **kwargs)
    variant = ProductVariantFactory(product=product)
    if seller is not None:
        ResaleAuthorizationFactory(product=product, reseller=seller)
    offer = OfferFactory(
        variant=variant, seller=seller or product.holder, price=price, status=OfferStatus.PUBLISHED
    )
    if stock:
        StockFactory(offer=offer, quantity=stock)
    return product, certificate, offer


# --- cards ---------------------------------------------------------------------------------------


def test_a_card_shows_stars_lowest_visible_price_and_seller_count(client):
    product, _certificate, offer = on_sale("Mật ong Tiên Yên", price=1_250_000, total="92")
    centre = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    ResaleAuthorizationFactory(product=product, reseller=centre)
    OfferFactory(
        variant=offer.variant, seller=centre, price=1_300_000, status=OfferStatus.PUBLISHED
    )
    # Hidden: a draft, and a reseller nobody authorised; neither lowers the price nor counts.
    OfferFactory(variant=ProductVariantFactory(product=product), price=90_000)
    outsider = BusinessFactory(status=SellerStatus.ACTIVE)
    OfferFactory(variant=offer.variant, seller=outsider, price=80_000, status=OfferStatus.PUBLISHED)
    html = get(client, LIST).content.decode()
    assert f"from 1.250.000{NBSP}₫" in html
    assert "2 sellers" in html
    assert "90.000" not in html and "80.000" not in html
    # Stars come from the certificate (★5 here), whoever sells the product.
    assert (
        '<p class="card-stars"><span class="stars" role="img" aria-label="5 stars">'
        '<span class="stars-on" aria-hidden="true">★★★★★</span>'
    ) in html
    assert f'href="/san-pham/{product.slug}/"' in html


def test_hidden_offers_leave_a_product_unpriced(client):
    _product, certificate, offer = on_sale("Chè Tân Cương", price=200_000)
    type(offer.seller).objects.filter(pk=offer.seller_id).update(status=SellerStatus.SUSPENDED)
    html = get(client, LIST).content.decode()
    assert names(get(client, LIST)) == ["Chè Tân Cương"]  # the registry still lists it
    assert "200.000" not in html
    assert "Not sold online yet" in html
    # Revoked: no longer certified, so not listed at all.
    revoke_certificate(certificate=certificate, ground=RevocationGround.MARK_MISUSE)
    assert names(get(client, LIST)) == []


def test_a_card_follows_offer_changes_at_once(client):
    """Cards read the offers of the page's products on every request: a price change, a paused
    offer, a withdrawn authorisation and stock running out show on the next page view."""
    product, _certificate, offer = on_sale("Trà hoa vàng", price=300_000, stock=4)
    centre = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    grant = ResaleAuthorizationFactory(product=product, reseller=centre)
    resold = OfferFactory(
        variant=offer.variant, seller=centre, price=280_000, status=OfferStatus.PUBLISHED
    )

    def card() -> str:
        html = get(client, LIST).content.decode()
        return re.search(r'<p class="card-price">.*?<p class="card-sellers">[^<]*</p>', html, re.S)[
            0
        ]

    assert f"from 280.000{NBSP}₫" in card() and "2 sellers" in card()
    assert "Out of stock" not in card()  # the holder's offer has stock

    type(grant).objects.filter(pk=grant.pk).update(revoked_at=offer.created_at)
    assert f"from 300.000{NBSP}₫" in card() and "1 seller" in card()

    type(offer).objects.filter(pk=offer.pk).update(price=310_000)
    assert f"from 310.000{NBSP}₫" in card()

    offer.stocks.update(quantity=0)
    assert "Out of stock" in card()

    type(offer).objects.filter(pk=offer.pk).update(status=OfferStatus.PAUSED)
    assert "Not sold online yet" in get(client, LIST).content.decode()
    assert resold.price == 280_000  # the reseller's offer is still there, just not visible


def test_the_demo_badge_shows_on_demo_products(client):
    on_sale("Sản phẩm mẫu", is_demo=True)
    on_sale("Sản phẩm thật")
    html = get(client, LIST).content.decode()
    with translation.override("en"):
        label = translation.gettext("Demo data")
    assert html.count('<span class="badge badge-demo"') == 1
    assert f">{label}</span>" in html


# --- filters ---------------------------------------------------------------------------------------


def test_text_search_ignores_diacritics(client):
    on_sale("Mật ong Tiên Yên")
    on_sale("Chả mực Hạ Long")
    assert names(get(client, LIST, {"q": "mat ong"})) == ["Mật ong Tiên Yên"]
    assert names(get(client, LIST, {"q": "CHẢ MỰC"})) == ["Chả mực Hạ Long"]


def test_filter_by_stars(client):
    on_sale("Ba sao", total="60")
    on_sale("Bốn sao", total="75")
    on_sale("Năm sao", total="92")
    assert names(get(client, LIST, {"stars": "3"})) == ["Ba sao"]
    assert names(get(client, LIST, {"stars": "4"})) == ["Bốn sao"]
    assert names(get(client, LIST, {"stars": "5"})) == ["Năm sao"]


def test_filter_by_province_category_and_set(client):
    on_sale("Rượu Thái Nguyên", holder=BusinessFactory(
        status=SellerStatus.ACTIVE, province=province("19")), product_set=product_set(14))  # fmt: skip
    on_sale("Mật ong Hạ Long", product_set=product_set(4))
    assert names(get(client, LIST, {"province": "thai-nguyen"})) == ["Rượu Thái Nguyên"]
    assert names(get(client, LIST, {"category": "beverages"})) == ["Rượu Thái Nguyên"]
    assert names(get(client, LIST, {"category": "food"})) == ["Mật ong Hạ Long"]
    assert names(get(client, LIST, {"set": "4"})) == ["Mật ong Hạ Long"]


def test_filter_by_price_range_over_visible_offers(client):
    on_sale("Rẻ", price=50_000)
    on_sale("Vừa", price=150_000)
    on_sale("Đắt", price=1_250_000)
    assert names(get(client, LIST, {"price_min": "100000", "price_max": "200000"})) == ["Vừa"]
    assert names(get(client, LIST, {"price_max": "150000", "sort": "price_asc"})) == ["Rẻ", "Vừa"]
    assert names(get(client, LIST, {"price_min": "1000000"})) == ["Đắt"]


def test_filter_by_seller_type_and_stock(client):
    centre = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    on_sale("Ở trung tâm", seller=centre)
    on_sale("Ở nhà sản xuất")
    on_sale("Hết hàng", stock=0)
    assert names(get(client, LIST, {"seller_type": "ocop_centre"})) == ["Ở trung tâm"]
    assert sorted(names(get(client, LIST, {"in_stock": "on"}))) == sorted(
        ["Ở trung tâm", "Ở nhà sản xuất"]
    )
    # Without the filter every card still says which products are out of stock.
    cards = re.findall(
        r'card-title"><a href="[^"]+">([^<]+)</a></h3>.*?<p class="card-sellers">([^<]*)</p>',
        get(client, LIST).content.decode(),
        re.S,
    )
    assert {name: "Out of stock" in text for name, text in cards} == {
        "Ở trung tâm": False,
        "Ở nhà sản xuất": False,
        "Hết hàng": True,
    }


def test_sorts(client):
    on_sale("Bốn sao rẻ", total="75", price=60_000)
    on_sale("Năm sao đắt", total="92", price=900_000)
    on_sale("Ba sao vừa", total="60", price=300_000)
    certified_product(name="Chưa bán", total="75")  # no offer: last in price sorts
    assert names(get(client, LIST)) == ["Năm sao đắt", "Bốn sao rẻ", "Chưa bán", "Ba sao vừa"]
    assert names(get(client, LIST, {"sort": "price_asc"})) == [
        "Bốn sao rẻ", "Ba sao vừa", "Năm sao đắt", "Chưa bán"]  # fmt: skip
    assert names(get(client, LIST, {"sort": "price_desc"})) == [
        "Năm sao đắt", "Ba sao vừa", "Bốn sao rẻ", "Chưa bán"]  # fmt: skip
    assert names(get(client, LIST, {"sort": "newest"})) == [
        "Chưa bán", "Ba sao vừa", "Năm sao đắt", "Bốn sao rẻ"]  # fmt: skip


def test_invalid_filters_get_a_message_not_an_error(client):
    on_sale("Mật ong")
    response = get(
        client,
        LIST,
        {"stars": "7", "province": "atlantis", "price_min": "abc", "sort": "x", "page": "zz"},
    )
    assert names(response) == ["Mật ong"]
    html = response.content.decode()
    assert "Some filters were not understood and have been ignored:" in html
    assert "“atlantis”" in html and "“abc”" in html


def test_scoped_listing_pages(client):
    on_sale("Rượu xanh", product_set=product_set(14))
    on_sale("Rượu Thái", product_set=product_set(14),
            holder=BusinessFactory(status=SellerStatus.ACTIVE, province=province("19")))  # fmt: skip
    on_sale("Mật ong", product_set=product_set(4))
    assert names(get(client, "/danh-muc/beverages/")) == ["Rượu Thái", "Rượu xanh"]
    assert names(get(client, "/bo-san-pham/4/")) == ["Mật ong"]
    assert names(get(client, "/tinh/thai-nguyen/")) == ["Rượu Thái"]
    assert names(get(client, "/tinh/thai-nguyen/", {"q": "mat ong"})) == []
    # The address wins over a query-string value for the same filter.
    assert names(get(client, "/danh-muc/beverages/", {"category": "food"})) == [
        "Rượu Thái", "Rượu xanh"]  # fmt: skip
    for url in ("/danh-muc/khong-co/", "/bo-san-pham/99/", "/tinh/atlantis/"):
        assert get(client, url).status_code == 404


# --- pagination and canonical --------------------------------------------------------------------


def test_pagination_24_per_page_keeps_filters(client, settings):
    settings.SITE_URL = "https://cho-ocop.vn"
    for n in range(30):
        certified_product(name=f"Chè số {n:02d}")
    certified_product(name="Mật ong")
    first = get(client, LIST, {"q": "che", "sort": "newest"})
    assert len(names(first)) == 24
    html = first.content.decode()
    assert "30 products" in html
    assert 'href="?q=che&amp;sort=newest&amp;page=2"' in html
    second = get(client, LIST, {"q": "che", "sort": "newest", "page": "2"})
    assert names(second) == [f"Chè số {n:02d}" for n in range(5, -1, -1)]
    # Filters and page numbers are views of the one list.
    assert '<link rel="canonical" href="https://cho-ocop.vn/san-pham/">' in second.content.decode()


def test_canonical_links(client, settings):
    settings.SITE_URL = "https://cho-ocop.vn"
    product, _certificate, offer = on_sale("Mật ong")
    for url in ("/", f"/san-pham/{product.slug}/", "/danh-muc/food/",
                f"/nguoi-ban/{offer.seller.slug}/"):  # fmt: skip
        html = get(client, url, {"utm_source": "zalo"}).content.decode()
        assert f'<link rel="canonical" href="https://cho-ocop.vn{url}">' in html, url


# --- home and seller -----------------------------------------------------------------------------


def test_home_features_products_on_sale_by_stars_and_browses(client):
    on_sale("Năm sao bán", total="92")
    on_sale("Bốn sao bán", total="75")
    certified_product(name="Năm sao chưa bán", total="92")
    on_sale("Ba sao bán", total="60")
    response = get(client, "/")
    assert names(response) == ["Năm sao bán", "Bốn sao bán"]
    html = response.content.decode()
    assert html.count('href="/danh-muc/') == 6  # the six groups of the framework in force
    assert (
        '<a class="chip" href="/tinh/quang-ninh/">Tỉnh Quảng Ninh <span class="chip-count">4</span>'
    ) in html
    assert 'href="/tinh/thai-nguyen/"' not in html  # no product there


def test_seller_page_lists_only_visible_offers(client):
    centre = BusinessFactory(
        status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE, name="Trung tâm OCOP"
    )
    on_sale("Mật ong", seller=centre, price=125_000)
    product = ProductFactory(name="Không được phép")
    certified_product(product=product)
    OfferFactory(
        variant=ProductVariantFactory(product=product),
        seller=centre,
        price=99_000,
        status=OfferStatus.PUBLISHED,
    )
    response = get(client, f"/nguoi-ban/{centre.slug}/")
    html = response.content.decode()
    assert "<h1>Trung tâm OCOP</h1>" in html
    assert "OCOP centre" in html
    assert f"125.000{NBSP}₫" in html
    assert "99.000" not in html and "Không được phép" not in html
    assert "1 offer" in html
    assert get(client, "/nguoi-ban/khong-co/").status_code == 404


# --- SQL -----------------------------------------------------------------------------------------


def _catalogue(count: int):
    """``count`` certified products (★4), each with three visible offers: holder and two
    authorised resellers, with stock."""
    resellers = [BusinessFactory(status=SellerStatus.ACTIVE) for _ in range(2)]
    for n in range(count):
        product, _certificate, offer = on_sale(f"Sản phẩm {n}", price=100_000 + n)
        for reseller in resellers:
            ResaleAuthorizationFactory(product=product, reseller=reseller)
            extra = OfferFactory(
                variant=offer.variant, seller=reseller, price=120_000 + n,
                status=OfferStatus.PUBLISHED,
            )  # fmt: skip
            StockFactory(offer=extra, quantity=2)


# Listing: province, category and set choices (3), count, the page's ids, the page's cards (with
# the stars of their certificates in force joined), their photos and their offer summaries.
LIST_QUERIES = 8
# Home: the ids of each featured row (★5, ★4), then the cards of both rows at once (products,
# photos, offer summaries), then categories and provinces.
HOME_QUERIES = 2 + 3 + 2


@pytest.mark.parametrize("count", [1, 30])
def test_the_listing_costs_a_fixed_number_of_queries(client, django_queries, count):
    _catalogue(count)
    with django_queries(LIST_QUERIES):
        assert client.get(LIST, {"sort": "price_asc", "in_stock": "on"}).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_the_home_page_costs_a_fixed_number_of_queries(client, django_queries, count):
    _catalogue(count)
    with django_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200


# --- product page: photos, story, expiry ---------------------------------------------------------


def test_product_page_photos_have_a_srcset_and_the_story_is_sanitised(client, settings):
    from catalog.models import ProductPhoto

    product, _certificate, _offer = on_sale("Mật ong")
    type(product).objects.filter(pk=product.pk).update(
        # As catalog.content stores it (nh3 output) → HTML; imported plain text → escaped.
        story='<p>Ong <strong>rừng</strong> và <a href="https://ong.vn" rel="nofollow noopener">ong.vn</a></p>',
        description="Dòng một\nDòng hai <script>alert(1)</script>",
    )
    ProductPhoto.objects.create(
        product=product, image="products/1/a.webp", width=1600, height=1200, alt_text="Hũ mật",
        renditions=[{"width": 480, "height": 360, "name": "products/1/a-480w.webp"}],
    )  # fmt: skip
    html = get(client, f"/san-pham/{product.slug}/").content.decode()
    assert 'srcset="/media/products/1/a-480w.webp 480w, /media/products/1/a.webp 1600w"' in html
    assert 'width="1600" height="1200" alt="Hũ mật"' in html
    assert (
        '<p>Ong <strong>rừng</strong> và <a href="https://ong.vn" rel="nofollow noopener">'
        "ong.vn</a></p>"
    ) in html
    assert "<p>Dòng một<br>Dòng hai &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<script>alert" not in html


def test_an_expired_certificate_hides_the_product_from_the_shop_but_not_the_registry(client):
    import datetime

    from tests.pages.conftest import backdate

    product, certificate, _offer = on_sale("Nước mắm", price=75_000)
    backdate(certificate, valid_until=datetime.date.today() - datetime.timedelta(days=1))
    assert names(get(client, LIST)) == []
    html = get(client, f"/san-pham/{product.slug}/").content.decode()
    assert "75.000" not in html
    assert "Not for sale as an OCOP product: it has no certificate in force." in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_seller_page_costs_a_fixed_number_of_queries(client, django_queries, count):
    centre = BusinessFactory(status=SellerStatus.ACTIVE, seller_type=SellerType.OCOP_CENTRE)
    for n in range(count):
        product, _certificate, offer = on_sale(f"Đặc sản {n}", price=100_000 + n)
        ResaleAuthorizationFactory(product=product, reseller=centre)
        extra = OfferFactory(
            variant=offer.variant, seller=centre, price=110_000 + n, status=OfferStatus.PUBLISHED
        )
        StockFactory(offer=extra, quantity=3)
    url = f"/nguoi-ban/{centre.slug}/"
    client.get(url)
    with django_queries(SELLER_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<li class="offer">') == count


# Seller page: the business, its visible offers with stock (one query), which of them are at a
# fair booth (one query, marketplace.storefront.offer_rows), the fairs where it has a booth
# (one query, marketplace.fairs.sections).
SELLER_QUERIES = 4


@pytest.mark.parametrize("count", [1, 30])
def test_the_unfiltered_listing_costs_the_same_fixed_number_of_queries(
    client, django_queries, count
):
    # Counted on the certificates in force instead of the products, sorted by stars: still one
    # query each, and the stock flags come with the offer summaries.
    _catalogue(count)
    with django_queries(LIST_QUERIES):
        html = client.get(LIST).content.decode()
    assert html.count('class="card-sellers"') == min(count, 24)
    assert f"{count} " in re.search(r'<h2 class="result-count">([^<]*)</h2>', html).group(1)


def test_the_default_order_is_stars_then_name_across_pages(client, django_queries):
    # The unfiltered listing takes its page one star level at a time; a filtered one sorts in
    # one query. Both give the same order, and a page that spans ★5 and ★4 costs one query more.
    for n in range(20):
        on_sale(f"Năm sao {n:02d}", total="92")
    for n in range(10):
        on_sale(f"Bốn sao {n:02d}", total="75")
    fives = [f"Năm sao {n:02d}" for n in range(20)]
    fours = [f"Bốn sao {n:02d}" for n in range(10)]

    with django_queries(LIST_QUERIES + 1):
        first = get(client, LIST)
    assert names(first) == fives + fours[:4]
    with django_queries(LIST_QUERIES):
        second = get(client, LIST, {"page": "2"})
    assert names(second) == fours[4:]
    # The same order from the general path (any filter), and the same count.
    assert names(get(client, LIST, {"in_stock": "on"})) == fives + fours[:4]
    assert names(get(client, LIST, {"in_stock": "on", "page": "2"})) == fours[4:]
    assert "30 products" in first.content.decode()
