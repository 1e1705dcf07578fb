"""A buyer on a phone and on a desktop, in Vietnamese and in English: finds a product with the
header search typed without diacritics, fills a cart from two sellers, checks out with cash on
delivery and with VietQR, and opens an order from its e-mail link in a fresh browser."""

import re

import pytest


@pytest.mark.parametrize("language", ["vi", "en"])
def test_header_search_without_diacritics_finds_the_product(open_context, viewport, language):
    visit = open_context(viewport, language)
    page = visit.page
    visit.goto("/")
    page.fill("#site-search-q", "gio lua")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=gio"))
    visit.check()
    page.get_by_role("link", name=re.compile("Giò lụa Móng Cái")).first.click()
    page.wait_for_url(re.compile(r"/san-pham/"))
    visit.check()
    assert "Giò lụa Móng Cái" in page.locator("h1").inner_text()
    # The demo's generated picture loads (media served with DEBUG off) and says what it is.
    assert visit.image_loaded(".gallery-illustration img")
    badge = page.locator(".gallery-illustration .badge-illustration")
    assert badge.inner_text() == ("Ảnh minh hoạ" if language == "vi" else "Illustration")


def _two_sellers_offers():
    """A product of the search flow's seller and one of another seller, both in stock."""
    from marketplace.offers.selectors import offers_visible

    offers = list(
        offers_visible()
        .filter(stocks__quantity__gt=5)
        .select_related("variant__product", "seller")
        .order_by("variant__product__name", "id")
    )
    first = next(o for o in offers if o.variant.product.name == "Giò lụa Móng Cái")
    second = next(o for o in offers if o.seller_id != first.seller_id)
    return first, second


def _add_to_cart(visit, offer):
    page = visit.page
    visit.goto(f"/san-pham/{offer.variant.product.slug}/")
    page.locator(f'form.add-to-cart:has(input[name="offer"][value="{offer.pk}"]) button').click()
    page.wait_for_url(re.compile(r"/gio-hang/$"))
    visit.check()


def _fill_checkout(page, *, email):
    page.fill("#id_email", email)
    page.fill("#id_phone", "0912345678")
    page.fill("#id_recipient_name", "Nguyễn Thị Lan")
    page.select_option("#id_province", label="Thành phố Hà Nội")
    page.fill("#id_commune", "Phường Ba Đình")
    page.fill("#id_street", "12 Phố Đội Cấn")


@pytest.mark.parametrize(
    ("viewport", "language", "method"),
    [("phone", "vi", "vietqr"), ("desktop", "en", "vietqr"), ("phone", "en", "cod")],
)
def test_two_seller_checkout_and_the_order_from_its_email(
    open_context, viewport, language, method, mailoutbox
):
    from marketplace.orders.models import Order

    honey, other = _two_sellers_offers()
    visit = open_context(viewport, language)
    page = visit.page
    _add_to_cart(visit, honey)
    _add_to_cart(visit, other)
    assert page.locator(".cart-seller").count() == 2
    page.locator("a.button[href='/thanh-toan/']").click()
    page.wait_for_url(re.compile(r"/thanh-toan/$"))
    visit.check()

    # Every mistake at once, next to its field, in the buyer's language.
    page.fill("#id_email", "lan@")
    page.fill("#id_phone", "12345")
    page.locator("form.checkout-form button[type=submit]").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.locator(".checkout-form .error").count() >= 4

    email = f"lan-{viewport}-{language}-{method}@example.vn"
    _fill_checkout(page, email=email)
    page.check(f"input[name=payment_method][value={method}]")
    page.locator("form.checkout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/don-hang/xac-nhan/"))
    visit.check()
    orders = list(Order.objects.filter(email=email).order_by("id"))
    assert len(orders) == 2
    for order in orders:
        assert page.locator(f'[data-order="{order.number}"]').count() == 1
    if method == "vietqr":
        assert visit.image_loaded(".vietqr img")
        note = page.locator("[data-vietqr-note]").inner_text()
        assert orders[0].number in note and orders[1].number in note

    # The second order's e-mail, opened in a fresh browser (no session, only the link's token).
    message = next(m for m in mailoutbox if orders[1].number in m.subject)
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(visit.site)  # the live server's port, not 8000
    stranger = open_context(viewport, language)
    stranger.goto(link)
    assert orders[1].number in stranger.page.locator("main").inner_text()
    if method == "vietqr":
        assert stranger.image_loaded(".vietqr img")
