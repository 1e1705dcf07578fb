"""Who may do what in the offers workspace, page by page, and that a refusal changes nothing.

The rule: the business is found only through the user's memberships, so anyone who is not a
member (a buyer, another seller, the reseller the holder authorised, even a site staff user) gets
404 as if the business did not exist; an anonymous visitor is sent to sign in. Among members,
owners and managers may do everything; staff may set stock and nothing else (403).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.content import product_photo_add
from catalog.models import Product, ProductPhoto, ProductVariant
from marketplace.offers.models import (
    Offer,
    OfferStatus,
    ResaleAuthorization,
    Stock,
    StockLocation,
)
from tests.factories import (
    OfferFactory,
    ProductVariantFactory,
    StockLocationFactory,
)

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "buyer",
    "other_seller",
    "reseller",
    "site_staff",
    "staff",
    "manager",
    "owner",
]
MANAGERS = {"owner", "manager"}
EVERY_MEMBER = {"owner", "manager", "staff"}


def jpeg(size=(300, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 80, 20)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def scene(market, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    draft = OfferFactory(variant=market.variant, price=150_000)
    published = OfferFactory(
        variant=ProductVariantFactory(product=market.product, name="Hũ 1 kg"),
        price=290_000,
        status=OfferStatus.PUBLISHED,
    )
    fresh = ProductVariantFactory(product=market.product, name="Chai 1 l")
    location = StockLocationFactory(business=market.holder, name="Kho Tiên Yên")
    photos = [
        product_photo_add(
            actor=market.owner,
            product=market.product,
            upload=SimpleUploadedFile(f"{n}.jpg", jpeg(), content_type="image/jpeg"),
        )
        for n in range(2)
    ]
    return {
        "draft": draft,
        "published": published,
        "fresh": fresh,
        "location": location,
        "photos": photos,
        "authorization": ResaleAuthorization.objects.get(reseller=market.reseller),
    }


def snapshot():
    """Everything the workspace can change, in a comparable form."""
    return {
        "offers": list(
            Offer.objects.order_by("pk").values_list("pk", "price", "compare_at_price", "status")
        ),
        "stock": list(Stock.objects.order_by("pk").values_list("offer", "location", "quantity")),
        "locations": list(StockLocation.objects.order_by("pk").values_list("name")),
        "products": list(Product.objects.order_by("pk").values_list("description", "story")),
        "variants": list(ProductVariant.objects.order_by("pk").values_list("pk", "name", "gtin")),
        "photos": list(ProductPhoto.objects.order_by("pk").values_list("pk", "position")),
        "resale": list(
            ResaleAuthorization.objects.order_by("pk").values_list("pk", "reseller", "revoked_at")
        ),
    }


def case_offer_create(m, s):
    return "offers/new/", {"variant": s["fresh"].pk, "price": "120.000"}


def case_offer_edit(m, s):
    return f"offers/{s['draft'].pk}/", {"price": "140000", "compare_at_price": "160.000"}


def case_offer_publish(m, s):
    return f"offers/{s['draft'].pk}/publish/", {}


def case_offer_pause(m, s):
    return f"offers/{s['published'].pk}/pause/", {}


def case_offer_delete(m, s):
    return f"offers/{s['draft'].pk}/delete/", {}


def case_stock(m, s):
    loc = s["location"].pk
    return "stock/", {f"q_{s['draft'].pk}_{loc}": "7", f"q_{s['published'].pk}_{loc}": "3"}


def case_location_create(m, s):
    return "stock/locations/new/", {"name": "Điểm bán Hạ Long", "kind": "point_of_sale",
                                    "province": m.holder.province_id}  # fmt: skip


def case_content(m, s):
    return f"products/{m.product.slug}/", {"description": "Mới", "story": "Chuyện"}


def case_variant_add(m, s):
    return f"products/{m.product.slug}/variants/new/", {"name": "Hũ 250 g"}


def case_variant_edit(m, s):
    return f"products/{m.product.slug}/variants/{s['fresh'].pk}/", {"name": "Chai 1,5 l"}


def case_variant_remove(m, s):
    return f"products/{m.product.slug}/variants/{s['fresh'].pk}/remove/", {}


def case_photo_add(m, s):
    upload = SimpleUploadedFile("moi.jpg", jpeg(), content_type="image/jpeg")
    return f"products/{m.product.slug}/photos/", {"image": upload, "alt_text": "Hũ"}


def case_photo_remove(m, s):
    return f"products/{m.product.slug}/photos/{s['photos'][0].pk}/remove/", {}


def case_photo_move(m, s):
    photo = s["photos"][1].pk
    return f"products/{m.product.slug}/photos/move/", {"photo": photo, "direction": "up"}


def case_resale_grant(m, s):
    return f"products/{m.product.slug}/resellers/", {"reseller": m.other_seller.tax_code}


def case_resale_revoke(m, s):
    return f"resale/{s['authorization'].pk}/revoke/", {}


CASES = {
    "offer_create": (case_offer_create, MANAGERS),
    "offer_edit": (case_offer_edit, MANAGERS),
    "offer_publish": (case_offer_publish, MANAGERS),
    "offer_pause": (case_offer_pause, MANAGERS),
    "offer_delete": (case_offer_delete, MANAGERS),
    "stock": (case_stock, EVERY_MEMBER),
    "location_create": (case_location_create, MANAGERS),
    "content": (case_content, MANAGERS),
    "variant_add": (case_variant_add, MANAGERS),
    "variant_edit": (case_variant_edit, MANAGERS),
    "variant_remove": (case_variant_remove, MANAGERS),
    "photo_add": (case_photo_add, MANAGERS),
    "photo_remove": (case_photo_remove, MANAGERS),
    "photo_move": (case_photo_move, MANAGERS),
    "resale_grant": (case_resale_grant, MANAGERS),
    "resale_revoke": (case_resale_revoke, MANAGERS),
}


def login(client, market, actor):
    users = {
        "buyer": market.buyer,
        "other_seller": market.other_owner,
        "reseller": market.reseller_owner,
        "site_staff": market.site_staff,
        "staff": market.staff,
        "manager": market.manager,
        "owner": market.owner,
    }
    if actor != "anonymous":
        client.force_login(users[actor])


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(CASES))
def test_permission_matrix(client, market, scene, case, actor):
    build, allowed = CASES[case]
    path, data = build(market, scene)
    url = f"/seller/{market.holder.slug}/{path}"
    login(client, market, actor)
    before = snapshot()
    response = client.post(url, data)
    after = snapshot()
    if actor in allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after != before
        return
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/") or "login" in response["Location"]
    elif actor == "staff":
        assert response.status_code == 403
    else:
        # Not a member: the business does not exist for them.
        assert response.status_code == 404
    assert after == before


@pytest.mark.parametrize("actor", ["buyer", "other_seller", "reseller", "site_staff"])
@pytest.mark.parametrize(
    "page", ["", "offers/", "offers/new/", "stock/", "products/", "stock/locations/new/"]
)
def test_non_members_get_404_on_every_page(client, market, actor, page):
    login(client, market, actor)
    assert client.get(f"/seller/{market.holder.slug}/{page}").status_code == 404


@pytest.mark.parametrize("page", ["", "offers/", "stock/", "products/"])
def test_anonymous_is_sent_to_sign_in(client, market, page):
    response = client.get(f"/seller/{market.holder.slug}/{page}")
    assert response.status_code == 302
    assert f"next=/seller/{market.holder.slug}/{page}" in response["Location"]


@pytest.mark.parametrize("page", ["", "offers/", "stock/", "products/"])
def test_staff_reads_every_page_without_manage_controls(client, market, scene, page):
    login(client, market, "staff")
    response = client.get(f"/seller/{market.holder.slug}/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/publish/" not in html
    assert "/offers/new/" not in html
    assert "/stock/locations/new/" not in html


def test_objects_of_another_business_are_not_found_through_mine(client, market, scene):
    """An offer, product or authorisation id of another business under my slug is a 404."""
    theirs = OfferFactory(variant=market.variant, seller=market.reseller, price=199_000)
    login(client, market, "reseller")
    base = f"/seller/{market.reseller.slug}/"
    before = snapshot()
    assert client.post(f"{base}offers/{scene['draft'].pk}/delete/").status_code == 404
    assert client.get(f"{base}offers/{scene['draft'].pk}/").status_code == 404
    # The reseller sells the product but never reaches its content editor.
    assert client.get(f"{base}products/{market.product.slug}/").status_code == 404
    assert client.post(f"{base}products/{market.product.slug}/", {"story": "x"}).status_code == 404
    assert client.post(f"{base}resale/{scene['authorization'].pk}/revoke/").status_code == 404
    assert client.get(f"{base}offers/{theirs.pk}/").status_code == 200
    assert snapshot() == before


def test_stock_form_ignores_cells_of_foreign_offers_and_locations(client, market, scene):
    foreign_location = StockLocationFactory(business=market.reseller)
    theirs = OfferFactory(variant=market.variant, seller=market.reseller, price=199_000)
    login(client, market, "owner")
    loc = scene["location"].pk
    response = client.post(
        f"/seller/{market.holder.slug}/stock/",
        {
            f"q_{scene['draft'].pk}_{loc}": "4",
            f"q_{theirs.pk}_{loc}": "99",
            f"q_{scene['draft'].pk}_{foreign_location.pk}": "99",
        },
    )
    assert response.status_code == 302
    assert list(Stock.objects.values_list("offer", "location", "quantity")) == [
        (scene["draft"].pk, loc, 4)
    ]
