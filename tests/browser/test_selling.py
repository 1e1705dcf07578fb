"""A cooperative signs in through the login form and claims its registry profile, a staff
official approves the claim in the admin, and the cooperative — now the owner — starts selling:
a warehouse, an offer with stock, a photo sent through the page's file input, published; a
buyer then sees the offer and the photo on the product page."""

import re

import pytest
from PIL import Image

from catalog.models import ProductPhoto
from core.models import Province
from marketplace.offers.models import Offer, OfferStatus, StockLocation
from sellers.models import Business, SellerApplication, SellerStatus
from tests.factories import (
    BusinessFactory,
    ProductVariantFactory,
    UserFactory,
    certified_product,
)

PASSWORD = "correct horse battery staple"  # the factories' password


def _sign_in(visit, username: str) -> None:
    page = visit.page
    visit.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action$='/dang-nhap/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tai-khoan/$"))
    visit.check()


def _submit(visit, form: str, url: str) -> None:
    visit.page.locator(f"{form} button[type=submit]").click()
    visit.page.wait_for_url(re.compile(url))
    visit.check()


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_claim_approve_publish_with_a_photo(open_context, viewport, language, tmp_path):
    # The suite's data is committed, not rolled back: each viewport brings its own cooperative.
    holder = BusinessFactory(name=f"HTX Chè Đường Hoa {viewport}", status=SellerStatus.UNCLAIMED)
    product, _evaluation, _certificate = certified_product(
        holder=holder, name=f"Chè xanh Đường Hoa {viewport}"
    )
    variant = ProductVariantFactory(product=product, name="Gói 200 g")
    UserFactory(username=f"hoa-{viewport}@che-duong-hoa.vn")
    UserFactory(username=f"staff-{viewport}@ocop.vn", is_staff=True, is_superuser=True)

    # 1. The cooperative signs in and claims its profile with the registry's tax code.
    seller = open_context(viewport, language)
    page = seller.page
    _sign_in(seller, f"hoa-{viewport}@che-duong-hoa.vn")
    seller.goto(f"/seller/claim/{holder.slug}/")
    page.fill("#id_tax_code", holder.tax_code)
    page.fill("#id_contact_name", "Nguyễn Thị Hoa")
    page.fill("#id_contact_phone", "0912 345 678")
    page.fill("#id_evidence", "GCN HTX số 22/2019")
    _submit(seller, f"form[action$='/claim/{holder.slug}/']", r"/tai-khoan/$")
    application = SellerApplication.objects.get(business=holder)
    assert application.status == "pending"

    # 2. A staff official approves it in the admin (at a desk).
    staff = open_context("desktop", language)
    _sign_in(staff, f"staff-{viewport}@ocop.vn")
    admin = staff.page
    staff.goto("/admin/sellers/sellerapplication/")
    admin.check(f"input[name=_selected_action][value='{application.pk}']")
    admin.select_option("select[name=action]", "approve_applications")
    admin.locator("button[name=index]").click()
    admin.wait_for_url(re.compile(r"/admin/sellers/sellerapplication/"))
    staff.check()
    application.refresh_from_db()
    assert application.status == "approved"

    # 3. The owner accepts the seller terms, opens a warehouse, offers the pack with stock.
    workspace = f"/seller/{holder.slug}"
    seller.goto(f"{workspace}/activate/")
    page.check("#id_accept_terms")
    _submit(seller, f"form[action$='{workspace}/activate/']", r"/seller/")
    holder.refresh_from_db()
    assert holder.status == SellerStatus.ACTIVE

    seller.goto(f"{workspace}/stock/locations/new/")
    page.fill("#id_name", "Kho Đường Hoa")
    page.select_option("#id_kind", "warehouse")
    page.select_option("#id_province", str(Province.objects.get(code="22").pk))
    _submit(seller, "form:has(#id_kind)", r"/seller/")
    warehouse = StockLocation.objects.get(business=holder)

    seller.goto(f"{workspace}/offers/new/")
    page.select_option("#id_variant", str(variant.pk))
    page.fill("#id_price", "85.000")
    _submit(seller, "form:has(#id_price)", r"/offers/\d+/$")
    offer = Offer.objects.get(seller=holder)
    assert (offer.price, offer.status) == (85_000, OfferStatus.DRAFT)

    seller.goto(f"{workspace}/stock/")
    page.fill(f"[name=q_{offer.pk}_{warehouse.pk}]", "20")
    _submit(seller, "form.stock-grid", r"/stock/")

    # 4. A photo through the page's own file input, then the offer published.
    photo_file = tmp_path / "che-xanh.jpg"
    Image.new("RGB", (800, 600), (40, 120, 60)).save(photo_file, format="JPEG")
    seller.goto(f"{workspace}/products/{product.slug}/")
    upload = "form[enctype='multipart/form-data']"
    page.set_input_files(f"{upload} input[type=file][name=image]", str(photo_file))
    page.fill(f"{upload} [name=alt_text]", "Gói chè xanh 200 g")
    _submit(seller, upload, rf"/products/{product.slug}/")
    photo = ProductPhoto.objects.get(product=product)
    assert (photo.width, photo.height, photo.is_illustration) == (800, 600, False)

    seller.goto(f"{workspace}/offers/")
    _submit(seller, f"form[action$='/offers/{offer.pk}/publish/']", r"/offers/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED

    # 5. A buyer in a fresh browser sees the offer and the photo, which really loads.
    buyer = open_context(viewport, language)
    buyer.goto(f"/san-pham/{product.slug}/")
    shown = buyer.page
    assert buyer.image_loaded(".gallery img")
    assert shown.locator(".gallery img").get_attribute("alt") == "Gói chè xanh 200 g"
    assert shown.locator(".badge-illustration").count() == 0
    offers = shown.locator(".offer").all_inner_texts()
    assert len(offers) == 1
    assert holder.name in offers[0]
    assert "85.000" in offers[0]
    assert Business.objects.get(pk=holder.pk).status == SellerStatus.ACTIVE
