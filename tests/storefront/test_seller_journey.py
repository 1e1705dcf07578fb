"""The sellers/storefront issue's "done when", end to end, the way its users do it.

A cooperative arrives through the registry import (unclaimed, its honey certified ★4); its
manager signs up, claims it with the tax code, staff approve in the admin, the owner accepts the
terms; the owner opens a warehouse, adds the pack, offers it at 125.000 ₫, sets stock, uploads a
photo and publishes; a visitor sees the offer and the photo; an OCOP centre is refused until the
holder authorises it, then sells the honey too; the certificate runs out, the daily job runs, and
the offers disappear while the sellers are told why.

Told twice: through the HTML pages (real form posts), and through GraphQL (an API token for the
holder, a signed-in browser session with its CSRF header for the centre).

Every step commits (``transaction=True``), as in production, and the anonymous page or query is
asked for before each change (and shown to be served from the cache), so a stale cached answer
would be caught: the catalogue cache must notice every one of these writes.
"""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from graphql_relay import to_global_id
from PIL import Image

from catalog.models import Certificate, CertificateStatus, Product, ProductPhoto, ProductVariant
from catalog.services import add_months
from core.models import Province
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization, StockLocation
from sellers.models import Business, SellerApplication, SellerStatus, SellerType
from sellers.services import (
    api_token_create,
    business_activate,
    seller_application_approve,
    seller_application_submit_claim,
)
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.support.graphql import GraphQLClient

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NBSP = "\u00a0"
PASSWORD = "correct horse battery staple"  # the factories' password
HOLDER = "HTX Mật ong Tiên Yên"
TAX_CODE = "5700100256"
HONEY = "Mật ong rừng Tiên Yên"
CENTRE = "Trung tâm OCOP Hạ Long"
CENTRE_TAX_CODE = "5701234567"
LISTING = "/san-pham/"


# --- helpers ---------------------------------------------------------------------------------


def browser(**kwargs) -> Client:
    """A browser asking for English: messages are asserted in their msgid language."""
    return Client(headers={"accept-language": "en"}, **kwargs)


def import_registry(tmp_path) -> tuple[str, datetime.date]:
    """The province's recognition list for the cooperative, decided a month ago, through
    ``manage.py import_registry``; the command's output and the decision date."""
    decided = timezone.localdate() - datetime.timedelta(days=30)
    path = tmp_path / "quang-ninh-1800.csv"
    path.write_text(
        "\n".join(
            [
                "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH;;;;;;;;",
                f"(Kèm theo Quyết định số 1800/QĐ-UBND ngày {decided:%d/%m/%Y} "
                "của UBND tỉnh Quảng Ninh);;;;;;;;",
                "STT;Tên sản phẩm;Chủ thể;Mã số thuế;Địa chỉ;Tỉnh;Nhóm sản phẩm;Điểm;Hạng sao",
                f"1;{HONEY};{HOLDER};{TAX_CODE};thôn Khe Lục, xã Tiên Yên;Quảng Ninh;4;72,5;4 sao",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_registry", str(path), stdout=out)
    return out.getvalue(), decided


def count_line(output: str, english_label: str) -> int:
    line = next(line for line in output.splitlines() if f"/ {english_label}:" in line)
    return int(line.rsplit(":", 1)[1])


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 140, 20)).save(buffer, format="JPEG")
    return SimpleUploadedFile("mat-ong.jpg", buffer.getvalue(), content_type="image/jpeg")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def unmasked(html: str) -> str:
    """The page without its CSRF token values, which are masked afresh for every request."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def served_from_cache(client: Client, method: str, *args, versions: int = 1, **kwargs):
    """Request again what was just requested: the answer must come from the catalogue cache
    (only reads of the catalogue version: one per cached entry the answer is made of), so the
    next step really tests invalidation."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(*args, **kwargs)
    assert response.status_code == 200
    queries = [q["sql"] for q in captured.captured_queries]
    assert len(queries) == versions, queries
    assert all('"core_catalogueversion"' in sql for sql in queries), queries
    return response


# The "Where to buy" rows of the product page: price, pack, seller link, seller name, seller
# type and province, stock.
OFFER_ROW = re.compile(
    r'<li class="offer">\s*<p class="offer-price"><strong>([^<]+)</strong></p>\s*'
    r"<p>([^<]+)</p>\s*"
    r'<p class="offer-seller"><a href="([^"]+)">([^<]+)</a> · ([^<]+)</p>\s*'
    r'<p class="offer-stock">([^<]+)</p>'
)
CARD = re.compile(
    r'<h3 class="card-title"><a href="([^"]+)">([^<]+)</a></h3>.*?'
    r'<p class="card-sellers">([^<]+)</p>',
    re.S,
)


def product_page(visitor: Client, slug: str) -> tuple[str, list[tuple]]:
    """The anonymous product page, and its offer rows; then shown to be cached."""
    path = f"/san-pham/{slug}/"
    response = visitor.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    # A certified product's page has a "buy in person near you" hole, filled from what the
    # page's entry kept (no point of sale stocks these products): one read either way.
    again = served_from_cache(visitor, "get", path)
    assert unmasked(again.content.decode()) == unmasked(html)
    return html, OFFER_ROW.findall(html)


def listing(visitor: Client) -> list[tuple]:
    """The anonymous listing's cards: (address, name, price or "Not sold online yet" / seller
    count); then shown to be cached."""
    response = visitor.get(LISTING)
    assert response.status_code == 200
    html = response.content.decode()
    assert unmasked(served_from_cache(visitor, "get", LISTING).content.decode()) == unmasked(html)
    cards = []
    for href, name, sellers in CARD.findall(html):
        card = html[html.index(f'<a href="{href}">') :]
        card = card[: card.index("</article>")]
        price = re.search(r'<p class="card-price">([^<]+)</p>', card)
        cards.append((href, name, price.group(1) if price else None, sellers))
    return cards


def expired_day(decided: datetime.date) -> datetime.date:
    """The first day the certificate is no longer valid: 36 months after the decision, + 1."""
    return add_months(decided, 36) + datetime.timedelta(days=1)


def run_certificates_daily() -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("certificates_daily", stdout=out)
    return out.getvalue()


# --- through the pages -----------------------------------------------------------------------


def test_seller_journey_through_the_pages(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    visitor = browser()

    # 1. The registry import lists the cooperative, unclaimed, with a ★4 certificate in force.
    output, decided = import_registry(tmp_path)
    assert count_line(output, "Businesses created") == 1
    assert count_line(output, "Certificates created") == 1
    holder = Business.objects.get()
    product = Product.objects.get()
    certificate = Certificate.objects.get()
    assert (holder.name, holder.tax_code, holder.status) == (
        HOLDER,
        TAX_CODE,
        SellerStatus.UNCLAIMED,
    )
    assert (product.name, product.holder_id) == (HONEY, holder.pk)
    assert (certificate.stars, certificate.status, certificate.valid_until) == (
        4,
        CertificateStatus.ACTIVE,
        add_months(decided, 36),
    )
    html, offers = product_page(visitor, product.slug)
    assert offers == []
    assert "No seller offers this product online yet." in html
    assert listing(visitor) == [(f"/san-pham/{product.slug}/", HONEY, None, "Not sold online yet")]

    # 2. Hoa signs up, claims the cooperative with its tax code; staff approve it in the admin;
    # she accepts the seller terms.
    owner = browser()
    response = owner.post(
        reverse("account:signup"),
        {
            "email": "hoa@mat-ong-tien-yen.vn",
            "full_name": "Nguyễn Thị Hoa",
            "password1": "mat-ong-rung-42",
            "password2": "mat-ong-rung-42",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/tai-khoan/")
    claim = f"/seller/claim/{holder.slug}/"
    assert owner.get(claim).context["claimable"] is True
    response = owner.post(
        claim,
        {
            "tax_code": TAX_CODE,
            "contact_name": "Nguyễn Thị Hoa",
            "contact_phone": "0912 345 678",
            "evidence": "GCN HTX số 22/2019",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/tai-khoan/", 302)]
    assert messages_of(response) == [
        f"Your claim of {HOLDER} was sent. We will email you after review."
    ]
    application = SellerApplication.objects.get()
    assert (application.business_id, application.status) == (holder.pk, "pending")

    UserFactory(username="staff@ocop.vn", email="staff@ocop.vn", is_staff=True, is_superuser=True)
    reviewer = browser()
    response = reviewer.post(
        reverse("account:login"), {"username": "staff@ocop.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    response = reviewer.post(
        reverse("admin:sellers_sellerapplication_changelist"),
        {"action": "approve_applications", "_selected_action": [application.pk]},
        follow=True,
    )
    assert messages_of(response) == ["1 application approved: the applicant owns the business now."]

    account = owner.get("/tai-khoan/").content.decode()
    activate = f"/seller/{holder.slug}/activate/"
    assert f'href="{activate}">Start selling</a>' in account
    assert owner.get(activate).context["can_activate"] is True
    response = owner.post(activate, {"accept_terms": "on"}, follow=True)
    assert messages_of(response) == ["Your business is now an active seller."]
    holder.refresh_from_db()
    assert holder.status == SellerStatus.ACTIVE

    # 3. In the workspace: a warehouse, the pack, an offer in whole đồng, stock and a photo.
    # The visitor still sees no offer (asked before every change, served from the cache).
    html, offers = product_page(visitor, product.slug)
    assert offers == []
    workspace = f"/seller/{holder.slug}"
    quang_ninh = Province.objects.get(code="22")
    response = owner.post(
        f"{workspace}/stock/locations/new/",
        {"name": "Kho Tiên Yên", "kind": "warehouse", "province": quang_ninh.pk},
        follow=True,
    )
    assert messages_of(response) == ["Location added."]
    warehouse = StockLocation.objects.get(business=holder)

    response = owner.post(
        f"{workspace}/products/{product.slug}/variants/new/",
        {"name": "Hũ 500 g", "net_quantity": "500", "unit": "g"},
        follow=True,
    )
    assert messages_of(response) == ["Pack added."]
    variant = ProductVariant.objects.get(product=product)

    form = owner.get(f"{workspace}/offers/new/").context["form"]
    assert list(form.fields["variant"].queryset) == [variant]
    response = owner.post(
        f"{workspace}/offers/new/", {"variant": variant.pk, "price": "125.000"}, follow=True
    )
    assert messages_of(response) == ["Offer created as a draft. Publish it when ready."]
    offer = Offer.objects.get(seller=holder)
    assert (offer.price, offer.status) == (125_000, OfferStatus.DRAFT)

    response = owner.post(
        f"{workspace}/stock/", {f"q_{offer.pk}_{warehouse.pk}": "12"}, follow=True
    )
    assert messages_of(response) == ["Stock saved (1 changed)."]

    html, _offers = product_page(visitor, product.slug)
    assert "<img " not in html
    response = owner.post(
        f"{workspace}/products/{product.slug}/photos/",
        {"image": jpeg(), "alt_text": "Hũ mật ong rừng 500 g"},
        follow=True,
    )
    assert messages_of(response) == ["Photo added."]
    photo = ProductPhoto.objects.get(product=product)
    assert (photo.width, photo.height) == (900, 600)
    assert [r["width"] for r in photo.renditions] == [160, 320, 640]
    srcset = ", ".join(
        [f"/media/{r['name']} {r['width']}w" for r in photo.renditions]
        + [f"/media/{photo.image.name} 900w"]
    )
    img = (
        f'<img src="/media/{photo.image.name}" srcset="{srcset}" '
        'sizes="(min-width: 48rem) 40rem, 100vw" width="900" height="600" '
        'alt="Hũ mật ong rừng 500 g" decoding="async">'
    )
    # The photo shows at once; the draft does not.
    html, offers = product_page(visitor, product.slug)
    assert img in html
    assert offers == []
    assert listing(visitor) == [(f"/san-pham/{product.slug}/", HONEY, None, "Not sold online yet")]

    response = owner.post(f"{workspace}/offers/{offer.pk}/publish/", follow=True)
    assert messages_of(response) == ["Offer published."]

    # 4. The visitor sees the offer, its price in đồng, the seller and the photo.
    holder_row = (
        f"125.000{NBSP}₫",
        "Hũ 500 g",
        f"/nguoi-ban/{holder.slug}/",
        HOLDER,
        "Producer · Tỉnh Quảng Ninh",
        "12 in stock",
    )
    html, offers = product_page(visitor, product.slug)
    assert offers == [holder_row]
    assert html.count(img) == 1
    assert listing(visitor) == [
        (f"/san-pham/{product.slug}/", HONEY, f"from 125.000{NBSP}₫", "1 seller")
    ]

    # 5. An OCOP centre may not sell the honey until the holder authorises it.
    centre = BusinessFactory(
        name=CENTRE,
        tax_code=CENTRE_TAX_CODE,
        status=SellerStatus.ACTIVE,
        seller_type=SellerType.OCOP_CENTRE,
    )
    MembershipFactory(
        business=centre,
        role="owner",
        user__username="nam@ocop-halong.vn",
        user__email="nam@ocop-halong.vn",
    )
    reseller = browser()
    response = reseller.post(
        reverse("account:login"), {"username": "nam@ocop-halong.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    centre_space = f"/seller/{centre.slug}"
    response = reseller.get(f"{centre_space}/offers/new/")
    assert list(response.context["form"].fields["variant"].queryset) == []
    assert (
        "You have no pack to offer yet. Add packs to your own certified products, or ask the "
        "holder of a product you want to resell to authorise your business on their product page."
        in response.content.decode()
    )
    response = reseller.post(
        f"{centre_space}/offers/new/", {"variant": variant.pk, "price": "135.000"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "variant": [
            "You can offer only packs of products you hold, or that their holder has "
            "authorised you to resell."
        ]
    }
    assert not Offer.objects.filter(seller=centre).exists()

    html, offers = product_page(visitor, product.slug)
    assert offers == [holder_row]
    response = owner.post(
        f"{workspace}/products/{product.slug}/resellers/",
        {"reseller": CENTRE_TAX_CODE},
        follow=True,
    )
    assert messages_of(response) == [f"{CENTRE} may now sell {HONEY}."]
    assert ResaleAuthorization.objects.get().reseller_id == centre.pk

    html, offers = product_page(visitor, product.slug)
    assert offers == [holder_row]
    response = reseller.get(f"{centre_space}/offers/new/")
    assert list(response.context["form"].fields["variant"].queryset) == [variant]
    response = reseller.post(
        f"{centre_space}/offers/new/", {"variant": variant.pk, "price": "135.000"}, follow=True
    )
    assert messages_of(response) == ["Offer created as a draft. Publish it when ready."]
    centre_offer = Offer.objects.get(seller=centre)
    response = reseller.post(
        f"{centre_space}/stock/locations/new/",
        {"name": "Quầy OCOP Bãi Cháy", "kind": "point_of_sale", "province": quang_ninh.pk},
        follow=True,
    )
    assert messages_of(response) == ["Location added."]
    counter = StockLocation.objects.get(business=centre)
    response = reseller.post(
        f"{centre_space}/stock/", {f"q_{centre_offer.pk}_{counter.pk}": "8"}, follow=True
    )
    assert messages_of(response) == ["Stock saved (1 changed)."]

    html, offers = product_page(visitor, product.slug)
    assert offers == [holder_row]
    response = reseller.post(f"{centre_space}/offers/{centre_offer.pk}/publish/", follow=True)
    assert messages_of(response) == ["Offer published."]

    centre_row = (
        f"135.000{NBSP}₫",
        "Hũ 500 g",
        f"/nguoi-ban/{centre.slug}/",
        CENTRE,
        "OCOP centre · Tỉnh Quảng Ninh",
        "8 in stock",
    )
    html, offers = product_page(visitor, product.slug)
    assert offers == [holder_row, centre_row]  # cheapest first
    assert listing(visitor) == [
        (f"/san-pham/{product.slug}/", HONEY, f"from 125.000{NBSP}₫", "2 sellers")
    ]

    # 6. Thirty-six months later the certificate has run out; the daily job records it.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: expired_day(decided))
    assert run_certificates_daily().splitlines()[0] == "1 certificate expired."
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED

    html, offers = product_page(visitor, product.slug)
    assert offers == []
    assert (
        "This product has no OCOP certificate in force today. "
        "Stars printed on its packaging are no longer valid."
    ) in html
    assert "Not for sale as an OCOP product: it has no certificate in force." in html
    assert listing(visitor) == []

    # Both sellers are told why their offer is hidden.
    until = f"{certificate.valid_until:%d/%m/%Y}"
    reason = f"The product's OCOP certificate expired on {until}."
    response = owner.get(f"{workspace}/")
    assert (response.context["published_count"], response.context["visible_count"]) == (1, 0)
    assert [(o.pk, o.hidden_reasons) for o in response.context["hidden_offers"]] == [
        (offer.pk, [reason])
    ]
    html = response.content.decode()
    assert escape(reason) in html
    assert f"expired on {until}. Its offers are hidden until a new certificate is issued." in html
    html = owner.get(f"{workspace}/offers/").content.decode()
    assert escape(reason) in html
    response = reseller.get(f"{centre_space}/offers/")
    assert [(o.pk, o.hidden_reasons) for o in response.context["offers"]] == [
        (centre_offer.pk, [reason])
    ]
    assert escape(reason) in response.content.decode()


# --- through GraphQL -------------------------------------------------------------------------


def gid(type_name: str, obj) -> str:
    return to_global_id(type_name, obj.pk)


PRODUCT = """query ($slug: String) { product(slug: $slug) {
  offers { price stock seller { name sellerType } variant { name } }
  photos { url }
  currentCertificate { stars }
} }"""
PRODUCTS = "{ products(first: 10) { totalCount edges { node { name } } } }"

VARIANT_ADD = """mutation ($product: ID!) { productVariantAdd(product: $product,
  name: "Hũ 500 g", netQuantity: "500", unit: GRAM) { variant { id name } errors { field code } } }"""
LOCATION_CREATE = """mutation ($business: ID!, $name: String!) { stockLocationCreate(
  business: $business, name: $name, province: "22") { location { id name } errors { field code } } }"""
OFFER_CREATE = """mutation ($business: ID!, $variant: ID!, $price: Int!) {
  offerCreate(business: $business, variant: $variant, price: $price) {
    offer { id price status } errors { field message code } } }"""
STOCK_UPDATE = """mutation ($offer: ID!, $location: ID!, $quantity: Int!) {
  stockUpdate(offer: $offer, location: $location, quantity: $quantity) {
    stock { quantity } offer { stock } errors { field code } } }"""
PHOTO_UPLOAD = """mutation ($product: ID!, $image: Upload!) { productPhotoUpload(product: $product,
  image: $image, altText: "Hũ mật ong rừng 500 g") {
    photo { width height altText renditions { width } } errors { field code } } }"""
OFFER_PUBLISH = """mutation ($offer: ID!) { offerPublish(offer: $offer) {
  offer { status } errors { field message code } } }"""
RESALE_GRANT = """mutation ($product: ID!, $reseller: ID!) { resaleGrant(product: $product,
  reseller: $reseller) { authorization { isActive reseller { name } } errors { field code } } }"""
MY_OFFERS = """query ($business: ID!) { myOffers(business: $business) { totalCount edges { node {
  price status product { currentCertificate { stars } certificates { status validUntil } }
} } } }"""


def anonymous(gql: GraphQLClient, query: str, variables: dict | None = None) -> dict:
    """An anonymous catalogue query, then shown to be answered from the cache."""
    data = gql(query, variables)
    again = served_from_cache(gql, "post", query, variables)
    assert again.json() == {"data": data}
    return data


def test_seller_journey_through_graphql(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    public = GraphQLClient(browser())

    # 1. The registry import, as in the pages journey.
    _output, decided = import_registry(tmp_path)
    holder = Business.objects.get()
    product = Product.objects.get()
    slug = {"slug": product.slug}
    assert holder.status == SellerStatus.UNCLAIMED
    assert anonymous(public, PRODUCT, slug) == {
        "product": {"offers": [], "photos": [], "currentCertificate": {"stars": 4}}
    }
    assert anonymous(public, PRODUCTS) == {
        "products": {"totalCount": 1, "edges": [{"node": {"name": HONEY}}]}
    }

    # 2. Claiming, staff review and accepting the terms have no GraphQL mutation (they are web
    # pages and the admin, driven in the pages journey): the services do them here. The owner
    # then makes an API token for the integration.
    hoa = UserFactory(username="hoa@mat-ong-tien-yen.vn", email="hoa@mat-ong-tien-yen.vn")
    staff = UserFactory(username="staff@ocop.vn", is_staff=True)
    application = seller_application_submit_claim(
        user=hoa,
        business=holder,
        tax_code=TAX_CODE,
        contact_name="Nguyễn Thị Hoa",
        contact_phone="0912345678",
    )
    seller_application_approve(application=application, reviewer=staff)
    business_activate(business=holder, user=hoa)
    _token, secret = api_token_create(business=holder, user=hoa, name="Cổng tỉnh Quảng Ninh")
    integrator = GraphQLClient(browser(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    business = gid("Business", holder)

    # 3. The pack, a warehouse, the offer in whole đồng, stock and a photo, with the token.
    anonymous(public, PRODUCT, slug)
    added = integrator(VARIANT_ADD, {"product": gid("Product", product)})["productVariantAdd"]
    assert (added["variant"]["name"], added["errors"]) == ("Hũ 500 g", [])
    variant_id = added["variant"]["id"]
    created = integrator(LOCATION_CREATE, {"business": business, "name": "Kho Tiên Yên"})
    assert created["stockLocationCreate"]["errors"] == []
    warehouse_id = created["stockLocationCreate"]["location"]["id"]
    created = integrator(
        OFFER_CREATE, {"business": business, "variant": variant_id, "price": 125_000}
    )["offerCreate"]
    assert (created["offer"]["price"], created["offer"]["status"], created["errors"]) == (
        125_000,
        "DRAFT",
        [],
    )
    offer_id = created["offer"]["id"]
    stocked = integrator(
        STOCK_UPDATE, {"offer": offer_id, "location": warehouse_id, "quantity": 12}
    )["stockUpdate"]
    assert stocked == {"stock": {"quantity": 12}, "offer": {"stock": 12}, "errors": []}

    anonymous(public, PRODUCT, slug)
    uploaded = integrator.upload(PHOTO_UPLOAD, {"product": gid("Product", product)}, jpeg())
    assert uploaded["productPhotoUpload"] == {
        "photo": {
            "width": 900,
            "height": 600,
            "altText": "Hũ mật ong rừng 500 g",
            "renditions": [{"width": 160}, {"width": 320}, {"width": 640}],
        },
        "errors": [],
    }
    photo_url = f"/media/{ProductPhoto.objects.get().image.name}"
    assert anonymous(public, PRODUCT, slug) == {
        "product": {
            "offers": [],
            "photos": [{"url": photo_url}],
            "currentCertificate": {"stars": 4},
        }
    }
    published = integrator(OFFER_PUBLISH, {"offer": offer_id})["offerPublish"]
    assert published == {"offer": {"status": "PUBLISHED"}, "errors": []}

    # 4. Anyone reads the offer.
    holder_offer = {
        "price": 125_000,
        "stock": 12,
        "seller": {"name": HOLDER, "sellerType": "PRODUCER"},
        "variant": {"name": "Hũ 500 g"},
    }
    assert anonymous(public, PRODUCT, slug) == {
        "product": {
            "offers": [holder_offer],
            "photos": [{"url": photo_url}],
            "currentCertificate": {"stars": 4},
        }
    }

    # 5. The OCOP centre, in a signed-in browser session (so with the CSRF header), is refused
    # until the holder authorises it.
    centre = BusinessFactory(
        name=CENTRE,
        tax_code=CENTRE_TAX_CODE,
        status=SellerStatus.ACTIVE,
        seller_type=SellerType.OCOP_CENTRE,
    )
    MembershipFactory(
        business=centre,
        role="owner",
        user__username="nam@ocop-halong.vn",
        user__email="nam@ocop-halong.vn",
    )
    session = browser(enforce_csrf_checks=True)
    session.get(reverse("account:login"))
    response = session.post(
        reverse("account:login"),
        {
            "username": "nam@ocop-halong.vn",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    reseller = GraphQLClient(session, HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value)
    centre_id = gid("Business", centre)
    offer_vars = {"business": centre_id, "variant": variant_id, "price": 135_000}
    refused = reseller(OFFER_CREATE, offer_vars)["offerCreate"]
    assert refused == {
        "offer": None,
        "errors": [
            {
                "field": "variant",
                "message": "Only the holder, or a reseller it has authorised, can offer this "
                "product.",
                "code": "PERMISSION_DENIED",
            }
        ],
    }
    assert not Offer.objects.filter(seller=centre).exists()

    anonymous(public, PRODUCT, slug)
    granted = integrator(RESALE_GRANT, {"product": gid("Product", product), "reseller": centre_id})[
        "resaleGrant"
    ]
    assert granted == {
        "authorization": {"isActive": True, "reseller": {"name": CENTRE}},
        "errors": [],
    }
    assert [o["seller"]["name"] for o in anonymous(public, PRODUCT, slug)["product"]["offers"]] == [
        HOLDER
    ]
    created = reseller(OFFER_CREATE, offer_vars)["offerCreate"]
    assert (created["offer"]["status"], created["errors"]) == ("DRAFT", [])
    centre_offer_id = created["offer"]["id"]
    counter = reseller(LOCATION_CREATE, {"business": centre_id, "name": "Quầy OCOP Bãi Cháy"})
    stocked = reseller(
        STOCK_UPDATE,
        {
            "offer": centre_offer_id,
            "location": counter["stockLocationCreate"]["location"]["id"],
            "quantity": 8,
        },
    )["stockUpdate"]
    assert stocked == {"stock": {"quantity": 8}, "offer": {"stock": 8}, "errors": []}
    anonymous(public, PRODUCT, slug)
    published = reseller(OFFER_PUBLISH, {"offer": centre_offer_id})["offerPublish"]
    assert published == {"offer": {"status": "PUBLISHED"}, "errors": []}

    centre_offer = {
        "price": 135_000,
        "stock": 8,
        "seller": {"name": CENTRE, "sellerType": "OCOP_CENTRE"},
        "variant": {"name": "Hũ 500 g"},
    }
    assert anonymous(public, PRODUCT, slug) == {
        "product": {
            "offers": [holder_offer, centre_offer],
            "photos": [{"url": photo_url}],
            "currentCertificate": {"stars": 4},
        }
    }
    assert anonymous(public, PRODUCTS)["products"]["totalCount"] == 1

    # 6. The certificate runs out; the daily job records it; the offers are gone.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: expired_day(decided))
    assert run_certificates_daily().splitlines()[0] == "1 certificate expired."
    assert anonymous(public, PRODUCT, slug) == {
        "product": {"offers": [], "photos": [{"url": photo_url}], "currentCertificate": None}
    }
    assert anonymous(public, PRODUCTS) == {"products": {"totalCount": 0, "edges": []}}
    # The API has no "why is my offer hidden" field: the seller sees the offer still published
    # and its product without a certificate in force, the latest one expired.
    until = add_months(decided, 36).isoformat()
    assert integrator(MY_OFFERS, {"business": business})["myOffers"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "price": 125_000,
                    "status": "PUBLISHED",
                    "product": {
                        "currentCertificate": None,
                        "certificates": [{"status": "EXPIRED", "validUntil": until}],
                    },
                }
            }
        ],
    }
