"""Cash on delivery without an account: a first-time buyer orders in one visit; beyond a few
checkouts or a total a day per e-mail address or phone number, and beyond a few per client, the
buyer pays another way or signs in. Buyer e-mails never carry the name a stranger typed."""

import re

import pytest
from django.core import mail
from django.test import Client

from marketplace.offers.models import Stock
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import Order
from marketplace.orders.services import checkout_address_set, checkout_contact_set
from marketplace.payments import cod
from marketplace.payments.services import checkout_payment_start
from tests.factories import UserFactory, province
from tests.factories_orders import offer_in_stock, ready_cart
from tests.support.graphql import GraphQLClient
from tests.support.race import race

pytestmark = pytest.mark.django_db

LIMIT = (
    "Khi không có tài khoản, mỗi địa chỉ e-mail hoặc số điện thoại chỉ được đặt 3 đơn thanh "
    "toán khi nhận hàng mỗi ngày."
)


@pytest.fixture
def honey():
    offer, stock = offer_in_stock(quantity=50, price=120_000, name="Mật ong Bình Liêu")
    return offer, stock


def _cart(offer, *, email="lan@example.vn", phone="0912345678", quantity=1, user=None):
    cart = ready_cart((offer, quantity), user=user)
    checkout_contact_set(cart=cart, email=email, phone=phone)
    return cart


def test_three_checkouts_a_day_then_another_way_to_pay(honey, settings):
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 3
    offer, stock = honey
    for n in range(3):
        checkout_payment_start(cart=_cart(offer, phone=f"091234567{n}"), method="cod")
    fourth = _cart(offer, phone="0987654321")
    with pytest.raises(CheckoutError) as refused:
        checkout_payment_start(cart=fourth, method="cod")
    assert (refused.value.code, refused.value.field) == ("too_many", "payment_method")
    assert str(refused.value.message).startswith(LIMIT)
    assert Order.objects.count() == 3
    assert Stock.objects.get(pk=stock.pk).quantity == 47
    # The same buyer may still pay by transfer.
    checkout_payment_start(cart=fourth, method="vietqr")
    assert Order.objects.count() == 4


def test_the_phone_number_counts_whatever_the_address(honey, settings):
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 1
    offer, _stock = honey
    checkout_payment_start(cart=_cart(offer, email="a@example.vn"), method="cod")
    with pytest.raises(CheckoutError):
        checkout_payment_start(cart=_cart(offer, email="b@example.vn"), method="cod")


def test_the_total_a_day_is_capped(honey, settings):
    settings.ORDERS_ANONYMOUS_COD_MAX_TOTAL = 400_000
    offer, _stock = honey
    checkout_payment_start(cart=_cart(offer, quantity=2), method="cod")  # 240.000 + shipping
    with pytest.raises(CheckoutError) as refused:
        checkout_payment_start(cart=_cart(offer, quantity=1), method="cod")
    assert "400.000\u00a0₫" in str(refused.value.message)


def test_signed_in_buyers_are_not_capped(honey, settings):
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 1
    offer, _stock = honey
    user = UserFactory()
    for _ in range(3):
        checkout_payment_start(cart=_cart(offer, user=user), method="cod", actor=user)
    assert Order.objects.filter(buyer=user).count() == 3


def test_one_client_cannot_walk_through_invented_buyers(honey, monkeypatch):
    monkeypatch.setattr(cod, "COD_ANONYMOUS_PER_CLIENT", cod.FailureLimit("cod-t", 2, 3600))
    offer, _stock = honey
    for n in range(2):
        checkout_payment_start(
            cart=_cart(offer, email=f"x{n}@example.vn", phone=f"090000000{n}"),
            method="cod",
            client_key="203.0.113.5",
        )
    with pytest.raises(CheckoutError) as refused:
        checkout_payment_start(
            cart=_cart(offer, email="x9@example.vn", phone="0900000009"),
            method="cod",
            client_key="203.0.113.5",
        )
    assert refused.value.code == "too_many"
    checkout_payment_start(
        cart=_cart(offer, email="x9@example.vn", phone="0900000009"),
        method="cod",
        client_key="198.51.100.1",
    )


def _fill_and_checkout(client, offer, **overrides):
    client.post("/gio-hang/them/", {"offer": offer.pk, "quantity": 1})
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
    return client.post("/thanh-toan/", data)


def test_the_page_says_why_and_a_first_time_buyer_orders_in_one_visit(
    honey, settings, django_capture_on_commit_callbacks
):
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 1
    offer, _stock = honey
    with django_capture_on_commit_callbacks(execute=True):
        first = _fill_and_checkout(Client(), offer)
    assert first.status_code == 302
    second = _fill_and_checkout(Client(), offer)
    assert second.status_code == 200
    assert "mỗi ngày" in second.content.decode()
    assert Order.objects.count() == 1


def test_the_api_answers_with_the_limit(honey, settings, client):
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 0
    offer, _stock = honey
    cart = _cart(offer)
    answer = GraphQLClient(client)(
        """mutation ($t: UUID!) { checkoutPaymentStart(token: $t, method: COD) {
        payment { status } errors { field code } } }""",
        {"t": str(cart.token)},
    )["checkoutPaymentStart"]
    assert answer == {
        "payment": None,
        "errors": [{"field": "payment_method", "code": "TOO_MANY"}],
    }


def test_buyer_emails_never_carry_a_strangers_words(honey, django_capture_on_commit_callbacks):
    offer, _stock = honey
    cart = _cart(offer, email="victim@example.vn")
    checkout_address_set(
        cart=cart,
        recipient_name="Trúng thưởng! Nhận tại http://evil.example/claim",
        province=province("01"),
        commune="Phường Ba Đình",
        street="12 Phố Đội Cấn",
    )
    with django_capture_on_commit_callbacks(execute=True):
        checkout_payment_start(cart=cart, method="cod")
    (email,) = mail.outbox
    assert email.to == ["victim@example.vn"]
    assert "evil.example" not in email.subject + email.body
    assert "Trúng thưởng" not in email.subject + email.body
    assert email.body.startswith("Xin chào,\n")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_checkouts_racing_for_the_last_allowance_cannot_both_pass(settings):
    """Six anonymous checkouts of one e-mail address at the same moment, with room for one more
    that day: the check and the placing hold the buyer's lock, so exactly one goes through."""
    settings.ORDERS_ANONYMOUS_COD_PER_DAY = 1
    offer, _stock = offer_in_stock(quantity=50, price=120_000, name="Mật ong Bình Liêu")
    carts = [_cart(offer, phone=f"09123456{n:02d}") for n in range(6)]
    outcomes = race(
        [lambda c=cart: checkout_payment_start(cart=c, method="cod") for cart in carts],
        expected=CheckoutError,
    )
    outcomes = ["placed" if not isinstance(o, CheckoutError) else o.code for o in outcomes]
    assert sorted(outcomes) == ["placed"] + ["too_many"] * 5
    assert Order.objects.filter(email="lan@example.vn").count() == 1
