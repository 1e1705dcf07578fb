"""The workspace pages over HTTP: what they show, how errors come back, constant SQL."""

import datetime
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import Certificate, ProductPhoto
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization, Stock
from sellers.models import SellerStatus
from tests.factories import (
    BusinessFactory,
    OfferFactory,
    ProductVariantFactory,
    StockFactory,
    StockLocationFactory,
    certified_product,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client, market, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(market.owner)
    client.cookies["django_language"] = "en"
    return client


def url(name, market, *args):
    return reverse(f"offers:{name}", args=[market.holder.slug, *args])


def test_url_names_the_workspace_layout_needs(market):
    slug = market.holder.slug
    assert reverse("offers:dashboard", args=[slug]) == f"/seller/{slug}/"
    assert reverse("offers:offer_list", args=[slug]) == f"/seller/{slug}/offers/"
    assert reverse("offers:stock", args=[slug]) == f"/seller/{slug}/stock/"
    assert reverse("offers:product_list", args=[slug]) == f"/seller/{slug}/products/"


# --- offers ------------------------------------------------------------------------------------


def test_create_offer_parses_vietnamese_prices(owner, market):
    response = owner.post(
        url("offer_create", market),
        {"variant": market.variant.pk, "price": "1.250.000 ₫", "compare_at_price": "1500000"},
    )
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("offer_edit", market, offer.pk)
    assert (offer.seller, offer.price, offer.compare_at_price, offer.status) == (
        market.holder,
        1_250_000,
        1_500_000,
        OfferStatus.DRAFT,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"price": "999"}, "price", "The price must be between 1.000 ₫ and 1.000.000.000 ₫."),
        (
            {"price": "1000000001"},
            "price",
            "The price must be between 1.000 ₫ and 1.000.000.000 ₫.",
        ),
        ({"price": "12,5"}, "price", "Enter a whole number of đồng, e.g. 125000 or 125.000."),
        ({"price": "1500.5"}, "price", "Enter a whole number of đồng, e.g. 125000 or 125.000."),
        (
            {"price": "150000", "compare_at_price": "150000"},
            "compare_at_price",
            "The compare-at price must be higher than the price.",
        ),
    ],
)
def test_create_offer_errors_are_shown_on_their_fields(owner, market, data, field, message):
    response = owner.post(url("offer_create", market), {"variant": market.variant.pk, **data})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert Offer.objects.count() == 0


def test_create_offer_lists_only_variants_the_business_may_sell(owner, market):
    foreign_product, _e, _c = certified_product(holder=market.other_seller)
    foreign = ProductVariantFactory(product=foreign_product)
    offered = ProductVariantFactory(product=market.product, name="Hũ 1 kg")
    OfferFactory(variant=offered)
    choices = list(
        owner.get(url("offer_create", market)).context["form"].fields["variant"].queryset
    )
    assert choices == [market.variant]
    response = owner.post(url("offer_create", market), {"variant": foreign.pk, "price": "99000"})
    assert list(response.context["form"].errors) == ["variant"]
    assert Offer.objects.filter(variant=foreign).count() == 0


def test_edit_offer_and_clear_compare_at(owner, market):
    offer = OfferFactory(variant=market.variant, price=150_000, compare_at_price=180_000)
    response = owner.post(url("offer_edit", market, offer.pk), {"price": "160.000"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.price, offer.compare_at_price) == (160_000, None)


def test_publish_error_is_shown_as_a_message(owner, market):
    revoke_certificate(certificate=market.certificate, ground="mark_misuse")
    offer = OfferFactory(variant=market.variant)
    response = owner.post(url("offer_publish", market, offer.pk), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This product has no OCOP certificate in force, so it cannot be sold as OCOP."
    ]
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DRAFT


def test_publish_pause_delete_over_http(owner, market):
    offer = OfferFactory(variant=market.variant)
    assert owner.get(url("offer_publish", market, offer.pk)).status_code == 405
    owner.post(url("offer_publish", market, offer.pk))
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    owner.post(url("offer_pause", market, offer.pk))
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PAUSED
    owner.post(url("offer_delete", market, offer.pk))
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_offer_list_shows_visibility_and_reasons_and_filters_by_status(owner, market):
    visible = OfferFactory(variant=market.variant, status=OfferStatus.PUBLISHED, price=150_000)
    draft = OfferFactory(
        variant=ProductVariantFactory(product=market.product, name="Hũ 1 kg"), price=290_000
    )
    response = owner.get(url("offer_list", market))
    rows = {o.pk: (o.is_visible, o.hidden_reasons) for o in response.context["offers"]}
    assert rows == {
        visible.pk: (True, []),
        draft.pk: (False, ["The offer is not published (Draft)."]),
    }
    html = response.content.decode()
    assert "150.000\u00a0₫" in html
    assert "The offer is not published (Draft)." in html
    filtered = owner.get(url("offer_list", market), {"status": "published"})
    assert [o.pk for o in filtered.context["offers"]] == [visible.pk]
    bogus = owner.get(url("offer_list", market), {"status": "deleted"})
    assert {o.pk for o in bogus.context["offers"]} == {visible.pk, draft.pk}


_pack_numbers = itertools.count(1)


def make_offers(market, count):
    location = StockLocationFactory(business=market.holder)
    for n in range(count):
        offer = OfferFactory(
            variant=ProductVariantFactory(
                product=market.product, name=f"Gói {next(_pack_numbers)}"
            ),
            status=OfferStatus.DRAFT if n % 2 else OfferStatus.PUBLISHED,
            price=100_000 + n,
        )
        StockFactory(offer=offer, location=location, quantity=n)
        # A reseller's offer in the same market must not change the holder's counts.
        OfferFactory(variant=offer.variant, seller=market.reseller, price=199_000)


@pytest.mark.parametrize("page", ["dashboard", "offer_list", "stock", "product_list"])
def test_list_pages_run_a_constant_number_of_queries(client, market, django_queries, page):
    client.force_login(market.owner)
    make_offers(market, 1)
    client.get(url(page, market))  # warm up: session, content types
    with _count() as first:
        client.get(url(page, market))
    make_offers(market, 19)
    # A second product with a photo-less listing and its own authorisation.
    other, _e, _c = certified_product(holder=market.holder)
    ResaleAuthorization.objects.create(product=other, reseller=market.other_seller)
    with django_queries(first.count):
        response = client.get(url(page, market))
    assert response.status_code == 200


class _count:
    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._ctx = CaptureQueriesContext(connection)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self.count = len(self._ctx.captured_queries)


# --- dashboard ---------------------------------------------------------------------------------


def test_dashboard_counts_low_stock_warnings_and_hidden(owner, market):
    today = timezone.localdate()
    location = StockLocationFactory(business=market.holder)
    low = OfferFactory(variant=market.variant, status=OfferStatus.PUBLISHED)
    StockFactory(offer=low, location=location, quantity=5)
    plenty = OfferFactory(
        variant=ProductVariantFactory(product=market.product, name="Hũ 1 kg"),
        status=OfferStatus.PUBLISHED,
    )
    StockFactory(offer=plenty, location=location, quantity=6)
    # Three more products: one in the re-evaluation window, one expired, one revoked.
    _window, _e, window_cert = certified_product(holder=market.holder, name="Chè xanh")
    Certificate.objects.filter(pk=window_cert.pk).update(
        valid_until=today + datetime.timedelta(days=150)
    )
    _late, _e, late_cert = certified_product(holder=market.holder, name="Nước mắm")
    Certificate.objects.filter(pk=late_cert.pk).update(
        valid_until=today + datetime.timedelta(days=30)
    )
    _expired, _e, expired_cert = certified_product(holder=market.holder, name="Ba kích")
    Certificate.objects.filter(pk=expired_cert.pk).update(
        valid_until=today - datetime.timedelta(days=1)
    )
    revoked, _e, revoked_cert = certified_product(holder=market.holder, name="Sá sùng")
    revoke_certificate(certificate=revoked_cert, ground="mark_misuse")
    hidden = OfferFactory(variant=ProductVariantFactory(product=revoked), status="published")

    response = owner.get(url("dashboard", market))
    context = response.context
    assert context["published_count"] == 3
    assert [o.pk for o in context["low_stock"]] == [low.pk, hidden.pk]
    assert [(w.product.name, w.kind, w.days_left, w.in_reevaluation_window)
            for w in context["warnings"]] == [
        ("Sá sùng", "revoked", None, False),
        ("Ba kích", "expired", None, False),
        ("Nước mắm", "expiring", 30, False),
        ("Chè xanh", "expiring", 150, True),
    ]  # fmt: skip
    assert [(o.pk, o.hidden_reasons) for o in context["hidden_offers"]] == [
        (hidden.pk, ["The product's OCOP certificate was revoked: Misuse of the OCOP mark."])
    ]
    html = response.content.decode()
    assert "Re-evaluation window open" in html
    assert "The re-evaluation window has passed" in html


# --- stock -------------------------------------------------------------------------------------


def test_stock_editor_saves_the_grid(owner, market):
    offer = OfferFactory(variant=market.variant)
    kho = StockLocationFactory(business=market.holder, name="Kho")
    shop = StockLocationFactory(business=market.holder, name="Cửa hàng")
    StockFactory(offer=offer, location=kho, quantity=2)
    form = owner.get(url("stock", market)).context["form"]
    assert form[f"q_{offer.pk}_{kho.pk}"].value() == 2
    response = owner.post(
        url("stock", market), {f"q_{offer.pk}_{kho.pk}": "9", f"q_{offer.pk}_{shop.pk}": "1"}
    )
    assert response.status_code == 302
    assert sorted(Stock.objects.values_list("location__name", "quantity")) == [
        ("Cửa hàng", 1),
        ("Kho", 9),
    ]
    response = owner.post(url("stock", market), {f"q_{offer.pk}_{kho.pk}": "-1"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"q_{offer.pk}_{kho.pk}"]
    assert sorted(Stock.objects.values_list("quantity", flat=True)) == [1, 9]


def _grid_post(form) -> dict:
    """What the browser sends back: every cell and its hidden "seen" figure, as shown."""
    return {name: form[name].value() for name in form.fields}


def test_saving_the_grid_unchanged_keeps_units_sold_meanwhile(owner, market):
    offer = OfferFactory(variant=market.variant)
    kho = StockLocationFactory(business=market.holder, name="Kho")
    shop = StockLocationFactory(business=market.holder, name="Cửa hàng")
    StockFactory(offer=offer, location=kho, quantity=5)
    StockFactory(offer=offer, location=shop, quantity=4)
    data = _grid_post(owner.get(url("stock", market)).context["form"])
    assert f'name="s_{offer.pk}_{kho.pk}"' in owner.get(url("stock", market)).content.decode()
    Stock.objects.filter(location=kho).update(quantity=3)  # two units sold meanwhile
    data[f"q_{offer.pk}_{shop.pk}"] = 6  # the seller changed another cell
    assert owner.post(url("stock", market), data).status_code == 302
    assert sorted(Stock.objects.values_list("location__name", "quantity")) == [
        ("Cửa hàng", 6),
        ("Kho", 3),
    ]


def test_a_cell_changed_meanwhile_is_refused_and_the_grid_shows_the_current_figure(owner, market):
    offer = OfferFactory(variant=market.variant)
    kho = StockLocationFactory(business=market.holder, name="Kho")
    shop = StockLocationFactory(business=market.holder, name="Cửa hàng")
    StockFactory(offer=offer, location=kho, quantity=5)
    data = _grid_post(owner.get(url("stock", market)).context["form"])
    Stock.objects.filter(location=kho).update(quantity=3)
    data[f"q_{offer.pk}_{kho.pk}"] = 10
    data[f"q_{offer.pk}_{shop.pk}"] = 2
    response = owner.post(url("stock", market), data)
    assert response.status_code == 200
    assert [m.message for m in response.context["messages"]] == [
        f"The stock changed while you were editing ({offer.variant} @ Kho). Nothing was saved: "
        "the grid shows the current figures, enter your changes again."
    ]
    form = response.context["form"]
    assert (form[f"q_{offer.pk}_{kho.pk}"].value(), form[f"s_{offer.pk}_{kho.pk}"].value()) == (
        3,
        3,
    )
    assert list(Stock.objects.values_list("location__name", "quantity")) == [("Kho", 3)]


def test_a_cell_missing_from_the_post_changes_nothing(owner, market):
    offer = OfferFactory(variant=market.variant)
    kho = StockLocationFactory(business=market.holder, name="Kho")
    shop = StockLocationFactory(business=market.holder, name="Cửa hàng")
    StockFactory(offer=offer, location=kho, quantity=5)
    response = owner.post(url("stock", market), {f"q_{offer.pk}_{shop.pk}": "2"})
    assert response.status_code == 302
    assert sorted(Stock.objects.values_list("location__name", "quantity")) == [
        ("Cửa hàng", 2),
        ("Kho", 5),
    ]


def test_location_create_errors_on_fields(owner, market):
    StockLocationFactory(business=market.holder, name="Kho")
    response = owner.post(
        url("location_create", market),
        {"name": "Kho", "kind": "warehouse", "province": market.holder.province_id},
    )
    assert response.context["form"].errors == {
        "name": ["You already have a location with this name."]
    }


# --- products ----------------------------------------------------------------------------------


def test_product_content_and_variants_over_http(owner, market):
    page = url("product_edit", market, market.product.slug)
    response = owner.post(
        page, {"description": "<p onmouseover=x()>Ngọt</p><script>x()</script>", "story": ""}
    )
    assert response.status_code == 302
    market.product.refresh_from_db()
    assert market.product.description == "<p>Ngọt</p>"
    # A field the form did not send is left alone, not erased.
    owner.post(page, {"story": "Từ năm 1980"})
    market.product.refresh_from_db()
    assert (market.product.description, market.product.story) == (
        "<p>Ngọt</p>",
        "<p>Từ năm 1980</p>",
    )
    response = owner.post(
        url("variant_add", market, market.product.slug), {"name": "Hũ 250 g", "gtin": "123"}
    )
    assert response.status_code == 400
    assert response.context["variant_form"].errors == {
        "gtin": ["A GTIN has 8, 12, 13 or 14 digits; 123 does not."]
    }
    response = owner.post(
        url("variant_add", market, market.product.slug),
        {"name": "Hũ 250 g", "net_quantity": "250", "unit": "g", "gtin": "8934567890120"},
    )
    assert response.status_code == 302
    assert list(market.product.variants.values_list("name", "gtin")) == [
        ("Hũ 500 g", ""),
        ("Hũ 250 g", "8934567890120"),
    ]


def test_variant_with_offers_cannot_be_removed_over_http(owner, market):
    OfferFactory(variant=market.variant)
    response = owner.post(
        url("variant_remove", market, market.product.slug, market.variant.pk), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "“Hũ 500 g” is on sale in at least one offer; delete those offers first."
    ]
    assert market.product.variants.count() == 1


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 90, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_photo_upload_reorder_and_errors_over_http(owner, market, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    add = url("photo_add", market, market.product.slug)
    for name in ("a.jpg", "b.jpg"):
        upload = SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")
        assert owner.post(add, {"image": upload, "alt_text": name}).status_code == 302
    fake = SimpleUploadedFile("c.jpg", b"plain text", content_type="image/jpeg")
    response = owner.post(add, {"image": fake})
    assert response.status_code == 400
    assert response.context["photo_form"].errors == {
        "image": ["“c.jpg” is not a JPEG, PNG or WebP image."]
    }
    a, b = ProductPhoto.objects.order_by("position")
    owner.post(url("photo_move", market, market.product.slug), {"photo": b.pk, "direction": "up"})
    assert list(ProductPhoto.objects.order_by("position").values_list("alt_text", flat=True)) == [
        "b.jpg",
        "a.jpg",
    ]
    page = owner.get(url("product_edit", market, market.product.slug)).content.decode()
    assert "160w" in page and "640w" in page and "900w" in page
    owner.post(url("photo_remove", market, market.product.slug, a.pk))
    assert list(ProductPhoto.objects.values_list("alt_text", flat=True)) == ["b.jpg"]


def test_resale_grant_by_tax_code_or_name_and_revoke(owner, market):
    grant = url("resale_grant", market, market.product.slug)
    owner.post(grant, {"reseller": market.other_seller.tax_code})
    assert ResaleAuthorization.objects.filter(
        reseller=market.other_seller, revoked_at__isnull=True
    ).exists()
    BusinessFactory(name="Trung tâm OCOP Móng Cái", status=SellerStatus.ACTIVE)
    target = BusinessFactory(name="Trung tâm OCOP Cô Tô", status=SellerStatus.ACTIVE)
    BusinessFactory(name="Trung tâm OCOP Vân Đồn", status=SellerStatus.SUSPENDED)
    response = owner.post(grant, {"reseller": "trung tam ocop"})
    assert response.status_code == 400
    assert response.context["grant_form"].errors == {
        "reseller": ["Several businesses match; choose one below."]
    }
    # Suspended businesses are not offered.
    assert "Vân Đồn" not in {b.name for b in response.context["candidates"]}
    owner.post(grant, {"reseller": "trung tam ocop", "reseller_id": target.pk})
    assert ResaleAuthorization.objects.filter(reseller=target, revoked_at__isnull=True).exists()
    response = owner.post(grant, {"reseller": "không có ai"})
    assert response.context["grant_form"].errors == {
        "reseller": ["No active business matches; check the tax code or the name."]
    }
    authorization = ResaleAuthorization.objects.get(reseller=target)
    owner.post(url("resale_revoke", market, authorization.pk))
    authorization.refresh_from_db()
    assert authorization.revoked_at is not None
