"""Order pages by number are throttled per client; signed order links expire after
ORDERS_LINK_MAX_AGE_DAYS and a fresh one is sent by e-mail — with the same answer whether or
not the order exists."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from marketplace.orders import views
from marketplace.orders.selectors import order_access_token
from marketplace.orders.services import checkout_place_orders
from tests.factories_orders import offer_in_stock, ready_cart

pytestmark = pytest.mark.django_db

SENT = (
    "Nếu có đơn hàng với mã này được đặt bằng địa chỉ e-mail này, một liên kết mới tới đơn "
    "đang được gửi đến địa chỉ đó."
)


@pytest.fixture
def order():
    offer, _stock = offer_in_stock(quantity=5, price=120_000, name="Mật ong Bình Liêu")
    cart = ready_cart((offer, 1))
    (placed,) = checkout_place_orders(cart=cart, payment_method="cod", confirmed=True)
    return placed


def _token_signed_days_ago(order, days):
    signed_at = datetime.datetime.now().timestamp() - days * 86400
    with mock.patch("django.core.signing.time.time", return_value=signed_at):
        return order_access_token(order=order)


def test_a_fresh_link_opens_the_order_and_an_old_one_offers_a_new_one(order, settings):
    settings.ORDERS_LINK_MAX_AGE_DAYS = 30
    fresh = Client().get(f"/don-hang/{order.number}/?t={_token_signed_days_ago(order, 29)}")
    assert fresh.status_code == 200
    old = Client().get(f"/don-hang/{order.number}/?t={_token_signed_days_ago(order, 31)}")
    assert old.status_code == 410
    html = old.content.decode()
    assert 'id="order-link-expired"' in html
    assert f'value="{order.number}"' in html
    # A forged or foreign token is a plain 404, as before.
    forged = signing.dumps(order.number, salt="another-salt")
    assert Client().get(f"/don-hang/{order.number}/?t={forged}").status_code == 404


def test_guessing_order_numbers_is_throttled(order, monkeypatch):
    monkeypatch.setattr(
        views, "ORDER_LOOKUP_PER_CLIENT", views.FailureLimit("order-lookup-t", 3, 600)
    )
    guesser = Client()
    statuses = [guesser.get(f"/don-hang/DH261206-AAAA{n}/").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    # Even the right number with a good link is refused to this client while it is blocked...
    good = f"/don-hang/{order.number}/?t={order_access_token(order=order)}"
    assert guesser.get(good).status_code == 429
    # ...but not to anyone else.
    assert Client(REMOTE_ADDR="198.51.100.7").get(good).status_code == 200


def test_a_buyer_opening_their_own_order_is_not_counted(order, monkeypatch):
    monkeypatch.setattr(
        views, "ORDER_LOOKUP_PER_CLIENT", views.FailureLimit("order-lookup-t2", 2, 600)
    )
    good = f"/don-hang/{order.number}/?t={order_access_token(order=order)}"
    assert [Client().get(good).status_code for _ in range(4)] == [200] * 4


def _ask(client, number, email):
    return client.post("/don-hang/lien-ket-moi/", {"number": number, "email": email})


def test_a_fresh_link_is_sent_only_to_the_orders_address_with_the_same_answer(
    order, django_capture_on_commit_callbacks
):
    page = Client().get("/don-hang/lien-ket-moi/")
    assert page.status_code == 200
    client = Client()
    # The e-mail task is published when the request's work commits.
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(client, order.number.lower(), " LAN@example.vn ")
        unknown = _ask(client, "DH000000-ZZZZZ", "lan@example.vn")
        wrong_email = _ask(client, order.number, "mallory@example.vn")
    assert [r.status_code for r in (known, unknown, wrong_email)] == [302, 302, 302]
    assert {r["Location"] for r in (known, unknown, wrong_email)} == {"/don-hang/lien-ket-moi/"}
    shown = client.get("/don-hang/lien-ket-moi/").content.decode()
    assert SENT in shown
    assert len(mail.outbox) == 1
    (email,) = mail.outbox
    assert email.to == ["lan@example.vn"]
    assert email.subject == f"Liên kết mới tới đơn hàng {order.number}"
    link = re.search(r"https?://\S+", email.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200


def test_fresh_links_are_throttled_per_client_and_per_email(
    order, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views, "ORDER_LINK_PER_CLIENT", views.FailureLimit("ol-ip-t", 4, 3600))
    monkeypatch.setattr(views, "ORDER_LINK_PER_EMAIL", views.FailureLimit("ol-em-t", 2, 3600))
    one = Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_ask(one, order.number, "lan@example.vn").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2
    # Other addresses of the same client run into the per-client limit.
    assert _ask(one, order.number, "x@example.vn").status_code == 302
    assert _ask(one, order.number, "y@example.vn").status_code == 429
    # The e-mail's own budget holds whatever the client.
    assert (
        _ask(Client(REMOTE_ADDR="198.51.100.9"), order.number, "lan@example.vn").status_code == 429
    )
    assert len(mail.outbox) == 2
