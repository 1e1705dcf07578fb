"""The buyer's and the seller's pages, through the test client: honey from one cooperative and tea
from another, one checkout, two orders, both sellers fulfil theirs."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from core.money import format_vnd
from marketplace.offers.models import Stock
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.services import checkout_place_orders
from marketplace.payments.models import Payment
from tests.factories import BusinessFactory, MembershipFactory, UserFactory, member
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    honey, honey_stock = offer_in_stock(quantity=5, price=120_000, name="Mật ong Bình Liêu")
    tea, tea_stock = offer_in_stock(quantity=5, price=90_000, name="Chè Đường Hoa")
    return honey, tea, honey_stock, tea_stock


def _checkout_data(client, **overrides):
    html = client.get("/thanh-toan/").content.decode()
    data = {
        "email": "lan@example.vn",
        "phone": "0912345678",
        "recipient_name": "Nguyễn Thị Lan",
        "province": "01",
        "commune": "Phường Ba Đình",
        "street": "12 Phố Đội Cấn",
        "note": "",
        "payment_method": "cod",
    }
    for name in re.findall(r'name="(delivery_\d+)"', html):
        data[name] = "shipping"
    data.update(overrides)
    return data


def _fill_cart(client, *offers):
    for offer in offers:
        response = client.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 1})
        assert response.status_code == 302


def test_one_checkout_two_sellers_cash_on_delivery_and_fulfilment(
    client, shop, django_capture_on_commit_callbacks
):
    honey, tea, honey_stock, _tea_stock = shop
    product_page = client.get(f"/san-pham/{honey.variant.product.slug}/").content.decode()
    assert 'action="/gio-hang/them/"' in product_page
    _fill_cart(client, honey, tea)
    cart_page = client.get("/gio-hang/").content.decode()
    assert cart_page.count('class="cart-seller"') == 2
    assert "data-cart-quantity>2<" in cart_page
    assert 'data-total="270000"' in cart_page  # 120.000 + 90.000 + 2 × 30.000 shipping

    data = _checkout_data(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/thanh-toan/", data)

    assert response.status_code == 302
    orders = list(Order.objects.order_by("seller_id"))
    assert [(o.seller, o.total, o.status) for o in orders] == sorted(
        [(honey.seller, 150_000, "confirmed"), (tea.seller, 120_000, "confirmed")],
        key=lambda row: row[0].pk,
    )
    confirmation = client.get(response["Location"]).content.decode()
    assert all(f'data-order="{o.number}"' in confirmation for o in orders)
    assert Stock.objects.get(pk=honey_stock.pk).quantity == 4
    # Buyer e-mails in Vietnamese, one per order; no seller has members here.
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Đơn hàng {o.number} đã được xác nhận" for o in orders
    )

    owner = member(honey.seller, "owner")
    seller = Client()
    seller.force_login(owner)
    honey_order = next(o for o in orders if o.seller == honey.seller)
    listing = seller.get(f"/seller/{honey.seller.slug}/orders/").content.decode()
    assert f'data-order="{honey_order.number}"' in listing
    tea_order = next(o for o in orders if o.seller == tea.seller)
    assert tea_order.number not in listing
    base = f"/seller/{honey.seller.slug}/orders/{honey_order.number}"
    seller.post(f"{base}/process/")
    seller.post(f"{base}/ship/", {"carrier": "VNPost", "tracking_number": "EB123VN"})
    seller.post(f"{base}/deliver/", {"cod_collected": "on"})
    seller.post(f"{base}/complete/")
    honey_order.refresh_from_db()
    assert (honey_order.status, honey_order.tracking_number) == ("completed", "EB123VN")
    assert honey_order.cod_collected_at is not None
    slip = seller.get(f"{base}/packing-slip/").content.decode()
    assert "Mật ong Bình Liêu" in slip and "EB123VN" not in slip


def test_english_buyers_get_english_emails(client, shop, django_capture_on_commit_callbacks):
    honey, _tea, _, _ = shop
    client.cookies["django_language"] = "en"
    _fill_cart(client, honey)
    data = _checkout_data(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/thanh-toan/", data)
    (order,) = Order.objects.all()
    assert order.language == "en"
    assert [m.subject for m in mail.outbox] == [f"Order {order.number} confirmed"]


def test_vietqr_checkout_shows_the_code_to_its_buyer_only(client, shop):
    honey, tea, _, _ = shop
    _fill_cart(client, honey, tea)
    response = client.post("/thanh-toan/", _checkout_data(client, payment_method="vietqr"))
    page = client.get(response["Location"]).content.decode()
    payment = Payment.objects.get()
    assert f"<code data-reference>{payment.reference}</code>" in page
    assert set(Order.objects.values_list("status", flat=True)) == {"awaiting_payment"}
    image_url = re.search(r'src="(/payments/vietqr/[^"]+)"', page).group(1).replace("&amp;", "&")
    image = client.get(image_url)
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    stranger = Client()
    assert stranger.get(f"/payments/vietqr/{payment.reference}.png").status_code == 404
    order = Order.objects.order_by("id").first()  # the order the e-mailed token names
    assert stranger.get(f"/don-hang/{order.number}/").status_code == 404
    token = image_url.split("t=")[1]
    assert stranger.get(f"/don-hang/{order.number}/?t={token}").status_code == 200


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_placed(client, shop):
    honey, _tea, _, _ = shop
    _fill_cart(client, honey)
    response = client.post("/thanh-toan/", _checkout_data(client, phone="12345"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhập số điện thoại Việt Nam" in html
    assert 'value="Nguyễn Thị Lan"' in html
    assert Order.objects.count() == 0 and Payment.objects.count() == 0


def test_sold_out_at_checkout_says_so_and_changes_nothing(client, shop):
    honey, _tea, honey_stock, _ = shop
    _fill_cart(client, honey)
    other = ready_cart((honey, 5))
    checkout_place_orders(cart=other, payment_method="cod", confirmed=True)
    response = client.post("/thanh-toan/", _checkout_data(client))
    assert response.status_code == 200
    assert "hết hàng" in response.content.decode()
    assert Order.objects.count() == 1
    assert Stock.objects.get(pk=honey_stock.pk).quantity == 0


def test_order_history_lists_the_buyers_orders_in_constant_queries(client, shop, django_queries):
    honey, _tea, _, _ = shop
    buyer = UserFactory()
    client.force_login(buyer)
    checkout_place_orders(
        cart=ready_cart((honey, 1), user=buyer), payment_method="cod", confirmed=True
    )
    client.get("/tai-khoan/don-hang/")
    with django_queries(4):
        one = client.get("/tai-khoan/don-hang/")
    for _ in range(3):
        checkout_place_orders(
            cart=ready_cart((honey, 1), user=buyer), payment_method="cod", confirmed=True
        )
    with django_queries(4):
        many = client.get("/tai-khoan/don-hang/")
    assert one.content.decode().count("data-order=") == 1
    assert many.content.decode().count("data-order=") == 4


def test_seller_order_list_runs_constant_queries(shop, django_queries):
    honey, _tea, _, _ = shop
    client = Client()
    client.force_login(member(honey.seller, "staff"))
    checkout_place_orders(cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True)
    url = f"/seller/{honey.seller.slug}/orders/"
    client.get(url)
    with django_queries(7):
        client.get(url)
    for _ in range(3):
        checkout_place_orders(cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True)
    with django_queries(7):
        html = client.get(url).content.decode()
    assert html.count("data-order=") == 4


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("buyer", 404), ("other_seller", 404), ("staff", 200), ("owner", 200)],
)
def test_seller_order_pages_are_scoped_through_memberships(shop, who, expected):
    honey, _tea, _, _ = shop
    (order,) = checkout_place_orders(
        cart=ready_cart((honey, 1)), payment_method="cod", confirmed=True
    )
    client = Client()
    if who == "buyer":
        client.force_login(UserFactory())
    elif who == "other_seller":
        other = BusinessFactory(status="active")
        client.force_login(MembershipFactory(business=other, role="owner").user)
    elif who in ("staff", "owner"):
        client.force_login(member(honey.seller, who))
    base = f"/seller/{honey.seller.slug}/orders/{order.number}"
    assert client.get(f"{base}/").status_code == expected
    client.post(f"{base}/process/")
    order.refresh_from_db()
    assert order.status == (OrderStatus.PROCESSING if expected == 200 else OrderStatus.CONFIRMED)


def test_card_checkout_through_the_pages(client, shop, stripe_stub):
    honey, tea, _, _ = shop
    _fill_cart(client, honey, tea)
    response = client.post("/thanh-toan/", _checkout_data(client, payment_method="stripe"))
    html = response.content.decode()
    payment = Payment.objects.get()
    assert response.status_code == 200
    assert f'data-secret="{payment.client_secret}"' in html
    assert 'data-key="pk_test_stub"' in html
    assert Order.objects.count() == 0
    stripe_stub.succeed(payment.provider_id)
    back = client.get("/thanh-toan/the/")
    assert back.status_code == 302
    assert set(Order.objects.values_list("status", flat=True)) == {"confirmed"}
    assert client.get(back["Location"]).status_code == 200


def test_vietqr_code_loads_on_every_order_opened_from_its_email(
    client, shop, django_capture_on_commit_callbacks
):
    honey, tea, _, _ = shop
    _fill_cart(client, honey, tea)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/thanh-toan/", _checkout_data(client, payment_method="vietqr"))
    payment = Payment.objects.get()
    first, second = Order.objects.order_by("id")
    note = (
        f"Lần chuyển khoản này thanh toán đơn {first.number} và {second.number} "
        f"(tổng {format_vnd(payment.amount)})."
    )
    assert payment.amount == first.total + second.total == 270_000
    for order in (first, second):
        (email,) = [m for m in mail.outbox if order.number in m.subject]
        assert note in email.body
        link = re.search(r"https?://\S+", email.body).group(0)
        stranger = Client()  # a fresh browser: only the e-mail's token opens anything
        parts = urlsplit(link)
        page = stranger.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200
        html = page.content.decode()
        assert f"<strong>{note}</strong>" in html
        image_url = re.search(r'src="(/payments/vietqr/[^"]+)"', html).group(1)
        image = stranger.get(image_url.replace("&amp;", "&"))
        assert (image.status_code, image["Content-Type"]) == (200, "image/png")
        assert Client().get(image_url.split("?")[0]).status_code == 404


def test_vietqr_note_of_a_single_order_names_it_alone(client, shop):
    honey, _tea, _, _ = shop
    client.cookies["django_language"] = "en"
    _fill_cart(client, honey)
    response = client.post("/thanh-toan/", _checkout_data(client, payment_method="vietqr"))
    (order,) = Order.objects.all()
    page = client.get(response["Location"]).content.decode()
    assert f"This transfer pays order {order.number} (150.000\u00a0₫)." in page


def test_checkout_shows_every_mistake_in_one_answer(client, shop):
    honey, _tea, _, _ = shop
    _fill_cart(client, honey)
    data = _checkout_data(client, recipient_name="", email="lan@", phone="12345", province="")
    response = client.post("/thanh-toan/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {field: list(messages) for field, messages in errors.items()} == {
        "email": ["Hãy nhập địa chỉ e-mail hợp lệ."],
        "phone": ["Nhập số điện thoại Việt Nam, ví dụ 0912 345 678 hoặc 024 3825 1234."],
        "recipient_name": ["Hãy nhập tên người nhận."],
        "province": ["Hãy chọn tỉnh, thành phố."],
    }
    assert Order.objects.count() == 0 and Payment.objects.count() == 0
