"""The product page shows where to buy: every visible offer, never a hidden one."""

import datetime
import json
import re

import pytest
from django.utils import translation

from catalog.models import RevocationGround
from marketplace.offers.models import OfferStatus
from sellers.models import SellerStatus
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    OfferFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    StockFactory,
    certified_product,
    honey_on_sale,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# The product with holder, province, set and category; its packs; its photos; the evaluation
# history with framework, certificate and decision (the certificate in force is among them); then
# one query for the visible offers with their stock, whatever the number of sellers, one for
# which of them are at a fair booth (marketplace.storefront.offer_rows), and one for the fairs
# where the product is brought to a booth (marketplace.fairs.sections); "buy in person near
# you": the points with it in stock (their rows only when there are some) and the provinces.
QUERIES = 9


def _page(client, product):
    response = client.get(f"/san-pham/{product.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.fixture
def on_sale():
    """A certified product whose active holder sells one pack, 12 in stock."""
    product, certificate, offer, _stock = honey_on_sale(quantity=12)
    return product, certificate, offer


def test_a_visible_offer_is_listed_with_price_seller_and_stock(client, on_sale):
    product, _certificate, _offer = on_sale
    html = _page(client, product)
    assert "Where to buy" in html
    assert f"125.000{NBSP}₫" in html
    seller = product.holder
    assert (
        f'<a href="/nguoi-ban/{seller.slug}/">HTX Mật ong Tiên Yên</a> · Producer · Tỉnh Quảng Ninh'
    ) in html
    assert "12 in stock" in html


def test_hidden_offers_are_not_listed(client, on_sale):
    product, _certificate, offer = on_sale
    draft = OfferFactory(
        variant=ProductVariantFactory(product=product, name="Hũ 1 kg"), price=230_000
    )
    outsider = BusinessFactory(status=SellerStatus.ACTIVE, name="Cửa hàng không được phép")
    OfferFactory(variant=offer.variant, seller=outsider, price=99_000, status=OfferStatus.PUBLISHED)
    html = _page(client, product)
    assert f"230.000{NBSP}₫" not in html  # a draft
    assert "Cửa hàng không được phép" not in html  # a reseller without authorisation
    assert draft.status == OfferStatus.DRAFT


def test_an_authorised_reseller_is_listed_beside_the_holder(client, on_sale):
    product, _certificate, offer = on_sale
    centre = BusinessFactory(
        status=SellerStatus.ACTIVE, name="Trung tâm OCOP Hạ Long", seller_type="ocop_centre"
    )
    ResaleAuthorizationFactory(product=product, reseller=centre)
    OfferFactory(variant=offer.variant, seller=centre, price=135_000, status=OfferStatus.PUBLISHED)
    html = _page(client, product)
    assert f'<a href="/nguoi-ban/{centre.slug}/">Trung tâm OCOP Hạ Long</a> · OCOP centre' in html
    assert html.index(f"125.000{NBSP}₫") < html.index(f"135.000{NBSP}₫")  # cheapest first


def test_a_suspended_seller_or_a_revoked_certificate_hides_the_offers(client, on_sale):
    product, certificate, offer = on_sale
    type(offer.seller).objects.filter(pk=offer.seller_id).update(status=SellerStatus.SUSPENDED)
    html = _page(client, product)
    assert f"125.000{NBSP}₫" not in html
    assert "No seller offers this product online yet." in html

    type(offer.seller).objects.filter(pk=offer.seller_id).update(status=SellerStatus.ACTIVE)
    revoke_certificate(certificate=certificate, ground=RevocationGround.MARK_MISUSE)
    html = _page(client, product)
    assert f"125.000{NBSP}₫" not in html
    assert "Not for sale as an OCOP product: it has no certificate in force." in html
    assert "offers" not in _jsonld(html)


def test_jsonld_describes_the_offers_and_the_certification_not_a_rating(client, on_sale):
    product, certificate, _offer = on_sale
    data = _jsonld(_page(client, product))
    assert data["@type"] == "Product"
    assert data["name"] == "Mật ong Tiên Yên"
    assert data["offers"]["@type"] == "AggregateOffer"
    assert (data["offers"]["lowPrice"], data["offers"]["priceCurrency"]) == (125_000, "VND")
    assert type(data["offers"]["offers"][0]["price"]) is int  # whole đồng, never "125000.0"
    assert data["offers"]["offers"][0]["seller"] == {
        "@type": "Organization",
        "name": "HTX Mật ong Tiên Yên",
    }
    assert data["offers"]["offers"][0]["availability"] == "https://schema.org/InStock"
    assert data["hasCertification"]["certificationIdentification"] == certificate.number
    assert data["hasCertification"]["name"] == "OCOP 4★"
    assert "aggregateRating" not in data
    assert "review" not in data


def test_jsonld_cannot_break_out_of_its_script_element(client):
    product, _evaluation, _certificate = certified_product(
        name="Mật ong </script><script>alert(1)</script>"
    )
    html = _page(client, product)
    assert "<script>alert(1)</script>" not in html
    assert _jsonld(html)["name"] == "Mật ong </script><script>alert(1)</script>"


def test_vietnamese_by_default(client, on_sale):
    product, _certificate, _offer = on_sale
    html = client.get(f"/san-pham/{product.slug}/").content.decode()
    with translation.override("vi"):
        assert str(translation.gettext("Where to buy")) in html
    assert "Nơi mua" in html


@pytest.mark.parametrize("sellers", [1, 6])
def test_the_product_page_costs_a_fixed_number_of_queries(client, django_queries, on_sale, sellers):
    product, _certificate, offer = on_sale
    for n in range(sellers - 1):
        reseller = BusinessFactory(status=SellerStatus.ACTIVE)
        ResaleAuthorizationFactory(product=product, reseller=reseller)
        extra = OfferFactory(
            variant=offer.variant, seller=reseller, price=130_000 + n, status=OfferStatus.PUBLISHED
        )
        StockFactory(offer=extra, quantity=3)
    with django_queries(QUERIES):
        assert client.get(f"/san-pham/{product.slug}/").status_code == 200


def test_the_certificate_in_force_is_the_newest_active_one_of_the_history(client):
    """The page takes the certificate in force from the evaluation history it loads anyway:
    a re-certified product shows its new certificate, never the superseded one."""
    product, _, old = certified_product(
        total="75", decision=DecisionFactory(date=datetime.date(2024, 3, 1))
    )
    _, _, new = certified_product(
        product=product, total="92", decision=DecisionFactory(date=datetime.date(2026, 8, 5))
    )
    html = client.get(f"/san-pham/{product.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box = html[html.index('id="current-certificate"') : html.index('id="where-to-buy"')]
    assert f'href="/chung-nhan/{new.number}/"' in box
    assert old.number not in box
    assert 'aria-label="5 stars"' in box
    # Past its validity it is no longer in force, even before the daily job marks it expired.
    type(new).objects.filter(pk=new.pk).update(
        valid_until=datetime.date.today() - datetime.timedelta(days=1)
    )
    html = client.get(f"/san-pham/{product.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "certificate-box-none" in html
    assert "Not for sale as an OCOP product: it has no certificate in force." in html
